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
 * with one allocation per output band, none per row.
 */
export function wavedecRows(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options?: WavedecRowsOptions & { readonly dtype?: 'float64' },
): WavedecRowsResult<Float64Array>;
export function wavedecRows(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options: WavedecRowsOptions & { readonly dtype: 'float32' },
): WavedecRowsResult<Float32Array>;
export function wavedecRows(
  features: Matrix,
  wavelet: WaveletName | Wavelet,
  options: WavedecRowsOptions = {},
): WavedecRowsResult<Float64Array> | WavedecRowsResult<Float32Array> {
  const bank = getWavelet(wavelet);
  const mode = checkExtensionMode(options.mode ?? 'symmetric');
  const start = options.columns?.start ?? 0;
  const end = options.columns?.end ?? features.cols;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= features.cols)) {
    throw new PipelineError('E_USAGE', `signal columns [${start}, ${end}) are outside a matrix of ${features.cols} columns`, {
      field: 'columns',
      hint: `choose 0 ≤ start < end ≤ ${features.cols}`,
    });
  }
  const n = end - start;
  const level = resolveLevel(n, bank, options.level, options.logger);
  const plan = new WavedecPlan(n, bank, mode, level);
  const { rows, cols, data } = features;
  if (options.dtype === 'float32') {
    // float64 arithmetic into one row of scratch, then a native float64 → float32 copy per band.
    const scratch = plan.lengths.map((length) => new Float64Array(length));
    const bands = plan.lengths.map((length) => new Float32Array(length * rows));
    for (let r = 0; r < rows; r++) {
      plan.run(data, r * cols + start, scratch, 0);
      for (let b = 0; b < bands.length; b++) bands[b]!.set(scratch[b]!, r * plan.lengths[b]!);
    }
    return { rows, level, lengths: plan.lengths, bands };
  }
  const bands = plan.lengths.map((length) => new Float64Array(length * rows));
  for (let r = 0; r < rows; r++) plan.run(data, r * cols + start, bands, r);
  return { rows, level, lengths: plan.lengths, bands };
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
