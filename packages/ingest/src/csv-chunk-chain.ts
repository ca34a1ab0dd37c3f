/**
 * The chain of first rows of a one-pass parallel CSV read, shared by every thread through
 * SharedArrayBuffers. Chunks are claimed in file order; the thread holding chunk `k` reads its
 * bytes once, counts its rows, gets chunk `k`'s first row, publishes chunk `k + 1`'s first row, and
 * only then parses its bytes (still in memory) straight into the output at that row. A thread never
 * waits for another: when a predecessor is not counted yet (its thread may be descheduled on a
 * busy machine), it counts that chunk itself (a count is a memchr pass; both threads publish the
 * same value, the first one wins). The output is a
 * growable SharedArrayBuffer: the publisher of chunk `k + 1`'s first row grows it to that row first,
 * so it grows in file order and ends exactly at the last row, with no row-count pass over the file
 * and no copy.
 */

/** Index in `control` of the next chunk to claim (`Atomics.add`; a value ≥ the chunk count stops the claims). */
export const CLAIM = 0;
/** Index in `control` of the highest `k` whose first row is in `firstRows` (`-1`: the read failed). */
export const PUBLISHED = 1;
/** `control` length. */
export const CONTROL_LENGTH = 2;

/** A SharedArrayBuffer made with `maxByteLength` (ES2024; not yet in the project's `lib`). */
export interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(byteLength: number): void;
}

/** Allocates the growable output: empty, reserving `maxByteLength` bytes of address space (no memory). */
export function growableSharedBuffer(maxByteLength: number): GrowableSharedArrayBuffer {
  const Ctor = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;
  return new Ctor(0, { maxByteLength });
}

/** What every thread of one read shares. */
export interface CsvChunkChain {
  /** `[CLAIM, PUBLISHED]`. */
  readonly control: Int32Array;
  /** Per chunk `k ≤ chunks`: its first row, valid once `control[PUBLISHED] ≥ k` (`firstRows[chunks]` is the total). */
  readonly firstRows: Float64Array;
  readonly output: GrowableSharedArrayBuffer;
  /** Bytes per output row (width × 4 or 8). */
  readonly rowBytes: number;
}

/** Marks the read failed: claims stop and every thread gives up at its next chunk. */
export function failChain(control: Int32Array, chunks: number): void {
  Atomics.store(control, CLAIM, chunks);
  Atomics.store(control, PUBLISHED, -1);
}

/**
 * Publishes the first row of chunk `chunk + 1` (`first + rows`): grows the output to it, then
 * moves the chain on, unless another thread published it already (the same value). Throws when the
 * read failed, or when the rows do not fit the output's reserved size (more lines than valid rows
 * could fill: the serial read explains).
 */
export function publishChunkEnd(chain: CsvChunkChain, chunk: number, first: number, rows: number): void {
  const end = first + rows;
  const bytes = end * chain.rowBytes;
  const { output } = chain;
  if (output.byteLength < bytes) {
    try {
      output.grow(bytes);
    } catch (error) {
      if (output.byteLength < bytes) throw error; // else: a later publisher grew it past this row already
    }
  }
  chain.firstRows[chunk + 1] = end;
  const before = Atomics.compareExchange(chain.control, PUBLISHED, chunk, chunk + 1);
  if (before < 0) throw new Error('the read failed on another thread');
}

/**
 * Chunk `chunk`'s first row: published already, or made known here by counting (`countChunk`) and
 * publishing the chunks before it that are not counted yet. Throws when the read failed.
 */
export function firstRowOf(chain: CsvChunkChain, chunk: number, countChunk: (k: number) => number): number {
  for (;;) {
    const published = Atomics.load(chain.control, PUBLISHED);
    if (published < 0) throw new Error('the read failed on another thread');
    if (published >= chunk) return chain.firstRows[chunk]!;
    publishChunkEnd(chain, published, chain.firstRows[published]!, countChunk(published));
  }
}
