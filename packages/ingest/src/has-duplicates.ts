/** 32-bit FNV-1a hash of each text's UTF-16 code units (what {@link hasDuplicates} keys on). */
export function hashTexts(texts: readonly string[]): Int32Array {
  const hashes = new Int32Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    let h = 0x811c9dc5 | 0;
    for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
    hashes[i] = h;
  }
  return hashes;
}

/**
 * Whether two of the strings are equal: an open-addressing table of indices keyed by a 32-bit FNV-1a
 * hash of the UTF-16 code units, strings compared only when their hashes are equal. Several times
 * faster than a `Map` over 100k fresh strings (no entries allocated, no rehashing). `hashes`: the
 * texts' {@link hashTexts}, when already computed (e.g. by the threads that parsed them).
 */
export function hasDuplicates(texts: readonly string[], hashes: Int32Array = hashTexts(texts)): boolean {
  const n = texts.length;
  let size = 1024;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  for (let i = 0; i < n; i++) {
    const h = hashes[i]!;
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const j = slots[slot]!;
      if (j < 0) {
        slots[slot] = i;
        break;
      }
      if (hashes[j] === h && texts[j] === texts[i]) return true;
      slot = (slot + 1) & mask;
    }
  }
  return false;
}

/** The arrays one after the other (`Array.prototype.concat` in slices: `flatMap` is several times slower on 100k strings). */
export function concatArrays<T>(parts: readonly (readonly T[])[]): T[] {
  let out: T[] = [];
  for (let k = 0; k < parts.length; k += 4096) out = out.concat(...parts.slice(k, k + 4096));
  return out;
}
