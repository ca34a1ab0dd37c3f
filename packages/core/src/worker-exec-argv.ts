/**
 * The `execArgv` to start a worker thread from a file with: `undefined` (inherit the parent's flags,
 * Node's default) unless the parent carries `--input-type`, and then the parent's flags without it.
 *
 * Why: a program whose main module comes from standard input or `--eval`
 * (`node --input-type=module - < script.mjs`) has `--input-type=module` in `process.execArgv`.
 * Node (20 and 22) passes it on to every `new Worker(file)`, whose entry then fails to load with
 * `ERR_INPUT_TYPE_NOT_ALLOWED` ("--input-type can only be used with string input"). The eval
 * flags themselves (`-e`, `-p`) are ignored by workers, so they may stay. Other flags (loader
 * hooks, `--conditions`, `--experimental-vm-modules`) are kept, so a worker resolves modules as its
 * parent does.
 *
 * @param parent the parent's flags; default `process.execArgv`
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] | undefined {
  if (!parent.some(isInputTypeFlag)) return undefined;
  const kept: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const flag = parent[i]!;
    if (flag === '--input-type') i++; // `--input-type module`: drop the value too
    else if (!flag.startsWith('--input-type=')) kept.push(flag);
  }
  return kept;
}

function isInputTypeFlag(flag: string): boolean {
  return flag === '--input-type' || flag.startsWith('--input-type=');
}
