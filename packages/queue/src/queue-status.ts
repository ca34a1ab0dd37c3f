import { Queue } from 'bullmq';
import { DEFAULT_QUEUE_NAME } from './bullmq-executor.js';
import type { QueueJobData } from './queue-job.js';
import { closeRedisClient, parseRedisUrl, redisClient, type RedisConnection } from './redis-connection.js';

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
export async function queueStatus(options: { connection: string | RedisConnection; queueName?: string }): Promise<QueueStatus> {
  const connection = typeof options.connection === 'string' ? parseRedisUrl(options.connection) : options.connection;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const client = redisClient(connection, false);
  client.on('error', () => undefined);
  const queue = new Queue<QueueJobData>(queueName, { connection: client });
  queue.on('error', () => undefined);
  try {
    const runs = new Map<string, { waiting: number; active: number; delayed: number; completed: number; failed: number; failures: Array<{ task: string; reason: string }> }>();
    for (const state of STATES) {
      const jobs = await queue.getJobs(state === 'waiting' ? ['waiting', 'prioritized'] : [state]);
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
    const workers = await queue.getWorkersCount();
    return { queue: queueName, workers, runs: [...runs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([run, counts]) => ({ run, ...counts })) };
  } finally {
    await queue.close().catch(() => undefined);
    await closeRedisClient(client);
  }
}
