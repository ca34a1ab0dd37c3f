import type { Logger } from '@pipeline/core';
import { startQueueWorker, type QueueWorkerOptions } from './queue-worker.js';

/*
 * A bare worker process for tests and benchmarks: `node dist/worker-bin.js '<options JSON>'`. Users
 * run `pipeline worker --queue …`, which calls the same `startQueueWorker`. Logs JSON lines to
 * stdout (`{"level":"info","message":"ready"}` once connected); SIGTERM closes it gracefully.
 */
// A parent that stopped reading (closed pipe) must not crash the worker.
process.stdout.on('error', () => undefined);
const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
};
const logger: Logger = { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
const options = JSON.parse(process.argv[2] ?? '{}') as QueueWorkerOptions;
const handle = await startQueueWorker({ ...options, logger });
logger.info('ready');
const stop = () => {
  handle.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
