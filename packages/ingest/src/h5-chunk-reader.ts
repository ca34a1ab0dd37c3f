import { readSync } from 'node:fs';
import type { NumericKind } from './h5-dtype.js';
import { Inflater } from './h5-inflater.js';
import type { H5ChunkedStorage } from './h5-layout.js';

/** A half-open column range `[start, end)`. */
interface Columns {
  readonly start: number;
  readonly end: number;
}

/**
 * Reads rows of a chunked 1-D or 2-D dataset without HDF5: each chunk is `pread` from the file,
 * inflated with Node's native zlib and unshuffled (the deflate and shuffle filters, undone last to
 * first, honouring each chunk's filter mask), byte-swapped when big-endian and converted to float32.
 * Unfiltered chunks of whole rows: only the rows a read needs are read, straight into the output
 * (float32 little-endian) or through a scratch block. Filtered chunks that cover whole output rows of
 * float32 little-endian data are inflated straight into the output array; others go through one
 * reused scratch chunk, which also serves as a cache of the last chunk (so batches that split a chunk
 * decode it once). Errors (a corrupt or truncated
 * chunk) are thrown as plain `Error`s; the caller adds the file and dataset.
 */
export class H5ChunkReader {
  private readonly rows: number;
  private readonly cols: number;
  private readonly chunkRows: number;
  private readonly chunkCols: number;
  private readonly gridCols: number;
  private readonly chunkBytes: number;
  private readonly native: boolean;
  private scratch: Uint8Array | undefined;
  private cached = -1;
  private stored = new Uint8Array(0);
  private rowBlock = new Uint8Array(0);
  private shuffled: Uint8Array | undefined;
  private inflater: Inflater | undefined;

  constructor(
    private readonly fd: number,
    private readonly fileSize: number,
    private readonly storage: H5ChunkedStorage,
    shape: readonly number[],
    private readonly itemSize: number,
    private readonly littleEndian: boolean,
    private readonly kind: NumericKind,
  ) {
    this.rows = shape[0]!;
    this.cols = shape.length === 2 ? shape[1]! : 1;
    this.chunkRows = storage.chunk[0]!;
    this.chunkCols = shape.length === 2 ? storage.chunk[1]! : 1;
    this.gridCols = shape.length === 2 ? storage.grid[1]! : 1;
    this.chunkBytes = this.chunkRows * this.chunkCols * itemSize;
    this.native = littleEndian && kind.array === Float32Array;
  }

  /** Rows `[s, e)` × `columns` as float32 into `out` from `offset` (row-major, width = the column count). */
  read(s: number, e: number, columns: Columns, out: Float32Array, offset: number): void {
    const { chunkRows: cr, chunkCols: cc, itemSize } = this;
    const width = columns.end - columns.start;
    if (e <= s || width <= 0) return;
    const wholeRows = this.native && cc === this.cols && width === this.cols;
    for (let ci = Math.floor(s / cr); ci * cr < e; ci++) {
      const first = ci * cr;
      const r0 = Math.max(s, first);
      const r1 = Math.min(e, first + cr, this.rows);
      for (let cj = Math.floor(columns.start / cc); cj * cc < columns.end; cj++) {
        const index = ci * this.gridCols + cj;
        if (cc === this.cols && index !== this.cached && this.unfiltered(index)) {
          this.readRowsOfChunk(index, r0 - first, r1 - first, columns, out, offset + (r0 - s) * width);
          continue;
        }
        if (wholeRows && r0 === first && r1 === first + cr && index !== this.cached) {
          const target = new Uint8Array(out.buffer, out.byteOffset + (offset + (r0 - s) * width) * 4, this.chunkBytes);
          this.decode(index, target);
          continue;
        }
        const chunk = this.chunk(index);
        const k0 = Math.max(columns.start, cj * cc);
        const k1 = Math.min(columns.end, (cj + 1) * cc);
        for (let r = r0; r < r1; r++) {
          const source = chunk.byteOffset + ((r - first) * cc + (k0 - cj * cc)) * itemSize;
          this.kind.convert(chunk.buffer, source, k1 - k0, out, offset + (r - s) * width + (k0 - columns.start));
        }
      }
    }
  }

  /** Rows `[s, e)` (every column) as native elements in little-endian order into `out` (rows × columns × item size bytes). */
  readBytes(s: number, e: number, out: Uint8Array): void {
    const { chunkRows: cr, chunkCols: cc, itemSize } = this;
    const rowBytes = this.cols * itemSize;
    for (let ci = Math.floor(s / cr); ci * cr < e; ci++) {
      const first = ci * cr;
      const r0 = Math.max(s, first);
      const r1 = Math.min(e, first + cr, this.rows);
      for (let cj = 0; cj * cc < this.cols; cj++) {
        const chunk = this.chunk(ci * this.gridCols + cj);
        const k0 = cj * cc;
        const k1 = Math.min(this.cols, k0 + cc);
        for (let r = r0; r < r1; r++) {
          const from = ((r - first) * cc) * itemSize;
          out.set(chunk.subarray(from, from + (k1 - k0) * itemSize), (r - s) * rowBytes + k0 * itemSize);
        }
      }
    }
  }

  /** Whether chunk `index` is stored without any filter applied (its bytes are the elements). */
  private unfiltered(index: number): boolean {
    const mask = this.storage.chunks[index]!.filterMask;
    return this.storage.filters.every((_, k) => (mask & (1 << k)) !== 0);
  }

  /**
   * Rows `[a, b)` of an unfiltered chunk of whole rows: only those bytes are read, straight into the
   * output (float32 little-endian, every column) or through a scratch block (other types, big-endian,
   * column ranges), as HDF5 reads an unfiltered chunk larger than its chunk cache.
   */
  private readRowsOfChunk(index: number, a: number, b: number, columns: Columns, out: Float32Array, offset: number): void {
    const entry = this.storage.chunks[index]!;
    if (entry.size !== this.chunkBytes) throw new Error(`chunk at byte ${entry.position} stores ${entry.size} bytes, expected ${this.chunkBytes}`);
    if (entry.position + entry.size > this.fileSize) {
      throw new Error(`chunk at byte ${entry.position} (${entry.size} bytes) lies past the end of the file (${this.fileSize} bytes): the file is truncated`);
    }
    const rowBytes = this.cols * this.itemSize;
    const position = entry.position + a * rowBytes;
    const bytes = (b - a) * rowBytes;
    const width = columns.end - columns.start;
    if (this.native && width === this.cols) {
      pread(this.fd, new Uint8Array(out.buffer, out.byteOffset + offset * 4, bytes), position);
      return;
    }
    if (width * NARROW_FRACTION <= this.cols) {
      readNarrow(this.fd, position, b - a, rowBytes, columns.start * this.itemSize, width, this.itemSize, this.littleEndian, this.kind, out, offset);
      return;
    }
    if (this.rowBlock.length < bytes) this.rowBlock = new Uint8Array(bytes);
    const block = this.rowBlock.subarray(0, bytes);
    pread(this.fd, block, position);
    if (!this.littleEndian) swapBytes(block, this.itemSize);
    for (let r = 0; r < b - a; r++) {
      this.kind.convert(block.buffer, r * rowBytes + columns.start * this.itemSize, width, out, offset + r * width);
    }
  }

  /** Frees the scratch buffers and the zlib stream. */
  close(): void {
    this.inflater?.close();
    this.inflater = undefined;
    this.scratch = undefined;
    this.shuffled = undefined;
    this.stored = new Uint8Array(0);
    this.rowBlock = new Uint8Array(0);
    this.cached = -1;
  }

  /** Chunk `index` decoded (native byte order) in the scratch buffer. */
  private chunk(index: number): Uint8Array {
    this.scratch ??= new Uint8Array(this.chunkBytes);
    if (this.cached !== index) {
      this.cached = -1;
      this.decode(index, this.scratch);
      if (!this.littleEndian) swapBytes(this.scratch, this.itemSize);
      this.cached = index;
    }
    return this.scratch;
  }

  /** Reads chunk `index` and undoes its filters into `target` (chunkBytes long). */
  private decode(index: number, target: Uint8Array): void {
    const entry = this.storage.chunks[index]!;
    if (entry.position + entry.size > this.fileSize) {
      throw new Error(`chunk at byte ${entry.position} (${entry.size} bytes) lies past the end of the file (${this.fileSize} bytes): the file is truncated`);
    }
    const steps = this.storage.filters.map((filter, k) => ({ filter, k })).filter(({ k }) => (entry.filterMask & (1 << k)) === 0).reverse();
    if (steps.length === 0) {
      if (entry.size !== this.chunkBytes) throw new Error(`chunk at byte ${entry.position} stores ${entry.size} bytes, expected ${this.chunkBytes}`);
      pread(this.fd, target, entry.position);
      return;
    }
    if (this.stored.length < entry.size) this.stored = new Uint8Array(Math.max(entry.size, this.stored.length * 2));
    let input: Uint8Array = this.stored.subarray(0, entry.size);
    pread(this.fd, input, entry.position);
    for (let step = 0; step < steps.length; step++) {
      const { filter } = steps[step]!;
      const last = step === steps.length - 1;
      const output = last ? target : (this.shuffled ??= new Uint8Array(this.chunkBytes));
      if (output === input) throw new Error('unsupported filter pipeline order');
      if (filter.id === 1) {
        this.inflater ??= new Inflater();
        try {
          this.inflater.inflateInto(input, output);
        } catch (cause) {
          throw new Error(`corrupt compressed chunk at byte ${entry.position} (${(cause as Error).message})`);
        }
      } else if (filter.id === 2) {
        if (input.length !== this.chunkBytes) throw new Error(`shuffled chunk at byte ${entry.position} holds ${input.length} bytes, expected ${this.chunkBytes}`);
        unshuffle(input, output, filter.clientData[0] ?? this.itemSize);
      } else {
        throw new Error(`filter ${filter.id} is not supported by the direct reader`);
      }
      input = output;
    }
  }
}

/**
 * A column range at most this fraction of a row (e.g. the id column of 1261) is read without the
 * rest of the row: rows longer than {@link NARROW_GROUP_ROW_BYTES} one `pread` per row of only its
 * bytes; shorter rows in groups of whole rows through a {@link NARROW_GROUP_BYTES} buffer (the
 * kernel reads every page of such rows anyway, and a system call costs more than copying a short
 * row: the ids of 6,000 × 1261 float32 in chunks of 200 rows took 17 ms row by row, 7 ms in groups;
 * 20,000 ids 60 → 23 ms).
 */
export const NARROW_FRACTION = 16;
/** Rows up to this long are read in groups by {@link readNarrow}; longer ones one `pread` per row. */
export const NARROW_GROUP_ROW_BYTES = 16 * 1024;
/** The group buffer of {@link readNarrow}. */
export const NARROW_GROUP_BYTES = 256 * 1024;
/** {@link readNarrow}'s group buffers (this thread's; grown when a call needs more, then reused). */
let narrowBytes = new Uint8Array(0);
let narrowValues = new Float32Array(0);

/**
 * `rows` rows of `width` elements starting `columnOffset` bytes into rows of `rowBytes` bytes at
 * file `position`, converted into `out` from `offset` (row-major, `width` per row). Only those
 * bytes when rows are long; short rows in groups through one small buffer.
 */
export function readNarrow(
  fd: number,
  position: number,
  rows: number,
  rowBytes: number,
  columnOffset: number,
  width: number,
  itemSize: number,
  littleEndian: boolean,
  kind: NumericKind,
  out: Float32Array,
  offset: number,
): void {
  const bytes = width * itemSize;
  if (rowBytes <= NARROW_GROUP_ROW_BYTES) {
    // Each group converted whole into float32 (one call, no view per row), then the columns picked.
    const perGroup = Math.max(1, Math.floor(NARROW_GROUP_BYTES / rowBytes));
    const rowItems = rowBytes / itemSize;
    const first = columnOffset / itemSize;
    // Reused across calls (one per chunk): fresh buffers would cost a page fault per 4 KiB each time.
    // Each sized for this call: a dataset of narrower elements needs more values per byte.
    const groupRows = Math.min(perGroup, rows);
    if (narrowBytes.length < groupRows * rowBytes) narrowBytes = new Uint8Array(perGroup * rowBytes);
    if (narrowValues.length < groupRows * rowItems) narrowValues = new Float32Array(perGroup * rowItems);
    const group = narrowBytes;
    const values = narrowValues;
    for (let r = 0; r < rows; r += perGroup) {
      const n = Math.min(perGroup, rows - r);
      const block = group.subarray(0, n * rowBytes);
      pread(fd, block, position + r * rowBytes);
      if (!littleEndian) swapBytes(block, itemSize);
      kind.convert(group.buffer, 0, n * rowItems, values, 0);
      for (let k = 0; k < n; k++) {
        const from = k * rowItems + first;
        const to = offset + (r + k) * width;
        for (let j = 0; j < width; j++) out[to + j] = values[from + j]!;
      }
    }
    return;
  }
  const cell = new Uint8Array(Math.ceil(bytes / 8) * 8);
  for (let r = 0; r < rows; r++) {
    pread(fd, cell.subarray(0, bytes), position + r * rowBytes + columnOffset);
    if (!littleEndian) swapBytes(cell.subarray(0, bytes), itemSize);
    kind.convert(cell.buffer, 0, width, out, offset + r * width);
  }
}

function pread(fd: number, target: Uint8Array, position: number): void {
  let done = 0;
  while (done < target.length) {
    const n = readSync(fd, target, done, Math.min(target.length - done, 1 << 30), position + done);
    if (n === 0) throw new Error(`the file ends before byte ${position + target.length} (chunk at byte ${position})`);
    done += n;
  }
}

/** Undoes HDF5's shuffle filter: byte b of element i was stored at b × count + i. */
export function unshuffle(input: Uint8Array, output: Uint8Array, elementSize: number): void {
  const count = Math.floor(input.length / elementSize);
  if (elementSize <= 1 || count <= 1) {
    output.set(input);
    return;
  }
  if (elementSize === 4 && output.byteOffset % 4 === 0) {
    const out32 = new Uint32Array(output.buffer, output.byteOffset, count);
    for (let i = 0; i < count; i++) {
      out32[i] = (input[i]! | (input[count + i]! << 8) | (input[2 * count + i]! << 16) | (input[3 * count + i]! << 24)) >>> 0;
    }
  } else {
    for (let b = 0; b < elementSize; b++) {
      const from = b * count;
      for (let i = 0; i < count; i++) output[i * elementSize + b] = input[from + i]!;
    }
  }
  const tail = count * elementSize;
  if (tail < input.length) output.set(input.subarray(tail), tail);
}

/** Reverses the byte order of every `size`-byte element in place (big-endian → little-endian). */
export function swapBytes(bytes: Uint8Array, size: number): void {
  if (size <= 1) return;
  const n = bytes.length - (bytes.length % size);
  for (let i = 0; i < n; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}
