import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { sha256 } from '@pipeline/core';
import { readFoldEnvironment, writeFoldEnvironment, type FoldEnvironmentData } from '@pipeline/queue';

const env = (): FoldEnvironmentData => ({
  views: { tabular: { rows: 4, cols: 2, data: new Float32Array([0.5, 1, 2, 3, -4, 5, 6.25, 7]) } },
  labels: new Int32Array([0, 1, 0, 1]),
  groups: new Int32Array([7, 7, 8, 8]),
  sampleWeight: new Float64Array([1, 0.5, 2, 1]),
  classNames: ['a', 'b'],
  splits: [
    { train: new Int32Array([0, 1]), test: new Int32Array([2, 3]) },
    { train: new Int32Array([2, 3]), test: new Int32Array([0, 1]) },
  ],
});

describe('writeFoldEnvironment / readFoldEnvironment', () => {
  it('round-trips every array, names the folder after the manifest sha256, and reuses an identical folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'queue-env-'));
    const stored = await writeFoldEnvironment(dir, env());
    expect(stored.dir).toBe(join(dir, `env-${stored.fingerprint}`));
    expect(sha256(await readFile(join(stored.dir, 'manifest.json')))).toBe(stored.fingerprint);
    // labels.i32 holds the labels as little-endian int32.
    expect([...(await readFile(join(stored.dir, 'labels.i32')))]).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    const back = await readFoldEnvironment(stored);
    expect(back.views.tabular).toEqual({ rows: 4, cols: 2, data: new Float32Array([0.5, 1, 2, 3, -4, 5, 6.25, 7]) });
    expect(back.labels).toEqual(new Int32Array([0, 1, 0, 1]));
    expect(back.groups).toEqual(new Int32Array([7, 7, 8, 8]));
    expect(back.sampleWeight).toEqual(new Float64Array([1, 0.5, 2, 1]));
    expect(back.classNames).toEqual(['a', 'b']);
    expect(back.splits).toEqual(env().splits);
    expect(await writeFoldEnvironment(dir, env())).toEqual(stored);
  });

  it('a file changed after writing fails its sha256 check with E_INPUT naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'queue-env-'));
    const stored = await writeFoldEnvironment(dir, env());
    await writeFile(join(stored.dir, 'labels.i32'), new Uint8Array(new Int32Array([1, 1, 0, 1]).buffer));
    await expect(readFoldEnvironment(stored)).rejects.toMatchObject({ code: 'E_INPUT', file: join(stored.dir, 'labels.i32') });
    await expect(readFoldEnvironment({ dir: stored.dir, fingerprint: '0'.repeat(64) })).rejects.toMatchObject({ code: 'E_INPUT', file: join(stored.dir, 'manifest.json') });
    await expect(readFoldEnvironment({ dir: join(dir, 'missing'), fingerprint: stored.fingerprint })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
