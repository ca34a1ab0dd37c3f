import type { Argv } from 'yargs';
import type { Runtime } from './runtime.js';

/** One CLI command: yargs options plus a handler that returns an exit code (or nothing for 0). */
export interface CommandDefinition {
  readonly command: string;
  readonly describe: string;
  readonly examples: ReadonlyArray<readonly [string, string]>;
  /**
   * Loads what `builder` needs before the parser is built (run only when the command is named on the
   * command line), so heavy modules stay out of every other command's start-up.
   */
  prepare?(): Promise<void>;
  /**
   * Options whose value may start with '-' (`--sort -cv`: yargs would read `-cv` as the flags -c -v).
   * `--sort -cv` is rewritten to `--sort=-cv` before parsing.
   */
  readonly dashValueOptions?: readonly string[];
  builder(yargs: Argv): Argv;
  run(args: Record<string, unknown>, runtime: Runtime): Promise<number | void>;
}
