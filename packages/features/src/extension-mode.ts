import { PipelineError } from '@pipeline/core';

/**
 * PyWavelets' signal extension modes (`pywt.Modes.modes`). For x = [x0 … x(n-1)]:
 * - `symmetric` (default): half-sample symmetric `… x1 x0 | x0 … x(n-1) | x(n-1) x(n-2) …`
 * - `reflect`: whole-sample symmetric `… x2 x1 | x0 … x(n-1) | x(n-2) x(n-3) …` (n ≥ 2)
 * - `periodic`: `… x(n-2) x(n-1) | x0 … x(n-1) | x0 x1 …`
 * - `zero`: `… 0 0 | x | 0 0 …`;  `constant`: `… x0 x0 | x | x(n-1) x(n-1) …`
 * - `smooth`: linear extrapolation from the first/last two samples (constant when n = 1)
 * - `antisymmetric`: half-sample antisymmetric `… -x1 -x0 | x | -x(n-1) -x(n-2) …`
 * - `antireflect`: whole-sample antisymmetric `… 2x0-x2 2x0-x1 | x | 2x(n-1)-x(n-2) …` (n ≥ 2)
 * - `periodization`: periodic over an even length (an odd signal repeats its last sample first);
 *   the DWT then keeps only ceil(n/2) coefficients, so it is orthogonal and non-redundant.
 * Every mode repeats its rule when the filter is longer than the signal, as pywt does.
 */
export const EXTENSION_MODES = [
  'symmetric',
  'periodization',
  'zero',
  'reflect',
  'periodic',
  'constant',
  'smooth',
  'antisymmetric',
  'antireflect',
] as const;

export type ExtensionMode = (typeof EXTENSION_MODES)[number];

/** Checks a mode name coming from user input (throws `E_USAGE` listing the modes). */
export function checkExtensionMode(mode: string): ExtensionMode {
  if (!(EXTENSION_MODES as readonly string[]).includes(mode)) {
    throw new PipelineError('E_USAGE', `unknown signal extension mode '${mode}'`, {
      field: 'mode',
      hint: `use one of ${EXTENSION_MODES.join(', ')}`,
    });
  }
  return mode as ExtensionMode;
}

/** Throws when a signal is too short for a mode (pywt 1.1.1 never returns for these). */
export function checkSignalLength(n: number, mode: ExtensionMode): void {
  if (n < 1) throw new PipelineError('E_INPUT', 'cannot transform an empty signal', { field: 'signal' });
  if (n < 2 && (mode === 'reflect' || mode === 'antireflect')) {
    throw new PipelineError('E_INPUT', `mode '${mode}' needs at least 2 samples, got 1`, {
      field: 'signal',
      hint: "use 'symmetric' or a longer signal",
    });
  }
}

/**
 * Copies `n` samples of `src` starting at `srcOffset` into `ext[pad, pad + n)` (or `pad + n + 1` for
 * an odd signal in `periodization`) and fills `pad` extension samples on each side by `mode`.
 * `ext` must hold at least `n + 1 + 2 * pad` values. No allocation.
 */
export function extendSignal(
  src: ArrayLike<number>,
  srcOffset: number,
  n: number,
  mode: ExtensionMode,
  ext: Float64Array,
  pad: number,
): void {
  if (src instanceof Float32Array || src instanceof Float64Array) {
    // Native (memcpy or widening) copy: several times faster than an element loop over two array types.
    ext.set(src.subarray(srcOffset, srcOffset + n), pad);
  } else {
    for (let i = 0; i < n; i++) ext[pad + i] = src[srcOffset + i]!;
  }
  fillExtension(ext, pad, n, mode);
}

/** Fills the `pad` samples on each side of the signal already at `ext[pad, pad + n)` (see {@link extendSignal}). */
export function fillExtension(ext: Float64Array, pad: number, n: number, mode: ExtensionMode): void {
  const first = pad;
  const last = pad + n - 1;
  switch (mode) {
    case 'zero':
      for (let m = 1; m <= pad; m++) {
        ext[first - m] = 0;
        ext[last + m] = 0;
      }
      return;
    case 'constant':
      for (let m = 1; m <= pad; m++) {
        ext[first - m] = ext[first]!;
        ext[last + m] = ext[last]!;
      }
      return;
    case 'smooth': {
      const left = n > 1 ? ext[first]! - ext[first + 1]! : 0;
      const right = n > 1 ? ext[last]! - ext[last - 1]! : 0;
      for (let m = 1; m <= pad; m++) {
        ext[first - m] = ext[first]! + m * left;
        ext[last + m] = ext[last]! + m * right;
      }
      return;
    }
    case 'symmetric':
    case 'antisymmetric': {
      const sign = mode === 'symmetric' ? 1 : -1;
      for (let m = 0; m < pad; m++) {
        const p = m % (2 * n);
        ext[first - 1 - m] = p < n ? sign * ext[first + p]! : ext[first + 2 * n - 1 - p]!;
        ext[last + 1 + m] = p < n ? sign * ext[last - p]! : ext[last - (2 * n - 1 - p)]!;
      }
      return;
    }
    case 'reflect': {
      const period = 2 * n - 2;
      for (let m = 0; m < pad; m++) {
        const p = m % period;
        ext[first - 1 - m] = p < n - 1 ? ext[first + p + 1]! : ext[first + period - p - 1]!;
        ext[last + 1 + m] = p < n - 1 ? ext[last - p - 1]! : ext[last - (period - p - 1)]!;
      }
      return;
    }
    case 'antireflect':
      antireflect(ext, first, n, pad);
      return;
    case 'periodic':
      wrap(ext, first, n, pad);
      return;
    case 'periodization':
      if (n % 2 === 1) ext[last + 1] = ext[last]!;
      wrap(ext, first, n + (n % 2), pad);
      return;
  }
}

/** ext[first - m] = x[(-m) mod period], ext[first + period - 1 + m] = x[(period - 1 + m) mod period]. */
function wrap(ext: Float64Array, first: number, period: number, pad: number): void {
  for (let m = 1; m <= pad; m++) {
    ext[first - m] = ext[first + ((period - (m % period)) % period)]!;
    ext[first + period - 1 + m] = ext[first + ((period - 1 + m) % period)]!;
  }
}

/**
 * Whole-sample antisymmetric extension, repeated: each new block of n-1 samples mirrors the signal
 * (alternately reversed) around the value the extension has reached, as pywt's C code does.
 */
function antireflect(ext: Float64Array, first: number, n: number, pad: number): void {
  const last = first + n - 1;
  const x0 = ext[first]!;
  const xn = ext[last]!;
  let edge = x0;
  let forward = true;
  for (let m = 0; m < pad; ) {
    for (let k = 1; k < n && m < pad; k++, m++) {
      ext[first - 1 - m] = forward ? edge - (ext[first + k]! - x0) : edge + (ext[last - k]! - xn);
    }
    edge = ext[first - m]!;
    forward = !forward;
  }
  edge = xn;
  forward = true;
  for (let m = 0; m < pad; ) {
    for (let k = 1; k < n && m < pad; k++, m++) {
      ext[last + 1 + m] = forward ? edge - (ext[last - k]! - xn) : edge + (ext[first + k]! - x0);
    }
    edge = ext[last + m]!;
    forward = !forward;
  }
}
