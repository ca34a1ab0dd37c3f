import { describe, expect, it } from '@jest/globals';
import { createRng } from '@pipeline/core';
import { bandStatistics, type BandStatistics } from '../src/band-statistics.js';
import { instantiateStatistics } from '../src/wasm-statistics.js';

const kernel = instantiateStatistics(8 * 4096)!;
const bits = (x: number): string => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16);
};

describe('WebAssembly band statistics', () => {
  it('runs where the package runs (Node ≥ 20 has WebAssembly)', () => {
    expect(kernel).not.toBeNull();
  });

  it('log returns the bits of Math.log: special values, subnormals, values near 1 and random doubles', () => {
    const values = [0, -0, 1, -1, 2, 0.5, Math.E, Infinity, -Infinity, NaN, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308];
    values.push(Number.MAX_VALUE, 1 + 2 ** -52, 1 - 2 ** -53, 1 + 2 ** -21, 1 - 2 ** -21, 1e-300, 0.7071067811865476, 1.4142135623730951);
    const rng = createRng(20261206);
    const word = new Float64Array(1);
    const words = new Uint32Array(word.buffer);
    for (let i = 0; i < 100_000; i++) {
      // Any positive double (random exponent and mantissa bits) …
      words[1] = rng.nextUint32() & 0x7fffffff;
      words[0] = rng.nextUint32();
      values.push(word[0]!);
      // … the energy shares p = c²/E of a band, in (0, 1] …
      values.push(rng.uniform() ** 4);
      // … and values within 2^-k of 1, where fdlibm takes its other branches.
      values.push(1 + (rng.uniform() - 0.5) * 2 ** -(rng.nextUint32() % 40));
    }
    // NaN results (negative x, NaN) count as equal whatever their payload bits.
    const same = (a: number, b: number): boolean => bits(a) === bits(b) || (Number.isNaN(a) && Number.isNaN(b));
    const mismatches = values.filter((x) => !same(kernel.log(x), Math.log(x)));
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('stats and energy give the bits of bandStatistics and of an in-order Σ c²', () => {
    const rng = createRng(7);
    const at = 8 * 6;
    const band = new Float64Array(kernel.memory.buffer, at, 4000);
    const out = new Float64Array(kernel.memory.buffer, 0, 6);
    const expected: BandStatistics = { mean: 0, std: 0, mav: 0, energy: 0, maxAbs: 0, entropy: 0 };
    const cases: Array<[string, (i: number) => number]> = [
      ['gaussian', () => rng.normal() * 3],
      ['with zeros', (i) => (i % 3 === 0 ? 0 : rng.normal())],
      ['all zero', () => 0],
      ['rounding residue (energy below zeroEnergy)', () => rng.normal() * 1e-7],
      ['wide range', () => rng.normal() * 10 ** (rng.nextUint32() % 40 - 20)],
    ];
    for (const [label, value] of cases) {
      for (const length of [1, 2, 7, 316, 4000]) {
        for (let i = 0; i < length; i++) band[i] = value(i);
        for (const withEntropy of [true, false]) {
          bandStatistics(band, 0, length, expected, withEntropy, 1e-8);
          kernel.stats(at, length, withEntropy ? 1 : 0, 1e-8, 0);
          const actual = { mean: out[0]!, std: out[1]!, mav: out[2]!, energy: out[3]!, maxAbs: out[4]!, entropy: out[5]! };
          expect([label, length, withEntropy, Object.values(actual).map(bits)]).toEqual([label, length, withEntropy, Object.values(expected).map(bits)]);
        }
        let energy = 0;
        for (let i = 0; i < length; i++) energy += band[i]! * band[i]!;
        expect([label, length, bits(kernel.energy(at, length))]).toEqual([label, length, bits(energy)]);
      }
    }
  });

  it('entropy of two equal coefficients is ln 2 and of one coefficient 0', () => {
    const band = new Float64Array(kernel.memory.buffer, 48, 2);
    const out = new Float64Array(kernel.memory.buffer, 0, 6);
    band.set([-Math.SQRT2, -Math.SQRT2]);
    kernel.stats(48, 2, 1, 0, 0);
    expect(out[5]).toBeCloseTo(Math.LN2, 15);
    expect(Array.from(out.subarray(0, 5))).toEqual([-Math.SQRT2, 0, Math.SQRT2, 4.000000000000001, Math.SQRT2]);
    kernel.stats(48, 1, 1, 0, 0);
    expect(out[5]).toBe(0);
  });
});
