import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { tf } from '@pipeline/tf';
import {
  generateKeplerDemo,
  loadTransitCnn,
  splitValidation,
  TRANSIT_CLASSES,
  TRANSIT_FEATURE_COLUMNS,
  transitCnn,
  transitCurve,
  transitForward,
  type TransitCnnOptions,
  type TransitCnnModel,
  type TransitRecord,
} from '../src/index.js';

/** A short curve keeps these tests in seconds; the architecture is the seed's. */
const SMALL = { curve: { points: 101 } } as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transit-cnn-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The network's inputs for rows, built in the test from transitCurve and the model's standardization. */
function inputsOf(model: TransitCnnModel, rows: readonly TransitRecord[]) {
  const points = model.args.curve.points;
  const curves = new Float32Array(rows.length * points);
  rows.forEach((r, k) => curves.set(transitCurve(r, model.args.curve), k * points));
  const s = model.standardization;
  const features = rows.flatMap((r) => TRANSIT_FEATURE_COLUMNS.map((c, j) => (r[c] - s.featureMean[j]!) / s.featureStd[j]!));
  return [tf.tensor3d(curves, [rows.length, points, 1]), tf.tensor2d(features, [rows.length, TRANSIT_FEATURE_COLUMNS.length])];
}

/** tfjs's own `model.predict` (the layers' apply, not the package's fused forward), as float64 arrays. */
function layersPredict(model: TransitCnnModel, rows: readonly TransitRecord[]) {
  const inputs = inputsOf(model, rows);
  const outputs = model.network.predict(inputs) as tf.Tensor[];
  const shapes = outputs.map((t) => t.shape);
  const [label, period, depth] = outputs.map((t) => Array.from(t.dataSync()));
  tf.dispose([...inputs, ...outputs]);
  return { shapes, label: label!, period: period!, depth: depth! };
}

function weightsOf(model: TransitCnnModel): Float32Array[] {
  return model.network.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

describe('transit-cnn network', () => {
  test("the seed's architecture: parameter count by hand, three heads' shapes, fused forward = model.predict", async () => {
    const records = generateKeplerDemo({ rows: 24, seed: 3 });
    const model = await transitCnn({ epochs: 1, validationSplit: 0, patience: 0 }).fit(records, { seed: 1 });
    try {
      expect(model.args.curve.points).toBe(2001);
      // conv 7·1·32+32, 5·32·64+64, 3·64·128+128; features 6·64+64, 64·32+32;
      // head (128+32)·128+128, 128·64+64; label 64·3+3; period 64+1; depth 64+1
      const expected = 7 * 32 + 32 + (5 * 32 * 64 + 64) + (3 * 64 * 128 + 128) + (6 * 64 + 64) + (64 * 32 + 32) + (160 * 128 + 128) + (128 * 64 + 64) + (64 * 3 + 3) + 65 + 65;
      expect(model.network.countParams()).toBe(expected);
      expect(model.network.outputNames).toEqual(['label', 'period_out', 'depth_out']);
      const rows = records.slice(0, 5);
      const reference = layersPredict(model, rows);
      expect(reference.shapes).toEqual([
        [5, 3],
        [5, 1],
        [5, 1],
      ]);
      const predicted = await model.predict(rows);
      expect(predicted.classNames).toEqual(['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE']);
      expect(predicted.probabilities).toHaveLength(5);
      predicted.probabilities.forEach((p, k) => {
        expect(p).toHaveLength(3);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        p.forEach((v, c) => expect(Math.abs(v - reference.label[k * 3 + c]!)).toBeLessThan(1e-5));
        expect(predicted.classes[k]).toBe(TRANSIT_CLASSES[p.indexOf(Math.max(...p))]);
        const s = model.standardization;
        expect(Math.log10(predicted.period[k]!)).toBeCloseTo(reference.period[k]! * s.periodStd + s.periodMean, 4);
        expect(Math.log10(1 + predicted.depth[k]!)).toBeCloseTo(reference.depth[k]! * s.depthStd + s.depthMean, 4);
      });
    } finally {
      model.dispose();
    }
  });

  test('the training loss is CE + 0.5·MSE(period) + 0.5·MSE(depth), checked by hand on a small batch', async () => {
    const records = generateKeplerDemo({ rows: 30, seed: 4 });
    // learning rate 0 and no dropout: the epoch's loss is the loss of the initial weights
    const model = await transitCnn({ ...SMALL, epochs: 1, batchSize: 64, learningRate: 0, dropout: 0, patience: 0, lrPatience: 0 }).fit(records, { seed: 2 });
    try {
      const split = splitValidation(
        records.map((r) => r.label),
        0.2,
        2,
      );
      const byHand = (indices: Int32Array) => {
        const rows = Array.from(indices, (i) => records[i]!);
        const out = layersPredict(model, rows);
        const s = model.standardization;
        let ce = 0;
        let msePeriod = 0;
        let mseDepth = 0;
        rows.forEach((r, k) => {
          ce -= Math.log(out.label[k * 3 + TRANSIT_CLASSES.indexOf(r.label)]!);
          msePeriod += (out.period[k]! - (Math.log10(r.period) - s.periodMean) / s.periodStd) ** 2;
          mseDepth += (out.depth[k]! - (Math.log10(1 + r.depth) - s.depthMean) / s.depthStd) ** 2;
        });
        const n = rows.length;
        return { ce: ce / n, msePeriod: msePeriod / n, mseDepth: mseDepth / n, total: ce / n + 0.5 * (msePeriod / n) + 0.5 * (mseDepth / n) };
      };
      // the standardization is the training rows' (population) mean and std, computed here independently
      const trainLogPeriods = Array.from(split.train, (i) => Math.log10(records[i]!.period));
      const mean = trainLogPeriods.reduce((a, b) => a + b, 0) / trainLogPeriods.length;
      expect(model.standardization.periodMean).toBeCloseTo(mean, 10);
      const [epoch] = model.history.epochs;
      const train = byHand(split.train);
      expect(epoch!.labelLoss).toBeCloseTo(train.ce, 4);
      expect(epoch!.periodLoss).toBeCloseTo(train.msePeriod, 4);
      expect(epoch!.depthLoss).toBeCloseTo(train.mseDepth, 4);
      expect(epoch!.loss).toBeCloseTo(train.total, 4);
      expect(Math.abs(epoch!.loss - (epoch!.labelLoss + epoch!.periodLoss + epoch!.depthLoss))).toBeGreaterThan(0.01);
      const validation = byHand(split.validation);
      expect(epoch!.valLoss).toBeCloseTo(validation.total, 4);
      expect(epoch!.valLabelLoss).toBeCloseTo(validation.ce, 4);
      expect(model.history.trainRows + model.history.validationRows).toBe(30);
    } finally {
      model.dispose();
    }
  });

  test('early stopping on validation accuracy restores the best epoch\'s weights', async () => {
    const records = generateKeplerDemo({ rows: 60, seed: 8 });
    const snapshots: Float32Array[][] = [];
    const model = await transitCnn({ ...SMALL, epochs: 30, patience: 2, lrPatience: 0, learningRate: 5e-3, batchSize: 16 }).fit(records, {
      seed: 3,
      onEpochEnd: (_, network) => void snapshots.push(network.getWeights().map((w) => Float32Array.from(w.dataSync()))),
    });
    try {
      const { epochs, bestEpoch, stoppedEarly } = model.history;
      const accuracies = epochs.map((e) => e.valAccuracy!);
      expect(stoppedEarly).toBe(true);
      expect(epochs.length).toBeLessThan(30);
      // best = first epoch with the highest validation accuracy; stopped `patience` epochs later
      expect(bestEpoch).toBe(accuracies.indexOf(Math.max(...accuracies)) + 1);
      expect(epochs.length).toBe(bestEpoch + 2);
      expect(snapshots).toHaveLength(epochs.length);
      const final = weightsOf(model);
      expect(final).toEqual(snapshots[bestEpoch - 1]);
      expect(final).not.toEqual(snapshots[epochs.length - 1]);
    } finally {
      model.dispose();
    }
  });

  test('the learning rate is halved after lrPatience epochs without a validation-loss decrease', async () => {
    const records = generateKeplerDemo({ rows: 40, seed: 9 });
    const model = await transitCnn({ ...SMALL, epochs: 10, patience: 0, lrPatience: 2, learningRate: 0.02, batchSize: 8 }).fit(records, { seed: 4 });
    try {
      const epochs = model.history.epochs;
      // Keras's ReduceLROnPlateau (mode min, min_delta 1e-4, cooldown 0), replayed on the recorded losses
      const expected: number[] = [];
      let lr = 0.02;
      let best = Number.POSITIVE_INFINITY;
      let wait = 0;
      for (const e of epochs) {
        expected.push(lr);
        if (e.valLoss! < best - 1e-4) {
          best = e.valLoss!;
          wait = 0;
        } else if (++wait >= 2) {
          wait = 0;
          lr = Math.max(lr * 0.5, 1e-6);
        }
      }
      expect(epochs.map((e) => e.learningRate)).toEqual(expected);
      expect(new Set(expected).size).toBeGreaterThan(1);
      expect(expected[expected.length - 1]).toBeLessThan(0.02);
    } finally {
      model.dispose();
    }
  });

  test('seeded: the same seed gives the same weight bytes, predictions and checkpoints; another seed does not', async () => {
    const records = generateKeplerDemo({ rows: 40, seed: 10 });
    const spec = transitCnn({ ...SMALL, epochs: 2, batchSize: 16, progressEvery: 1 });
    const checkpoints: number[][] = [];
    const fit = (seed: number) =>
      spec.fit(records, { seed, onCheckpoint: (history) => void checkpoints.push(history.map((e) => e.epoch)) });
    const [a, b, c] = [await fit(7), await fit(7), await fit(8)];
    try {
      const bytes = async (m: TransitCnnModel) => (await m.toArtifact()).files.find((f) => f.path === 'weights.bin')!.data;
      expect(Buffer.from(await bytes(a)).equals(Buffer.from(await bytes(b)))).toBe(true);
      expect(Buffer.from(await bytes(a)).equals(Buffer.from(await bytes(c)))).toBe(false);
      expect((await a.predict(records)).probabilities).toEqual((await b.predict(records)).probabilities);
      expect(a.history.epochs.map((e) => e.loss)).toEqual(b.history.epochs.map((e) => e.loss));
      expect(checkpoints.slice(0, 2)).toEqual([[1], [1, 2]]);
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  test('save → load: standardization, args and bit-identical predictions; no silent overwrite; corrupt weights refused', async () => {
    const records = generateKeplerDemo({ rows: 30, seed: 12 });
    const model = await transitCnn({ ...SMALL, epochs: 1, progressEvery: 5 }).fit(records, { seed: 5 });
    const target = join(dir, 'saved');
    try {
      await model.save(target);
      const loaded = await loadTransitCnn(target);
      try {
        expect(loaded.standardization).toEqual(model.standardization);
        expect(loaded.args).toEqual(model.args);
        expect(loaded.history.epochs).toHaveLength(1);
        expect((await loaded.predict(records)).probabilities).toEqual((await model.predict(records)).probabilities);
      } finally {
        loaded.dispose();
      }
      await expect(model.save(target)).rejects.toMatchObject({ code: 'E_USAGE' });
      const weights = await readFile(join(target, 'weights.bin'));
      weights[10] = weights[10]! ^ 0xff;
      await writeFile(join(target, 'weights.bin'), weights);
      await expect(loadTransitCnn(target)).rejects.toThrow(/checksum/);
    } finally {
      model.dispose();
    }
  });

  test('no tensor is left behind by fit, predict and dispose', async () => {
    const records = generateKeplerDemo({ rows: 20, seed: 13 });
    const before = tf.memory().numTensors;
    const model = await transitCnn({ ...SMALL, epochs: 2, patience: 1, lrPatience: 1 }).fit(records, { seed: 6 });
    await model.predict(records);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('bad arguments are E_USAGE naming the field; an aborted fit is E_ABORTED', async () => {
    expect(() => transitCnn({ epochs: 0 })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'epochs' }));
    expect(() => transitCnn({ validationSplit: 1 })).toThrow(expect.objectContaining({ field: 'validationSplit' }));
    expect(() => transitCnn({ curve: { points: 20 } })).toThrow(expect.objectContaining({ field: 'curve.points' }));
    expect(() => transitCnn({ kernelSizes: [7, 5] })).toThrow(expect.objectContaining({ field: 'convFilters' }));
    const controller = new AbortController();
    controller.abort();
    await expect(transitCnn(SMALL).fit(generateKeplerDemo({ rows: 20, seed: 1 }), { signal: controller.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});

/** Validation accuracy of the best epoch vs the validation rows' majority-class rate. */
async function quality(rows: number, args: TransitCnnOptions) {
  const records = generateKeplerDemo({ rows, seed: 7 });
  const model = await transitCnn({ ...args }).fit(records, { seed: 7 });
  try {
    const split = splitValidation(
      records.map((r) => r.label),
      0.2,
      7,
    );
    const counts = new Map<string, number>();
    for (const i of split.validation) counts.set(records[i]!.label, (counts.get(records[i]!.label) ?? 0) + 1);
    const majority = Math.max(...counts.values()) / split.validation.length;
    // the restored model's accuracy on the validation rows, recomputed from predict()
    const predicted = await model.predict(Array.from(split.validation, (i) => records[i]!));
    const accuracy = predicted.classes.filter((c, k) => c === records[split.validation[k]!]!.label).length / split.validation.length;
    return { accuracy, majority, history: model.history };
  } finally {
    model.dispose();
  }
}

describe('transit-cnn quality on the Kepler-like demo', () => {
  test('1,200 rows, 3 epochs (201-point curve): validation accuracy clearly above the majority rate', async () => {
    const { accuracy, majority, history } = await quality(1200, { curve: { points: 201 }, epochs: 3, learningRate: 2e-3 });
    process.stderr.write(`transit-cnn quality (1200 rows, 201 points, 3 epochs): val accuracy ${accuracy.toFixed(3)}, majority ${majority.toFixed(3)}\n`);
    expect(accuracy).toBeCloseTo(history.epochs[history.bestEpoch - 1]!.valAccuracy!, 10);
    expect(accuracy).toBeGreaterThan(majority + 0.15);
  });

});
