import { beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineError, type ProgressEvent } from '@pipeline/core';
import { fitStandardization, initializeWeights, predictClassifier, selectBackend, signalSource, syntheticSignals, tf, trainClassifier } from '@pipeline/tf';

const STEPS = 48;
const layout = { channels: 1, downsample: 1 };

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

function tinyCnn(seed = 1): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv1d({ inputShape: [STEPS, 1], filters: 6, kernelSize: 5, activation: 'relu', kernelInitializer: 'zeros' }),
      tf.layers.maxPooling1d({ poolSize: 2 }),
      tf.layers.conv1d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: 'zeros' }),
      tf.layers.globalAveragePooling1d({}),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'zeros' }),
    ],
  });
  initializeWeights(model, seed);
  return model;
}

function task(rows: number, seed: number) {
  const { features: m, labels } = syntheticSignals({ rows, steps: STEPS, seed });
  const all = Array.from({ length: rows }, (_, i) => i);
  const stats = fitStandardization(m, all, layout);
  return { m, labels, stats, source: signalSource(m, layout, stats) };
}

describe('trainClassifier', () => {
  it('learns a separable task, reports progress, and holds the tensor count constant across epochs', async () => {
    const train = task(150, 1);
    const test = task(60, 2);
    const model = tinyCnn();
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const events: ProgressEvent[] = [];
    const history = await trainClassifier(model, train.source, {
      labels: train.labels,
      classes: 3,
      epochs: 8,
      batchSize: 16,
      learningRate: 0.01,
      seed: 3,
      onProgress: (event) => {
        events.push(event);
        if (event.stage === 'epoch') counts.push(tf.memory().numTensors);
      },
    });
    // stable across epochs (the optimizer's moment slots are the only extra tensors), all released at the end
    expect(counts).toEqual(new Array(8).fill(counts[0]));
    expect(counts[0]! - before).toBeLessThanOrEqual(2 * model.trainableWeights.length + 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(events.filter((e) => e.stage === 'batch')).toHaveLength(8 * Math.ceil(150 / 16));
    expect(events.filter((e) => e.stage === 'epoch').map((e) => e.current)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(history.epochs).toHaveLength(8);
    expect(history.epochs[7]!.loss).toBeLessThan(history.epochs[0]!.loss);
    // held-out accuracy (standardized with the training statistics)
    const probabilities = await predictClassifier(model, signalSource(test.m, layout, train.stats), { batchSize: 25, classes: 3 });
    let correct = 0;
    for (let i = 0; i < 60; i++) {
      const row = Array.from(probabilities.subarray(3 * i, 3 * i + 3));
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++;
    }
    expect(correct / 60).toBeGreaterThan(0.9);
  });

  it('same seed → same weights and losses; another seed → different', async () => {
    const data = task(48, 4);
    const run = async (seed: number) => {
      const model = tinyCnn(11);
      const history = await trainClassifier(model, data.source, { labels: data.labels, classes: 3, epochs: 2, batchSize: 8, seed });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return { weights, losses: history.epochs.map((e) => e.loss) };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b).toEqual(a);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('zero sample weights leave the weights unchanged (the loss is the weighted mean)', async () => {
    const data = task(30, 5);
    const model = tinyCnn();
    const initial = model.getWeights().map((w) => Array.from(w.dataSync()));
    const history = await trainClassifier(model, data.source, {
      labels: data.labels,
      classes: 3,
      epochs: 1,
      batchSize: 10,
      sampleWeight: new Float32Array(30),
    });
    expect(history.epochs[0]!.loss).toBe(0);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(initial);
    // class weight 2 on every class doubles the unweighted loss of the same first batch order
    const plain = await trainClassifier(tinyCnn(), data.source, { labels: data.labels, classes: 3, epochs: 1, batchSize: 30, seed: 1 });
    const doubled = await trainClassifier(tinyCnn(), data.source, {
      labels: data.labels,
      classes: 3,
      epochs: 1,
      batchSize: 30,
      seed: 1,
      classWeight: [2, 2, 2],
    });
    expect(doubled.epochs[0]!.loss).toBeCloseTo(2 * plain.epochs[0]!.loss, 5);
  });

  it('stops early on the validation loss and restores the best weights', async () => {
    const data = task(60, 6);
    // validation labels are shifted, so learning the task makes the validation loss worse
    const validation = { source: data.source, labels: data.labels.map((y) => (y + 1) % 3) };
    const model = tinyCnn();
    const history = await trainClassifier(model, data.source, {
      labels: data.labels,
      classes: 3,
      epochs: 20,
      batchSize: 10,
      learningRate: 0.02,
      validation,
      earlyStopping: { patience: 2 },
    });
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs.length).toBe(history.bestEpoch + 2);
    const best = Math.min(...history.epochs.map((e) => e.valLoss!));
    expect(history.epochs[history.bestEpoch - 1]!.valLoss).toBe(best);
    // the model now scores the best epoch's validation loss
    const again = await trainClassifier(model, data.source, {
      labels: data.labels,
      classes: 3,
      epochs: 1,
      batchSize: 10,
      learningRate: 1e-12,
      validation,
    });
    expect(again.epochs[0]!.valLoss).toBeCloseTo(best, 4);
  });

  it('stops on an aborted signal between batches without leaking tensors', async () => {
    const data = task(60, 7);
    const model = tinyCnn();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let batches = 0;
    const error = (await trainClassifier(model, data.source, {
      labels: data.labels,
      classes: 3,
      epochs: 5,
      batchSize: 10,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.stage === 'batch' && ++batches === 3) controller.abort();
      },
    }).catch((e: unknown) => e)) as PipelineError;
    expect(error.code).toBe('E_ABORTED');
    expect(batches).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects labels outside the classes and mismatched lengths', async () => {
    const data = task(9, 8);
    const model = tinyCnn();
    await expect(trainClassifier(model, data.source, { labels: [0, 1, 3, 0, 1, 2, 0, 1, 2], classes: 3, epochs: 1, batchSize: 4 })).rejects.toMatchObject({
      code: 'E_INPUT',
      field: 'labels',
    });
    await expect(trainClassifier(model, data.source, { labels: [0, 1], classes: 3, epochs: 1, batchSize: 4 })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(trainClassifier(model, data.source, { labels: data.labels, classes: 3, epochs: 0, batchSize: 4 })).rejects.toMatchObject({
      code: 'E_USAGE',
      field: 'epochs',
    });
  });
});
