import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadModel, matrix, readArtifact, saveArtifact, takeDataset, type Logger } from '@pipeline/core';
import { CNN_KIND, CNN_SEED_PRESET, cnnClassifier, cnnDefinition, resolveCnnArgs, withBalancedClassWeights } from '@pipeline/model-cnn';
import { initializeWeights, saveModelDir, selectBackend, syntheticSignals, tf, type TemporalClassifier } from '@pipeline/tf';

// Small and full-rate (downsample 1); batchNorm and balanced class weights come from the defaults.
const tiny = { filters: [6, 8], kernelSizes: [5, 3], epochs: 6, batchSize: 16, learningRate: 0.01, downsample: 1 } as const;
let dir: string;

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'pipeline-cnn-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function warnings(): Logger & { warned: string[] } {
  const warned: string[] = [];
  const none = () => {};
  return { warned, debug: none, info: none, error: none, warn: (message: string) => warned.push(message) };
}

const weightsOf = (model: TemporalClassifier) => model.model.getWeights().map((w) => Array.from(w.dataSync()));

describe('cnnClassifier', () => {
  it('has the issue-20 defaults, keeps the seed architecture as a preset, and checks its architecture arguments', () => {
    // Defaults changed intentionally (issue 20): the seed's CNN saw 92 ms of signal and learned
    // poorly on EEG-like data (bench/results/temporal-quality.md).
    const spec = cnnClassifier();
    expect(spec.kind).toBe(CNN_KIND);
    expect(spec.args).toMatchObject({
      epochs: 12,
      batchSize: 32,
      downsample: 2,
      maxTrainSamples: 0,
      predictBatchSize: 256,
      verbose: false,
      learningRate: 2e-3,
      loadModel: null,
      loadOnly: false,
      filters: [16, 32, 64],
      kernelSizes: [9, 9, 9],
      poolSize: 4,
      batchNorm: true,
      classWeight: 'balanced',
    });
    // 1250 samples at downsample 2 = 625 steps: conv 9 (no bias) 144 + BN 64, conv 9·16·32 = 4608 + BN 128,
    // conv 9·32·64 = 18432 + BN 256, dense 64·3 + 3 = 195 (BN: gamma, beta, moving mean and variance)
    const network = cnnDefinition.build({ steps: 625, channels: 1, classes: 3 }, resolveCnnArgs());
    expect(network.countParams()).toBe(144 + 64 + 4608 + 128 + 18432 + 256 + 195);
    expect(network.layers.map((l) => l.getClassName())).toEqual([
      ...['Conv1D', 'BatchNormalization', 'Activation', 'MaxPooling1D', 'Conv1D', 'BatchNormalization', 'Activation', 'MaxPooling1D'],
      ...['Conv1D', 'BatchNormalization', 'Activation', 'GlobalAveragePooling1D', 'Dense'],
    ]);
    // 625 → 617 → pool 154 → 146 → pool 36 → 28 steps of 64 channels
    expect(network.layers[8]!.outputShape).toEqual([null, 28, 64]);
    network.dispose();
    // the seed's network: 35,651 parameters for 1250 × 1 input and 3 classes (as in the notes)
    const seed = cnnDefinition.build({ steps: 1250, channels: 1, classes: 3 }, resolveCnnArgs(CNN_SEED_PRESET));
    expect(seed.countParams()).toBe(35651);
    expect(seed.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    seed.dispose();
    expect(() => cnnClassifier({ filters: [4], kernelSizes: [3, 3] })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'filters' }));
    expect(() => cnnClassifier({ loadOnly: true })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'loadOnly' }));
    expect(() => cnnClassifier({ classWeight: 'auto' as never })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'classWeight' }));
    expect(() => cnnClassifier({ batchNorm: 1 as never })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'batchNorm' }));
  });

  it('balanced class weights: total / (classes · class total), over existing sample weights, idempotent', () => {
    const features = matrix(6, 1, new Float32Array(6));
    const labels = Int32Array.from([0, 0, 0, 0, 1, 2]);
    // 6 rows, 3 classes: class 0 gets 6 / (3 · 4) = 0.5, classes 1 and 2 get 6 / (3 · 1) = 2
    expect(Array.from(withBalancedClassWeights({ features, labels }, 'balanced').sampleWeight!)).toEqual([0.5, 0.5, 0.5, 0.5, 2, 2]);
    // with sample weights [1,1,1,1,2,4]: totals 4, 2, 4 of 10 → factors 10/12, 10/6, 10/12
    const weighted = withBalancedClassWeights({ features, labels, sampleWeight: Float64Array.from([1, 1, 1, 1, 2, 4]) }, 'balanced');
    expect(Array.from(weighted.sampleWeight!).map((w) => +w.toFixed(12))).toEqual([10 / 12, 10 / 12, 10 / 12, 10 / 12, 20 / 6, 40 / 12].map((w) => +w.toFixed(12)));
    // already balanced weights (the stack's classWeightsAuto) come back unchanged
    const again = withBalancedClassWeights(weighted, 'balanced');
    Array.from(again.sampleWeight!).forEach((w, i) => expect(w).toBeCloseTo(weighted.sampleWeight![i]!, 12));
    const none = { features, labels };
    expect(withBalancedClassWeights(none, 'none')).toBe(none);
  });

  it('learns a separable signal task on wasm; artifact round trip predicts bit-identically; same seed → same model', async () => {
    const train = syntheticSignals({ rows: 150, steps: 96, seed: 1 });
    const test = syntheticSignals({ rows: 60, steps: 96, seed: 2 });
    const fitted = await cnnClassifier(tiny).fit(train, { seed: 5 });
    const predicted = await fitted.predict(test.features);
    expect(predicted.filter((y, i) => y === test.labels[i]).length / 60).toBeGreaterThan(0.9);
    const probabilities = await fitted.predictProba(test.features);
    await saveArtifact(join(dir, 'cnn'), await fitted.toArtifact());
    const reloaded = (await loadModel(await readArtifact(join(dir, 'cnn')))) as TemporalClassifier;
    expect(Array.from((await reloaded.predictProba(test.features)).data)).toEqual(Array.from(probabilities.data));
    const again = await cnnClassifier(tiny).fit(train, { seed: 5 });
    expect(weightsOf(again)).toEqual(weightsOf(fitted));
    // BatchNorm's moving statistics were updated during training (they start at mean 0, variance 1)
    const moving = fitted.model.getLayer('conv1_bn').getWeights().slice(2).map((w) => Array.from(w.dataSync()));
    expect(moving[0]!.some((m) => Math.abs(m) > 1e-3)).toBe(true);
    expect(moving[1]!.some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
    expect(Array.from((await again.predictProba(test.features)).data)).toEqual(Array.from(probabilities.data));
    [fitted, reloaded, again].forEach((m) => m.dispose());
  });

  it('predicts the same bytes whatever predictBatchSize (batches of 7, the 256 default, all rows at once)', async () => {
    const train = syntheticSignals({ rows: 80, steps: 96, seed: 11 });
    const test = syntheticSignals({ rows: 45, steps: 96, seed: 12 });
    const probas: number[][] = [];
    for (const predictBatchSize of [7, 256, 45]) {
      const fitted = await cnnClassifier({ ...tiny, epochs: 2, predictBatchSize }).fit(train, { seed: 3 });
      probas.push(Array.from((await fitted.predictProba(test.features)).data));
      fitted.dispose();
    }
    expect(probas[0]!.length).toBe(45 * 3);
    expect(probas[1]).toEqual(probas[0]);
    expect(probas[2]).toEqual(probas[0]);
  });

  it('loadOnly uses a saved model without training: weights and standardization unchanged, leakage warned', async () => {
    const data = syntheticSignals({ rows: 40, steps: 64, seed: 3 });
    const pretrained = await cnnClassifier({ ...tiny, epochs: 1 }).fit(data, { seed: 1 });
    const path = join(dir, 'pretrained');
    await saveArtifact(path, await pretrained.toArtifact());
    const other = syntheticSignals({ rows: 30, steps: 64, seed: 4 });
    const before = tf.memory().numTensors;
    const logger = warnings();
    const loaded = await cnnClassifier({ ...tiny, loadModel: path, loadOnly: true }).fit(other, { logger });
    expect(weightsOf(loaded)).toEqual(weightsOf(pretrained));
    expect(loaded.standardization).toEqual(pretrained.standardization);
    expect(loaded.history.epochs).toEqual([]);
    expect((await loaded.toArtifact()).state).toMatchObject({ trainedRows: 0, pretrained: { path, loadOnly: true } });
    expect(Array.from((await loaded.predictProba(other.features)).data)).toEqual(Array.from((await pretrained.predictProba(other.features)).data));
    expect(logger.warned).toHaveLength(1);
    expect(logger.warned[0]).toContain('leak');
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // the run records that the pretrained model never saw these rows: no warning
    const quiet = warnings();
    (await cnnClassifier({ ...tiny, loadModel: path, loadOnly: true, pretrainedDisjoint: true }).fit(other, { logger: quiet })).dispose();
    expect(quiet.warned).toEqual([]);
    pretrained.dispose();
  });

  it('loads a plain tfjs model folder (model.json + weights.bin) and refuses one of another shape', async () => {
    const data = syntheticSignals({ rows: 30, steps: 64, seed: 5 });
    const args = resolveCnnArgs(tiny);
    const network = cnnDefinition.build({ steps: 64, channels: 1, classes: 3 }, args);
    initializeWeights(network, 3);
    const path = join(dir, 'plain');
    await saveModelDir(network, path);
    const loaded = await cnnClassifier({ ...tiny, loadModel: path, loadOnly: true, pretrainedDisjoint: true }).fit(data);
    expect(weightsOf(loaded)).toEqual(network.getWeights().map((w) => Array.from(w.dataSync())));
    // standardization fitted on these rows, as for training
    expect(loaded.standardization.mean[0]).toBeCloseTo(Array.from(data.features.data).reduce((a, b) => a + b) / data.features.data.length, 4);
    loaded.dispose();
    await expect(cnnClassifier({ ...tiny, loadModel: path, loadOnly: true }).fit(syntheticSignals({ rows: 30, steps: 80, seed: 6 }))).rejects.toMatchObject({
      code: 'E_SCHEMA',
      field: 'loadModel',
    });
    await expect(cnnClassifier({ ...tiny, loadModel: join(dir, 'missing'), loadOnly: true }).fit(data)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    network.dispose();
  });

  it('fine-tunes from loadModel when loadOnly is off', async () => {
    const data = syntheticSignals({ rows: 30, steps: 64, seed: 7 });
    const pretrained = await cnnClassifier({ ...tiny, epochs: 1 }).fit(data, { seed: 1 });
    const path = join(dir, 'tune');
    await saveArtifact(path, await pretrained.toArtifact());
    const tuned = await cnnClassifier({ ...tiny, epochs: 2, loadModel: path }).fit(data, { seed: 2 });
    expect(tuned.history.epochs).toHaveLength(2);
    expect(weightsOf(tuned)).not.toEqual(weightsOf(pretrained));
    [pretrained, tuned].forEach((m) => m.dispose());
  });

  it('leaks no tensors over a 3-fold out-of-fold run, and logs epochs at info when verbose', async () => {
    const data = syntheticSignals({ rows: 36, steps: 48, seed: 9 });
    const infos: string[] = [];
    const logger: Logger = { debug: () => {}, warn: () => {}, error: () => {}, info: (message: string) => infos.push(message) };
    const spec = cnnClassifier({ ...tiny, epochs: 2, verbose: true });
    (await spec.fit(takeDataset(data, [0, 1, 2, 3, 4, 5]))).dispose(); // warm-up
    const before = tf.memory().numTensors;
    for (let fold = 0; fold < 3; fold++) {
      const test = Array.from({ length: 12 }, (_, k) => fold * 12 + k);
      const train = Array.from({ length: 36 }, (_, i) => i).filter((i) => !test.includes(i));
      const fitted = await spec.fit(takeDataset(data, train), { seed: fold, logger });
      await fitted.predictProba(takeDataset(data, test).features);
      await fitted.toArtifact();
      fitted.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(infos.filter((m) => m.startsWith('cnn1d: epoch'))).toHaveLength(6);
  });

  it('refuses a signal too short for the network', async () => {
    const data = syntheticSignals({ rows: 12, steps: 16, seed: 8 });
    await expect(cnnClassifier({ ...tiny, downsample: 4 }).fit(data)).rejects.toMatchObject({ code: 'E_USAGE', field: 'downsample' });
  });
});
