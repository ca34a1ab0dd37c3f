import { beforeAll, describe, expect, it } from '@jest/globals';
import { compileForward, initializeWeights, selectBackend, tf } from '@pipeline/tf';
import { onBackends, relativeDifference, uniform } from './helpers.js';

// compileForward folds an inference BatchNormalization into the preceding Conv1D (filter · s, bias
// (b − mean)·s + β with s = γ / √(var + ε)): the same function as model.predict on the cpu backend
// within 1e-5 relative, with non-trivial moving statistics; training still normalizes by the batch.
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

const build = () =>
  tf.sequential({
    layers: [
      tf.layers.conv1d({ name: 'c1', inputShape: [160, 1], filters: 8, kernelSize: 9, useBias: false }),
      tf.layers.batchNormalization({ name: 'b1', momentum: 0.9, epsilon: 1e-3 }),
      tf.layers.activation({ name: 'r1', activation: 'relu' }),
      tf.layers.maxPooling1d({ name: 'p1', poolSize: 4 }),
      tf.layers.conv1d({ name: 'c2', filters: 12, kernelSize: 5 }),
      tf.layers.batchNormalization({ name: 'b2' }),
      tf.layers.reLU({ name: 'r2' }),
      tf.layers.maxPooling1d({ name: 'p2', poolSize: 2 }),
      tf.layers.conv1d({ name: 'c3', filters: 16, kernelSize: 3, useBias: false }),
      tf.layers.batchNormalization({ name: 'b3' }),
      tf.layers.globalAveragePooling1d({ name: 'gap' }),
      tf.layers.dense({ name: 'out', units: 3, activation: 'softmax' }),
    ],
  });

/** Seeded weights, then moving means in [-0.5, 0.5) and variances in [0.25, 2.25) for every BatchNormalization. */
function seeded(model: tf.Sequential): void {
  initializeWeights(model, 3);
  model.layers.forEach((layer, k) => {
    if (layer.getClassName() !== 'BatchNormalization') return;
    const values = layer.getWeights().map((w, j) => {
      const u = uniform(w.shape, 100 + 10 * k + j);
      const name = layer.weights[j]!.originalName;
      if (name.endsWith('moving_mean')) return tf.mul(u, 0.5);
      if (name.endsWith('moving_variance')) return tf.add(tf.abs(u), 0.25).mul(1.6);
      if (name.endsWith('gamma')) return tf.add(u, 1.2);
      return u;
    });
    layer.setWeights(values);
  });
}

describe('compileForward folds BatchNormalization into the Conv1D for inference', () => {
  it('equals the cpu model.predict, runs no batch-norm kernel, gives the same bytes on every call', async () => {
    const x = () => tf.mul(uniform([5, 160, 1], 41), 2);
    const cpu = await onBackends(['cpu'], () => {
      const model = build();
      seeded(model);
      const y = model.predict(x()) as tf.Tensor;
      model.dispose();
      return [y];
    });
    await tf.setBackend('wasm');
    const model = build();
    seeded(model);
    const forward = compileForward(model);
    const input = x();
    const first = forward(input).dataSync() as Float32Array;
    expect(relativeDifference(first, cpu.cpu![0]!)).toBeLessThanOrEqual(1e-5);
    expect(relativeDifference(first, (model.predict(input) as tf.Tensor).dataSync())).toBeLessThanOrEqual(1e-5);
    const second = forward(input).dataSync() as Float32Array;
    expect(Buffer.from(second.buffer).equals(Buffer.from(first.buffer))).toBe(true);
    const names = (await tf.profile(() => forward(input))).kernels.map((k) => k.name);
    expect(names.filter((name) => name === 'FusedBatchNorm' || name === 'Relu')).toHaveLength(0);
    // c2 (k 5, with p2 inside) and c3 (k 3, with gap inside): Winograd; c1 (1 channel, 9 taps): the fused conv
    expect(names.filter((name) => name === 'PipelineWinogradConv1D')).toHaveLength(2);
    expect(names.filter((name) => name === 'FusedConv2D')).toHaveLength(1);
    // training: the layers one by one (batch statistics)
    const training = (await tf.profile(() => forward(input, { training: true }))).kernels.map((k) => k.name);
    expect(training.filter((name) => name === 'PipelineWinogradConv1D')).toHaveLength(0);
    expect(training.some((name) => name === 'FusedBatchNorm' || name === 'Mean' || name === 'Moments')).toBe(true);
    model.dispose();
    input.dispose();
  });
});
