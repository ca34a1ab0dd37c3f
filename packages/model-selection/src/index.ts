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
