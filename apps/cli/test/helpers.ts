import { runCli } from '../src/cli.js';
// Loaded up front for the tests: the CLI imports the config schema lazily, and jest's ESM loader
// fails ("request for './v4/classic/external.js' is not in cache") when two CLI runs in one test
// process (a `worker` and a `train`) link zod's module graph through concurrent dynamic imports.
// Node itself has no such race; the lazy import stays in the CLI.
import '@pipeline/workflows/config';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured stdout/stderr. */
export async function run(argv: string[], options: { cwd?: string; signal?: AbortSignal } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stderrIsTTY: false,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { code, stdout, stderr };
}
