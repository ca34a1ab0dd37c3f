import type { CommandDefinition } from '../command.js';

/** `pipeline worker --queue redis://…`: consumes fold tasks until interrupted (Ctrl-C / SIGTERM finish the running tasks first). */
export const workerCommand: CommandDefinition = {
  command: 'worker',
  describe: 'Run fold tasks from a Redis queue (BullMQ) for `train --queue` coordinators on any machine',
  examples: [
    ['$0 worker --queue redis://10.0.0.5:6379 --concurrency 2', 'two tasks at once, each in its own child process'],
    ['$0 worker --queue redis://10.0.0.5:6379 --max-jobs-per-process 20', 'fresh child processes after every 20 tasks'],
  ],
  builder: (yargs) =>
    yargs
      .option('queue', { type: 'string', demandOption: true, describe: 'Redis URL of the queue: redis://HOST:PORT[/DB]' })
      .option('queue-name', { type: 'string', describe: 'BullMQ queue name (default pipeline-folds; the same as the coordinator)' })
      .option('concurrency', { type: 'number', default: 1, describe: 'Tasks at once, each in a sandboxed child process' })
      .option('max-jobs-per-process', { type: 'number', default: 50, describe: 'Replace the child processes after this many tasks (0 = never)' })
      .option('lock-duration', { type: 'number', default: 30_000, describe: 'Task lock in ms; a dead worker’s task is retried elsewhere after it expires' })
      .option('stalled-interval', { type: 'number', default: 30_000, describe: 'How often (ms) to look for tasks of dead workers' }),
  async run(args, runtime) {
    const { startQueueWorker } = await import('@pipeline/queue');
    const handle = await startQueueWorker({
      connection: String(args.queue),
      ...(typeof args.queueName === 'string' ? { queueName: args.queueName } : {}),
      concurrency: Number(args.concurrency),
      maxJobsPerProcess: Number(args.maxJobsPerProcess),
      lockDurationMs: Number(args.lockDuration),
      stalledIntervalMs: Number(args.stalledInterval),
      logger: runtime.logger,
    });
    runtime.print(`worker: waiting for tasks on ${String(args.queue)} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      if (runtime.signal.aborted) resolve();
      else runtime.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await handle.close();
    runtime.print(`worker: stopped after ${handle.finished()} tasks`);
    return 130;
  },
};
