import { PipelineError } from '@pipeline/core';
import { idwtLength } from './dwt-length.js';
import { checkExtensionMode, type ExtensionMode } from './extension-mode.js';
import { getWavelet, type Wavelet, type WaveletName } from './wavelet.js';

/**
 * One-level inverse DWT, as `pywt.idwt(cA, cD, wavelet, mode)`. Either band may be `null` (treated
 * as zeros). Output length is `2L - F + 2` (`2L` in `periodization`); for an odd-length original
 * signal that is one sample more than the signal, exactly as in pywt.
 */
export function idwt(
  cA: ArrayLike<number> | null,
  cD: ArrayLike<number> | null,
  wavelet: WaveletName | Wavelet,
  mode: ExtensionMode = 'symmetric',
): Float64Array {
  const bank = getWavelet(wavelet);
  checkExtensionMode(mode);
  if (cA === null && cD === null) {
    throw new PipelineError('E_USAGE', 'idwt needs at least one of cA and cD', { field: 'coeffs' });
  }
  const count = (cA ?? cD)!.length;
  if (cA !== null && cD !== null && cA.length !== cD.length) {
    throw new PipelineError('E_INPUT', `approximation and detail bands differ in length (${cA.length} vs ${cD.length})`, {
      field: 'coeffs',
    });
  }
  const f = bank.length;
  if (count < 1 || (mode !== 'periodization' && count < f / 2)) {
    throw new PipelineError('E_INPUT', `${count} coefficients are too few to reconstruct with ${bank.name}`, {
      field: 'coeffs',
      hint: `${bank.name} needs at least ${f / 2} coefficients per band outside periodization mode`,
    });
  }
  const out = new Float64Array(idwtLength(count, f, mode));
  if (cA !== null) synthesize(cA, bank.recLo, mode, out);
  if (cD !== null) synthesize(cD, bank.recHi, mode, out);
  return out;
}

/**
 * Multilevel reconstruction, as `pywt.waverec(coeffs, wavelet, mode)` for `coeffs = [cA_n, cD_n, …, cD_1]`.
 * When an approximation is one longer than the next detail band (odd lengths), its last value is
 * dropped first, as pywt does.
 */
export function waverec(
  coeffs: ReadonlyArray<ArrayLike<number> | null>,
  wavelet: WaveletName | Wavelet,
  mode: ExtensionMode = 'symmetric',
): Float64Array {
  if (coeffs.length === 0) {
    throw new PipelineError('E_USAGE', 'waverec needs at least one band', { field: 'coeffs' });
  }
  let approximation: ArrayLike<number> | null = coeffs[0]!;
  if (coeffs.length === 1) {
    if (approximation === null) throw new PipelineError('E_USAGE', 'waverec got a single null band', { field: 'coeffs' });
    return Float64Array.from(approximation);
  }
  for (let b = 1; b < coeffs.length; b++) {
    const detail = coeffs[b]!;
    if (approximation !== null && detail !== null && approximation.length !== detail.length) {
      if (approximation.length === detail.length + 1) {
        approximation = Array.prototype.slice.call(approximation, 0, detail.length) as number[];
      } else {
        throw new PipelineError('E_INPUT', `band ${b} has ${detail.length} coefficients but the approximation has ${approximation.length}`, {
          field: 'coeffs',
          hint: 'pass the bands exactly as wavedec returned them',
        });
      }
    }
    approximation = idwt(approximation, detail, wavelet, mode);
  }
  return approximation as Float64Array;
}

/** out += upsampled `coeffs` convolved with the synthesis filter `rec` (valid part / periodic). */
function synthesize(coeffs: ArrayLike<number>, rec: Float64Array, mode: ExtensionMode, out: Float64Array): void {
  const f = rec.length;
  const half = f / 2;
  const count = coeffs.length;
  if (mode === 'periodization') {
    // Transpose of the periodization analysis: x[(2k + i + 1 - F/2) mod 2L] += rec[i] · c[k].
    const n = 2 * count;
    for (let k = 0; k < count; k++) {
      const c = coeffs[k]!;
      let index = (((2 * k + 1 - half) % n) + n) % n;
      for (let i = 0; i < f; i++) {
        out[index] = out[index]! + rec[i]! * c;
        index = index + 1 === n ? 0 : index + 1;
      }
    }
    return;
  }
  // pywt's upsampling_convolution_valid_sf: only outputs every filter tap of which overlaps a coefficient.
  for (let i = half - 1, o = 0; i < count; i++, o += 2) {
    let even = 0;
    let odd = 0;
    for (let j = 0; j < half; j++) {
      const c = coeffs[i - j]!;
      even += rec[2 * j]! * c;
      odd += rec[2 * j + 1]! * c;
    }
    out[o] = out[o]! + even;
    out[o + 1] = out[o + 1]! + odd;
  }
}
