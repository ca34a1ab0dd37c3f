import { readSync } from 'node:fs';
import type { H5Module, H5Runtime } from './h5-module.js';

type H5wasmDataset = InstanceType<H5Runtime['h5wasm']['Dataset']>;

interface FsLike {
  read: (stream: { path?: string }, buffer: Int8Array, offset: number, length: number, position?: number) => number;
}

/**
 * Finds the file offset of a contiguous, unfiltered dataset's first byte, so its rows can be read
 * with one `pread` straight into the output array (like h5py does) instead of HDF5 → wasm heap →
 * copy. h5wasm does not export `H5Dget_offset`, so the offset is observed: row 0 is read through
 * h5wasm while its filesystem `read` calls are recorded, and a recorded position is accepted only if
 * the bytes there equal row 0 and the bytes at the implied offsets of the middle and last rows equal
 * what h5wasm returns for them, and the whole extent lies inside the file. Anything unexpected
 * (no read seen, e.g. unwritten data returning fill values; external storage; a changed h5wasm)
 * returns `undefined` and reads keep going through HDF5.
 */
export function locateContiguousData(
  module: H5Module,
  dataset: H5wasmDataset,
  file: string,
  fd: number,
  fileSize: number,
  shape: readonly number[],
  itemSize: number,
): number | undefined {
  const rows = shape[0] ?? 0;
  const trailing = shape.slice(1);
  const rowBytes = trailing.reduce((a, b) => a * b, 1) * itemSize;
  if (rows === 0 || rowBytes === 0) return undefined;
  const fs = (module as unknown as { FS?: FsLike }).FS;
  if (fs === undefined || typeof fs.read !== 'function') return undefined;
  const readRow = (row: number): Uint8Array => {
    const ptr = module._malloc(rowBytes);
    if (ptr === 0) throw new Error('malloc failed');
    try {
      module.get_dataset_data(
        dataset.file_id,
        dataset.path,
        [1n, ...trailing.map(BigInt)],
        [BigInt(row), ...trailing.map(() => 0n)],
        [1n, ...trailing.map(() => 1n)],
        BigInt(ptr),
      );
      return module.HEAPU8.slice(ptr, ptr + rowBytes);
    } finally {
      module._free(ptr);
    }
  };
  const fromFile = (position: number): Uint8Array => {
    const bytes = new Uint8Array(rowBytes);
    let done = 0;
    while (done < rowBytes) {
      const n = readSync(fd, bytes, done, rowBytes - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return bytes;
  };
  try {
    const seen: Array<{ path: string | undefined; position: number }> = [];
    const original = fs.read;
    fs.read = function recordingRead(this: unknown, stream, buffer, offset, length, position) {
      if (typeof position === 'number') seen.push({ path: stream.path, position });
      return original.call(this, stream, buffer, offset, length, position);
    };
    let first: Uint8Array;
    try {
      first = readRow(0);
    } finally {
      fs.read = original;
    }
    const total = rows * rowBytes;
    for (const { path, position } of seen) {
      if (path !== undefined && path !== file) continue;
      if (position < 0 || position + total > fileSize) continue;
      if (!equal(fromFile(position), first)) continue;
      const checks = [rows - 1, rows >> 1];
      if (checks.every((row) => equal(fromFile(position + row * rowBytes), readRow(row)))) return position;
    }
  } catch {
    // fall back to HDF5 reads
  }
  return undefined;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Reads `length` bytes at `position` into `target` (loops over short reads; fails on EOF). */
export function preadFully(fd: number, target: Uint8Array, position: number): void {
  let done = 0;
  while (done < target.length) {
    const n = readSync(fd, target, done, Math.min(target.length - done, 1 << 30), position + done);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += n;
  }
}
