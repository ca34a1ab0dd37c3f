import type { Logger, ProgressCallback } from '@pipeline/core';
import type { WorkflowContext } from '@pipeline/workflows';
import type { CliIo } from './io.js';

/** What every command handler receives besides its parsed arguments. */
export interface Runtime {
  readonly io: CliIo;
  /** The command line as given (arguments after the binary). */
  readonly argv: readonly string[];
  readonly logger: Logger;
  readonly onProgress: ProgressCallback;
  readonly signal: AbortSignal;
  /** --json: print exactly one JSON document on stdout. */
  readonly json: boolean;
  readonly quiet: boolean;
  readonly seed: number;
  /** The CLI's working directory (relative paths resolve against it). */
  readonly cwd: string;
  /** Logger, progress, signal, working directory and environment for workflow calls. */
  readonly context: WorkflowContext;
  /** Resolves a user path against the CLI's working directory. */
  resolvePath(path: string): string;
  /** Writes a line (or lines) of human-readable output to stdout; ignored with --json. */
  print(text: string): void;
  /** Writes the one JSON document of a --json run. */
  printJson(document: unknown): void;
}
