/**
 * The chain of first rows of a one-pass parallel CSV read, shared by every thread through
 * SharedArrayBuffers. Chunks are claimed in file order; the thread holding chunk `k` reads its
 * bytes once, counts its rows, waits until chunk `k`'s first row is known (its predecessor is
 * counted: counting is fast, so the wait is short), publishes chunk `k + 1`'s first row, and only
 * then parses its bytes (still in memory) straight into the output at that row. The output is a
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

/** Marks the read failed: claims stop and every waiting thread wakes and gives up. */
export function failChain(control: Int32Array, chunks: number): void {
  Atomics.store(control, CLAIM, chunks);
  Atomics.store(control, PUBLISHED, -1);
  Atomics.notify(control, PUBLISHED);
}

/**
 * Chunk `chunk`'s first row when it is known, `undefined` while its predecessor is not counted yet.
 * Throws when the read failed.
 */
export function knownFirstRow(chain: CsvChunkChain, chunk: number): number | undefined {
  const published = Atomics.load(chain.control, PUBLISHED);
  if (published < 0) throw new Error('the read failed on another thread');
  return published >= chunk ? chain.firstRows[chunk]! : undefined;
}

/**
 * Publishes the first row of chunk `chunk + 1` (`first + rows`): grows the output to it, then
 * releases the threads waiting for it. Throws when the read failed, or when the rows do not fit the
 * output's reserved size (more lines than valid rows could fill: the serial read explains).
 */
export function publishChunkEnd(chain: CsvChunkChain, chunk: number, first: number, rows: number): void {
  const end = first + rows;
  const bytes = end * chain.rowBytes;
  if (chain.output.byteLength < bytes) chain.output.grow(bytes);
  chain.firstRows[chunk + 1] = end;
  if (Atomics.compareExchange(chain.control, PUBLISHED, chunk, chunk + 1) !== chunk) throw new Error('the read failed on another thread');
  Atomics.notify(chain.control, PUBLISHED);
}

/**
 * Blocks this (worker) thread until chunk `chunk`'s first row is known and returns it. Throws when
 * the read failed or nothing is published for `stallMs`.
 */
export function waitFirstRow(chain: CsvChunkChain, chunk: number, stallMs: number): number {
  const deadline = Date.now() + stallMs;
  for (;;) {
    const published = Atomics.load(chain.control, PUBLISHED);
    if (published < 0) throw new Error('the read failed on another thread');
    if (published >= chunk) return chain.firstRows[chunk]!;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`chunk ${chunk}: its first row was not known after ${stallMs} ms`);
    Atomics.wait(chain.control, PUBLISHED, published, Math.min(left, 1000));
  }
}

/** The calling thread's {@link waitFirstRow}: waits without blocking its event loop (worker exits are seen). */
export async function waitFirstRowAsync(chain: CsvChunkChain, chunk: number, stallMs: number): Promise<number> {
  const deadline = Date.now() + stallMs;
  const waitAsync = (Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: boolean; value: Promise<string> | string };
  }).waitAsync;
  for (;;) {
    const published = Atomics.load(chain.control, PUBLISHED);
    if (published < 0) throw new Error('the read failed on another thread');
    if (published >= chunk) return chain.firstRows[chunk]!;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`chunk ${chunk}: its first row was not known after ${stallMs} ms`);
    const waited = waitAsync(chain.control, PUBLISHED, published, Math.min(left, 1000));
    if (waited.async) await waited.value;
  }
}
