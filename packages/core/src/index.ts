export {
  PipelineError,
  isPipelineError,
  isAbortError,
  exitCodeFor,
  throwIfAborted,
  EXIT_CODES,
  type ErrorCode,
  type PipelineErrorDetails,
} from './errors.js';
export { createRng, deriveSeed, normalizeSeed, Xoshiro128, type Rng } from './random.js';
export {
  matrix,
  matrixFromRows,
  at,
  row,
  sliceRows,
  takeRows,
  selectColumns,
  column,
  hstack,
  vstack,
  argmaxRows,
  toRows,
  type Matrix,
} from './matrix.js';
export { validateDataset, takeDataset, requireLabels, countClasses, type Dataset } from './dataset.js';
export {
  resolveContext,
  silentLogger,
  type FitContext,
  type Logger,
  type ProgressEvent,
  type ProgressCallback,
  type ResolvedContext,
} from './context.js';
export {
  registerLoader,
  registeredKinds,
  loadModel,
  artifactFile,
  checkArtifact,
  checkFeatureCount,
  type ArtifactFile,
  type ArtifactLoader,
  type EstimatorSpec,
  type FittedClassifier,
  type ModelArtifact,
} from './estimator.js';
export { saveArtifact, readArtifact, atomicWrite, sha256 } from './artifact-io.js';
export { pathExists } from './path-exists.js';
export type { Split, SplitInput, Splitter } from './splitter.js';
export type { TaskSpec, TaskResult } from './task.js';
export { workerExecArgv } from './worker-exec-argv.js';
