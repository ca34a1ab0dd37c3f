import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { appendFile, copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PipelineError, silentLogger } from '@pipeline/core';
import { sequentialExecutor, type FoldExecutor } from '@pipeline/model-selection';
import { openRun } from '@pipeline/runs';
import { parseTrainConfig, trainRun } from '@pipeline/workflows';
import { useDemoFixture } from '@pipeline/test-support';
import { loadTrainingInputs } from '../src/inputs/load-training-inputs.js';

const { root, demo, tableConfig } = useDemoFixture('workflows-fingerprints-', { n: 120, seed: 8, testN: 10 });

const sha256Of = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

describe('input fingerprints of a training run', () => {
  it('are in the completed run’s manifest, in input order, with the sha256 of each whole file (hashed while the folds ran), and the git state beside them', async () => {
    const runDir = join(root, 'run');
    await trainRun(tableConfig(), { runDir });
    const { manifest } = await openRun(runDir);
    const x = join(demo, 'X_train.csv');
    const y = join(demo, 'y_train.csv');
    expect(manifest.inputs).toEqual([
      { role: 'x-csv', path: x, bytes: (await readFile(x)).length, sha256: await sha256Of(x), shape: [120, manifest.inputs[0]!.shape![1]] },
      { role: 'y-csv', path: y, bytes: (await readFile(y)).length, sha256: await sha256Of(y), shape: [120] },
    ]);
    // The commit of the checkout the test runs in, read here with git itself (none outside a checkout).
    expect((manifest.environment?.['git'] as { commit?: string } | undefined)?.commit).toBe(headCommit());
  });

  it('an input changed while the run trains stops it with E_STATE naming the file (not an abort), and the failed manifest says so', async () => {
    const labels = await copyOf(join(demo, 'y_train.csv'));
    const config = { ...tableConfig(), inputs: { table: { file: join(demo, 'X_train.csv') }, labels: { file: labels } } };
    // Runs after the inputs were read and before any task is done: the labels file grows meanwhile.
    const changing: FoldExecutor = {
      async run(tasks, env, options) {
        await appendFile(labels, 'extra,0\n');
        await sequentialExecutor.run(tasks, env, options);
      },
    };
    const runDir = join(root, 'changed');
    await expect(trainRun(config, { runDir, executor: changing })).rejects.toMatchObject({ code: 'E_STATE', file: labels, field: '--y-csv' });
    const { manifest } = await openRun(runDir);
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatchObject({ code: 'E_STATE', message: expect.stringContaining('input file changed while the run used it') });
  });

  it('a run that fails before any task is done still records the fingerprints of what it read', async () => {
    const failing: FoldExecutor = {
      async run() {
        throw new PipelineError('E_INPUT', 'test executor refuses every task');
      },
    };
    const runDir = join(root, 'failed-early');
    await expect(trainRun(tableConfig(), { runDir, executor: failing })).rejects.toMatchObject({ code: 'E_INPUT' });
    const { manifest } = await openRun(runDir);
    expect(manifest.status).toBe('failed');
    const y = join(demo, 'y_train.csv');
    expect(manifest.inputs.map((i) => [i.role, i.sha256])).toEqual([
      ['x-csv', await sha256Of(join(demo, 'X_train.csv'))],
      ['y-csv', await sha256Of(y)],
    ]);
  });

  it('are hashed only when asked for, and an input changed since it was read is an E_STATE error naming the file', async () => {
    const config = parseTrainConfig({ ...tableConfig(), inputs: { table: { file: join(demo, 'X_train.csv') }, labels: { file: await copyOf(join(demo, 'y_train.csv')) } } });
    const data = await loadTrainingInputs(config, { resolvePath: (p) => p, logger: silentLogger, onProgress: () => {} });
    await appendFile(config.inputs.labels!.file, 'extra,0\n');
    await expect(data.fingerprints()).rejects.toMatchObject({
      code: 'E_STATE',
      file: config.inputs.labels!.file,
      field: '--y-csv',
      message: expect.stringContaining('input file changed while the run used it'),
    });
  });
});

/** HEAD of the git checkout holding this folder, or undefined outside one. */
function headCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

let copies = 0;
/** Copies a file into the fixture folder under a fresh name (so a test may change it). */
async function copyOf(path: string): Promise<string> {
  const target = join(root, `copy-${copies++}-${path.split('/').pop()}`);
  await copyFile(path, target, constants.COPYFILE_EXCL);
  return target;
}
