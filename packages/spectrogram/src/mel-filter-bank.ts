import { PipelineError } from '@pipeline/core';

/** Options of {@link melFilterBank}; defaults are librosa's (`librosa.filters.mel`). */
export interface MelOptions {
  /** Sampling rate in Hz. */
  readonly sampleRate: number;
  /** FFT length the filters apply to. */
  readonly nFft: number;
  /** Number of mel bands. Default 128. */
  readonly nMels?: number;
  /** Lowest edge in Hz. Default 0. */
  readonly fmin?: number;
  /** Highest edge in Hz. Default `sampleRate / 2`. */
  readonly fmax?: number;
  /** HTK mel scale instead of Slaney's. Default false (Slaney). */
  readonly htk?: boolean;
  /** `'slaney'`: divide each triangle by its width in Hz (area normalization, librosa's default); null: peak 1. */
  readonly norm?: 'slaney' | null;
}

/** A mel filter bank, `nMels × (nFft / 2 + 1)` row-major (librosa's `mel` matrix). */
export interface MelFilterBank {
  readonly nMels: number;
  readonly bins: number;
  readonly weights: Float64Array;
}

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

/** Hz → mel (Slaney's scale: linear below 1 kHz, logarithmic above; or HTK's 2595·log10(1 + f/700)). */
export function hzToMel(hz: number, htk = false): number {
  if (htk) return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

/** Mel → Hz, the inverse of {@link hzToMel}. */
export function melToHz(mel: number, htk = false): number {
  if (htk) return 700 * (10 ** (mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** `n` frequencies (Hz) evenly spaced on the mel scale from fmin to fmax (`librosa.mel_frequencies`). */
export function melFrequencies(n: number, fmin: number, fmax: number, htk = false): Float64Array {
  const low = hzToMel(fmin, htk);
  const high = hzToMel(fmax, htk);
  return Float64Array.from({ length: n }, (_, i) => melToHz(n === 1 ? low : low + ((high - low) * i) / (n - 1), htk));
}

/**
 * The triangular mel filter bank of `librosa.filters.mel`: nMels + 2 edges evenly spaced in mel
 * between fmin and fmax, triangle i rising from edge i to edge i+1 and falling to edge i+2 over the
 * FFT bin frequencies k·sr/nFft, Slaney-normalized (2 / (edge[i+2] − edge[i])) by default.
 */
export function melFilterBank(options: MelOptions): MelFilterBank {
  const { sampleRate, nFft } = options;
  const nMels = options.nMels ?? 128;
  const fmin = options.fmin ?? 0;
  const fmax = options.fmax ?? sampleRate / 2;
  const htk = options.htk ?? false;
  const norm = options.norm === undefined ? 'slaney' : options.norm;
  if (!(sampleRate > 0)) throw new PipelineError('E_USAGE', `sampleRate must be positive, got ${sampleRate}`, { field: 'sampleRate' });
  if (!Number.isInteger(nMels) || nMels < 1) throw new PipelineError('E_USAGE', `nMels must be a positive integer, got ${nMels}`, { field: 'nMels' });
  if (!(fmin >= 0 && fmax > fmin)) {
    throw new PipelineError('E_USAGE', `need 0 ≤ fmin < fmax, got fmin ${fmin}, fmax ${fmax}`, { field: 'fmax' });
  }
  const bins = Math.floor(nFft / 2) + 1;
  const fftFrequencies = Float64Array.from({ length: bins }, (_, k) => (k * sampleRate) / nFft);
  const edges = melFrequencies(nMels + 2, fmin, fmax, htk);
  const weights = new Float64Array(nMels * bins);
  for (let i = 0; i < nMels; i++) {
    const lowWidth = edges[i + 1]! - edges[i]!;
    const highWidth = edges[i + 2]! - edges[i + 1]!;
    const scale = norm === 'slaney' ? 2 / (edges[i + 2]! - edges[i]!) : 1;
    for (let k = 0; k < bins; k++) {
      const lower = (fftFrequencies[k]! - edges[i]!) / lowWidth;
      const upper = (edges[i + 2]! - fftFrequencies[k]!) / highWidth;
      weights[i * bins + k] = Math.max(0, Math.min(lower, upper)) * scale;
    }
  }
  return { nMels, bins, weights };
}
