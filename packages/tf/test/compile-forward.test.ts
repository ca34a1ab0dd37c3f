import { beforeAll, describe, expect, it } from '@jest/globals';
import { compileForward, dilatedConv1d, initializeWeights, selectBackend, tf } from '@pipeline/tf';
import { relativeDifference, uniform } from './helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

const models: Record<string, () => tf.Sequential> = {
  cnn: () =>
    tf.sequential({
      layers: [
        tf.layers.conv1d({ inputShape: [40, 2], filters: 4, kernelSize: 5, activation: 'relu' }),
        tf.layers.maxPooling1d({ poolSize: 2 }),
        tf.layers.conv1d({ filters: 6, kernelSize: 3, activation: 'relu', padding: 'same' }),
        tf.layers.averagePooling1d({ poolSize: 3, strides: 2 }),
        tf.layers.conv1d({ filters: 5, kernelSize: 3, activation: 'elu' }),
        tf.layers.globalAveragePooling1d({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    }),
  lstm: () =>
    tf.sequential({
      layers: [
        tf.layers.lstm({ inputShape: [25, 1], units: 6, recurrentActivation: 'sigmoid' }),
        tf.layers.dense({ units: 4, activation: 'relu' }),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    }),
  'fallbacks (hard-sigmoid sequence LSTM, tanh conv, dilated conv, flatten)': () =>
    tf.sequential({
      layers: [
        tf.layers.conv1d({ inputShape: [20, 1], filters: 3, kernelSize: 3, activation: 'tanh' }),
        dilatedConv1d({ filters: 3, kernelSize: 2, dilationRate: 3, padding: 'causal', activation: 'relu' }),
        tf.layers.lstm({ units: 4, recurrentActivation: 'hardSigmoid', returnSequences: true }),
        tf.layers.maxPooling1d({ poolSize: 4 }),
        tf.layers.flatten({}),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    }),
};

describe('compileForward', () => {
  for (const backend of ['wasm', 'cpu']) {
    for (const [name, build] of Object.entries(models)) {
      it(`${backend}: ${name}: equals model.predict, and logits give the same softmax`, async () => {
        await tf.setBackend(backend);
        const model = build();
        initializeWeights(model, 5);
        const shape = model.inputs[0]!.shape.slice(1) as number[];
        const x = tf.mul(uniform([4, ...shape], 2), 2);
        const expected = (model.predict(x) as tf.Tensor).dataSync();
        const forward = compileForward(model);
        expect(relativeDifference(forward(x).dataSync(), expected)).toBeLessThan(1e-5);
        const logits = compileForward(model, { logits: true });
        expect(relativeDifference(tf.softmax(logits(x)).dataSync(), expected)).toBeLessThan(1e-5);
        model.dispose();
        await tf.setBackend('wasm');
      });
    }
  }

  it('runs the fused kernels: one FusedConv2D per Conv1D, one _FusedMatMul per Dense, no per-step LSTM kernels', async () => {
    for (const [name, expected] of [
      ['cnn', { FusedConv2D: 3, _FusedMatMul: 1 }],
      // on wasm the 25 steps run in the package's SIMD module (no tfjs kernel per step): only the two Dense layers
      ['lstm', { _FusedMatMul: 2 }],
    ] as const) {
      const model = models[name]!();
      initializeWeights(model, 1);
      const shape = model.inputs[0]!.shape.slice(1) as number[];
      const x = uniform([2, ...shape], 4);
      const forward = compileForward(model);
      const profile = await tf.profile(() => forward(x));
      const counts: Record<string, number> = {};
      for (const k of profile.kernels) counts[k.name] = (counts[k.name] ?? 0) + 1;
      expect(counts).toMatchObject(expected);
      expect(counts.Conv2D ?? 0).toBe(0);
      // the LSTM's 25 steps are no tfjs kernels at all (plus free reshapes), not a dozen each
      if (name === 'lstm') {
        expect(profile.kernels.filter((k) => k.name !== 'Reshape' && !k.name.endsWith('__op')).length).toBeLessThan(10);
        for (const perStep of ['Sigmoid', 'Tanh', 'SplitV', 'Multiply', 'Add']) expect(counts[perStep] ?? 0).toBeLessThan(5);
      }
      model.dispose();
    }
  });

  it('training mode applies dropout through the layer; inference skips it', () => {
    const model = models.lstm!();
    initializeWeights(model, 1);
    const x = uniform([8, 25, 1], 3);
    const forward = compileForward(model);
    const inference = forward(x).dataSync();
    expect(Array.from(forward(x).dataSync())).toEqual(Array.from(inference));
    expect(Array.from(forward(x, { training: true }).dataSync())).not.toEqual(Array.from(inference));
  });

  it('refuses logits for a model without a final softmax Dense layer', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    expect(() => compileForward(model, { logits: true })).toThrow('softmax');
  });
});
