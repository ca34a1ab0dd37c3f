import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { workerExecArgv } from '../src/index.js';

describe('workerExecArgv', () => {
  it('inherits (undefined) when the parent has no --input-type', () => {
    expect(workerExecArgv([])).toBeUndefined();
    expect(workerExecArgv(['--experimental-vm-modules', '-e', 'x'])).toBeUndefined();
  });

  it('drops --input-type in both spellings and keeps every other flag', () => {
    expect(workerExecArgv(['--input-type=module'])).toEqual([]);
    expect(workerExecArgv(['--conditions', 'dev', '--input-type=module', '-e', 'code'])).toEqual(['--conditions', 'dev', '-e', 'code']);
    expect(workerExecArgv(['--input-type', 'commonjs', '--trace-warnings'])).toEqual(['--trace-warnings']);
  });

  // The failure it prevents, in a real process: a worker started from a file by a program read on stdin.
  const dir = mkdtempSync(join(tmpdir(), 'worker-exec-argv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage('loaded');\n");
  const program = (execArgv: string) => `
    import { Worker } from 'node:worker_threads';
    const worker = new Worker(new URL(${JSON.stringify(pathToFileURL(entry).href)}), ${execArgv});
    worker.on('message', (m) => { console.log(m); void worker.terminate(); });
    worker.on('error', (e) => console.log(e.code));
  `;
  const run = (source: string) => spawnSync(process.execPath, ['--input-type=module', '-'], { input: source, encoding: 'utf8', timeout: 30_000 });

  it('a worker started from a stdin program fails with the inherited flag and loads with the filtered one', () => {
    expect(run(program('{}')).stdout.trim()).toBe('ERR_INPUT_TYPE_NOT_ALLOWED');
    expect(run(program(`{ execArgv: ${JSON.stringify(workerExecArgv(['--input-type=module']))} }`)).stdout.trim()).toBe('loaded');
  });
});
