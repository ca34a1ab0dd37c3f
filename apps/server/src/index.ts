export {
  registerModelKind,
  unregisterModelKind,
  getModelKind,
  modelKindNames,
  type BuiltinModelKindName,
  type DatasetKind,
  type ModelKind,
  type TrainJob,
  type TrainContext,
  type TrainProgress,
  type TrainResult,
  type PredictRow,
  type PredictResult,
} from './model-kinds.js';
export { builtinKindLoaders, registerBuiltinModelKind, registerBuiltinModelKinds, type KindModule } from './kinds/index.js';
export type { MigrateOptions, SqlDriver, SqlValue } from '@pipeline/server-db';
export { createServer, type PipelineServer } from './server.js';
export { startServer, createWorkspaceToken, type StartedServer } from './start.js';
export { resolveServerConfig, type ServerConfig, type ResolvedServerConfig } from './config.js';
export { openRepository } from './db/open-repository.js';
export { Repository, type SessionPatch } from './db/repository.js';
export type { DatasetRecord, ModelRecord, SessionRecord, SessionStatus, SessionProgress, Workspace } from './db/records.js';
export { JobRunner, type JobRunnerOptions } from './jobs/job-runner.js';
export { validateDataset, TRANSIT_NUMERIC_COLUMNS, TRANSIT_LABELS, DATASET_KINDS, type DatasetSummary, type DatasetLimits } from './datasets/validate-dataset.js';
export { openApiDocument } from './http/openapi.js';
export { HttpError } from './http/http-error.js';
