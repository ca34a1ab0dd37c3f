/** The `pipeline` binary's work, imported by `bin.ts` once the compile cache is on. */
import { EXIT_CODES } from '@pipeline/core';
import { runCli } from './cli.js';
import { processIo } from './io.js';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(EXIT_CODES.interrupted);
  process.stderr.write('\ninterrupting: finishing the current step and marking the work as failed (Ctrl-C again to exit now)\n');
  controller.abort(new Error('SIGINT'));
});
process.on('SIGTERM', () => controller.abort(new Error('SIGTERM')));

const code = await runCli(process.argv.slice(2), processIo(controller.signal));
process.exitCode = code;
