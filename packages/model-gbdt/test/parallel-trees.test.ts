import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { matrix, type Dataset, type Logger, type Matrix } from '@pipeline/core';
import { disposeWorkers, histGradientBoosting, PARALLEL_MIN_CELLS, type HistGradientBoostingArgs } from '@pipeline/model-gbdt';
import { setPoolTestHooks } from '../src/hist-worker-pool.js';
import { gaussianBlobs } from './fixtures.js';

// Narrow multiclass data (few features, 3+ classes): the threads share an iteration's gradients by
// row blocks, then the workers grow whole trees of the iteration (each on its own copy of the
// binned data) while the calling thread grows the others. Every tree must be the same bytes
// whichever thread grew it.

afterEach(async () => {
  setPoolTestHooks();
  await disposeWorkers();
});

afterAll(async () => {
  await disposeWorkers();
});

/** `k` classes, `d` features, the first three shifted by class, 5 % NaN in feature 1. */
const narrow = (n: number, d: number, k: number, seed: number) => gaussianBlobs(n, d, k, seed, { shift: 0.4, nanFraction: 0.05 });

interface Logged {
  readonly message: string;
  readonly [field: string]: unknown;
}

function recorder(): { logger: Logger; entries: Logged[] } {
  const entries: Logged[] = [];
  const push = (message: string, fields?: Record<string, unknown>) => entries.push({ message, ...fields });
  return { logger: { debug: push, info: push, warn: push, error: push }, entries };
}

const bytes = (m: Matrix) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64');

async function fitAndProbe(args: HistGradientBoostingArgs, data: Dataset, probe: Matrix) {
  const { logger, entries } = recorder();
  const model = await histGradientBoosting(args).fit(data, { seed: 3, logger });
  const artifact = await model.toArtifact();
  return {
    model,
    files: artifact.files,
    state: artifact.state,
    proba: bytes(await model.predictProba(probe)),
    fit: entries.find((e) => e.message === 'hist-gradient-boosting fit')!,
    fitted: entries.find((e) => e.message === 'hist-gradient-boosting fitted')!,
    warnings: entries.filter((e) => e.message !== 'hist-gradient-boosting fit' && e.message !== 'hist-gradient-boosting fitted'),
  };
}

const data = narrow(16_000, 8, 5, 41);
const probe = narrow(500, 8, 5, 42).features;

describe('whole trees on the worker threads (narrow multiclass data)', () => {
  it('gives the bytes of the calling thread alone with 2 and 3 threads, early stopping on a held-out part included', async () => {
    expect(0.9 * 16_000 * 8).toBeGreaterThanOrEqual(PARALLEL_MIN_CELLS); // the training part is big enough for workers
    const args = { maxIter: 6, earlyStopping: true, validationFraction: 0.1 } as const;
    const one = await fitAndProbe({ ...args, nThreads: 1 }, data, probe);
    expect(one.fit).toMatchObject({ threads: 1, parallel: 'none' });
    for (const threads of [2, 3]) {
      const many = await fitAndProbe({ ...args, nThreads: threads }, data, probe);
      expect(many.warnings).toEqual([]);
      expect(many.fit).toMatchObject({ threads, parallel: 'trees' });
      // The first four iterations always go to the workers (warm-up: the choice between the workers
      // and the calling thread alone is made on warm code).
      expect(many.fitted['parallelIterations']).toBeGreaterThanOrEqual(4);
      expect(many.files).toEqual(one.files);
      expect(many.state).toEqual(one.state);
      expect(many.proba).toBe(one.proba);
    }
    expect(one.model.nIter).toBe(6);
  });

  it('gives the same bytes when the workers compute every gradient block and grow every tree (test hook: the calling thread takes none), with class weights', async () => {
    const args = { maxIter: 4, classWeight: 'balanced' } as const;
    const one = await fitAndProbe({ ...args, nThreads: 1 }, data, probe);
    setPoolTestHooks({ workersOnly: true });
    const two = await fitAndProbe({ ...args, nThreads: 2 }, data, probe);
    expect(two.fit).toMatchObject({ threads: 2, parallel: 'trees' });
    expect(two.fitted).toMatchObject({ iterations: 4, trees: 20, parallelIterations: 4, workerTrees: 20 });
    expect(two.files).toEqual(one.files);
    expect(two.proba).toBe(one.proba);
  });

  it('gives the same bytes without a leaf limit (the worker grows its histogram memory)', async () => {
    // Unlimited leaves: more splittable leaves at once than the 64 slots a lane starts with.
    const args = { maxIter: 1, maxLeafNodes: null, minSamplesLeaf: 5 } as const;
    const one = await fitAndProbe({ ...args, nThreads: 1 }, data, probe);
    const leaves = Array.from(one.model.state.ensemble.feature).filter((f) => f < 0).length;
    expect(leaves / 5).toBeGreaterThan(200); // leaves per tree
    setPoolTestHooks({ workersOnly: true });
    const two = await fitAndProbe({ ...args, nThreads: 2 }, data, probe);
    expect(two.fitted).toMatchObject({ trees: 5, workerTrees: 5 });
    expect(two.files).toEqual(one.files);
    expect(two.proba).toBe(one.proba);
  });

  it('keeps sharing a node’s features between the threads for two classes and for categorical features', async () => {
    const binary = { features: data.features, labels: data.labels.map((c) => (c < 2 ? 0 : 1)) };
    expect((await fitAndProbe({ maxIter: 1, nThreads: 2 }, binary, probe)).fit).toMatchObject({ threads: 2, parallel: 'features' });
    const codes = Float32Array.from(data.features.data, (x, i) => (i % 8 === 7 ? Math.abs(Math.trunc(x * 3)) : x));
    const categorical = { features: matrix(16_000, 8, codes), labels: data.labels };
    expect((await fitAndProbe({ maxIter: 1, nThreads: 2, categoricalFeatures: [7] }, categorical, probe)).fit).toMatchObject({
      threads: 2,
      parallel: 'features',
    });
  });
});

describe('predictProba of large batches on the worker threads', () => {
  // 10 iterations × 5 trees × 84,000 rows: above the 2^22 row × tree steps that use an idle pool.
  const big = narrow(84_000, 8, 5, 43).features;

  async function probaWith(model: Awaited<ReturnType<typeof fitAndProbe>>['model']) {
    const { logger, entries } = recorder();
    const proba = bytes(await model.predictProba(big, { logger }));
    return { proba, threads: entries.find((e) => e.message === 'hist-gradient-boosting predict')!['threads'] };
  }

  it('shares the rows with the pool a fit left idle, with the bytes of one thread (also when the workers predict every block)', async () => {
    expect(84_000 * 10 * 5).toBeGreaterThanOrEqual(2 ** 22);
    const one = await fitAndProbe({ maxIter: 10, nThreads: 1 }, data, probe);
    const serial = await probaWith(one.model);
    expect(serial.threads).toBe(1);

    const two = await fitAndProbe({ maxIter: 10, nThreads: 2 }, data, probe); // leaves its pool idle
    expect(two.files).toEqual(one.files);
    const parallel = await probaWith(two.model);
    expect(parallel.threads).toBe(2);
    expect(parallel.proba).toBe(serial.proba);

    await disposeWorkers();
    setPoolTestHooks({ workersOnly: true });
    await fitAndProbe({ maxIter: 1, nThreads: 2 }, data, probe); // a new pool with the hook, left idle
    const workers = await probaWith(two.model);
    expect(workers.threads).toBe(2);
    expect(workers.proba).toBe(serial.proba);
  });

  it('predicts on the calling thread alone when no pool is idle and the batch is not huge', async () => {
    const two = await fitAndProbe({ maxIter: 10, nThreads: 2 }, data, probe);
    await disposeWorkers();
    expect((await probaWith(two.model)).threads).toBe(1);
  });
});
