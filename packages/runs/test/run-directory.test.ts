import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile, mkdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  RunDirectory,
  RUN_FORMAT_VERSION,
  fileStamp,
  fingerprintFile,
  listRuns,
  loadTaskResult,
  runName,
  saveTaskResult,
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
    await expect(RunDirectory.open(dir)).rejects.toThrow(/run format 99, newer than this reader's 2.*upgrade @pipeline/);
    await writeFile(join(dir, 'manifest.json'), '{ not json');
    await expect(RunDirectory.open(dir)).rejects.toThrow(/not valid JSON/);
    const { baseModels: _drop, ...rest } = manifest();
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(rest));
    await expect(RunDirectory.open(dir)).rejects.toThrow(/field 'baseModels'/);
  });

  it('task results round-trip with their blobs and detect corruption', async () => {
    const dir = join(await tempDir(), 'r');
    const run = await RunDirectory.create(dir);
    await run.writeManifest(manifest());
    const proba = new Uint8Array(Float32Array.from([0.1, 0.9, 0.5, 0.5]).buffer);
    await saveTaskResult(run, { id: 'oof/hgb/fold-2', output: { fitMs: 10, fingerprint: 'abc' }, durationMs: 12, blobs: { proba } });
    const back = await loadTaskResult(run, 'oof/hgb/fold-2');
    expect(back?.output).toEqual({ fitMs: 10, fingerprint: 'abc' });
    expect(back?.durationMs).toBe(12);
    expect(Array.from(new Float32Array(back!.blobs!.proba!.slice().buffer))).toEqual(Array.from(Float32Array.from([0.1, 0.9, 0.5, 0.5])));
    expect(await loadTaskResult(run, 'oof/hgb/fold-3')).toBeUndefined();
    await writeFile(join(dir, 'checkpoints/oof/hgb/fold-2.proba.bin'), Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
    await expect(loadTaskResult(run, 'oof/hgb/fold-2')).rejects.toThrow(/corrupt/);
    await expect(saveTaskResult(run, { id: '../escape', output: {}, durationMs: 0 })).rejects.toThrow(/cannot be used as a checkpoint path/);
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

  it('fingerprintFile hashes files across its 4 MiB blocks to the sha256 of the whole file, and refuses a file changed since its stamp', async () => {
    const root = await tempDir();
    const big = join(root, 'big.h5');
    // 9 MiB + 123 bytes: two whole blocks and a partial one. Bytes by formula, hashed independently.
    const bytes = Buffer.alloc(9 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    await writeFile(big, bytes);
    const stamp = fileStamp(big)!;
    expect(stamp.bytes).toBe(bytes.length);
    const fp = await fingerprintFile(big, 'x-h5', { shape: [3, 4], dataset: 'features' }, { expected: stamp });
    expect(fp).toEqual({ role: 'x-h5', path: big, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), shape: [3, 4], dataset: 'features' });
    const empty = join(root, 'empty.csv');
    await writeFile(empty, '');
    // sha256 of no bytes (FIPS 180-2; Python's hashlib gives the same).
    expect((await fingerprintFile(empty, 'y-csv')).sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // Same size, another modification time: not the file that was read.
    await utimes(big, new Date(0), new Date(1000));
    await expect(fingerprintFile(big, 'x-h5', {}, { expected: stamp })).rejects.toMatchObject({ code: 'E_STATE', file: big, field: '--x-h5' });
    expect(fileStamp(join(root, 'missing.h5'))).toBeUndefined();
    await expect(fingerprintFile(join(root, 'missing.h5'), 'x-h5', {}, { expected: stamp })).rejects.toMatchObject({ code: 'E_NOT_FOUND', field: '--x-h5' });
  });
});
