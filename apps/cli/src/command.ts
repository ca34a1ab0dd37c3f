import type { Argv } from 'yargs';
import type { Runtime } from './runtime.js';

/** One CLI command: yargs options plus a handler that returns an exit code (or nothing for 0). */
export interface CommandDefinition {
  readonly command: string;
  readonly describe: string;
  readonly examples: ReadonlyArray<readonly [string, string]>;
  builder(yargs: Argv): Argv;
  run(args: Record<string, unknown>, runtime: Runtime): Promise<number | void>;
}
