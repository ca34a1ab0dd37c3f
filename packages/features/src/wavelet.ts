import { PipelineError } from '@pipeline/core';
import { DEC_LO } from './wavelet-filters.js';

/** Every wavelet the package supports: the orthogonal families of PyWavelets that EEG work uses. */
export const WAVELET_NAMES = [
  'haar',
  'db1', 'db2', 'db3', 'db4', 'db5', 'db6', 'db7', 'db8', 'db9', 'db10',
  'sym2', 'sym3', 'sym4', 'sym5', 'sym6', 'sym7', 'sym8', 'sym9', 'sym10',
  'coif1', 'coif2', 'coif3', 'coif4', 'coif5',
] as const;

export type WaveletName = (typeof WAVELET_NAMES)[number];

/**
 * An orthogonal wavelet's filter bank, with PyWavelets' conventions: `decLo`/`decHi` are the
 * analysis filters as `pywt.Wavelet(name).dec_lo/dec_hi`, `recLo`/`recHi` the synthesis filters.
 */
export interface Wavelet {
  readonly name: WaveletName;
  /** Filter length (`dec_len` in pywt). */
  readonly length: number;
  readonly decLo: Float64Array;
  readonly decHi: Float64Array;
  readonly recLo: Float64Array;
  readonly recHi: Float64Array;
}

const cache = new Map<string, Wavelet>();

/**
 * The filter bank of a named wavelet (cached; treat the arrays as read-only). For an orthogonal
 * wavelet pywt derives the other filters from `dec_lo` exactly: `rec_lo` is `dec_lo` reversed,
 * `dec_hi[i] = (-1)^(i+1) dec_lo[F-1-i]` and `rec_hi` is `dec_hi` reversed.
 */
export function getWavelet(name: WaveletName | Wavelet): Wavelet {
  if (typeof name !== 'string') return name;
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const lo = (WAVELET_NAMES as readonly string[]).includes(name) ? DEC_LO[name] : undefined;
  if (lo === undefined) {
    throw new PipelineError('E_USAGE', `unknown wavelet '${String(name)}'`, {
      field: 'wavelet',
      hint: `use one of ${WAVELET_NAMES.join(', ')}`,
    });
  }
  const length = lo.length;
  const decLo = Float64Array.from(lo);
  const decHi = new Float64Array(length);
  const recLo = new Float64Array(length);
  const recHi = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const mirrored = lo[length - 1 - i]!;
    decHi[i] = i % 2 === 0 ? -mirrored : mirrored;
    recLo[i] = mirrored;
  }
  for (let i = 0; i < length; i++) recHi[i] = decHi[length - 1 - i]!;
  const wavelet: Wavelet = { name, length, decLo, decHi, recLo, recHi };
  cache.set(name, wavelet);
  return wavelet;
}
