import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pipeline/core';
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
    // The test runs inside this repository's git checkout (a CI clone too): the commit is recorded.
    expect((manifest.environment?.['git'] as { commit?: string } | undefined)?.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('are hashed only when asked for, and an input changed since it was read is an E_STATE error naming the file', async () => {
    const copy = useCopy();
    const config = parseTrainConfig({ ...tableConfig(), inputs: { table: { file: join(demo, 'X_train.csv') }, labels: { file: await copy(join(demo, 'y_train.csv')) } } });
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

/** Copies a file into the fixture folder under a fresh name (so a test may change it). */
function useCopy(): (path: string) => Promise<string> {
  let n = 0;
  return async (path) => {
    const target = join(root, `copy-${n++}-${path.split('/').pop()}`);
    await appendFile(target, await readFile(path));
    return target;
  };
}
