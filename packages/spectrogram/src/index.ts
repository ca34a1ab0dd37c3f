export { stft, hannWindow, magnitudeSpectrogram, resolveStftOptions, type StftOptions, type StftResult, type PadMode } from './stft.js';
export { melFilterBank, melFrequencies, hzToMel, melToHz, type MelOptions, type MelFilterBank } from './mel-filter-bank.js';
export { powerToDb, type PowerToDbOptions } from './power-to-db.js';
export { melSpectrogram, logMelSpectrogram, type MelSpectrogramOptions, type Spectrogram } from './mel-spectrogram.js';
export {
  spectrogramToImage,
  encodeImage,
  decodeImage,
  readImage,
  writeImage,
  type GrayImage,
  type ImageFormat,
  type SpectrogramImageOptions,
} from './gray-image.js';
