import type { CommandDefinition } from '../command.js';

/** `pipeline queue status --queue redis://…`: waiting/active/failed tasks per run. */
export const queueCommand: CommandDefinition = {
  command: 'queue <action>',
  describe: 'Inspect the Redis task queue of `train --queue` (status: tasks per run and state)',
  examples: [['$0 queue status --queue redis://10.0.0.5:6379', 'waiting/active/failed tasks per run, connected workers']],
  builder: (yargs) =>
    yargs
      .positional('action', { type: 'string', choices: ['status'], describe: 'What to do' })
      .option('queue', { type: 'string', demandOption: true, describe: 'Redis URL of the queue: redis://HOST:PORT[/DB]' })
      .option('queue-name', { type: 'string', describe: 'BullMQ queue name (default pipeline-folds)' }),
  async run(args, runtime) {
    const { queueStatus } = await import('@pipeline/queue');
    const status = await queueStatus({ connection: String(args.queue), ...(typeof args.queueName === 'string' ? { queueName: args.queueName } : {}) });
    if (runtime.json) {
      runtime.printJson(status);
      return;
    }
    const rows = [['run', 'waiting', 'active', 'retrying', 'completed', 'failed'], ...status.runs.map((r) => [r.run, r.waiting, r.active, r.delayed, r.completed, r.failed].map(String))];
    const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
    runtime.print(`queue ${status.queue}: ${status.workers} worker connection${status.workers === 1 ? '' : 's'}`);
    if (status.runs.length === 0) runtime.print('no tasks');
    else runtime.print(rows.map((row) => `  ${row.map((cell, j) => cell.padEnd(widths[j]!)).join('  ')}`.trimEnd()).join('\n'));
    for (const run of status.runs) for (const failure of run.failures) runtime.print(`failed: ${run.run} ${failure.task}: ${failure.reason}`);
  },
};
