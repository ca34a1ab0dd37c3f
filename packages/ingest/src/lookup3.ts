/**
 * Bob Jenkins' lookup3 `hashlittle` (initial value 0) over `bytes[start, end)`: the checksum of
 * HDF5's version-2 metadata (superblock v2/v3, `OHDR`/`OCHK` object header blocks), as HDF5's
 * `H5_checksum_lookup3` computes it byte by byte.
 */
export function lookup3(bytes: Uint8Array, start: number, end: number): number {
  let length = end - start;
  let a = (0xdeadbeef + length) | 0;
  let b = a;
  let c = a;
  let k = start;
  const rot = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
  const word = (at: number): number => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  while (length > 12) {
    a = (a + word(k)) | 0;
    b = (b + word(k + 4)) | 0;
    c = (c + word(k + 8)) | 0;
    a = (a - c) | 0; a ^= rot(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rot(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 4); b = (b + a) | 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c >>> 0;
  // The tail: bytes 0–3 into a, 4–7 into b, 8–11 into c (little-endian), missing bytes as zero.
  const tail = (i: number): number => (i < length ? bytes[k + i]! : 0);
  a = (a + (tail(0) | (tail(1) << 8) | (tail(2) << 16) | (tail(3) << 24))) | 0;
  b = (b + (tail(4) | (tail(5) << 8) | (tail(6) << 16) | (tail(7) << 24))) | 0;
  c = (c + (tail(8) | (tail(9) << 8) | (tail(10) << 16) | (tail(11) << 24))) | 0;
  c ^= b; c = (c - rot(b, 14)) | 0;
  a ^= c; a = (a - rot(c, 11)) | 0;
  b ^= a; b = (b - rot(a, 25)) | 0;
  c ^= b; c = (c - rot(b, 16)) | 0;
  a ^= c; a = (a - rot(c, 4)) | 0;
  b ^= a; b = (b - rot(a, 14)) | 0;
  c ^= b; c = (c - rot(b, 24)) | 0;
  return c >>> 0;
}
