import { beforeAll, describe, expect, it } from '@jest/globals';
import { selectBackend, tf } from '@pipeline/tf';
import { onBackends, relativeDifference, uniform } from './helpers.js';

// Each patched wasm kernel against the pure-JS cpu backend on the same inputs: forward ≤ 1e-5 and
// gradients ≤ 1e-4 relative (the tolerance); in practice both agree to ~1e-7.
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

function expectClose(results: Record<string, Float32Array[]>, tolerances: number[]): void {
  const wasm = results.wasm!;
  const cpu = results.cpu!;
  expect(wasm).toHaveLength(cpu.length);
  wasm.forEach((values, k) => {
    expect(values.length).toBe(cpu[k]!.length);
    expect(relativeDifference(values, cpu[k]!)).toBeLessThanOrEqual(tolerances[Math.min(k, tolerances.length - 1)]!);
  });
}

describe('wasm training kernels agree with the cpu backend', () => {
  const convCases: Array<{ name: string; x: number[]; filter: number[]; strides: number | [number, number]; pad: 'valid' | 'same' }> = [
    { name: 'conv1d valid (CNN block shape)', x: [3, 1, 40, 4], filter: [1, 5, 4, 6], strides: 1, pad: 'valid' },
    { name: 'conv1d same, one input channel', x: [2, 1, 33, 1], filter: [1, 7, 1, 5], strides: 1, pad: 'same' },
    { name: 'conv2d stride 2 same', x: [2, 6, 9, 3], filter: [3, 2, 3, 4], strides: 2, pad: 'same' },
    { name: 'conv2d strides [1, 2] valid', x: [2, 6, 9, 3], filter: [3, 3, 3, 2], strides: [1, 2], pad: 'valid' },
  ];
  for (const c of convCases) {
    it(`Conv2D forward, Conv2DBackpropInput and Conv2DBackpropFilter: ${c.name}`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        const x = uniform(c.x, 1) as tf.Tensor4D;
        const filter = uniform(c.filter, 2) as tf.Tensor4D;
        const weights = uniform(tf.conv2d(x, filter, c.strides, c.pad).shape, 3);
        const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), weights)),
        )([x, filter]);
        return [tf.conv2d(x, filter, c.strides, c.pad), dx!, dFilter!];
      });
      expectClose(results, [1e-5, 1e-4]);
    });
  }

  it('the Conv2DBackpropFilter kernel is the one @pipeline registered (the stock wasm backend has none)', () => {
    const x = uniform([1, 1, 8, 2], 4) as tf.Tensor4D;
    const dy = uniform([1, 1, 6, 3], 5) as tf.Tensor4D;
    const dFilter = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 1,
      pad: 'valid',
      dataFormat: 'NHWC',
      filterShape: [1, 3, 2, 3],
    }) as tf.Tensor;
    // dW[0, k, i, o] = Σ_t x[t + k, i] · dy[t, o], computed here by hand.
    const xv = x.dataSync();
    const dyv = dy.dataSync();
    const expected = new Float32Array(18);
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < 2; i++)
        for (let o = 0; o < 3; o++) {
          let s = 0;
          for (let t = 0; t < 6; t++) s += xv[(t + k) * 2 + i]! * dyv[t * 3 + o]!;
          expected[(k * 2 + i) * 3 + o] = s;
        }
    expect(dFilter.shape).toEqual([1, 3, 2, 3]);
    expect(relativeDifference(dFilter.dataSync(), expected)).toBeLessThan(1e-6);
    tf.dispose([x, dy, dFilter]);
  });

  for (const [transposeA, transposeB] of [
    [true, false],
    [false, true],
    [true, true],
    [false, false],
  ] as const) {
    it(`BatchMatMul transposeA=${transposeA} transposeB=${transposeB} (and its gradients)`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        const a = uniform(transposeA ? [2, 5, 4] : [2, 4, 5], 6);
        const b = uniform(transposeB ? [2, 6, 5] : [2, 5, 6], 7);
        const weights = uniform([2, 4, 6], 8);
        const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, transposeA, transposeB), weights)))([a, b]);
        return [tf.matMul(a, b, transposeA, transposeB), da!, db!];
      });
      expectClose(results, [1e-5, 1e-4]);
    });
  }

  const poolCases: Array<{ x: number[]; size: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' }> = [
    { x: [2, 1, 11, 3], size: [1, 2], strides: [1, 2], pad: 'valid' },
    { x: [2, 1, 11, 3], size: [1, 2], strides: [1, 2], pad: 'same' },
    { x: [3, 1, 12, 4], size: [1, 3], strides: [1, 3], pad: 'valid' },
    { x: [2, 5, 7, 3], size: 3, strides: 2, pad: 'same' },
    { x: [2, 5, 7, 2], size: 2, strides: 1, pad: 'valid' },
  ];
  for (const c of poolCases) {
    it(`MaxPoolGrad routes the gradient to the first maximum (${JSON.stringify(c)})`, async () => {
      const results = await onBackends(['wasm', 'cpu'], () => {
        // rounded values create ties, where "first maximum" matters
        const x = tf.round(tf.mul(uniform(c.x, 9), 3));
        const pooledShape = tf.maxPool(x as tf.Tensor4D, c.size, c.strides, c.pad).shape;
        const weights = uniform(pooledShape, 10);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad), weights)))(x);
        return [dx];
      });
      // overlapping windows add gradients in a different order: ~1 ulp
      expectClose(results, [1e-6]);
    });
  }

  it('Identity shares the data instead of copying it (clones stay valid after the original is disposed)', () => {
    const x = uniform([3, 5], 12);
    const before = Array.from(x.dataSync());
    const copy = tf.clone(x);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual(before);
    copy.dispose();
  });

  for (const [shape, axis, keepDims, outShape] of [
    [[16, 30, 9], [0, 1], false, [9]],
    [[16, 30, 9], 0, true, [1, 30, 9]],
    [[16, 30, 9], [1, 0], false, [9]],
    [[5, 4], 1, false, [5]],
    [[400, 20], [0], false, [20]],
  ] as Array<[number[], number | number[], boolean, number[]]>) {
    it(`Sum over ${JSON.stringify(axis)} of ${JSON.stringify(shape)} (keepDims ${keepDims})`, async () => {
      await tf.setBackend('wasm');
      const sum = tf.sum(uniform(shape, 11), axis, keepDims);
      expect(sum.shape).toEqual(outShape);
      sum.dispose();
      const results = await onBackends(['wasm', 'cpu'], () => [tf.sum(uniform(shape, 11), axis, keepDims)]);
      expectClose(results, [1e-6]);
    });
  }
});
