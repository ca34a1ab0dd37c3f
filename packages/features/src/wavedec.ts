import { PipelineError, silentLogger, type Logger, type Matrix } from '@pipeline/core';
import { dwtMaxLevel } from './dwt-length.js';
import { checkExtensionMode, type ExtensionMode } from './extension-mode.js';
import { getWavelet, type Wavelet, type WaveletName } from './wavelet.js';
import { WavedecPlan } from './wavedec-plan.js';

export interface WavedecOptions {
  /** Signal extension mode; default `symmetric` (pywt's default). */
  readonly mode?: ExtensionMode;
  /** Decomposition level; default (or `null`) the maximum, `dwtMaxLevel(n, wavelet)`. */
  readonly level?: number | null;
  /** Receives pywt's warning when `level` is above the maximum. */
  readonly logger?: Logger;
}

export interface WavedecRowsOptions extends WavedecOptions {
  /** Columns [start, end) of each row that hold the signal; default every column. */
  readonly columns?: { readonly start: number; readonly end: number };
  /**
   * Element type of the output bands: `float64` (default) or `float32` (what pywt returns for a
   * float32 input; half the memory). The arithmetic is float64 either way.
   */
  readonly dtype?: 'float64' | 'float32';
  /**
   * Bands to write into instead of allocating new ones (like numpy's `out=`): band b must be an
   * array of the `dtype`'s type holding at least `rows × lengths[b]` values, e.g. the `bands` of an
   * earlier call on as many rows. Fresh multi-megabyte arrays cost a page fault per 4 KiB on first
   * touch, which dominates a large decomposition; reused bands do not (see the README's "Measured").
   * The result's bands are views of the first `rows × lengths[b]` values of these arrays.
   */
  readonly out?: readonly (Float64Array | Float32Array)[];
}

/** Options of `wavedecRowBlocks`. */
export interface WavedecRowBlocksOptions extends Omit<WavedecRowsOptions, 'out'> {
  /** Rows per block (the last block may be shorter); default {@link WAVEDEC_BLOCK_ROWS}. */
  readonly blockRows?: number;
}

/** Bands of a batched decomposition: band b is a row-major `rows × lengths[b]` array. */
export interface WavedecRowsResult<Band extends Float64Array | Float32Array = Float64Array> {
  readonly rows: number;
  readonly level: number;
  /** `[len(cA_level), len(cD_level), …, len(cD_1)]`. */
  readonly lengths: readonly number[];
  /** `[cA_level, cD_level, …, cD_1]`, each holding every row. */
  readonly bands: readonly Band[];
}

/** One block of `wavedecRowBlocks`: the bands of input rows `[start, start + rows)`. */
export interface WavedecRowBlock<Band extends Float64Array | Float32Array = Float64Array> extends WavedecRowsResult<Band> {
  /** First input row of the block; band row r holds input row `start + r`. */
  readonly start: number;
}

/**
 * Default rows per block of `wavedecRowBlocks`: 256 rows of 1250 samples are ≈2.5 MB of
 * float64 bands, small enough to stay in cache for a consumer that reads them right away.
 */
export const WAVEDEC_BLOCK_ROWS = 256;

/** One-level DWT, as `pywt.dwt(x, wavelet, mode)`. */
export function dwt(
  x: ArrayLike<number>,
  wavelet: WaveletName | Wavelet,
  mode: ExtensionMode = 'symmetric',
): { cA: Float64Array; cD: Float64Array } {
  const plan = new WavedecPlan(x.length, getWavelet(wavelet), checkExtensionMode(mode), 1);
  const bands = plan.lengths.map((length) => new Float64Array(length));
  plan.run(x, 0, bands, 0);
  return { cA: bands[0]!, cD: bands[1]! };
}

/**
 * Multilevel DWT, as `pywt.wavedec(x, wavelet, mode, level)`: returns `[cA_n, cD_n, …, cD_1]`.
 * A level above `dwtMaxLevel` is computed anyway and logs pywt's warning.
 */
export function wavedec(x: ArrayLike<number>, wavelet: WaveletName | Wavelet, options: WavedecOptions = {}): Float64Array[] {
  const bank = getWavelet(wavelet);
  const mode = checkExtensionMode(options.mode ?? 'symmetric');
  const level = resolveLevel(x.length, bank, options.level, options.logger);
  const plan = new WavedecPlan(x.length, bank, mode, level);
  const bands = plan.lengths.map((length) => new Float64Array(length));
  plan.run(x, 0, bands, 0);
  return bands;
}

/**
 * `wavedec` of every row of a matrix (pywt's `wavedec(X, wavelet, axis=1)`), computed in float64
 * with one allocation per output band (none with `out`), none per row. The bands are the caller's;
 * being fresh memory, a large call pays a page fault per 4 KiB of output on first touch. For large
 * or repeated decompositions use `createWaveletTransformer`, whose calls reuse one buffer.
 */
export function wavedecRows(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options?: WavedecRowsOptions & { readonly dtype?: 'float64'; readonly out?: readonly Float64Array[] },
): WavedecRowsResult<Float64Array>;
export function wavedecRows(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options: WavedecRowsOptions & { readonly dtype: 'float32'; readonly out?: readonly Float32Array[] },
): WavedecRowsResult<Float32Array>;
export function wavedecRows(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options: WavedecRowsOptions = {},
): WavedecRowsResult<Float64Array> | WavedecRowsResult<Float32Array> {
  const { plan, start, float32 } = rowsPlan(features, wavelet, options);
  const { rows, cols, data } = features;
  const bands = options.out === undefined ? plan.lengths.map((length) => (float32 ? new Float32Array(length * rows) : new Float64Array(length * rows))) : checkOut(options.out, plan.lengths, rows, float32);
  for (let r = 0; r < rows; r++) plan.run(data, r * cols + start, bands, r);
  return { rows, level: plan.level, lengths: plan.lengths, bands } as WavedecRowsResult<Float64Array> | WavedecRowsResult<Float32Array>;
}

/**
 * `wavedecRows` streamed in blocks of rows: yields the bands of rows `[start, start + rows)` for
 * one block after another, in buffers of `blockRows` rows that are reused for every block (so use or
 * copy a block before asking for the next one). Memory stays at one block whatever the row count,
 * and no fresh memory is touched after the first block: for a consumer that reduces the bands
 * (features, statistics), this is as fast per row at 20,000 rows as at 2,000. The values are those
 * of `wavedecRows`, bit for bit.
 */
export function wavedecRowBlocks(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options?: WavedecRowBlocksOptions & { readonly dtype?: 'float64' },
): Generator<WavedecRowBlock<Float64Array>, void, undefined>;
export function wavedecRowBlocks(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options: WavedecRowBlocksOptions & { readonly dtype: 'float32' },
): Generator<WavedecRowBlock<Float32Array>, void, undefined>;
export function wavedecRowBlocks(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options: WavedecRowBlocksOptions = {},
): Generator<WavedecRowBlock<Float64Array> | WavedecRowBlock<Float32Array>, void, undefined> {
  const blockRows = checkBlockRows(options.blockRows);
  // Validate now, not at the first next(): bad options fail where the call is.
  const prepared = rowsPlan(features, wavelet, options);
  return blocks(features, prepared, blockRows);
}

function* blocks(
  features: Matrix,
  { plan, start, float32 }: RowsPlan,
  blockRows: number,
): Generator<WavedecRowBlock<Float64Array> | WavedecRowBlock<Float32Array>, void, undefined> {
  const { rows, cols, data } = features;
  const size = Math.min(blockRows, rows);
  const buffers = plan.lengths.map((length) => (float32 ? new Float32Array(length * size) : new Float64Array(length * size)));
  for (let first = 0; first < rows; first += size) {
    const count = Math.min(size, rows - first);
    const bands = count === size ? buffers : buffers.map((buffer, b) => buffer.subarray(0, count * plan.lengths[b]!));
    for (let r = 0; r < count; r++) plan.run(data, (first + r) * cols + start, bands, r);
    yield { start: first, rows: count, level: plan.level, lengths: plan.lengths, bands } as WavedecRowBlock<Float64Array> | WavedecRowBlock<Float32Array>;
  }
}

interface RowsPlan {
  readonly plan: WavedecPlan;
  /** First signal column. */
  readonly start: number;
  readonly float32: boolean;
}

function rowsPlan(features: Matrix, wavelet: WaveletName | Wavelet, options: WavedecRowsOptions): RowsPlan {
  const bank = getWavelet(wavelet);
  const mode = checkExtensionMode(options.mode ?? 'symmetric');
  const { start, end } = signalColumns(features, options.columns);
  const float32 = checkBandDtype(options.dtype) === 'float32';
  const n = end - start;
  const level = resolveLevel(n, bank, options.level, options.logger);
  return { plan: new WavedecPlan(n, bank, mode, level), start, float32 };
}

/** Validates `columns` against the matrix (internal: shared with `WaveletTransformer`). */
export function signalColumns(features: Matrix, columns: { readonly start: number; readonly end: number } | undefined): { start: number; end: number } {
  const start = columns?.start ?? 0;
  const end = columns?.end ?? features.cols;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= features.cols)) {
    throw new PipelineError('E_USAGE', `signal columns [${start}, ${end}) are outside a matrix of ${features.cols} columns`, {
      field: 'columns',
      hint: `choose 0 ≤ start < end ≤ ${features.cols}`,
    });
  }
  return { start, end };
}

/** Validates a band `dtype` option, default `float64` (internal: shared with `WaveletTransformer`). */
export function checkBandDtype(dtype: string | undefined): 'float64' | 'float32' {
  const checked = dtype ?? 'float64';
  if (checked !== 'float64' && checked !== 'float32') {
    throw new PipelineError('E_USAGE', `dtype must be 'float64' or 'float32', got '${String(checked)}'`, { field: 'dtype' });
  }
  return checked;
}

/** Validates `blockRows`, default {@link WAVEDEC_BLOCK_ROWS} (internal: shared with `WaveletTransformer`). */
export function checkBlockRows(blockRows: number | undefined): number {
  const checked = blockRows ?? WAVEDEC_BLOCK_ROWS;
  if (!Number.isInteger(checked) || checked < 1) {
    throw new PipelineError('E_USAGE', `blockRows must be a positive integer, got ${checked}`, {
      field: 'blockRows',
      hint: `omit it for ${WAVEDEC_BLOCK_ROWS} rows per block`,
    });
  }
  return checked;
}

/** Checks caller-supplied bands (type and size) and returns views of exactly `rows × lengths[b]` values. */
function checkOut(
  out: readonly (Float64Array | Float32Array)[],
  lengths: readonly number[],
  rows: number,
  float32: boolean,
): (Float64Array | Float32Array)[] {
  const type = float32 ? Float32Array : Float64Array;
  if (out.length !== lengths.length) {
    throw new PipelineError('E_USAGE', `out holds ${out.length} bands, the decomposition has ${lengths.length}`, {
      field: 'out',
      hint: 'pass the bands of an earlier call with the same wavelet, mode, level and signal length',
    });
  }
  return out.map((band, b) => {
    const need = rows * lengths[b]!;
    if (!(band instanceof type) || band.length < need) {
      throw new PipelineError(
        'E_USAGE',
        `out band ${b} must be a ${type.name} of at least ${rows} × ${lengths[b]} = ${need} values, got ${band?.constructor?.name ?? typeof band} of ${band?.length ?? 0}`,
        { field: 'out', hint: "pass bands of the same dtype ('float32' ↔ Float32Array) sized for at least as many rows" },
      );
    }
    return band.length === need ? band : band.subarray(0, need);
  });
}

/** pywt's `_check_level`: `null`/`undefined` → the maximum; above the maximum → a warning. */
export function resolveLevel(
  n: number,
  wavelet: Wavelet,
  level: number | null | undefined,
  logger: Logger = silentLogger,
): number {
  const maxLevel = dwtMaxLevel(n, wavelet.length);
  if (level === null || level === undefined) return maxLevel;
  if (!Number.isInteger(level) || level < 0) {
    throw new PipelineError('E_USAGE', `level must be an integer ≥ 0, got ${level}`, {
      field: 'level',
      hint: 'omit it to use the maximum level',
    });
  }
  if (level > maxLevel) {
    logger.warn(`Level value of ${level} is too high: all coefficients will experience boundary effects.`, {
      level,
      maxLevel,
      signalLength: n,
      wavelet: wavelet.name,
    });
  }
  return level;
}
