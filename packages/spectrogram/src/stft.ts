import { PipelineError } from '@pipeline/core';
import { RealFft } from '@pipeline/features';

/** How {@link stft} pads the signal when `center` is true (librosa's `pad_mode`). */
export type PadMode = 'constant' | 'reflect';

/** Options of {@link stft}; the defaults are librosa's (`librosa.stft`, 0.10+). */
export interface StftOptions {
  /** FFT length (and window length). Default 2048. */
  readonly nFft?: number;
  /** Samples between frames. Default `nFft / 4` (floor). */
  readonly hopLength?: number;
  /** Pad `nFft / 2` samples on both sides so frame t is centred on sample t·hop. Default true. */
  readonly center?: boolean;
  /** Padding with `center`: zeros (`'constant'`, librosa's default since 0.10) or `'reflect'`. */
  readonly padMode?: PadMode;
}

/** A one-sided complex STFT, frequency-major like librosa: value (f, t) at `f * frames + t`. */
export interface StftResult {
  /** Frequency bins, `nFft / 2 + 1`. */
  readonly bins: number;
  /** Frames. */
  readonly frames: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** The periodic Hann window of length n (`scipy.signal.get_window('hann', n, fftbins=True)`). */
export function hannWindow(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
}

/** Resolved STFT parameters (defaults filled in and checked). */
export function resolveStftOptions(options: StftOptions = {}): Required<StftOptions> {
  const nFft = options.nFft ?? 2048;
  const hopLength = options.hopLength ?? Math.floor(nFft / 4);
  const padMode = options.padMode ?? 'constant';
  if (!Number.isInteger(nFft) || nFft < 2) throw new PipelineError('E_USAGE', `nFft must be an integer ≥ 2, got ${nFft}`, { field: 'nFft' });
  if (!Number.isInteger(hopLength) || hopLength < 1) {
    throw new PipelineError('E_USAGE', `hopLength must be a positive integer, got ${hopLength}`, { field: 'hopLength' });
  }
  if (padMode !== 'constant' && padMode !== 'reflect') {
    throw new PipelineError('E_USAGE', `padMode must be 'constant' or 'reflect', got ${String(padMode)}`, { field: 'padMode' });
  }
  return { nFft, hopLength, center: options.center ?? true, padMode };
}

/**
 * Short-time Fourier transform with librosa's definitions: periodic Hann window of length `nFft`,
 * frames every `hopLength` samples, with `center` the signal padded by `nFft / 2` on both sides
 * (zeros or reflection), `1 + floor((len - nFft) / hop)` frames of the (padded) signal. FFTs by
 * fft.js (through `@pipeline/features`' `RealFft`).
 */
export function stft(signal: ArrayLike<number>, options: StftOptions = {}): StftResult {
  const { nFft, hopLength, center, padMode } = resolveStftOptions(options);
  const padded = center ? padSignal(signal, Math.floor(nFft / 2), padMode) : Float64Array.from(signal);
  if (padded.length < nFft) {
    throw new PipelineError('E_INPUT', `a signal of ${signal.length} samples is shorter than one frame of ${nFft}`, {
      field: 'signal',
      hint: 'use a smaller nFft or center: true',
    });
  }
  const frames = 1 + Math.floor((padded.length - nFft) / hopLength);
  const bins = Math.floor(nFft / 2) + 1;
  const window = hannWindow(nFft);
  const fft = new RealFft(nFft);
  const frame = new Float64Array(nFft);
  const frameRe = new Float64Array(bins);
  const frameIm = new Float64Array(bins);
  const re = new Float64Array(bins * frames);
  const im = new Float64Array(bins * frames);
  for (let t = 0; t < frames; t++) {
    const start = t * hopLength;
    for (let i = 0; i < nFft; i++) frame[i] = padded[start + i]! * window[i]!;
    fft.forward(frame, frameRe, frameIm);
    for (let f = 0; f < bins; f++) {
      re[f * frames + t] = frameRe[f]!;
      im[f * frames + t] = frameIm[f]!;
    }
  }
  return { bins, frames, re, im };
}

/** |STFT|^power (power 2: the power spectrogram, librosa's `melspectrogram` default), frequency-major. */
export function magnitudeSpectrogram(result: StftResult, power = 2): Float64Array {
  const out = new Float64Array(result.re.length);
  for (let i = 0; i < out.length; i++) {
    const squared = result.re[i]! ** 2 + result.im[i]! ** 2;
    out[i] = power === 2 ? squared : Math.sqrt(squared) ** power;
  }
  return out;
}

function padSignal(signal: ArrayLike<number>, pad: number, mode: PadMode): Float64Array {
  const n = signal.length;
  const out = new Float64Array(n + 2 * pad);
  for (let i = 0; i < n; i++) out[pad + i] = signal[i]!;
  if (mode === 'reflect') {
    if (n <= pad) {
      throw new PipelineError('E_INPUT', `reflect padding of ${pad} samples needs a signal longer than ${pad}, got ${n}`, {
        field: 'padMode',
        hint: "use padMode 'constant'",
      });
    }
    for (let k = 1; k <= pad; k++) {
      out[pad - k] = signal[k]!;
      out[pad + n - 1 + k] = signal[n - 1 - k]!;
    }
  }
  return out;
}
