import { PipelineError } from '@pipeline/core';
import { melFilterBank, type MelFilterBank, type MelOptions } from './mel-filter-bank.js';
import { powerToDb, type PowerToDbOptions } from './power-to-db.js';
import { magnitudeSpectrogram, resolveStftOptions, stft, type StftOptions } from './stft.js';

/** Options of {@link melSpectrogram}: STFT and mel options, librosa's defaults. */
export interface MelSpectrogramOptions extends StftOptions, Omit<MelOptions, 'nFft'> {
  /** Exponent of the magnitude (2: power). Default 2. */
  readonly power?: number;
}

/** A mel spectrogram, band-major like librosa: value (band, frame) at `band * frames + frame`. */
export interface Spectrogram {
  readonly bands: number;
  readonly frames: number;
  readonly data: Float64Array;
}

/**
 * `librosa.feature.melspectrogram(y=signal, sr=sampleRate)`: the filter bank applied to
 * |STFT|^power. Pass `filterBank` to reuse one bank over many signals.
 */
export function melSpectrogram(signal: ArrayLike<number>, options: MelSpectrogramOptions, filterBank?: MelFilterBank): Spectrogram {
  const stftOptions = resolveStftOptions(options);
  const bank = filterBank ?? melFilterBank({ ...options, nFft: stftOptions.nFft });
  const spectrum = stft(signal, stftOptions);
  if (bank.bins !== spectrum.bins) {
    throw new PipelineError('E_USAGE', `the filter bank has ${bank.bins} bins, the STFT ${spectrum.bins}`, { field: 'filterBank' });
  }
  const power = magnitudeSpectrogram(spectrum, options.power ?? 2);
  const { frames, bins } = spectrum;
  const data = new Float64Array(bank.nMels * frames);
  for (let m = 0; m < bank.nMels; m++) {
    for (let k = 0; k < bins; k++) {
      const w = bank.weights[m * bins + k]!;
      if (w === 0) continue;
      const row = k * frames;
      const out = m * frames;
      for (let t = 0; t < frames; t++) data[out + t] = data[out + t]! + w * power[row + t]!;
    }
  }
  return { bands: bank.nMels, frames, data };
}

/** {@link melSpectrogram} in decibels (`power_to_db`), the usual input of spectrogram images. */
export function logMelSpectrogram(
  signal: ArrayLike<number>,
  options: MelSpectrogramOptions & PowerToDbOptions,
  filterBank?: MelFilterBank,
): Spectrogram {
  const mel = melSpectrogram(signal, options, filterBank);
  return { bands: mel.bands, frames: mel.frames, data: powerToDb(mel.data, options) };
}
