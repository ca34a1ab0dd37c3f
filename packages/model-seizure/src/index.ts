export {
  buildSeizureNet,
  seizureForward,
  seizureProbabilities,
  validateSeizureNetArgs,
  receptiveField,
  countParameters,
  parameterCount,
  SEIZURE_NET_DEFAULTS,
  type SeizureNetArgs,
  type SeizureForward,
} from './seizure-net.js';
export { RepeatSteps, type RepeatStepsArgs } from './repeat-steps.js';
export { ResidualDilatedConv1D } from './residual-dilated-conv1d.js';
export { binaryCrossEntropyWithLogits } from './binary-cross-entropy.js';
export { AdamW, type AdamWOptions, type AdamWState } from './adamw.js';
export { cosineWithWarmup, warmupStepsFor, type CosineScheduleOptions } from './lr-schedule.js';
export { clipByGlobalNorm, globalNorm } from './clip-by-global-norm.js';
export { fillWindowBatch } from './window-batches.js';
export { predictWindows, type PredictWindowsOptions, type RecordingProbabilities, type WindowPredictions } from './predict-windows.js';
export {
  scoreSeizurePredictions,
  detectEvents,
  postprocessChain,
  monitoredValue,
  SEIZURE_VALIDATION_DEFAULTS,
  FA_TARGETS,
  MONITORED_METRICS,
  type SeizureValidationArgs,
  type SeizureMetrics,
  type EventScores,
  type MonitoredMetric,
} from './seizure-metrics.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  CHECKPOINT_JSON,
  OPTIMIZER_BIN,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointState,
  type EpochSummary,
  type LoadedCheckpoint,
} from './checkpoint.js';
export { trainSeizureNet, epochBatches, type SeizureTrainArgs, type StepRecord, type TrainSeizureOptions, type TrainSeizureResult } from './train-seizure-net.js';
export {
  seizureConfigSchema,
  parseSeizureConfig,
  parseSeizureConfigYaml,
  readSeizureConfig,
  seizureNetArgsOf,
  configProblems,
  type SeizureConfig,
  type SeizureDataArgs,
  type SeizureRunArgs,
  type ConfigProblem,
} from './seizure-config.js';
export { seizureTrain, applyOverrides, mixedPrecisionReport, type SeizureTrainOverrides, type SeizureTrainResult, type MixedPrecisionReport } from './workflow/seizure-train.js';
export {
  seizureEvaluate,
  seizurePredict,
  loadSeizureModel,
  type SeizureEvaluateOptions,
  type SeizureEvaluateResult,
  type SeizurePredictOptions,
  type SeizurePredictResult,
  type SeizureModel,
  type RecordingDetections,
} from './workflow/seizure-evaluate.js';
export { validateSeizureConfig, type SeizureConfigReport } from './workflow/validate-seizure-config.js';
export { seizureDemo, seizureLocalPreset, SEIZURE_LOCAL_PRESET_YAML, type SeizureDemoOptions, type SeizureDemoResult } from './workflow/seizure-demo.js';
export { openScalarLog, type ScalarLog } from './workflow/scalar-log.js';
