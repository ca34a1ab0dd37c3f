import { beforeAll, describe, expect, it } from '@jest/globals';
import { lstmLastState, selectBackend, tf } from '@pipeline/tf';
import { onBackends, relativeDifference, uniform } from './helpers.js';
import { lstmBackwardWasm, lstmForwardWasm, releaseLstmTrace, stackedWeights, takeLstmTrace, wasmLstmKernels } from '../src/lstm-sequence-wasm.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

// The fused LSTM op against tfjs-layers' own LSTM (Keras maths) with the same weights: outputs and
// gradients of every input, on both backends.
describe('lstmLastState', () => {
  for (const [batch, steps, inputDim, units] of [
    [3, 12, 1, 5],
    [2, 7, 3, 4],
  ]) {
    it(`matches tf.layers.lstm forward and backward (B=${batch}, T=${steps}, D=${inputDim}, U=${units})`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        const layer = tf.layers.lstm({ units: units!, recurrentActivation: 'sigmoid', inputShape: [steps!, inputDim!] });
        const x = tf.mul(uniform([batch!, steps!, inputDim!], 1), 2);
        layer.apply(x); // builds the weights
        const kernel = tf.mul(uniform([inputDim!, 4 * units!], 2), 0.7);
        const recurrent = tf.mul(uniform([units!, 4 * units!], 3), 0.7);
        const bias = tf.mul(uniform([4 * units!], 4), 0.5);
        layer.setWeights([kernel, recurrent, bias]);
        const weights = uniform([batch!, units!], 5);
        // tfjs-layers: weights live in the layer's variables
        const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const referenceLoss = (a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a) as tf.Tensor, weights)) as tf.Scalar;
        const reference = [
          layer.apply(x) as tf.Tensor,
          tf.grad(referenceLoss)(x),
          ...Object.values(tf.variableGrads(() => referenceLoss(x), variables).grads),
        ];
        const mine = (a: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
          lstmLastState(a as tf.Tensor3D, k as tf.Tensor2D, r as tf.Tensor2D, b as tf.Tensor1D);
        const outputs = [
          ...reference,
          mine(x, kernel, recurrent, bias),
          ...tf.grads((a: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(mine(a, k, r, b), weights)))([
            x,
            kernel,
            recurrent,
            bias,
          ]),
        ];
        layer.dispose();
        return outputs;
      });
      for (const backend of ['wasm', 'cpu']) {
        const [refOut, ...rest] = results[backend]!;
        const refGrads = rest.slice(0, 4);
        const [myOut, ...myGrads] = rest.slice(4);
        expect(myOut!.length).toBe(batch! * units!);
        expect(relativeDifference(myOut!, refOut!)).toBeLessThan(1e-5);
        myGrads.forEach((g, k) => expect(relativeDifference(g, refGrads[k]!)).toBeLessThan(1e-4));
      }
    });
  }

  it('leaks no tensors through forward and backward', () => {
    const x = uniform([2, 30, 1], 6) as tf.Tensor3D;
    const k = uniform([1, 8], 7) as tf.Tensor2D;
    const r = uniform([2, 8], 8) as tf.Tensor2D;
    const b = uniform([8], 9) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, kk: tf.Tensor) => tf.sum(lstmLastState(a as tf.Tensor3D, kk as tf.Tensor2D, r, b)))([x, k]);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, k, r, b]);
  });

  // Two LSTM forward passes wait for their backward passes at once (the traces live on the wasm heap,
  // one block each): gradients of both agree with the cpu backend.
  it('keeps one trace per pending forward pass (two LSTMs in one gradient, units 8 and 5)', async () => {
    const results = await onBackends(['wasm', 'cpu'], () => {
      const x = uniform([3, 9, 2], 21);
      const parts = [8, 5].map((u, n) => [uniform([2, 4 * u], 22 + n), uniform([u, 4 * u], 24 + n), uniform([4 * u], 26 + n)]);
      const loss = (a: tf.Tensor, k1: tf.Tensor, k2: tf.Tensor) =>
        tf.add(
          tf.sum(tf.square(lstmLastState(a as tf.Tensor3D, k1 as tf.Tensor2D, parts[0]![1] as tf.Tensor2D, parts[0]![2] as tf.Tensor1D))),
          tf.sum(lstmLastState(tf.mul(a, 0.5) as tf.Tensor3D, k2 as tf.Tensor2D, parts[1]![1] as tf.Tensor2D, parts[1]![2] as tf.Tensor1D)),
        ) as tf.Scalar;
      return tf.grads(loss)([x, parts[0]![0]!, parts[1]![0]!]);
    });
    results.wasm!.forEach((g, k) => {
      expect(g.length).toBeGreaterThan(0);
      expect(relativeDifference(g, results.cpu![k]!)).toBeLessThan(1e-4);
    });
  });

  it('refuses a trace whose heap block was taken back (17 forward passes without their backward pass)', async () => {
    await tf.setBackend('wasm');
    const wasm = wasmLstmKernels()!;
    const shape = { batch: 2, steps: 3, inputDim: 1, units: 4, width: 16, augmentedWidth: 6 };
    const kernel = new Float32Array(16).fill(0.1);
    const recurrent = new Float32Array(64).fill(0.05);
    const weights = stackedWeights(shape, kernel, recurrent, new Float32Array(16));
    const inputs = Float32Array.from({ length: 6 }, (_, i) => i / 6);
    const traces = Array.from({ length: 17 }, () => {
      const trace = takeLstmTrace(wasm, shape);
      lstmForwardWasm(wasm, shape, inputs, weights, trace);
      return trace;
    });
    expect(() => lstmBackwardWasm(wasm, shape, traces[0]!, new Float32Array(8).fill(1), kernel, recurrent)).toThrow(/trace of this forward pass was reused/);
    const [, dKernel] = lstmBackwardWasm(wasm, shape, traces[16]!, new Float32Array(8).fill(1), kernel, recurrent);
    expect(dKernel.some((v) => v !== 0)).toBe(true);
    traces.forEach(releaseLstmTrace);
  });
});
