import { Queue } from 'bullmq';
import { DEFAULT_QUEUE_NAME } from './bullmq-executor.js';
import type { QueueJobData } from './queue-job.js';
import { PipelineError } from '@pipeline/core';
import { closeRedisClient, describeConnection, parseRedisUrl, redisClient, type RedisConnection } from './redis-connection.js';
import { withTimeout } from './with-timeout.js';

/** Task counts of one run on the queue. */
export interface RunQueueStatus {
  readonly run: string;
  readonly waiting: number;
  readonly active: number;
  /** Failed attempts waiting for their retry. */
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
  /** Ids of the tasks that failed for good, with their reasons. */
  readonly failures: ReadonlyArray<{ readonly task: string; readonly reason: string }>;
}

export interface QueueStatus {
  readonly queue: string;
  readonly workers: number;
  readonly runs: readonly RunQueueStatus[];
}

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** Waiting/active/delayed/completed/failed tasks per run, and the number of connected workers. */
export async function queueStatus(options: { connection: string | RedisConnection; queueName?: string; timeoutMs?: number }): Promise<QueueStatus> {
  const connection = typeof options.connection === 'string' ? parseRedisUrl(options.connection) : options.connection;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const client = redisClient(connection, false);
  client.on('error', () => undefined);
  const queue = new Queue<QueueJobData>(queueName, { connection: client });
  queue.on('error', () => undefined);
  const timeoutMs = options.timeoutMs ?? 10_000;
  try {
    await withTimeout(queue.waitUntilReady(), timeoutMs, 'connecting').catch((error: Error) => {
      throw new PipelineError('E_NOT_FOUND', `cannot reach Redis at ${describeConnection(connection)}: ${error.message}`, { field: 'queue', hint: 'start redis-server, or check --queue' });
    });
    const runs = new Map<string, { waiting: number; active: number; delayed: number; completed: number; failed: number; failures: Array<{ task: string; reason: string }> }>();
    for (const state of STATES) {
      const jobs = await withTimeout(queue.getJobs(state === 'waiting' ? ['waiting', 'prioritized'] : [state]), timeoutMs, `listing ${state} jobs`);
      for (const job of jobs) {
        if (job === undefined) continue;
        const run = job.data?.run ?? '(unknown)';
        let entry = runs.get(run);
        if (entry === undefined) {
          entry = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0, failures: [] };
          runs.set(run, entry);
        }
        entry[state]++;
        if (state === 'failed') entry.failures.push({ task: job.data?.task?.id ?? job.id ?? '?', reason: job.failedReason });
      }
    }
    const workers = await withTimeout(queue.getWorkersCount(), timeoutMs, 'counting workers');
    return { queue: queueName, workers, runs: [...runs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([run, counts]) => ({ run, ...counts })) };
  } finally {
    await withTimeout(queue.close(), 2000, 'closing').catch(() => undefined);
    await closeRedisClient(client);
  }
}
