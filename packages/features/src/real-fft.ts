import FFT from 'fft.js';
import { PipelineError } from '@pipeline/core';

/** The spectrum of a real signal: bins 0 … floor(n/2), as `numpy.fft.rfft`. */
export interface RealSpectrum {
  /** Transform length n (the input is zero-padded or truncated to it). */
  readonly length: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/**
 * A reusable real FFT of one length n ≥ 1, exact for every n (no silent padding): powers of two
 * run fft.js's `realTransform` directly; other lengths use Bluestein's chirp-z algorithm on top of
 * fft.js's complex transform of size 2^ceil(log2(2n - 1)). Results equal `numpy.fft.rfft(x, n)`
 * to ~1e-13 relative. fft.js itself accepts only powers of two and returns NaN (no error) when the
 * input length differs from its size, so every length is checked here.
 * Not thread-safe: one plan per thread. `forward` allocates nothing.
 */
export class RealFft {
  readonly length: number;
  /** Number of output bins, floor(n/2) + 1. */
  readonly bins: number;
  private readonly fft: FFT | undefined;
  private readonly input: Float64Array;
  private readonly output: Float64Array;
  private readonly bluestein: Bluestein | undefined;

  constructor(length: number) {
    if (!Number.isInteger(length) || length < 1) {
      throw new PipelineError('E_USAGE', `FFT length must be an integer ≥ 1, got ${length}`, { field: 'length' });
    }
    this.length = length;
    this.bins = Math.floor(length / 2) + 1;
    if (length >= 2 && isPowerOfTwo(length)) {
      this.fft = new FFT(length);
      this.input = new Float64Array(length);
      this.output = new Float64Array(2 * length);
    } else if (length === 1) {
      this.input = new Float64Array(1);
      this.output = new Float64Array(2);
    } else {
      this.bluestein = new Bluestein(length);
      this.input = new Float64Array(0);
      this.output = new Float64Array(0);
    }
  }

  /**
   * Writes bins 0 … floor(n/2) of the DFT of `x` (zero-padded or truncated to n, like numpy's `n`
   * argument) to `re` and `im` (each at least `bins` long).
   */
  forward(x: ArrayLike<number>, re: Float64Array, im: Float64Array): void {
    const { length, bins } = this;
    if (re.length < bins || im.length < bins) {
      throw new PipelineError('E_USAGE', `rfft output arrays need ${bins} values, got ${Math.min(re.length, im.length)}`, {
        field: 'output',
      });
    }
    if (this.bluestein !== undefined) {
      this.bluestein.forward(x, re, im);
      return;
    }
    const input = this.input;
    const used = Math.min(length, x.length);
    for (let i = 0; i < used; i++) input[i] = x[i]!;
    input.fill(0, used);
    if (this.fft === undefined) {
      re[0] = input[0]!;
      im[0] = 0;
      return;
    }
    this.fft.realTransform(this.output, input);
    const out = this.output;
    for (let k = 0; k < bins; k++) {
      re[k] = out[2 * k]!;
      im[k] = out[2 * k + 1]!;
    }
  }
}

/** `numpy.fft.rfft(x, n)`: the one-sided DFT of a real signal, any length. */
export function rfft(x: ArrayLike<number>, options: { n?: number } = {}): RealSpectrum {
  const plan = new RealFft(options.n ?? x.length);
  const re = new Float64Array(plan.bins);
  const im = new Float64Array(plan.bins);
  plan.forward(x, re, im);
  return { length: plan.length, re, im };
}

/** `numpy.fft.rfftfreq(n, 1 / sampleRate)`: the frequency of each rfft bin. */
export function rfftFrequencies(n: number, sampleRate = 1): Float64Array {
  if (!(sampleRate > 0)) {
    throw new PipelineError('E_USAGE', `sample rate must be > 0, got ${sampleRate}`, { field: 'sampleRate' });
  }
  const out = new Float64Array(Math.floor(n / 2) + 1);
  // numpy's exact arithmetic: k * (1 / (n * d)) with d = 1 / sampleRate, so values agree bit for bit.
  const step = 1 / (n * (1 / sampleRate));
  for (let k = 0; k < out.length; k++) out[k] = k * step;
  return out;
}

/** The smallest power of two ≥ n (and ≥ 2), the length fft.js can transform. */
export function nextPowerOfTwo(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

function isPowerOfTwo(n: number): boolean {
  return (n & (n - 1)) === 0;
}

/**
 * Bluestein's algorithm: X[k] = w[k] · Σ_m (x[m] w[m]) · conj(w[k - m]) with w[m] = exp(-iπ m²/n),
 * a circular convolution evaluated with power-of-two FFTs of size M ≥ 2n - 1. The chirp angle uses
 * m² mod 2n so it stays exact for large m.
 */
class Bluestein {
  private readonly n: number;
  private readonly fft: FFT;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** FFT of the conjugate chirp, interleaved complex. */
  private readonly kernel: Float64Array;
  private readonly work: Float64Array;
  private readonly spectrum: Float64Array;

  constructor(n: number) {
    this.n = n;
    const size = nextPowerOfTwo(2 * n - 1);
    this.fft = new FFT(size);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let m = 0; m < n; m++) {
      const angle = (Math.PI * ((m * m) % (2 * n))) / n;
      this.chirpRe[m] = Math.cos(angle);
      this.chirpIm[m] = -Math.sin(angle);
    }
    const b = new Float64Array(2 * size);
    for (let m = 0; m < n; m++) {
      b[2 * m] = this.chirpRe[m]!;
      b[2 * m + 1] = -this.chirpIm[m]!;
      if (m > 0) {
        b[2 * (size - m)] = this.chirpRe[m]!;
        b[2 * (size - m) + 1] = -this.chirpIm[m]!;
      }
    }
    this.kernel = new Float64Array(2 * size);
    this.fft.transform(this.kernel, b);
    this.work = new Float64Array(2 * size);
    this.spectrum = new Float64Array(2 * size);
  }

  forward(x: ArrayLike<number>, re: Float64Array, im: Float64Array): void {
    const { n, chirpRe, chirpIm, kernel, work, spectrum } = this;
    work.fill(0);
    const used = Math.min(n, x.length);
    for (let m = 0; m < used; m++) {
      const v = x[m]!;
      work[2 * m] = v * chirpRe[m]!;
      work[2 * m + 1] = v * chirpIm[m]!;
    }
    this.fft.transform(spectrum, work);
    for (let j = 0; j < spectrum.length; j += 2) {
      const ar = spectrum[j]!, ai = spectrum[j + 1]!;
      const br = kernel[j]!, bi = kernel[j + 1]!;
      spectrum[j] = ar * br - ai * bi;
      spectrum[j + 1] = ar * bi + ai * br;
    }
    this.fft.inverseTransform(work, spectrum);
    const bins = Math.floor(n / 2) + 1;
    for (let k = 0; k < bins; k++) {
      const cr = work[2 * k]!, ci = work[2 * k + 1]!;
      re[k] = cr * chirpRe[k]! - ci * chirpIm[k]!;
      im[k] = cr * chirpIm[k]! + ci * chirpRe[k]!;
    }
  }
}
