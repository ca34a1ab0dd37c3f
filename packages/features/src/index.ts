export { WAVELET_NAMES, getWavelet, type Wavelet, type WaveletName } from './wavelet.js';
export { EXTENSION_MODES, checkExtensionMode, type ExtensionMode } from './extension-mode.js';
export { dwtCoeffLength, dwtMaxLevel, idwtLength } from './dwt-length.js';
export { WavedecPlan, type DwtEngine } from './wavedec-plan.js';
export {
  dwt,
  wavedec,
  wavedecRows,
  wavedecRowBlocks,
  WAVEDEC_BLOCK_ROWS,
  type WavedecOptions,
  type WavedecRowsOptions,
  type WavedecRowsResult,
  type WavedecRowBlocksOptions,
  type WavedecRowBlock,
} from './wavedec.js';
export {
  WaveletTransformer,
  createWaveletTransformer,
  type WaveletTransformerOptions,
  type WaveletTransformerCallOptions,
  type WaveletTransformerBlockOptions,
  type BandOf,
} from './wavelet-transformer.js';
export { idwt, waverec } from './idwt.js';
export { RealFft, rfft, rfftFrequencies, nextPowerOfTwo, type RealSpectrum } from './real-fft.js';
export { welch, WelchEstimator, makeWindow, type WelchOptions, type WindowName, type PowerSpectrum } from './welch.js';
export { bandPower, EEG_BANDS, type FrequencyBand, type BandPowerOptions } from './band-power.js';
export {
  dwtComboRecipe,
  DWT_COMBO_DEFAULTS,
  DwtComboPlan,
  type DwtComboParams,
  type DwtComboRecipe,
  type DwtComboDecomposition,
  type DwtComboWindowed,
} from './dwt-combo.js';
export {
  createRecipe,
  parseRecipe,
  featureNames,
  compileRecipe,
  computeFeatures,
  RECIPE_NAMES,
  type FeatureRecipe,
  type FeaturePlan,
  type RecipeName,
} from './feature-recipe.js';
export { featurizeH5, startFeaturizeWorkers, type FeaturizeH5Options, type FeaturizeResult, type FeaturizeWorkers } from './featurize-h5.js';
