import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  RunDirectory,
  RUN_FORMAT_VERSION,
  fingerprintFile,
  listRuns,
  loadFoldCheckpoint,
  runName,
  saveFoldCheckpoint,
  type RunManifest,
} from '@pipeline/runs';

function manifest(overrides: Partial<RunManifest> = {}): RunManifest {
  return {
    formatVersion: RUN_FORMAT_VERSION,
    status: 'running',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    packages: { '@pipeline/runs': '0.1.0' },
    argv: ['train'],
    seed: 1,
    inputs: [],
    nRows: 3,
    classes: { names: ['a', 'b'], counts: [2, 1] },
    views: { tabular: { source: 'x.csv', columns: ['f1'] } },
    baseModels: [{ name: 'lr', kind: 'logistic-regression', input: 'tabular', args: {} }],
    meta: { kind: 'logistic-regression', args: { C: 1 } },
    splitter: { kind: 'stratified-k-fold', args: { nSplits: 2 }, nSplits: 2, foldsFile: 'folds.json' },
    imbalance: { strategy: 'none' },
    refitFinal: true,
    timings: {},
    files: {},
    ...overrides,
  };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'runs-test-'));
}

describe('RunDirectory', () => {
  it('creates a run, writes the manifest atomically and reopens it', async () => {
    const dir = join(await tempDir(), 'run1');
    const run = await RunDirectory.create(dir);
    await run.writeManifest(manifest());
    await run.writeJson('metrics/stack.json', { accuracy: 0.5 });
    const reopened = await RunDirectory.open(dir);
    expect(reopened.manifest.status).toBe('running');
    expect(await reopened.readJson('metrics/stack.json')).toEqual({ accuracy: 0.5 });
    await run.setStatus('completed');
    const done = await RunDirectory.openCompleted(dir, 'predict');
    expect(done.manifest.status).toBe('completed');
    expect(typeof done.manifest.finishedAt).toBe('string');
  });

  it('refuses a non-empty folder unless resuming, and resuming a completed run', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'something.txt'), 'x');
    await expect(RunDirectory.create(dir)).rejects.toThrow(/already exists and is not empty.*--resume/);
    await expect(RunDirectory.create(dir, { resume: true })).rejects.toThrow(/no run manifest here/);
    const fresh = join(await tempDir(), 'r');
    await expect(RunDirectory.create(fresh, { resume: true })).rejects.toThrow(/no run to resume/);
    const run = await RunDirectory.create(fresh);
    await run.writeManifest(manifest());
    await run.setStatus('completed');
    await expect(RunDirectory.create(fresh, { resume: true })).rejects.toThrow(/already completed/);
  });

  it('a failed or running run is refused for predict, with the reason', async () => {
    const dir = join(await tempDir(), 'r');
    const run = await RunDirectory.create(dir);
    await run.writeManifest(manifest());
    await expect(RunDirectory.openCompleted(dir, 'predict')).rejects.toThrow(/cannot predict: the run is still running/);
    await run.setStatus('failed', { code: 'E_ABORTED', message: 'interrupted' });
    await expect(RunDirectory.openCompleted(dir, 'predict')).rejects.toThrow(/the run failed \(interrupted\)/);
    const resumed = await RunDirectory.create(dir, { resume: true });
    expect(resumed.manifest.status).toBe('failed');
  });

  it('validates the manifest format version and fields', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest(), formatVersion: 99 }));
    await expect(RunDirectory.open(dir)).rejects.toThrow(/format version 99 is not supported/);
    await writeFile(join(dir, 'manifest.json'), '{ not json');
    await expect(RunDirectory.open(dir)).rejects.toThrow(/not valid JSON/);
    const { baseModels: _drop, ...rest } = manifest();
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(rest));
    await expect(RunDirectory.open(dir)).rejects.toThrow(/field 'baseModels'/);
  });

  it('fold checkpoints round-trip and refuse other settings', async () => {
    const dir = join(await tempDir(), 'r');
    const run = await RunDirectory.create(dir);
    await run.writeManifest(manifest());
    const test = Int32Array.from([4, 7, 9]);
    const proba = Float32Array.from([0.1, 0.9, 0.5, 0.5, 0.25, 0.75]);
    await saveFoldCheckpoint(run, { model: 'hgb', fold: 2, test, proba, nClasses: 2, fitMs: 10, predictMs: 1, key: 'k1' });
    const back = await loadFoldCheckpoint(run, 'hgb', 2, 'k1');
    expect(Array.from(back!.test)).toEqual([4, 7, 9]);
    expect(Array.from(back!.proba)).toEqual(Array.from(proba));
    expect(await loadFoldCheckpoint(run, 'hgb', 3, 'k1')).toBeUndefined();
    await expect(loadFoldCheckpoint(run, 'hgb', 2, 'other')).rejects.toThrow(/different settings/);
  });

  it('fingerprints files with sha256 and lists runs', async () => {
    const root = await tempDir();
    const file = join(root, 'x.csv');
    await writeFile(file, 'abc');
    const fp = await fingerprintFile(file, 'x-csv', { shape: [1, 1] });
    // sha256("abc"), computed independently (FIPS 180-2 example).
    expect(fp.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(fp.bytes).toBe(3);
    await expect(fingerprintFile(join(root, 'missing.csv'), 'x-csv')).rejects.toThrow(/input file not found/);
    await mkdir(join(root, 'runs'));
    const a = await RunDirectory.create(join(root, 'runs', runName(new Date(0))));
    await a.writeManifest(manifest());
    await mkdir(join(root, 'runs', 'not-a-run'));
    const runs = await listRuns(join(root, 'runs'));
    expect(runs.map((r) => r.manifest.seed)).toEqual([1]);
    expect(runName(new Date(0))).toBe('1970-01-01T00-00-00-000Z');
    const text = await readFile(join(a.dir, 'manifest.json'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
  });
});
