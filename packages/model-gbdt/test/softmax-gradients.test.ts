import { describe, expect, it } from '@jest/globals';
import { createRng } from '@pipeline/core';
import { softmaxLane, softmaxLayout, softmaxMemory } from '../src/softmax-gradients.mjs';

/**
 * The half multinomial loss's gradients and hessians row by row with Math.exp, in float64: an
 * independent computation of what the wasm kernel (hist-kernel.wat `softmax`) stores as float32.
 */
function reference(y: Int32Array, raw: Float64Array, weights: Float64Array | undefined, k: number, n: number): { g: Float64Array; h: Float64Array } {
  const g = new Float64Array(k * n);
  const h = new Float64Array(k * n);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, raw[c * n + i]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(raw[c * n + i]! - max);
    const w = weights === undefined ? 1 : weights[i]!;
    for (let c = 0; c < k; c++) {
      const p = Math.exp(raw[c * n + i]! - max) / sum;
      g[c * n + i] = (p - (y[i] === c ? 1 : 0)) * w;
      h[c * n + i] = p * (1 - p) * w;
    }
  }
  return { g, h };
}

function lane(n: number, k: number, weighted: boolean, seed: number) {
  const rng = createRng(seed);
  const layout = softmaxLayout(n, k, weighted, 2);
  const memory = softmaxMemory(layout);
  const main = softmaxLane(memory, layout, 0);
  for (let i = 0; i < n; i++) main.y[i] = rng.int(k);
  if (weighted) for (let i = 0; i < n; i++) main.weights![i] = 2 * rng.uniform();
  // Scores up to ±40 apart, and a few rows where one class is ~1e6 below the others (exp underflows).
  for (let j = 0; j < k * n; j++) main.raw[j] = (rng.uniform() - 0.5) * (j % 7 === 0 ? 80 : 6);
  for (let i = 0; i < n; i += 50) main.raw[((i / 50) % k) * n + i] = -1e6;
  return { layout, memory, main };
}

describe('softmax gradients (wasm kernel)', () => {
  for (const weighted of [false, true]) {
    it(`match the row-by-row float64 formula to float32 precision (${weighted ? 'sample weights' : 'unit weights'})`, () => {
      const n = 1001; // odd: the kernel's last step has one row
      const k = 5;
      const { main } = lane(n, k, weighted, 11);
      main.run(0, n);
      const want = reference(main.y, main.raw, main.weights, k, n);
      let worst = 0;
      for (let j = 0; j < k * n; j++) {
        worst = Math.max(worst, Math.abs(main.gradients[j]! - want.g[j]!) / Math.max(Math.abs(want.g[j]!), 1e-30));
        worst = Math.max(worst, Math.abs(main.hessians[j]! - want.h[j]!) / Math.max(Math.abs(want.h[j]!), 1e-30));
        expect(Number.isFinite(main.gradients[j]!) && Number.isFinite(main.hessians[j]!)).toBe(true);
      }
      // float32 rounding is 2^-24 ≈ 6e-8 relative; the kernel's exp is within 2 ulp of Math.exp in float64.
      expect(worst).toBeLessThan(1.2e-7);
      // An underflowing class: probability 0, so its gradient is exactly -w or 0 and its hessian 0.
      for (let i = 0; i < n; i += 50) {
        const j = ((i / 50) % k) * n + i;
        expect(main.hessians[j]).toBe(0);
        expect(main.gradients[j]).toBe(main.y[i] === (i / 50) % k ? Math.fround(-(main.weights?.[i] ?? 1)) : 0);
      }
    });
  }

  it('gives the same bytes whichever thread computes which rows', () => {
    const n = 777;
    const k = 3;
    const { layout, memory, main } = lane(n, k, true, 5);
    main.run(0, n);
    const whole = { g: Float32Array.from(main.gradients), h: Float32Array.from(main.hessians) };
    main.gradients.fill(0);
    main.hessians.fill(0);
    // Uneven blocks, the second thread's scratch, and a one-row tail at the end (run after row 0,
    // which follows the tail's row in the next class: a two-row store there would overwrite it).
    const other = softmaxLane(memory, layout, 1);
    main.run(0, 64);
    other.run(640, n);
    other.run(64, 128);
    main.run(128, 640);
    expect(Buffer.from(main.gradients.buffer, main.gradients.byteOffset, main.gradients.byteLength)).toEqual(Buffer.from(whole.g.buffer));
    expect(Buffer.from(main.hessians.buffer, main.hessians.byteOffset, main.hessians.byteLength)).toEqual(Buffer.from(whole.h.buffer));
  });
});
