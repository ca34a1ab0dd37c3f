import type { Argv } from 'yargs';
import type { Runtime } from './runtime.js';

/** One CLI command: yargs options plus a handler that returns an exit code (or nothing for 0). */
export interface CommandDefinition {
  readonly command: string;
  readonly describe: string;
  readonly examples: ReadonlyArray<readonly [string, string]>;
  /**
   * Loads what `builder` needs before the parser is built (run only when the command is named on the
   * command line), so heavy modules stay out of every other command's start-up. `argv` is the
   * command line (arguments after the binary), e.g. to start worker threads the flags will need.
   */
  prepare?(argv: readonly string[]): Promise<void>;
  /** Ends what `prepare` started and no run took (called after every invocation that named the command). */
  release?(): void;
  /**
   * Options whose value may start with '-' (`--sort -cv`: yargs would read `-cv` as the flags -c -v).
   * `--sort -cv` is rewritten to `--sort=-cv` before parsing.
   */
  readonly dashValueOptions?: readonly string[];
  builder(yargs: Argv): Argv;
  run(args: Record<string, unknown>, runtime: Runtime): Promise<number | void>;
}
