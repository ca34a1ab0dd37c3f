import { PipelineError, silentLogger, type Logger } from '@pipeline/core';
import { RealFft, rfftFrequencies } from './real-fft.js';

export type WindowName = 'hann' | 'hamming' | 'boxcar';

export interface WelchOptions {
  /** Samples per second; default 1. */
  readonly sampleRate?: number;
  /** Samples per segment (scipy `nperseg`); default 256, or the signal length if shorter (with a warning). */
  readonly segmentLength?: number;
  /** Samples shared by neighbouring segments (scipy `noverlap`); default floor(segmentLength / 2). */
  readonly overlap?: number;
  /**
   * FFT length per segment (scipy `nfft`); default segmentLength, which is exact for any length.
   * A longer value zero-pads each segment (this is the only place the package pads).
   */
  readonly fftLength?: number;
  /** Window applied to each segment; scipy's periodic windows. Default `hann`. */
  readonly window?: WindowName | Float64Array;
  /** Remove each segment's mean (`constant`, the default) or nothing (`none`). */
  readonly detrend?: 'constant' | 'none';
  /** `density` (V²/Hz, the default) or `spectrum` (V²). */
  readonly scaling?: 'density' | 'spectrum';
  readonly logger?: Logger;
}

export interface PowerSpectrum {
  readonly frequencies: Float64Array;
  readonly power: Float64Array;
}

/**
 * Welch's power spectral density estimate with `scipy.signal.welch` semantics (one-sided, mean
 * over segments): segments of `segmentLength` samples every `segmentLength - overlap` samples
 * (trailing samples that do not fill a segment are ignored, as in scipy), each detrended, windowed
 * and transformed exactly (no padding unless `fftLength` asks for it).
 */
export function welch(x: ArrayLike<number>, options: WelchOptions = {}): PowerSpectrum {
  return new WelchEstimator(x.length, options).estimate(x);
}

/** Welch's method for many signals of one length: window, FFT plan and buffers are built once. */
export class WelchEstimator {
  readonly signalLength: number;
  readonly frequencies: Float64Array;
  private readonly segmentLength: number;
  private readonly step: number;
  private readonly segments: number;
  private readonly window: Float64Array;
  private readonly fft: RealFft;
  private readonly detrend: boolean;
  private readonly scale: number;
  private readonly segment: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(signalLength: number, options: WelchOptions = {}) {
    const logger = options.logger ?? silentLogger;
    const sampleRate = options.sampleRate ?? 1;
    if (!(sampleRate > 0)) throw usage('sampleRate', `sample rate must be > 0, got ${sampleRate}`);
    if (!Number.isInteger(signalLength) || signalLength < 1) {
      throw new PipelineError('E_INPUT', `Welch needs a non-empty signal, got ${signalLength} samples`, { field: 'signal' });
    }
    let segmentLength = options.segmentLength ?? 256;
    if (!Number.isInteger(segmentLength) || segmentLength < 1) {
      throw usage('segmentLength', `segment length must be an integer ≥ 1, got ${segmentLength}`);
    }
    if (segmentLength > signalLength) {
      logger.warn(`segmentLength = ${segmentLength} is greater than the signal length = ${signalLength}, using ${signalLength}`, {
        segmentLength,
        signalLength,
      });
      segmentLength = signalLength;
    }
    const overlap = options.overlap ?? Math.floor(segmentLength / 2);
    if (!Number.isInteger(overlap) || overlap < 0 || overlap >= segmentLength) {
      throw usage('overlap', `overlap must be an integer in [0, ${segmentLength}), got ${overlap}`);
    }
    const fftLength = options.fftLength ?? segmentLength;
    if (!Number.isInteger(fftLength) || fftLength < segmentLength) {
      throw usage('fftLength', `fftLength must be an integer ≥ segmentLength (${segmentLength}), got ${fftLength}`);
    }
    this.window = makeWindow(options.window ?? 'hann', segmentLength);
    this.signalLength = signalLength;
    this.segmentLength = segmentLength;
    this.step = segmentLength - overlap;
    this.segments = Math.floor((signalLength - overlap) / this.step);
    this.fft = new RealFft(fftLength);
    this.frequencies = rfftFrequencies(fftLength, sampleRate);
    this.detrend = (options.detrend ?? 'constant') === 'constant';
    let sum = 0;
    let sumSquares = 0;
    for (const w of this.window) {
      sum += w;
      sumSquares += w * w;
    }
    this.scale = (options.scaling ?? 'density') === 'density' ? 1 / (sampleRate * sumSquares) : 1 / (sum * sum);
    this.segment = new Float64Array(segmentLength);
    this.re = new Float64Array(this.fft.bins);
    this.im = new Float64Array(this.fft.bins);
  }

  /** The PSD of `x` (which must have `signalLength` samples), written into `out` if given. */
  estimate(x: ArrayLike<number>, out?: Float64Array): PowerSpectrum {
    if (x.length !== this.signalLength) {
      throw new PipelineError('E_INPUT', `signal has ${x.length} samples, this estimator was built for ${this.signalLength}`, {
        field: 'signal',
      });
    }
    const { segment, window, re, im, segmentLength, step, segments } = this;
    const bins = this.fft.bins;
    const power = out ?? new Float64Array(bins);
    power.fill(0);
    for (let s = 0; s < segments; s++) {
      const offset = s * step;
      let mean = 0;
      if (this.detrend) {
        for (let i = 0; i < segmentLength; i++) mean += x[offset + i]!;
        mean /= segmentLength;
      }
      for (let i = 0; i < segmentLength; i++) segment[i] = (x[offset + i]! - mean) * window[i]!;
      this.fft.forward(segment, re, im);
      for (let k = 0; k < bins; k++) power[k] = power[k]! + re[k]! * re[k]! + im[k]! * im[k]!;
    }
    const even = this.fft.length % 2 === 0;
    const norm = this.scale / segments;
    for (let k = 0; k < bins; k++) {
      const oneSided = k === 0 || (even && k === bins - 1) ? 1 : 2;
      power[k] = power[k]! * norm * oneSided;
    }
    return { frequencies: this.frequencies, power };
  }
}

/** scipy's periodic (`fftbins=True`) window of length n. */
export function makeWindow(window: WindowName | Float64Array, n: number): Float64Array {
  if (typeof window !== 'string') {
    if (window.length !== n) throw usage('window', `window has ${window.length} values, segments have ${n}`);
    return window;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const phase = (2 * Math.PI * i) / n;
    if (window === 'hann') out[i] = 0.5 - 0.5 * Math.cos(phase);
    else if (window === 'hamming') out[i] = 0.54 - 0.46 * Math.cos(phase);
    else if (window === 'boxcar') out[i] = 1;
    else throw usage('window', `unknown window '${String(window)}'`, 'use hann, hamming, boxcar or a Float64Array');
  }
  return out;
}

function usage(field: string, message: string, hint?: string): PipelineError {
  return new PipelineError('E_USAGE', message, { field, ...(hint === undefined ? {} : { hint }) });
}
