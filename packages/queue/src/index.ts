export { bullmqExecutor, foldJobId, DEFAULT_QUEUE_NAME, type BullmqExecutorOptions } from './bullmq-executor.js';
export { startQueueWorker, type QueueWorkerOptions, type QueueWorkerHandle } from './queue-worker.js';
export { queueStatus, type QueueStatus, type RunQueueStatus } from './queue-status.js';
export { parseRedisUrl, describeConnection, redisClient, closeRedisClient, type RedisConnection } from './redis-connection.js';
export {
  writeFoldEnvironment,
  readFoldEnvironment,
  FOLD_ENV_FORMAT_VERSION,
  type FoldEnvironmentManifest,
  type FoldEnvironmentData,
  type StoredFoldEnvironment,
  type StoredArray,
  type Dtype,
} from './fold-environment-store.js';
export {
  QUEUE_JOB_FORMAT,
  encodeTaskResult,
  decodeTaskResult,
  encodeArtifact,
  decodeArtifact,
  type QueueJobData,
  type FoldJobData,
  type FoldJobResult,
  type QueueJobHooks,
  type EncodedArtifact,
  type EncodedTaskResult,
} from './queue-job.js';
