import { beforeAll, describe, expect, it } from '@jest/globals';
import { lstmLastState, selectBackend, tf } from '@pipeline/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setSimdKernelsEnabled, simdKernels } from '../src/simd-kernels.js';
import { onBackends, relativeDifference, uniform } from './helpers.js';

// The SIMD kernels (src/simd-training-kernels.ts on simd-kernels.wat) against the pure-JS cpu backend on
// seeded random inputs: outputs and gradients within 1e-5 relative (max |a − b| / max |b|).
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  setSimdKernelsEnabled(true);
});

function expectClose(results: Record<string, Float32Array[]>, tolerance = 1e-5): void {
  const wasm = results.wasm!;
  const cpu = results.cpu!;
  expect(wasm).toHaveLength(cpu.length);
  wasm.forEach((values, k) => {
    expect(values.length).toBe(cpu[k]!.length);
    expect(relativeDifference(values, cpu[k]!)).toBeLessThanOrEqual(tolerance);
  });
}

describe('SIMD conv1d kernels agree with the cpu backend', () => {
  it('the SIMD module instantiates on the wasm backend memory', async () => {
    await tf.setBackend('wasm');
    expect(simdKernels(tf.backend() as BackendWasm)).toBeDefined();
  });

  const cases: Array<{ x: [number, number, number]; kernel: number; filters: number; stride: number; pad: 'valid' | 'same' }> = [
    { x: [3, 40, 4], kernel: 5, filters: 8, stride: 1, pad: 'valid' },
    { x: [2, 33, 1], kernel: 7, filters: 5, stride: 1, pad: 'same' },
    { x: [5, 29, 3], kernel: 4, filters: 9, stride: 2, pad: 'same' },
    { x: [1, 31, 6], kernel: 3, filters: 13, stride: 3, pad: 'valid' },
    { x: [4, 17, 9], kernel: 1, filters: 7, stride: 1, pad: 'valid' },
    { x: [2, 26, 5], kernel: 6, filters: 12, stride: 2, pad: 'valid' },
    { x: [3, 64, 32], kernel: 3, filters: 64, stride: 1, pad: 'same' },
  ];
  for (const c of cases) {
    it(`conv1d + bias + relu forward, dx, dW, db: ${JSON.stringify(c)}`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        const x = uniform(c.x, 1) as tf.Tensor3D;
        const filter = uniform([c.kernel, c.x[2], c.filters], 2) as tf.Tensor3D;
        const bias = uniform([c.filters], 3) as tf.Tensor1D;
        const pad = c.pad;
        const f = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.relu(tf.add(tf.conv1d(a as tf.Tensor3D, w as tf.Tensor3D, c.stride, pad), b));
        const y = f(x, filter, bias);
        const weights = uniform(y.shape, 4);
        const [dx, dw, db] = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, w, b), weights)))([x, filter, bias]);
        // the fused forward (bias and relu inside the kernel) as used for inference
        const fused = tf.fused.conv2d({
          x: tf.reshape(x, [c.x[0], 1, c.x[1], c.x[2]]) as tf.Tensor4D,
          filter: tf.reshape(filter, [1, c.kernel, c.x[2], c.filters]) as tf.Tensor4D,
          strides: [1, c.stride],
          pad,
          bias,
          activation: 'relu',
        });
        return [y, fused, dx!, dw!, db!];
      });
      expectClose(results);
    });
  }

  for (const dilation of [2, 3]) {
    it(`dilated conv1d forward (dilation ${dilation}, same and valid)`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        const x = uniform([3, 37, 5], 5) as tf.Tensor3D;
        const filter = uniform([3, 5, 6], 6) as tf.Tensor3D;
        return [tf.conv1d(x, filter, 1, 'same', 'NWC', dilation), tf.conv1d(x, filter, 1, 'valid', 'NWC', dilation)];
      });
      expectClose(results);
    });
  }

  it('the SIMD path and the previous kernels give the same numbers (within 1e-5)', async () => {
    await tf.setBackend('wasm');
    const run = () =>
      tf.tidy(() => {
        const x = uniform([4, 50, 8], 7) as tf.Tensor3D;
        const filter = uniform([5, 8, 16], 8) as tf.Tensor3D;
        const weights = uniform([4, 46, 16], 9);
        const [dx, dw] = tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.conv1d(a as tf.Tensor3D, w as tf.Tensor3D, 1, 'valid'), weights)))([x, filter]);
        return [tf.conv1d(x, filter, 1, 'valid'), dx!, dw!].map((t) => t.dataSync() as Float32Array);
      });
    const simd = run();
    setSimdKernelsEnabled(false);
    try {
      const previous = run();
      simd.forEach((values, k) => expect(relativeDifference(values, previous[k]!)).toBeLessThanOrEqual(1e-5));
    } finally {
      setSimdKernelsEnabled(true);
    }
  });
});

describe('SIMD reductions and max-pool gradient agree with the cpu backend', () => {
  for (const [shape, axis, keepDims] of [
    [[64, 1, 37, 12], [0, 1, 2], false],
    [[6, 23, 9], 1, false],
    [[6, 23, 9], 1, true],
    [[5, 7, 3, 2], [1, 2], false],
    [[11, 13], 0, false],
    [[11, 13], -1, true],
  ] as Array<[number[], number | number[], boolean]>) {
    it(`Sum and Mean over ${JSON.stringify(axis)} of ${JSON.stringify(shape)} (keepDims ${keepDims})`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        const x = uniform(shape, 11);
        return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)];
      });
      expectClose(results);
    });
  }

  for (const c of [
    { x: [2, 1, 16, 8], size: 2 },
    { x: [3, 1, 25, 4], size: 3 },
    { x: [2, 1, 9, 12], size: 2 },
    { x: [1, 1, 40, 16], size: 5 },
  ]) {
    it(`MaxPoolGrad over disjoint 1D windows: ${JSON.stringify(c)}`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        // rounded values create ties, where "first maximum" matters
        const x = tf.round(tf.mul(uniform(c.x, 12), 3));
        const pool = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, [1, c.size], [1, c.size], 'valid');
        const weights = uniform(pool(x).shape, 13);
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), weights)))(x)];
      });
      expectClose(results, 0);
    });
  }
});

describe('SIMD LSTM step kernels agree with the cpu backend', () => {
  it('σ of the kernels is within 2e-7 relative of 1 / (1 + Math.exp(−x)) over [−90, 90]', async () => {
    await tf.setBackend('wasm');
    const n = 4096;
    const values = Float32Array.from({ length: n }, (_, k) => -90 + (180 * k) / (n - 1));
    const x = tf.tensor1d(values);
    const out = tf.zeros([n]);
    const backend = tf.backend() as BackendWasm;
    simdKernels(backend)!.sigmoid(backend.getMemoryOffset(out.dataId) as number, backend.getMemoryOffset(x.dataId) as number, n);
    const got = out.dataSync();
    let worst = 0;
    values.forEach((v, k) => {
      const expected = 1 / (1 + Math.exp(-v));
      worst = Math.max(worst, Math.abs(got[k]! - expected) / Math.max(expected, 1e-30));
    });
    expect(worst).toBeLessThan(2e-7);
    tf.dispose([x, out]);
  });

  for (const [batch, steps, inputDim, units] of [
    [5, 9, 2, 8],
    [1, 17, 1, 12],
    [3, 4, 3, 6],
  ]) {
    it(`lstmLastState forward and gradients (B=${batch}, T=${steps}, D=${inputDim}, U=${units})`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        const x = tf.mul(uniform([batch!, steps!, inputDim!], 21), 2) as tf.Tensor3D;
        const kernel = tf.mul(uniform([inputDim!, 4 * units!], 22), 0.7) as tf.Tensor2D;
        const recurrent = tf.mul(uniform([units!, 4 * units!], 23), 0.7) as tf.Tensor2D;
        const bias = tf.mul(uniform([4 * units!], 24), 0.5) as tf.Tensor1D;
        const weights = uniform([batch!, units!], 25);
        const f = (a: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
          lstmLastState(a as tf.Tensor3D, k as tf.Tensor2D, r as tf.Tensor2D, b as tf.Tensor1D);
        return [f(x, kernel, recurrent, bias), ...tf.grads((a: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, k, r, b), weights)))([x, kernel, recurrent, bias])];
      });
      expectClose(results);
    });
  }
});
