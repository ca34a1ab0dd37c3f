import { PipelineError, type Matrix } from '@pipeline/core';
import { checkExtensionMode, type ExtensionMode } from './extension-mode.js';
import { getWavelet, type Wavelet, type WaveletName } from './wavelet.js';
import { WavedecPlan, type DwtEngine } from './wavedec-plan.js';
import {
  checkBandDtype,
  checkBlockRows,
  resolveLevel,
  signalColumns,
  type WavedecOptions,
  type WavedecRowBlock,
  type WavedecRowsResult,
} from './wavedec.js';

/** Options of {@link createWaveletTransformer}: fixed for every call of the transformer. */
export interface WaveletTransformerOptions extends WavedecOptions {
  /**
   * Element type of the bands: `float64` (default) or `float32` (what pywt returns for a float32
   * input; half the memory). The arithmetic is float64 either way.
   */
  readonly dtype?: 'float64' | 'float32';
  /** Inner loop of the decomposition (see {@link WavedecPlan}); default `auto`. */
  readonly engine?: DwtEngine;
}

/** Options of one {@link WaveletTransformer.wavedecRows} call. */
export interface WaveletTransformerCallOptions {
  /** Columns [start, end) of each row that hold the signal; default every column. */
  readonly columns?: { readonly start: number; readonly end: number };
}

/** Options of one {@link WaveletTransformer.wavedecRowBlocks} call. */
export interface WaveletTransformerBlockOptions extends WaveletTransformerCallOptions {
  /** Rows per block (the last block may be shorter); default `WAVEDEC_BLOCK_ROWS` (256). */
  readonly blockRows?: number;
}

/** The band element type of a `dtype` option: `Float32Array` for `'float32'`, else `Float64Array`. */
export type BandOf<Dtype extends 'float64' | 'float32' | undefined> = Dtype extends 'float32' ? Float32Array : Float64Array;

/**
 * A reusable batched wavelet decomposition that owns its output memory: `wavedecRows` (and
 * `wavedecRowBlocks`) return bands that live in one buffer held by the transformer and reused by
 * its next call, so repeated decompositions touch no fresh memory. Fresh multi-megabyte arrays
 * cost a page fault per 4 KiB page on first touch, which costs more than the DWT itself for a
 * 20,000-row matrix (see the package README); with a transformer every call after the first runs
 * at the speed of the kernel, and the first call costs what a plain `wavedecRows` costs.
 *
 * **Ownership.** The bands of a call are lent to the caller until the next `wavedecRows` or
 * `wavedecRowBlocks` call on the same transformer (or `dispose()`), which detaches them (their
 * `length` becomes 0, their `buffer` is detached) before the memory is written again: a result
 * kept too long reads as empty, never as another call's values. To keep bands beyond the next call,
 * copy them (`band.slice()`), use a second transformer, or call the plain `wavedecRows`, whose bands
 * are always the caller's. A block of `wavedecRowBlocks` is likewise detached when the next block is
 * produced. Calling the transformer while one of its block iterators is unfinished ends that
 * iterator: its next step throws `E_USAGE`.
 *
 * **Memory.** The buffer is as large as the largest call so far (rows × Σ band lengths × 4 or 8
 * bytes; 20,000 × 1250 db4 level 5 in float32: 101 MB) and kept until `dispose()` or until the
 * transformer is garbage-collected; a smaller call uses the start of it. Calls may change the
 * number of rows and the signal length (`columns`) freely; one decomposition plan is kept per
 * signal length. Not thread-safe: one transformer per thread.
 *
 * Values are those of `wavedecRows(features, wavelet, options)`, bit for bit. A level above the
 * maximum logs pywt's warning once per signal length (when that length is first seen).
 */
export class WaveletTransformer<Band extends Float64Array | Float32Array = Float64Array> {
  /** The filter bank. */
  readonly wavelet: Wavelet;
  /** Signal extension mode of every call. */
  readonly mode: ExtensionMode;
  /** Element type of the bands. */
  readonly dtype: 'float64' | 'float32';
  private readonly options: WaveletTransformerOptions;
  private readonly plans = new Map<number, WavedecPlan>();
  private arena: ArrayBuffer | undefined;
  /** Whether views of `arena` have been handed out since it was last detached. */
  private lent = false;
  /** Incremented by every call: a block iterator stops if another call took the buffer. */
  private generation = 0;

  /** Prefer {@link createWaveletTransformer}, which types the bands after `dtype`. */
  constructor(wavelet: WaveletName | Wavelet, options: WaveletTransformerOptions = {}) {
    this.wavelet = getWavelet(wavelet);
    this.mode = checkExtensionMode(options.mode ?? 'symmetric');
    this.dtype = checkBandDtype(options.dtype);
    if (options.level !== undefined && options.level !== null && !(Number.isInteger(options.level) && options.level >= 0)) {
      throw new PipelineError('E_USAGE', `level must be an integer ≥ 0, got ${options.level}`, {
        field: 'level',
        hint: 'omit it to use the maximum level',
      });
    }
    this.options = options;
  }

  /** Bytes of band memory the transformer holds (0 before the first call and after `dispose()`). */
  get retainedBytes(): number {
    return this.arena?.byteLength ?? 0;
  }

  /**
   * `wavedec` of every row of `features` (pywt's `wavedec(X, wavelet, axis=1)`), into bands owned
   * by the transformer: valid until its next call (see the class documentation).
   */
  wavedecRows(features: Matrix, options: WaveletTransformerCallOptions = {}): WavedecRowsResult<Band> {
    const { plan, start } = this.prepare(features, options.columns);
    const { rows, cols, data } = features;
    const bands = this.lend(plan.lengths, rows);
    for (let r = 0; r < rows; r++) plan.run(data, r * cols + start, bands, r);
    return { rows, level: plan.level, lengths: plan.lengths, bands };
  }

  /**
   * `wavedecRows` streamed in blocks of `blockRows` rows, in a buffer of one block owned by the
   * transformer: each block is valid until the next one is produced (or the next call). Memory is
   * one block whatever the row count, and no fresh memory is touched once the transformer has seen
   * a block of that size. Options are checked when called, not at the first `next()`.
   */
  wavedecRowBlocks(features: Matrix, options: WaveletTransformerBlockOptions = {}): Generator<WavedecRowBlock<Band>, void, undefined> {
    const blockRows = checkBlockRows(options.blockRows);
    const { plan, start } = this.prepare(features, options.columns);
    return this.blocks(features, plan, start, Math.max(1, Math.min(blockRows, features.rows)), this.generation);
  }

  /** Detaches the bands lent by the last call and drops the buffer (the memory is freed by the GC). */
  dispose(): void {
    this.generation++;
    if (this.arena !== undefined && this.lent) detach(this.arena);
    this.arena = undefined;
    this.lent = false;
  }

  private *blocks(features: Matrix, plan: WavedecPlan, start: number, size: number, generation: number): Generator<WavedecRowBlock<Band>, void, undefined> {
    const { rows, cols, data } = features;
    for (let first = 0; first < rows; first += size) {
      if (this.generation !== generation) {
        throw new PipelineError('E_USAGE', 'the wavelet transformer was called again before this block iterator finished', {
          field: 'wavedecRowBlocks',
          hint: 'finish (or drop) a block iterator before the next call on the same transformer, or use two transformers',
        });
      }
      const count = Math.min(size, rows - first);
      // Views of exactly `count` rows at the start of a buffer sized for `size` rows.
      const bands = this.lend(plan.lengths, count, size);
      for (let r = 0; r < count; r++) plan.run(data, (first + r) * cols + start, bands, r);
      yield { start: first, rows: count, level: plan.level, lengths: plan.lengths, bands };
    }
  }

  private prepare(features: Matrix, columns: WaveletTransformerCallOptions['columns']): { plan: WavedecPlan; start: number } {
    const { start, end } = signalColumns(features, columns);
    const n = end - start;
    let plan = this.plans.get(n);
    if (plan === undefined) {
      const level = resolveLevel(n, this.wavelet, this.options.level, this.options.logger);
      plan = new WavedecPlan(n, this.wavelet, this.mode, level, this.options.engine);
      this.plans.set(n, plan);
    }
    this.generation++;
    return { plan, start };
  }

  /**
   * Views of `rows × lengths[b]` values per band, laid out band after band in the arena (band b
   * at `capacity × Σ_{c<b} lengths[c]`), after detaching the views lent before. The arena grows
   * (a fresh buffer) only when `capacity` rows do not fit.
   */
  private lend(lengths: readonly number[], rows: number, capacity = rows): Band[] {
    const bytesPerValue = this.dtype === 'float32' ? 4 : 8;
    let total = 0;
    for (const length of lengths) total += length;
    const bytes = capacity * total * bytesPerValue;
    if (this.arena !== undefined && this.lent) this.arena = detach(this.arena);
    if (this.arena === undefined || this.arena.byteLength < bytes) this.arena = new ArrayBuffer(bytes);
    const arena = this.arena;
    this.lent = true;
    const bands: Band[] = [];
    let offset = 0;
    for (const length of lengths) {
      bands.push((bytesPerValue === 4 ? new Float32Array(arena, offset, rows * length) : new Float64Array(arena, offset, rows * length)) as Band);
      offset += capacity * length * bytesPerValue;
    }
    return bands;
  }
}

/**
 * A wavelet transformer (see {@link WaveletTransformer}) for `wavelet` with fixed `mode`, `level`,
 * `dtype` and `engine`; its bands are `Float32Array`s when `dtype` is `'float32'`, else
 * `Float64Array`s.
 *
 * ```ts
 * const dwt = createWaveletTransformer('db4', { level: 5, dtype: 'float32' });
 * for (const batch of batches) {
 *   const { bands } = dwt.wavedecRows(batch); // valid until the next dwt call
 *   use(bands);
 * }
 * ```
 */
export function createWaveletTransformer<const Options extends WaveletTransformerOptions = WaveletTransformerOptions>(
  wavelet: WaveletName | Wavelet,
  options?: Options,
): WaveletTransformer<BandOf<Options['dtype']>> {
  return new WaveletTransformer<BandOf<Options['dtype']>>(wavelet, options ?? {});
}

/** Detaches `buffer` (every view of it becomes empty) and returns a new handle on the same memory. */
function detach(buffer: ArrayBuffer): ArrayBuffer {
  const transfer = (buffer as ArrayBuffer & { transfer?: () => ArrayBuffer }).transfer;
  // ArrayBuffer.prototype.transfer (Node ≥ 22); structuredClone's transfer list moves the memory
  // the same way on Node 20. Neither copies.
  return transfer !== undefined ? transfer.call(buffer) : structuredClone(buffer, { transfer: [buffer] });
}
