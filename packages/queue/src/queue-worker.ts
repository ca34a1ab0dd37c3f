import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PipelineError, type Logger } from '@pipeline/core';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { withTimeout } from './with-timeout.js';
import { DEFAULT_QUEUE_NAME } from './bullmq-executor.js';
import { closeRedisClient, describeConnection, parseRedisUrl, redisClient, type RedisConnection } from './redis-connection.js';

export interface QueueWorkerOptions {
  readonly connection: string | RedisConnection;
  readonly queueName?: string;
  /** Jobs run at once, each in its own sandboxed child process. Default 1. */
  readonly concurrency?: number;
  /**
   * After this many jobs the worker's child processes are replaced by fresh ones (memory grows in
   * reused child processes). Default 50; 0 = never.
   */
  readonly maxJobsPerProcess?: number;
  /** Job lock; renewed every `lockDurationMs / 2` by this (never CPU-blocked) process. Default 30 s. */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock expired (their worker died). Default 30 s. */
  readonly stalledIntervalMs?: number;
  /** A job found stalled more often than this fails (its last error says so). Default 1. */
  readonly maxStalledCount?: number;
  readonly logger?: Logger;
  /** Redis not reachable this long at start → `E_NOT_FOUND` instead of waiting. Default 30 s. */
  readonly connectTimeoutMs?: number;
  /** Name shown in Redis's client list. */
  readonly name?: string;
}

export interface QueueWorkerHandle {
  /** Jobs finished (completed or failed) by this worker so far. */
  readonly finished: () => number;
  /** Stops taking jobs, waits for the running ones, then stops the child processes. */
  close(): Promise<void>;
}

/**
 * The built processor file; BullMQ forks a child process that imports it. Run from sources (tests
 * through the `@pipeline/source` condition), it is still the build's: children are plain Node.
 */
function processorFile(): string {
  const url = import.meta.url.endsWith('.ts') ? new URL('../dist/fold-processor.js', import.meta.url) : new URL('./fold-processor.js', import.meta.url);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new PipelineError('E_STATE', `the queue worker's processor ${path} is missing`, { file: path, hint: 'build the workspace first: pnpm build' });
  }
  return path;
}

const noop = () => undefined;
const silent: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Consumes fold jobs from the queue. Each job runs in a sandboxed child process (BullMQ's processor
 * file), so CPU-bound fits never block the lock renewal and running jobs are not taken for stalled.
 * After `maxJobsPerProcess` jobs the worker closes (waiting for its running jobs) and starts again
 * with fresh child processes. A worker killed mid-job leaves its job locked until `lockDurationMs`
 * passes; another worker's stalled check (every `stalledIntervalMs`) then puts it back to wait.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const connection = typeof options.connection === 'string' ? parseRedisUrl(options.connection) : options.connection;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const concurrency = options.concurrency ?? 1;
  const maxJobs = options.maxJobsPerProcess ?? 50;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new PipelineError('E_USAGE', `concurrency must be an integer ≥ 1, got ${concurrency}`, { field: 'concurrency' });
  if (!Number.isInteger(maxJobs) || maxJobs < 0) throw new PipelineError('E_USAGE', `max-jobs-per-process must be an integer ≥ 0, got ${maxJobs}`, { field: 'max-jobs-per-process' });
  const logger = options.logger ?? silent;
  const file = processorFile();
  let finished = 0;
  let closing = false;
  let current: { worker: Worker; client: Redis } | undefined;
  let recycling: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    let sinceStart = 0;
    const client = redisClient(connection, true);
    client.on('error', (error) => logger.debug('redis connection error', { error: error.message }));
    const worker = new Worker(queueName, file, {
      connection: client,
      concurrency,
      useWorkerThreads: false,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 1,
      ...(options.name === undefined ? {} : { name: options.name }),
      autorun: false,
    });
    current = { worker, client };
    worker.on('error', (error) => logger.warn('queue worker error', { error: error.message }));
    worker.on('failed', (job, error) => logger.warn('task failed', { task: job?.data?.task?.id, attempt: job?.attemptsMade, error: error.message }));
    worker.on('completed', (job) => logger.info('task done', { task: job.data?.task?.id }));
    const onFinished = () => {
      finished++;
      sinceStart++;
      if (maxJobs > 0 && sinceStart === maxJobs && !closing) {
        logger.info('recycling the worker processes', { jobs: sinceStart });
        recycling = recycling.then(async () => {
          await worker.close();
          await closeRedisClient(client);
          if (!closing) await start();
        });
      }
    };
    worker.on('completed', onFinished);
    worker.on('failed', onFinished);
    void worker.run().catch((error: Error) => logger.error('queue worker stopped', { error: error.message }));
    await withTimeout(worker.waitUntilReady(), options.connectTimeoutMs ?? 30_000, 'connecting').catch(async (error: Error) => {
      await withTimeout(worker.close(true), 2000, 'closing').catch(() => undefined);
      await closeRedisClient(client);
      throw new PipelineError('E_NOT_FOUND', `cannot reach Redis at ${describeConnection(connection)}: ${error.message}`, { field: 'queue', hint: 'start redis-server, or check --queue' });
    });
    logger.info('queue worker ready', { queue: queueName, redis: describeConnection(connection), concurrency });
  };
  await start();
  return {
    finished: () => finished,
    async close() {
      closing = true;
      await recycling;
      await current?.worker.close();
      if (current !== undefined) await closeRedisClient(current.client);
    },
  };
}
