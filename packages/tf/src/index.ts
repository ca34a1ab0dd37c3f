export { tf } from './tf.js';
export {
  selectBackend,
  ensureBackend,
  currentBackend,
  BACKEND_ORDER,
  BACKEND_ENV_VAR,
  type BackendName,
  type BackendSelection,
  type SelectBackendOptions,
} from './select-backend.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-training-kernels.js';
export { lstmLastState } from './lstm-sequence.js';
export { compileForward, type ForwardFunction, type CompileForwardOptions } from './compile-forward.js';
export { initializeWeights } from './initialize-weights.js';
export { modelToFiles, modelFromFiles, saveModelDir, loadModelDir, MODEL_JSON, WEIGHTS_BIN } from './model-io.js';
export { DilatedConv1D, dilatedConv1d, type DilatedConv1DArgs, type DilatedConv1DActivation } from './dilated-conv1d.js';
export { exampleSize, type BatchSource } from './batch-source.js';
export {
  signalSource,
  fitStandardization,
  checkSignalWidth,
  signalSteps,
  type SignalLayout,
  type Standardization,
} from './signal-source.js';
export {
  trainClassifier,
  predictClassifier,
  type TrainClassifierOptions,
  type TrainHistory,
  type EpochRecord,
  type EarlyStopping,
  type PredictOptions,
} from './train-classifier.js';
export {
  TemporalClassifier,
  temporalEstimator,
  loadTemporalClassifier,
  validateTemporalArgs,
  TEMPORAL_FORMAT_VERSION,
  type TemporalArgs,
  type TemporalModelDefinition,
} from './temporal-classifier.js';
export { syntheticSignals, type SyntheticSignalsOptions } from './synthetic-signals.js';
export { withBalancedClassWeights, type ClassWeightMode } from './balanced-sample-weights.js';
