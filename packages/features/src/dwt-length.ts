import { PipelineError } from '@pipeline/core';
import type { ExtensionMode } from './extension-mode.js';
import { getWavelet, type Wavelet, type WaveletName } from './wavelet.js';

/**
 * Number of coefficients per band of a one-level DWT (`pywt.dwt_coeff_len`):
 * ceil(n/2) in `periodization`, floor((n + F - 1)/2) in every other mode.
 */
export function dwtCoeffLength(n: number, filterLength: number, mode: ExtensionMode): number {
  checkCount(n, 'signal length', 0);
  checkCount(filterLength, 'filter length', 1);
  if (n === 0) return 0;
  return mode === 'periodization' ? Math.ceil(n / 2) : Math.floor((n + filterLength - 1) / 2);
}

/**
 * The deepest level at which every coefficient still sees some of the signal
 * (`pywt.dwt_max_level`): floor(log2(n / (F - 1))), and 0 when n < F - 1.
 */
export function dwtMaxLevel(n: number, filter: number | WaveletName | Wavelet): number {
  const filterLength = typeof filter === 'number' ? filter : getWavelet(filter).length;
  checkCount(n, 'signal length', 0);
  checkCount(filterLength, 'filter length', 2);
  if (n < filterLength - 1) return 0;
  // Integer division first, as pywt's C code does, so floating point never rounds across a power of 2.
  const ratio = Math.floor(n / (filterLength - 1));
  return 31 - Math.clz32(ratio);
}

/** Length of `idwt` output for bands of `coeffLength` (`pywt.idwt_buffer_length`). */
export function idwtLength(coeffLength: number, filterLength: number, mode: ExtensionMode): number {
  return mode === 'periodization' ? 2 * coeffLength : 2 * coeffLength - filterLength + 2;
}

function checkCount(value: number, what: string, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new PipelineError('E_USAGE', `${what} must be an integer ≥ ${minimum}, got ${value}`, { field: what });
  }
}
