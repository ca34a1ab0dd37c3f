import { PipelineError } from '@pipeline/core';
import { EdfReader } from './edf-reader.js';
import { butterSos, notchSos, sosfiltfilt, type Sos } from './iir-filter.js';
import { bipolar, commonAverageReference, DOUBLE_BANANA, matchTenTwenty, TEN_TWENTY } from './montage.js';
import { resampleTo } from './resample.js';

/** How to turn an EDF's channels into model input. Every field has a default. */
export interface PreprocessOptions {
  /**
   * `average` (default): the 19 10-20 channels re-referenced to their common average, named
   * `Fp1-Avg` … (the SzCORE layout); `bipolar`: the 18 double-banana pairs (`Fp1-F7` …) or
   * `bipolarPairs`; `referential`: the 19 channels as recorded, named by electrode.
   */
  readonly montage?: 'average' | 'bipolar' | 'referential';
  /** Custom bipolar pairs of 10-20 electrodes (with `montage: 'bipolar'`). */
  readonly bipolarPairs?: ReadonlyArray<readonly [string, string]>;
  /** Target sampling rate in Hz. Default 256. */
  readonly sampleRate?: number;
  /** Zero-phase Butterworth band-pass `[low, high]` Hz, or `null` for none. Default `[0.5, 120]`. */
  readonly bandpass?: readonly [number, number] | null;
  /** Band-pass order (doubled by forward–backward filtering). Default 4. */
  readonly filterOrder?: number;
  /** Zero-phase notch frequencies in Hz (e.g. `[50]` or `[60, 120]`), or `null`. Default `null`. */
  readonly notch?: number | readonly number[] | null;
  /** Notch quality factor. Default 30. */
  readonly notchQ?: number;
  /** Per-channel z-scoring over the recording. Default true. */
  readonly standardize?: boolean;
}

/** A recording after preprocessing: channel-major float32 signals at `sampleRate`. */
export interface PreprocessedRecording {
  readonly id: string;
  readonly channels: readonly string[];
  readonly sampleRate: number;
  /** One array per channel, all of the same length. */
  readonly data: readonly Float32Array[];
  readonly durationSec: number;
  /** Start of the recording from the EDF header, if it parses. */
  readonly start: Date | null;
}

/** Defaults applied by {@link resolvePreprocessOptions}. */
export const DEFAULT_PREPROCESS = {
  montage: 'average',
  sampleRate: 256,
  bandpass: [0.5, 120],
  filterOrder: 4,
  notch: null,
  notchQ: 30,
  standardize: true,
} as const;

export type ResolvedPreprocessOptions = Required<Omit<PreprocessOptions, 'bipolarPairs' | 'notch'>> & {
  readonly bipolarPairs: ReadonlyArray<readonly [string, string]>;
  readonly notch: readonly number[];
};

export function resolvePreprocessOptions(options: PreprocessOptions = {}): ResolvedPreprocessOptions {
  const notch = options.notch ?? DEFAULT_PREPROCESS.notch;
  const resolved = {
    montage: options.montage ?? DEFAULT_PREPROCESS.montage,
    bipolarPairs: options.bipolarPairs ?? DOUBLE_BANANA,
    sampleRate: options.sampleRate ?? DEFAULT_PREPROCESS.sampleRate,
    bandpass: options.bandpass === undefined ? DEFAULT_PREPROCESS.bandpass : options.bandpass,
    filterOrder: options.filterOrder ?? DEFAULT_PREPROCESS.filterOrder,
    notch: notch === null ? [] : typeof notch === 'number' ? [notch] : [...notch],
    notchQ: options.notchQ ?? DEFAULT_PREPROCESS.notchQ,
    standardize: options.standardize ?? DEFAULT_PREPROCESS.standardize,
  };
  const nyquist = resolved.sampleRate / 2;
  if (!(resolved.sampleRate > 0)) throw new PipelineError('E_USAGE', `sampleRate ${resolved.sampleRate} must be positive`, { field: 'sampleRate' });
  if (resolved.bandpass !== null) {
    const [lo, hi] = resolved.bandpass;
    if (!(lo > 0 && hi > lo && hi < nyquist)) {
      throw new PipelineError('E_USAGE', `band-pass [${lo}, ${hi}] Hz must satisfy 0 < low < high < ${nyquist} Hz (Nyquist)`, { field: 'bandpass' });
    }
  }
  for (const f of resolved.notch) {
    if (!(f > 0 && f < nyquist)) throw new PipelineError('E_USAGE', `notch ${f} Hz must be in (0, ${nyquist}) Hz`, { field: 'notch' });
  }
  return resolved;
}

/** The channel names a montage produces. */
export function montageChannels(options: PreprocessOptions = {}): string[] {
  const o = resolvePreprocessOptions(options);
  if (o.montage === 'average') return TEN_TWENTY.map((e) => `${e}-Avg`);
  if (o.montage === 'bipolar') return o.bipolarPairs.map(([a, b]) => `${a}-${b}`);
  return [...TEN_TWENTY];
}

/**
 * Reads an EDF's 10-20 channels one at a time (streaming by record), resamples each to the target
 * rate, applies the notch and band-pass filters, re-references (common average or bipolar) and
 * z-scores each channel. Filtering before re-referencing gives the same result as after (both are
 * linear and the same filter runs on every channel). EDF+D gaps are read as 0.
 */
export async function preprocessEdf(path: string, id: string, options: PreprocessOptions = {}): Promise<PreprocessedRecording> {
  const o = resolvePreprocessOptions(options);
  const reader = await EdfReader.open(path);
  try {
    const signals = reader.signals;
    const indices = matchTenTwenty(
      signals.map((s) => (s.isAnnotation ? '' : s.label)),
      path,
    );
    const sections: Sos[] = [
      ...o.notch.map((f) => notchSos(f, o.notchQ, o.sampleRate)),
      ...(o.bandpass === null ? [] : [butterSos(o.filterOrder, o.bandpass, 'bandpass', o.sampleRate)]),
    ];
    const durationSec = await reader.durationSec();
    const length = Math.round(durationSec * o.sampleRate);
    const referential: Float32Array[] = [];
    for (const index of indices) {
      const header = signals[index]!;
      const raw = await reader.readSignal(index, 0, undefined, { gapValue: 0 });
      let x = resampleTo(raw, header.sampleRate, o.sampleRate);
      for (const sos of sections) x = sosfiltfilt(sos, x);
      const out = new Float32Array(length);
      out.set(x.length > length ? x.subarray(0, length) : x);
      referential.push(out);
    }
    let data: Float32Array[];
    let channels: string[];
    if (o.montage === 'average') {
      data = commonAverageReference(referential);
      channels = TEN_TWENTY.map((e) => `${e}-Avg`);
    } else if (o.montage === 'bipolar') {
      data = bipolar(referential, o.bipolarPairs);
      channels = o.bipolarPairs.map(([a, b]) => `${a}-${b}`);
    } else {
      data = referential;
      channels = [...TEN_TWENTY];
    }
    if (o.standardize) for (const c of data) standardize(c);
    return { id, channels, sampleRate: o.sampleRate, data, durationSec: length / o.sampleRate, start: reader.header.start };
  } finally {
    await reader.close();
  }
}

/** Z-scores a channel in place (mean 0, standard deviation 1; a constant channel becomes 0). */
export function standardize(x: Float32Array): Float32Array {
  const n = x.length;
  if (n === 0) return x;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) ** 2;
  const std = Math.sqrt(ss / n);
  const scale = std > 1e-12 ? 1 / std : 0;
  for (let i = 0; i < n; i++) x[i] = (x[i]! - mean) * scale;
  return x;
}
