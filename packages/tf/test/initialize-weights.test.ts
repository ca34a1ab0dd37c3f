import { beforeAll, describe, expect, it } from '@jest/globals';
import { initializeWeights, selectBackend, tf } from '@pipeline/tf';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

function build(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv1d({ inputShape: [20, 2], filters: 6, kernelSize: 5, activation: 'relu', kernelInitializer: 'zeros' }),
      tf.layers.lstm({ units: 8, recurrentActivation: 'sigmoid', unitForgetBias: true, kernelInitializer: 'zeros', recurrentInitializer: 'zeros' }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'zeros' }),
    ],
  });
}

const values = (model: tf.Sequential) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('initializeWeights', () => {
  it('gives the same weights for the same seed on every backend, and different ones for another seed', async () => {
    const a = build();
    initializeWeights(a, 42);
    await tf.setBackend('cpu');
    const b = build();
    initializeWeights(b, 42);
    const onCpu = values(b);
    await tf.setBackend('wasm');
    expect(values(a)).toEqual(onCpu);
    const c = build();
    initializeWeights(c, 43);
    expect(values(c)[0]).not.toEqual(values(a)[0]);
  });

  it("follows Keras's initializers: Glorot limits, orthogonal recurrent kernel, forget-gate bias 1", () => {
    const model = build();
    initializeWeights(model, 7);
    const [convKernel, convBias, lstmKernel, recurrent, lstmBias, denseKernel] = model.getWeights();
    // conv kernel [5, 2, 6]: fanIn = 2·5, fanOut = 6·5 → limit √(6/40)
    const within = (t: tf.Tensor) => Math.max(...Array.from(t.dataSync(), Math.abs));
    expect(within(convKernel!)).toBeLessThanOrEqual(Math.sqrt(6 / 40));
    expect(within(convKernel!)).toBeGreaterThan(0.8 * Math.sqrt(6 / 40));
    expect(Array.from(convBias!.dataSync())).toEqual(new Array(6).fill(0));
    expect(within(lstmKernel!)).toBeLessThanOrEqual(Math.sqrt(6 / (6 + 32)));
    expect(within(denseKernel!)).toBeLessThanOrEqual(Math.sqrt(6 / (8 + 3)));
    // recurrent kernel [8, 32]: rows orthonormal, R·Rᵀ = I
    const gram = tf.matMul(recurrent!, recurrent!, false, true).arraySync() as number[][];
    gram.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 5)));
    const bias = Array.from(lstmBias!.dataSync());
    expect(bias).toEqual([...new Array(8).fill(0), ...new Array(8).fill(1), ...new Array(16).fill(0)]);
  });

  it('draws from a uniform distribution of the right spread (mean ≈ 0, variance ≈ limit²/3)', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [300], units: 300, kernelInitializer: 'zeros' })] });
    initializeWeights(model, 1);
    const v = Array.from(model.getWeights()[0]!.dataSync());
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    const limit = Math.sqrt(6 / 600);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(variance).toBeCloseTo((limit * limit) / 3, 5);
  });
});
