/** Where the CLI writes: injectable so commands are testable in-process. */
export interface CliIo {
  /** Results: tables, or exactly one JSON document with --json. */
  readonly stdout: (text: string) => void;
  /** Logs, progress bars and error messages. */
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (pretty logs, progress bars). */
  readonly stderrIsTTY?: boolean;
  /** Working directory for relative paths (defaults to process.cwd()). */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborts work (SIGINT in the real binary). */
  readonly signal?: AbortSignal;
}

export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    cwd: process.cwd(),
    env: process.env,
    ...(signal === undefined ? {} : { signal }),
  };
}
