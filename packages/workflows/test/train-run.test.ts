import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { openH5, writeH5 } from '@pipeline/ingest';
import { sequentialExecutor } from '@pipeline/model-selection';
import { openRun } from '@pipeline/runs';
import { defaultExecutor, defaultPoolOptions, localParallelExecutor, predictRun, samePoolOptions, trainRun, type LocalParallelExecutor, type TrainConfigInput } from '@pipeline/workflows';
import { expectSameRun, useDemoFixture } from '@pipeline/test-support';

const { root, demo, tableConfig } = useDemoFixture('workflows-train-', { n: 240, seed: 5, testN: 30 });

/** HGB on the wavelet view of the demo H5, 3 folds: `seed` and `maxIter` vary between tests. */
const waveletConfig = (seed: number, maxIter: number): TrainConfigInput => ({
  seed,
  inputs: { signal: { file: join(demo, 'X_train.h5') }, labels: { file: join(demo, 'y_train.csv') } },
  baseModels: [{ kind: 'hgb', view: 'dwt', args: { maxIter, maxLeafNodes: 8 } }],
  cv: { splits: 3 },
});

describe('trainRun', () => {
  it('runs fold tasks in worker threads with results byte-identical to the sequential executor', async () => {
    const sequential = join(root, 'seq');
    const parallel = join(root, 'par');
    await trainRun(tableConfig(), { runDir: sequential, executor: sequentialExecutor });
    await trainRun(tableConfig(), { runDir: parallel, executor: localParallelExecutor({ workers: 2 }) });
    await expectSameRun(sequential, parallel);
    // The stored config retrains the same run, byte for byte.
    const again = join(root, 'again');
    await trainRun(JSON.parse(await readFile(join(sequential, 'config.json'), 'utf8')), { runDir: again });
    await expectSameRun(sequential, again);
  });

  it('the default executor of a GBDT-only run (a worker pool, one histogram thread per worker, the refit beside the OOF fits) gives the same bytes as the sequential one', async () => {
    const config = waveletConfig(3, 12);
    const sequential = join(root, 'fe-seq');
    const pooled = join(root, 'fe-pool');
    const logs: Array<{ message: string; fields: Record<string, unknown> }> = [];
    const record = (message: string, fields: Record<string, unknown> = {}) => logs.push({ message, fields });
    const logger = { debug: record, info: record, warn: record, error: record };
    await trainRun(config, { runDir: sequential, executor: sequentialExecutor });
    // No executor given: trainRun picks (and closes) its own pool for gradient boosting on ≥ 2 cores.
    await trainRun(config, { runDir: pooled, logger });
    await expectSameRun(sequential, pooled);
    const fits = logs.filter((log) => log.message === 'hist-gradient-boosting fit');
    // 3 OOF fits and the refit: in worker threads, each on one thread (on one core: all in this thread).
    expect(fits).toHaveLength(4);
    const pooledFits = fits.filter((log) => typeof log.fields['worker'] === 'number' && log.fields['threads'] === 1);
    expect(pooledFits).toHaveLength(availableParallelism() >= 2 ? 4 : 0);
    // The run records the configured args, without the workers' nThreads (the saved models are compared above).
    const manifest = JSON.parse(await readFile(join(pooled, 'manifest.json'), 'utf8')) as { baseModels: Array<{ args: Record<string, unknown> }> };
    expect(manifest.baseModels[0]!.args).toMatchObject({ maxIter: 12, maxLeafNodes: 8 });
    expect(manifest.baseModels[0]!.args).not.toHaveProperty('nThreads');
  });

  it('uses a fold pool started ahead (foldWorkers) when it is the pool the run would make, and ends one it would not, with the same bytes', async () => {
    const config = waveletConfig(6, 8);
    const sequential = join(root, 'ahead-seq');
    await trainRun(config, { runDir: sequential, executor: sequentialExecutor });
    // What the CLI starts before it knows the config (undefined on one core: the run keeps its folds here).
    const options = defaultPoolOptions(['hist-gradient-boosting']);
    const early = localParallelExecutor(options ?? { workers: 2 });
    early.start();
    const ahead = join(root, 'ahead-pool');
    const earlyClosed = jest.spyOn(early, 'close');
    const result = await trainRun(config, { runDir: ahead, foldWorkers: early });
    expect(earlyClosed).toHaveBeenCalled();
    await expectSameRun(sequential, ahead);
    // Its first task went to the pool started ahead, and the start-up time is that task's.
    expect(early.firstTaskAt !== undefined).toBe(options !== undefined);
    if (early.firstTaskAt !== undefined) expect(result.timings['startupMs']).toBe(early.firstTaskAt);
    // Another pool (without the one-thread histogram args) is ended unused; the run makes its own.
    const other = localParallelExecutor({ workers: 2 });
    other.start();
    const otherClosed = jest.spyOn(other, 'close');
    const mismatched = join(root, 'ahead-other');
    await trainRun(config, { runDir: mismatched, foldWorkers: other });
    await expectSameRun(sequential, mismatched);
    expect(other.firstTaskAt).toBeUndefined();
    expect(otherClosed).toHaveBeenCalled();
    // With an executor given, the pool started ahead is ended unused too.
    const unused = localParallelExecutor(options ?? { workers: 2 });
    unused.start();
    const unusedClosed = jest.spyOn(unused, 'close');
    await trainRun(config, { runDir: join(root, 'ahead-given'), executor: sequentialExecutor, foldWorkers: unused });
    expect(unused.firstTaskAt).toBeUndefined();
    expect(unusedClosed).toHaveBeenCalled();
  });

  it('samePoolOptions compares pool options as data, key order aside', () => {
    const a = defaultPoolOptions(['hist-gradient-boosting'], { cores: 2 })!;
    expect(a).toEqual({ workers: 2, taskArgs: { 'hist-gradient-boosting': { nThreads: 1 } }, preload: ['@pipeline/model-gbdt'] });
    expect(samePoolOptions(a, { preload: ['@pipeline/model-gbdt'], taskArgs: { 'hist-gradient-boosting': { nThreads: 1 } }, workers: 2 })).toBe(true);
    expect(samePoolOptions(a, defaultPoolOptions(['hist-gradient-boosting'], { cores: 3 })!)).toBe(false);
    expect(samePoolOptions(a, defaultPoolOptions(['hist-gradient-boosting', 'cnn1d'], { cores: 2 })!)).toBe(false);
    expect(samePoolOptions(a, defaultPoolOptions(['hist-gradient-boosting'], { cores: 2, backend: 'wasm' })!)).toBe(false);
    expect(defaultPoolOptions(['hist-gradient-boosting'], { cores: 1 })).toBeUndefined();
  });

  it('temporal models (a small 1D CNN on the wasm backend) give the same bytes in worker threads', async () => {
    const config: TrainConfigInput = {
      seed: 4,
      inputs: { signal: { file: join(demo, 'X_train.h5') }, labels: { file: join(demo, 'y_train.csv') } },
      baseModels: [{ kind: 'cnn', args: { epochs: 1, filters: [4, 4], kernelSizes: [5, 3], downsample: 5, batchSize: 32 } }],
      cv: { splits: 2 },
      refitFinal: false,
      backend: 'wasm',
    };
    const sequential = join(root, 'cnn-seq');
    const parallel = join(root, 'cnn-par');
    await trainRun(config, { runDir: sequential, executor: sequentialExecutor });
    await trainRun(config, { runDir: parallel, executor: localParallelExecutor({ workers: 2, backend: 'wasm' }) });
    await expectSameRun(sequential, parallel);
    // No executor given: on ≥ 2 cores trainRun pools the temporal folds too (defaultExecutor), same bytes.
    const pooled = join(root, 'cnn-default');
    await trainRun(config, { runDir: pooled });
    await expectSameRun(sequential, pooled);
  });

  it('defaultExecutor pools built-in kinds on ≥ 2 cores and keeps the rest in this thread', async () => {
    const pooled = (kinds: string[], options: Parameters<typeof defaultExecutor>[1] = {}) => {
      const executor = defaultExecutor(kinds, { cores: 2, ...options });
      return executor === sequentialExecutor ? 'sequential' : (executor as LocalParallelExecutor).workers;
    };
    expect(pooled(['hist-gradient-boosting'])).toBe(2);
    expect(pooled(['cnn1d'])).toBe(2);
    expect(pooled(['hist-gradient-boosting', 'lstm', 'cnn1d'])).toBe(2);
    expect(pooled(['cnn2d'], { backend: 'wasm' })).toBe(2);
    expect(pooled(['lstm'], { cores: 4 })).toBe(4);
    expect(pooled(['lstm'], { cores: 1 })).toBe('sequential');
    expect(pooled(['hist-gradient-boosting'], { threadsGiven: true })).toBe('sequential');
    // A kind the caller registered in this thread cannot be rebuilt in a worker.
    expect(pooled(['cnn1d', 'my-model'])).toBe('sequential');
    expect(pooled([])).toBe('sequential');
  });

  it('a fold worker that cannot start turns into an error within seconds, not a hang', async () => {
    const started = performance.now();
    await expect(trainRun(tableConfig(), { runDir: join(root, 'broken'), executor: localParallelExecutor({ workers: 2, failAtStart: true }) })).rejects.toMatchObject({
      code: 'E_INTERNAL',
      message: expect.stringMatching(/fold worker \d could not start: fold worker failed at start/),
    });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect((await openRun(join(root, 'broken'))).manifest.status).toBe('failed');
  });

  it('a fold worker that dies during a task rejects the run naming the task', async () => {
    await expect(trainRun(tableConfig(), { runDir: join(root, 'died'), executor: localParallelExecutor({ workers: 2, exitDuringTask: true }) })).rejects.toMatchObject({
      code: 'E_INTERNAL',
      message: expect.stringMatching(/fold worker \d exited \(code 70\) during task oof\/hgb_tabular\/fold-\d/),
    });
    const run = await openRun(join(root, 'died'));
    expect(run.manifest.status).toBe('failed');
    expect(run.manifest.error?.message).toMatch(/exited \(code 70\)/);
  });

  it('trains from an H5 whose ids are row positions, with group folds from a separate CSV', async () => {
    // 120 windows of 4 patients; the first meta column is a window index (not unique across patients).
    const rows = 120;
    const width = 2 + 1250;
    const data = new Float32Array(rows * width);
    const patient: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < rows; i++) {
      const p = i % 6;
      const label = i % 2;
      patient.push(p);
      labels.push(label);
      data[i * width] = Math.floor(i / 6); // window index: repeats across patients
      data[i * width + 1] = p;
      for (let t = 0; t < 1250; t++) data[i * width + 2 + t] = Math.sin((t * (label + 1)) / 3 + i) * (1 + label) + 0.1 * ((i * 7 + t * 3) % 11);
    }
    const h5 = join(root, 'windows.h5');
    await writeH5(h5, [{ key: 'features', value: { shape: [rows, width], data } }]);
    await writeFile(join(root, 'y_rows.csv'), `label\n${labels.join('\n')}\n`);
    await writeFile(join(root, 'patients.csv'), `patient\n${patient.join('\n')}\n`);
    const config: TrainConfigInput = {
      seed: 3,
      inputs: {
        signal: { file: h5, metaCols: 2, ids: 'row', metaFeatures: false },
        labels: { file: join(root, 'y_rows.csv') },
        groups: { file: join(root, 'patients.csv'), column: 'patient' },
      },
      baseModels: [{ kind: 'hgb', view: 'dwt', args: { maxIter: 10, maxLeafNodes: 4, minSamplesLeaf: 5 } }],
      cv: { splits: 3 },
    };
    const runDir = join(root, 'groups');
    const result = await trainRun(config, { runDir, executor: sequentialExecutor });
    expect(result.nRows).toBe(rows);
    const run = await openRun(runDir);
    expect(run.manifest.splitter.kind).toBe('stratified-group-k-fold');
    const plan = await run.foldPlan();
    expect(plan.ids).toEqual(Array.from({ length: rows }, (_, i) => String(i)));
    const foldOfPatient = new Map<number, Set<number>>();
    plan.fold.forEach((fold, k) => {
      const p = patient[plan.rows[k]!]!;
      foldOfPatient.set(p, (foldOfPatient.get(p) ?? new Set()).add(fold));
    });
    expect(foldOfPatient.size).toBe(6);
    for (const folds of foldOfPatient.values()) expect(folds.size).toBe(1);
    // The meta columns are kept out of the wavelet features.
    expect(run.manifest.views.dwt!.columns.some((c) => c.startsWith('meta_'))).toBe(false);
    expect(run.manifest.inputs.map((i) => i.role)).toEqual(['x-h5', 'y-csv', 'groups-csv']);
    // Predict with the same layout: ids are row positions.
    const predicted = await predictRun({ runDir, inputs: { signal: { file: h5 } } });
    expect(predicted.ids?.slice(0, 3)).toEqual(['0', '1', '2']);
    expect(predicted.rows).toBe(rows);
    // With ids from the (non-unique) meta column, labels with ids cannot be aligned: a clear error.
    await writeFile(join(root, 'y_ids.csv'), `id,label\n${labels.map((l, i) => `${i},${l}`).join('\n')}\n`);
    const meta = { ...config, inputs: { ...config.inputs, signal: { file: h5, metaCols: 2 }, labels: { file: join(root, 'y_ids.csv') } } };
    await expect(trainRun(meta as TrainConfigInput, { runDir: join(root, 'dup-ids'), executor: sequentialExecutor })).rejects.toMatchObject({
      code: 'E_INPUT',
      field: 'inputs.signal.ids',
      message: expect.stringMatching(/share the id 0 \(first meta column\).*--h5-ids row/),
    });
    const h5file = await openH5(h5);
    expect(h5file.dataset('features').info.shape).toEqual([rows, width]);
    h5file.close();
  });

  it('refuses to resume a run with another config', async () => {
    const runDir = join(root, 'resume');
    await trainRun(tableConfig(), { runDir, executor: sequentialExecutor });
    const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8'));
    await writeFile(join(runDir, 'manifest.json'), JSON.stringify({ ...manifest, status: 'failed' }));
    await expect(trainRun({ ...tableConfig(), seed: 10 }, { runDir, resume: true, executor: sequentialExecutor })).rejects.toMatchObject({ code: 'E_STATE', field: 'configHash' });
    const resumed = await trainRun(tableConfig(), { runDir, resume: true, executor: sequentialExecutor });
    expect(resumed.status).toBe('completed');
    expect(existsSync(join(runDir, 'models/stack/artifact.json'))).toBe(true);
  });
});
