import { beforeAll, describe, expect, it } from '@jest/globals';
import { dilatedConv1d, DilatedConv1D, modelFromFiles, modelToFiles, selectBackend, tf } from '@pipeline/tf';
import { relativeDifference, uniform } from './helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

/** The dilated kernel written out with zeros between its taps: an undilated conv of the same maths. */
function zeroStuffed(kernel: tf.Tensor3D, dilation: number): tf.Tensor3D {
  const [taps, inputs, outputs] = kernel.shape;
  const rows: tf.Tensor[] = [];
  for (let j = 0; j < taps; j++) {
    rows.push(tf.slice(kernel, [j, 0, 0], [1, inputs, outputs]));
    if (j < taps - 1) rows.push(tf.zeros([dilation - 1, inputs, outputs]));
  }
  return tf.concat(rows, 0) as tf.Tensor3D;
}

function padFor(padding: 'valid' | 'same' | 'causal', span: number): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'causal') return [span, 0];
  return [Math.floor(span / 2), span - Math.floor(span / 2)];
}

describe('DilatedConv1D', () => {
  const cases: Array<[number, number, 'valid' | 'same' | 'causal', number]> = [
    [3, 2, 'valid', 17],
    [3, 4, 'same', 20],
    [2, 3, 'causal', 11],
    [3, 16, 'same', 40],
    [5, 1, 'same', 9],
  ];
  for (const backend of ['wasm', 'cpu']) {
    for (const [kernelSize, dilation, padding, steps] of cases) {
      it(`${backend}: k=${kernelSize} d=${dilation} ${padding}: output and gradients equal the zero-stuffed undilated conv`, async () => {
        await tf.setBackend(backend);
        const layer = dilatedConv1d({ filters: 4, kernelSize, dilationRate: dilation, padding, activation: 'relu' });
        const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [steps, 3] }), layer] });
        const kernel = uniform([kernelSize, 3, 4], 1) as tf.Tensor3D;
        const bias = tf.mul(uniform([4], 2), 0.3) as tf.Tensor1D;
        model.setWeights([kernel, bias]);
        const x = uniform([2, steps, 3], 3) as tf.Tensor3D;
        const span = (kernelSize - 1) * dilation;
        const [before, after] = padFor(padding, span);
        const reference = (a: tf.Tensor, k: tf.Tensor) =>
          tf.relu(tf.add(tf.conv1d(tf.pad(a as tf.Tensor3D, [[0, 0], [before, after], [0, 0]]), zeroStuffed(k as tf.Tensor3D, dilation), 1, 'valid'), bias));
        const expected = reference(x, kernel);
        const actual = model.apply(x) as tf.Tensor;
        expect(actual.shape).toEqual(expected.shape);
        expect(actual.shape).toEqual(model.outputs[0]!.shape.map((d, i) => (i === 0 ? 2 : d)));
        expect(relativeDifference(actual.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
        // The native dilated conv (forward only: it has no gradient) agrees too.
        if (dilation > 1) {
          const native = tf.relu(tf.add(tf.conv1d(tf.pad(x, [[0, 0], [before, after], [0, 0]]), kernel, 1, 'valid', 'NWC', dilation), bias));
          expect(relativeDifference(actual.dataSync(), native.dataSync())).toBeLessThan(1e-5);
        }
        const weights = uniform(expected.shape, 4);
        const [dxRef, dkRef] = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(reference(a, k), weights)))([x, kernel]);
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x) as tf.Tensor, weights)) as tf.Scalar, [
          layer.trainableWeights[0]!.read() as tf.Variable,
        ]);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(model.apply(a) as tf.Tensor, weights)))(x);
        expect(relativeDifference(dx.dataSync(), dxRef!.dataSync())).toBeLessThan(1e-4);
        expect(relativeDifference(Object.values(grads)[0]!.dataSync(), dkRef!.dataSync())).toBeLessThan(1e-4);
        model.dispose();
        await tf.setBackend('wasm');
      });
    }
  }

  it('round-trips through the layer registry (model.json) with identical outputs', async () => {
    const model = tf.sequential({
      layers: [dilatedConv1d({ name: 'tcn_d4', inputShape: [24, 2], filters: 3, kernelSize: 3, dilationRate: 4, padding: 'same', activation: 'tanh' })],
    });
    model.setWeights([uniform([3, 2, 3], 5), uniform([3], 6)]);
    const [json, weights] = await modelToFiles(model);
    const text = new TextDecoder().decode(json!.data);
    expect(text).toContain('"class_name":"DilatedConv1D"');
    expect(text).toContain('"dilation_rate":4');
    const loaded = await modelFromFiles(json!.data, weights!.data);
    expect(loaded.layers[0]).toBeInstanceOf(DilatedConv1D);
    const x = uniform([2, 24, 2], 7);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });

  it('trains: the loss of a dilated model goes down on wasm', () => {
    const model = tf.sequential({
      layers: [
        dilatedConv1d({ inputShape: [32, 1], filters: 4, kernelSize: 3, dilationRate: 2, padding: 'causal', activation: 'relu' }),
        tf.layers.globalAveragePooling1d({}),
        tf.layers.dense({ units: 1 }),
      ],
    });
    const x = uniform([16, 32, 1], 8);
    const y = tf.sum(tf.abs(x), [1, 2]).reshape([16, 1]).div(16);
    const optimizer = tf.train.adam(0.05);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    expect(losses[29]!).toBeLessThan(losses[0]! * 0.5);
  });

  it('rejects bad arguments', () => {
    expect(() => dilatedConv1d({ filters: 0, kernelSize: 3, dilationRate: 2 })).toThrow('filters must be a positive integer');
    expect(() => dilatedConv1d({ filters: 2, kernelSize: 3, dilationRate: 2, activation: 'softmax' as 'relu' })).toThrow('unsupported activation');
  });
});
