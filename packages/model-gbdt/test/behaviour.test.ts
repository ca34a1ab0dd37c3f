import { afterAll, describe, expect, it } from '@jest/globals';
import { createRng, isPipelineError, loadModel, matrix, readArtifact, saveArtifact, type Dataset, type Matrix } from '@pipeline/core';
import { disposeWorkers, featureImportances, histGradientBoosting, PARALLEL_MIN_CELLS } from '@pipeline/model-gbdt';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gaussianBlobs } from './fixtures.js';

afterAll(async () => {
  await disposeWorkers();
});

/** Gaussian blobs: `k` classes, `d` features, the first `informative` shifted by class. */
const blobs = (n: number, d: number, k: number, seed: number, informative = 3): Dataset => gaussianBlobs(n, d, k, seed, { informative });

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPipelineError(error) ? error.code : error).toBe(code);
}

function bytes(m: Matrix): Uint8Array {
  return new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
}

describe('histGradientBoosting', () => {
  it('learns XOR exactly', async () => {
    const rng = createRng(3);
    const n = 400;
    const data = new Float32Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const a = rng.uniform();
      const b = rng.uniform();
      data[2 * i] = a;
      data[2 * i + 1] = b;
      labels[i] = (a > 0.5 ? 1 : 0) ^ (b > 0.5 ? 1 : 0);
    }
    const model = await histGradientBoosting({ maxIter: 30, minSamplesLeaf: 5 }).fit({ features: matrix(n, 2, data), labels });
    const train = await model.predict(matrix(n, 2, data));
    expect(Array.from(train)).toEqual(Array.from(labels));
    const corners = matrix(4, 2, Float32Array.of(0.2, 0.2, 0.2, 0.8, 0.8, 0.2, 0.8, 0.8));
    expect(Array.from(await model.predict(corners))).toEqual([0, 1, 1, 0]);
  });

  it('routes NaN: a feature that is NaN exactly when the label is 1 is used perfectly', async () => {
    const rng = createRng(5);
    const n = 300;
    const d = 4;
    const data = new Float32Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = rng.int(2);
      for (let j = 0; j < d; j++) data[i * d + j] = rng.normal();
      if (labels[i] === 1) data[i * d] = NaN;
    }
    const model = await histGradientBoosting({ maxIter: 10 }).fit({ features: matrix(n, d, data), labels });
    const e = model.state.ensemble;
    // The first tree's root splits on feature 0, sending exactly the NaN rows one way.
    expect(e.feature[0]).toBe(0);
    const nanCount = labels.reduce((a, b) => a + b, 0);
    const leftCount = e.count[e.left[0]!]!;
    const rightCount = e.count[e.left[0]! + 1]!;
    expect(e.missingLeft[0] === 1 ? leftCount : rightCount).toBe(nanCount);
    expect(Array.from(await model.predict(matrix(n, d, data)))).toEqual(Array.from(labels));
    const probe = matrix(2, d, Float32Array.of(NaN, 0, 0, 0, 0.1, 0, 0, 0));
    const proba = await model.predictProba(probe);
    expect(proba.data[1]).toBeGreaterThan(0.6); // NaN row: class 1
    expect(proba.data[3]).toBeLessThan(0.4);
  });

  it('sends NaN unseen at fit time to the child with more training samples', async () => {
    const data = blobs(300, 3, 2, 11);
    const model = await histGradientBoosting({ maxIter: 1, maxLeafNodes: 2 }).fit(data);
    const e = model.state.ensemble;
    const left = e.left[0]!;
    expect(e.missingLeft[0]).toBe(e.count[left]! > e.count[left + 1]! ? 1 : 0);
    const raw = model.decisionFunction(matrix(1, 3, Float32Array.of(NaN, NaN, NaN)));
    const bigger = e.count[left]! > e.count[left + 1]! ? left : left + 1;
    expect(raw[0]).toBeCloseTo(model.state.baseline[0]! + e.value[bigger]!, 12);
  });

  it("classWeight 'balanced' equals sample weights n / (K * count)", async () => {
    const data = blobs(400, 4, 3, 7);
    const counts = [0, 0, 0];
    for (const c of data.labels!) counts[c]!++;
    const sampleWeight = Float64Array.from(data.labels!, (c) => 400 / (3 * counts[c]!));
    const a = await histGradientBoosting({ maxIter: 15, classWeight: 'balanced' }).fit(data);
    const b = await histGradientBoosting({ maxIter: 15 }).fit({ ...data, sampleWeight });
    expect(bytes(await a.predictProba(data.features))).toEqual(bytes(await b.predictProba(data.features)));
    // Baseline from the weighted priors: balanced weights make every class weigh the same.
    a.state.baseline.forEach((v) => expect(v).toBeCloseTo(0, 12));
  });

  it('class weights shift probabilities towards the up-weighted class', async () => {
    const data = blobs(400, 4, 2, 8, 1);
    const plain = await histGradientBoosting({ maxIter: 20 }).fit(data);
    const weighted = await histGradientBoosting({ maxIter: 20, classWeight: { 1: 4 } }).fit(data);
    const mean = async (m: typeof plain) => {
      const p = await m.predictProba(data.features);
      let s = 0;
      for (let i = 0; i < p.rows; i++) s += p.data[2 * i + 1]!;
      return s / p.rows;
    };
    const positives = data.labels!.reduce((a, b) => a + b, 0);
    // Baseline = logit of the weighted prior of class 1.
    const prior = (4 * positives) / (4 * positives + (400 - positives));
    expect(weighted.state.baseline[0]).toBeCloseTo(Math.log(prior / (1 - prior)), 12);
    expect(await mean(weighted)).toBeGreaterThan((await mean(plain)) + 0.05);
  });

  it('sample weight 2 equals duplicated rows', async () => {
    // Few distinct values per feature (bins = midpoints of distinct values on both sides) and
    // minSamplesLeaf 1 (the sample-count constraint is the only thing weights do not scale).
    const rng = createRng(9);
    const n = 200;
    const d = 3;
    const data = new Float32Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) data[i * d + j] = rng.int(20) / 4;
      labels[i] = data[i * d]! + data[i * d + 1]! * 0.5 + rng.normal() > 3.5 ? 1 : 0;
    }
    const doubled = Array.from({ length: n }, (_, i) => i % 3 === 0);
    const weight = Float64Array.from(doubled, (x) => (x ? 2 : 1));
    const rows: number[] = [];
    doubled.forEach((x, i) => {
      rows.push(i);
      if (x) rows.push(i);
    });
    const dupData = new Float32Array(rows.length * d);
    rows.forEach((i, k) => dupData.set(data.subarray(i * d, i * d + d), k * d));
    const args = { maxIter: 20, minSamplesLeaf: 1, maxLeafNodes: 8 } as const;
    const weighted = await histGradientBoosting(args).fit({ features: matrix(n, d, data), labels, sampleWeight: weight });
    const duplicated = await histGradientBoosting(args).fit({
      features: matrix(rows.length, d, dupData),
      labels: Int32Array.from(rows, (i) => labels[i]!),
    });
    const a = await weighted.predictProba(matrix(n, d, data));
    const b = await duplicated.predictProba(matrix(n, d, data));
    let max = 0;
    for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
    expect(max).toBeLessThan(1e-5);
  });

  it('round-trips through an artifact with byte-identical predictions', async () => {
    const data = blobs(500, 6, 3, 12);
    const model = await histGradientBoosting({ maxIter: 25, l2Regularization: 0.5 }).fit({ ...data, featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const dir = await mkdtemp(join(tmpdir(), 'gbdt-artifact-'));
    try {
      await saveArtifact(dir, await model.toArtifact());
      const loaded = await loadModel(await readArtifact(dir));
      expect(loaded.kind).toBe('hist-gradient-boosting');
      expect(loaded.classes).toEqual([0, 1, 2]);
      const probe = blobs(200, 6, 3, 13).features;
      expect(bytes(await loaded.predictProba(probe))).toEqual(bytes(await model.predictProba(probe)));
      expect(Array.from(await loaded.predict(probe))).toEqual(Array.from(await model.predict(probe)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic for a seed; the seed drives the validation split', async () => {
    const data = blobs(600, 5, 2, 14);
    const spec = histGradientBoosting({ maxIter: 30, earlyStopping: true, validationFraction: 0.2 });
    const a = await (await spec.fit(data, { seed: 1 })).toArtifact();
    const b = await (await spec.fit(data, { seed: 1 })).toArtifact();
    const c = await (await spec.fit(data, { seed: 2 })).toArtifact();
    expect(a.files[0]!.data).toEqual(b.files[0]!.data);
    expect(a.state).toEqual(b.state);
    expect(a.state['validationScore']).not.toEqual(c.state['validationScore']);
  });

  it('gives identical models with 1 and 2 threads', async () => {
    // Large enough that the root and the first levels' nodes are built by the workers too.
    const data = blobs(5000, 100, 3, 15, 6);
    expect(5000 * 100).toBeGreaterThanOrEqual(PARALLEL_MIN_CELLS);
    const one = await histGradientBoosting({ maxIter: 8, nThreads: 1 }).fit(data);
    const two = await histGradientBoosting({ maxIter: 8, nThreads: 2 }).fit(data);
    const again = await histGradientBoosting({ maxIter: 8, nThreads: 2 }).fit(data); // reuses the idle pool
    const a = await one.toArtifact();
    expect((await two.toArtifact()).files).toEqual(a.files);
    expect((await again.toArtifact()).files).toEqual(a.files);
  });

  it('gives identical models with 1 and 3 threads (two workers claiming feature chunks from the back, the calling thread from the front)', async () => {
    const data = blobs(4000, 61, 4, 21, 5);
    const one = await histGradientBoosting({ maxIter: 5, nThreads: 1 }).fit(data);
    const three = await histGradientBoosting({ maxIter: 5, nThreads: 3 }).fit(data);
    expect((await three.toArtifact()).files).toEqual((await one.toArtifact()).files);
    const probe = blobs(300, 61, 4, 22, 5).features;
    expect(bytes(await three.predictProba(probe))).toEqual(bytes(await one.predictProba(probe)));
  });

  it('early-stops on a given validation set with scikit-learn’s rule', async () => {
    const train = blobs(500, 5, 2, 16, 2);
    const validation = blobs(300, 5, 2, 17, 2);
    const model = await histGradientBoosting({ maxIter: 300, learningRate: 0.3, nIterNoChange: 5, tol: 1e-4 }).fit(train, { validation });
    const scores = model.state.validationScore;
    expect(model.nIter).toBeLessThan(300);
    expect(scores.length).toBe(model.nIter + 1);
    expect(model.state.trainScore.length).toBe(model.nIter + 1);
    const last = scores.length - 1;
    const reference = scores[last - 5]! + 1e-4;
    for (let j = last - 4; j <= last; j++) expect(scores[j]!).toBeLessThanOrEqual(reference);
    // It would not have stopped one iteration earlier.
    const earlier = scores[last - 6]! + 1e-4;
    expect(scores.slice(last - 5, last).some((s) => s > earlier)).toBe(true);
  });

  it("'auto' early stopping is off up to 10000 rows", async () => {
    const model = await histGradientBoosting({ maxIter: 12 }).fit(blobs(300, 3, 2, 18));
    expect(model.nIter).toBe(12);
    expect(model.state.trainScore).toEqual([]);
  });

  it('reports progress per iteration and stops on abort', async () => {
    const events: number[] = [];
    const controller = new AbortController();
    const fit = histGradientBoosting({ maxIter: 50 }).fit(blobs(300, 3, 2, 19), {
      signal: controller.signal,
      onProgress: (e) => {
        expect(e.stage).toBe('boost');
        expect(e.total).toBe(50);
        events.push(e.current);
        if (e.current === 3) controller.abort();
      },
    });
    await expectCode(fit, 'E_ABORTED');
    expect(events).toEqual([1, 2, 3]);
  });

  it('respects maxDepth and maxLeafNodes', async () => {
    const data = blobs(800, 6, 2, 20);
    const deep = await histGradientBoosting({ maxIter: 5, maxDepth: 2, maxLeafNodes: null, minSamplesLeaf: 2 }).fit(data);
    const wide = await histGradientBoosting({ maxIter: 5, maxLeafNodes: 5, minSamplesLeaf: 2 }).fit(data);
    const check = (m: typeof deep, maxDepth: number, maxLeaves: number) => {
      const e = m.state.ensemble;
      for (let t = 0; t < e.treeStart.length - 1; t++) {
        const start = e.treeStart[t]!;
        const depth = new Map<number, number>([[start, 0]]);
        let leaves = 0;
        for (let j = start; j < e.treeStart[t + 1]!; j++) {
          if (e.feature[j]! < 0) leaves++;
          else {
            depth.set(e.left[j]!, depth.get(j)! + 1);
            depth.set(e.left[j]! + 1, depth.get(j)! + 1);
          }
        }
        expect(Math.max(...depth.values())).toBeLessThanOrEqual(maxDepth);
        expect(leaves).toBeLessThanOrEqual(maxLeaves);
      }
    };
    check(deep, 2, 4);
    check(wide, 10, 5);
  });

  it('computes feature importances (gain and split counts)', async () => {
    const data = blobs(600, 5, 2, 21, 1);
    const model = await histGradientBoosting({ maxIter: 20 }).fit(data);
    const gain = featureImportances(model, { normalize: true });
    expect(gain.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(gain.indexOf(Math.max(...gain))).toBe(0);
    const splits = featureImportances(model, { type: 'split' });
    const internal = Array.from(model.state.ensemble.feature).filter((f) => f >= 0).length;
    expect(splits.reduce((a, b) => a + b, 0)).toBe(internal);
  });

  it('rejects bad input with typed errors', async () => {
    expect(() => histGradientBoosting({ maxIters: 3 } as never)).toThrow(/unknown histGradientBoosting argument 'maxIters'/);
    expect(() => histGradientBoosting({ maxBins: 256 })).toThrow(/maxBins/);
    const data = blobs(100, 3, 2, 22);
    await expectCode(histGradientBoosting().fit({ ...data, labels: new Int32Array(100) }), 'E_INPUT');
    await expectCode(histGradientBoosting().fit({ ...data, sampleWeight: new Float64Array(100).fill(-1) }), 'E_INPUT');
    await expectCode(histGradientBoosting().fit({ features: data.features }), 'E_USAGE');
    const model = await histGradientBoosting({ maxIter: 2 }).fit(data);
    await expectCode(model.predictProba(matrix(2, 4)), 'E_SCHEMA');
  });
});
