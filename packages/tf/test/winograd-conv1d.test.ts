import { beforeAll, describe, expect, it } from '@jest/globals';
import { compileForward, initializeWeights, selectBackend, tf } from '@pipeline/tf';
import { WINOGRAD_CONV1D } from '../src/winograd-conv1d.js';
import { onBackends, relativeDifference, uniform } from './helpers.js';

// The inference-only Winograd conv (src/winograd-conv1d.ts) against the pure-JS cpu backend's direct
// conv1d on seeded random inputs: within 1e-5 relative (max |a − b| / max |b|), and the same bytes
// on every call.
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

const winograd = (x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor | undefined, pad: 'valid' | 'same', relu: boolean, pool: 'none' | 'max2' | 'mean') =>
  tf.engine().runKernel(WINOGRAD_CONV1D, { x, filter, ...(bias === undefined ? {} : { bias }) }, { pad, relu, pool }) as tf.Tensor;

describe('Winograd conv1d (inference) agrees with the cpu backend', () => {
  const cases: Array<{ x: [number, number, number]; kernel: number; filters: number; pad: 'valid' | 'same'; relu: boolean; bias: boolean; pool?: 'max2' | 'mean' }> = [
    // the bench CNN's conv3 and conv2 (F(6,3), F(4,5)), a short batch
    { x: [2, 309, 64], kernel: 3, filters: 128, pad: 'valid', relu: true, bias: true },
    { x: [2, 622, 32], kernel: 5, filters: 64, pad: 'valid', relu: true, bias: true },
    // every filter size 2..7, `same`, no bias, no relu, widths below one tile, outputs a multiple of m
    { x: [3, 10, 8], kernel: 3, filters: 4, pad: 'same', relu: true, bias: true },
    { x: [1, 9, 4], kernel: 5, filters: 8, pad: 'valid', relu: false, bias: true },
    { x: [2, 20, 4], kernel: 2, filters: 12, pad: 'same', relu: false, bias: false },
    { x: [2, 30, 4], kernel: 7, filters: 4, pad: 'same', relu: true, bias: true },
    { x: [3, 5, 4], kernel: 4, filters: 4, pad: 'valid', relu: true, bias: false },
    { x: [2, 41, 12], kernel: 6, filters: 8, pad: 'same', relu: true, bias: true },
    { x: [2, 44, 16], kernel: 3, filters: 20, pad: 'valid', relu: true, bias: true },
  ];
  // the conv's output pooled inside the kernel: MaxPooling1D(2) and GlobalAveragePooling1D
  cases.push(
    { x: [2, 622, 32], kernel: 5, filters: 64, pad: 'valid', relu: true, bias: true, pool: 'max2' },
    { x: [2, 309, 64], kernel: 3, filters: 128, pad: 'valid', relu: true, bias: true, pool: 'mean' },
    { x: [3, 28, 8], kernel: 3, filters: 12, pad: 'same', relu: false, bias: true, pool: 'max2' },
    { x: [2, 23, 4], kernel: 7, filters: 8, pad: 'valid', relu: true, bias: false, pool: 'max2' },
    { x: [3, 19, 4], kernel: 4, filters: 8, pad: 'same', relu: false, bias: true, pool: 'mean' },
    // one input channel: the direct kernel with the filter in registers (the bench CNN's conv1 + pool1)
    { x: [2, 1250, 1], kernel: 7, filters: 32, pad: 'valid', relu: true, bias: true, pool: 'max2' },
    { x: [3, 31, 1], kernel: 2, filters: 4, pad: 'same', relu: false, bias: true },
    { x: [2, 17, 1], kernel: 8, filters: 12, pad: 'valid', relu: true, bias: false, pool: 'max2' },
    { x: [2, 26, 1], kernel: 5, filters: 8, pad: 'same', relu: true, bias: true, pool: 'max2' },
  );
  for (const c of cases) {
    it(`${JSON.stringify(c)}`, async () => {
      const x = () => tf.mul(uniform(c.x, 11), 3);
      const filter = () => uniform([c.kernel, c.x[2], c.filters], 12);
      const bias = () => uniform([c.filters], 13);
      const cpu = await onBackends(['cpu'], () => {
        let y = tf.conv1d(x() as tf.Tensor3D, filter() as tf.Tensor3D, 1, c.pad);
        if (c.bias) y = tf.add(y, bias());
        if (c.relu) y = tf.relu(y);
        if (c.pool === 'max2') {
          const [b, w, f] = y.shape;
          y = tf.reshape(tf.maxPool(tf.reshape(y, [b, 1, w, f]) as tf.Tensor4D, [1, 2], [1, 2], 'valid'), [b, Math.floor(w / 2), f]);
        }
        return [c.pool === 'mean' ? tf.mean(y, 1) : y];
      });
      await tf.setBackend('wasm');
      const [a, b] = tf.tidy(() => {
        const inputs = [x(), filter(), c.bias ? bias() : undefined] as const;
        const run = () => winograd(...inputs, c.pad, c.relu, c.pool ?? 'none').dataSync() as Float32Array;
        return [run(), run()];
      });
      expect(a.length).toBe(cpu.cpu![0]!.length);
      expect(relativeDifference(a, cpu.cpu![0]!)).toBeLessThanOrEqual(1e-5);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    });
  }

  it('with one input channel it gives the bits of the training forward (fused conv on wasm, then max-pooling)', async () => {
    await tf.setBackend('wasm');
    const [direct, fast] = tf.tidy(() => {
      const x = tf.mul(uniform([3, 301, 1], 31), 2) as tf.Tensor3D;
      const filter = uniform([7, 1, 16], 32) as tf.Tensor3D;
      const bias = uniform([16], 33) as tf.Tensor1D;
      const y = tf.fused.conv2d({ x: tf.reshape(x, [3, 1, 301, 1]) as tf.Tensor4D, filter: tf.reshape(filter, [1, 7, 1, 16]) as tf.Tensor4D, strides: 1, pad: 'valid', bias, activation: 'relu' });
      return [tf.maxPool(y, [1, 2], [1, 2], 'valid').dataSync() as Float32Array, winograd(x, filter, bias, 'valid', true, 'max2').dataSync() as Float32Array];
    });
    expect(fast.length).toBe(direct.length);
    expect(Buffer.from(fast.buffer).equals(Buffer.from(direct.buffer))).toBe(true);
  });

  it('compileForward uses it for inference only: same outputs as the cpu model.predict, identical bytes on every call', async () => {
    const build = () =>
      tf.sequential({
        layers: [
          tf.layers.conv1d({ name: 'c1', inputShape: [120, 1], filters: 8, kernelSize: 7, activation: 'relu' }),
          tf.layers.maxPooling1d({ name: 'p1', poolSize: 2 }),
          tf.layers.conv1d({ name: 'c2', filters: 16, kernelSize: 5, activation: 'relu' }),
          tf.layers.maxPooling1d({ name: 'p2', poolSize: 2 }),
          tf.layers.conv1d({ name: 'c3', filters: 32, kernelSize: 3, activation: 'relu' }),
          tf.layers.globalAveragePooling1d({ name: 'gap' }),
          tf.layers.dense({ name: 'out', units: 3, activation: 'softmax' }),
        ],
      });
    const x = () => tf.mul(uniform([6, 120, 1], 21), 2);
    const cpu = await onBackends(['cpu'], () => {
      const model = build();
      initializeWeights(model, 9);
      const y = model.predict(x()) as tf.Tensor;
      model.dispose();
      return [y];
    });
    await tf.setBackend('wasm');
    const model = build();
    initializeWeights(model, 9);
    const forward = compileForward(model);
    const input = x();
    const profile = await tf.profile(() => forward(input));
    const counts: Record<string, number> = {};
    for (const k of profile.kernels) counts[k.name] = (counts[k.name] ?? 0) + 1;
    // c1 (1 input channel: the direct kernel), c2 and c3 (Winograd), with p1, p2 and gap inside the kernel
    expect(counts).toMatchObject({ [WINOGRAD_CONV1D]: 3 });
    for (const name of ['FusedConv2D', 'Conv2D', 'MaxPool', 'Mean']) expect(counts[name] ?? 0).toBe(0);
    const first = forward(input).dataSync() as Float32Array;
    const second = forward(input).dataSync() as Float32Array;
    expect(relativeDifference(first, cpu.cpu![0]!)).toBeLessThanOrEqual(1e-5);
    expect(Buffer.from(second.buffer).equals(Buffer.from(first.buffer))).toBe(true);
    // training keeps the direct convolution (and its gradients)
    const training = await tf.profile(() => forward(input, { training: true }));
    expect(training.kernels.filter((k) => k.name === WINOGRAD_CONV1D)).toHaveLength(0);
    model.dispose();
    input.dispose();
  });
});
