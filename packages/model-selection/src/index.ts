export { kFold, type KFoldArgs } from './k-fold.js';
export { stratifiedKFold, type StratifiedKFoldArgs } from './stratified-k-fold.js';
export { groupKFold, type GroupKFoldArgs } from './group-k-fold.js';
export { stratifiedGroupKFold, type StratifiedGroupKFoldArgs } from './stratified-group-k-fold.js';
export { predefinedSplit } from './predefined-split.js';
export { repeated } from './repeated.js';
export { trainTestSplit, type TrainTestSplitArgs } from './train-test-split.js';
export { assertNoGroupLeak } from './assert-no-group-leak.js';
export { splitsFromAssignment } from './fold-assignment.js';
export { gatherRows, gatherDataset } from './gather-rows.js';
export { resolveFolds, type FoldPlan, type ResolveFoldsOptions } from './resolve-folds.js';
export {
  planFoldTasks,
  planRefitTasks,
  taskFingerprint,
  splitDigest,
  FOLD_FIT_TASK,
  REFIT_TASK,
  type FoldEstimator,
  type FoldTask,
  type FoldTaskPayload,
  type PlannedModel,
} from './fold-task.js';
export {
  runFoldTask,
  type FoldEnvironment,
  type FoldOutcome,
  type FoldTaskOutput,
  type FoldTaskResult,
} from './run-fold-task.js';
export { sequentialExecutor, type FoldExecutor, type FoldExecutorOptions } from './fold-executor.js';
export { runFoldTasks, type CompletedFolds, type RunFoldTasksOptions, type StoredFold } from './run-fold-tasks.js';
export { assembleOof } from './assemble-oof.js';
export {
  crossValPredict,
  foldRecord,
  type CrossValPredictOptions,
  type CrossValPrediction,
  type FoldRecord,
} from './cross-val-predict.js';
export { classWeightsAuto, applyClassWeights } from './class-weights-auto.js';
export { undersampleBalanced } from './undersample-balanced.js';
export { float32ToBytes, bytesToFloat32, float64ToBytes, bytesToFloat64, int32ToBytes, canonicalJson } from './bytes.js';

// Hyper-parameter search (search spaces, samplers, pruners, runStudy).
export {
  parseSearchSpace,
  searchSpace,
  mergeSearchSpace,
  isActive,
  isLogParam,
  paramsToPatch,
  PARAM_SCHEMA,
  SEARCH_SPACE_FILE_SCHEMA,
  type ChoiceValue,
  type ParamValue,
  type Params,
  type ParamCondition,
  type UniformParam,
  type LogUniformParam,
  type IntParam,
  type ChoiceParam,
  type ParamSpec,
  type SearchSpace,
  type ParseSearchSpaceOptions,
} from './search/search-space.js';
export {
  defaultSearchSpace,
  loadSearchSpace,
  knownParamsFor,
  DEFAULT_SPACES,
  SEARCHABLE_ARGS,
  SEARCH_TARGETS,
  type SearchTarget,
} from './search/default-search-space.js';
export { valueFromUnit, paramsFromUnits, randomParams, type Sampler, type SamplerContext } from './search/sampler.js';
export { randomSampler } from './search/random-sampler.js';
export { qmcSampler, haltonPoint, haltonScrambles, radicalInverse } from './search/qmc-sampler.js';
export { tpeSampler, defaultGamma, type TpeOptions } from './search/tpe-sampler.js';
export { ParzenEstimator, parzenDimension, kernelSigmas, defaultWeights, type ParzenDimension, type ParzenOptions, type KernelMemo, type IntegerMassEntry } from './search/parzen-estimator.js';
export { erfc, normalCdf, logGaussMass } from './search/normal-math.js';
export { nonePruner, type Pruner, type PrunerContext } from './search/pruner.js';
export { medianPruner, median, type MedianPrunerOptions } from './search/median-pruner.js';
export { pairedPruner, type PairedPrunerOptions } from './search/paired-pruner.js';
export { wilcoxonSignedRankP } from './search/wilcoxon.js';
export { createSampler, createPruner, type SamplerSpec, type PrunerSpec } from './search/create-sampler.js';
export { runningScores, isBetter, type Direction, type TrialState, type TrialRecord } from './search/trial-record.js';
export { jsonlTrialLog, memoryTrialLog, parseTrialLog, formatTrialRecord, type TrialLog } from './search/trial-log.js';
export {
  runStudy,
  type StudyOptions,
  type StudyResult,
  type TrialContext,
  type Objective,
  type ObjectiveResult,
  type BestParams,
  type BestScore,
} from './search/run-study.js';
