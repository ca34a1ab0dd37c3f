/**
 * `@pipeline/model-selection/fold-task`: running one fold task, without the rest of the package
 * (no search spaces, samplers or schemas): for processes and threads that only run fold tasks,
 * such as `@pipeline/workflows`' fold workers and `@pipeline/queue`'s job processes, whose start-up
 * this keeps short.
 */
export { canonicalJson } from './bytes.js';
export { runFoldTask, type FoldEnvironment, type FoldOutcome, type FoldTaskOutput, type FoldTaskResult } from './run-fold-task.js';
export type { FoldEstimator, FoldTask, FoldTaskPayload } from './fold-task.js';
