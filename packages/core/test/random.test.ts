import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { createRng, deriveSeed } from '@pipeline/core';

// Reference vectors from an independent Python implementation: fixtures/gen_random.py.
const vectors = JSON.parse(readFileSync(new URL('./fixtures/random_vectors.json', import.meta.url), 'utf8')) as Record<
  string,
  { uint32: number[]; uniform: number[]; int10: number[]; shuffle10: number[] }
>;

describe('xoshiro128** seeded with SplitMix32', () => {
  for (const [seed, expected] of Object.entries(vectors)) {
    it(`matches the reference sequence for seed ${seed}`, () => {
      let rng = createRng(Number(seed));
      expect(Array.from({ length: 8 }, () => rng.nextUint32())).toEqual(expected.uint32);
      rng = createRng(Number(seed));
      expect(Array.from({ length: 5 }, () => rng.uniform())).toEqual(expected.uniform);
      rng = createRng(Number(seed));
      expect(Array.from({ length: 10 }, () => rng.int(10))).toEqual(expected.int10);
      rng = createRng(Number(seed));
      expect(rng.shuffle(Array.from({ length: 10 }, (_, i) => i))).toEqual(expected.shuffle10);
    });
  }

  it('is uniform enough: chi-square over 10 bins of 100k draws stays below the 0.999 quantile', () => {
    const rng = createRng(7);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      counts[Math.floor(u * 10)]! += 1;
      sum += u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const expected = n / 10;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.88); // chi2(9) 0.999 quantile
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
  });

  it('int() is unbiased over a non-power-of-two range and respects bounds', () => {
    const rng = createRng(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) {
      const v = rng.int(-3, 4);
      counts[v + 3]! += 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(450);
    expect(() => rng.int(5, 5)).toThrow(RangeError);
  });

  it('normal() has mean 0 and variance 1', () => {
    const rng = createRng(11);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });

  it('sample() returns distinct indices in range; choice() picks members', () => {
    const rng = createRng(5);
    const picked = rng.sample(100, 30);
    expect(new Set(picked).size).toBe(30);
    for (const i of picked) expect(i >= 0 && i < 100).toBe(true);
    expect(['a', 'b', 'c']).toContain(rng.choice(['a', 'b', 'c']));
    expect(() => rng.sample(3, 4)).toThrow(RangeError);
  });

  it('is deterministic per seed, differs across seeds, and forks reproducibly', () => {
    const a = createRng(99);
    const b = createRng(99);
    const c = createRng(100);
    const seqA = Array.from({ length: 4 }, () => a.nextUint32());
    expect(Array.from({ length: 4 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 4 }, () => c.nextUint32())).not.toEqual(seqA);
    expect(createRng(1).fork().nextUint32()).toBe(createRng(1).fork().nextUint32());
    expect(deriveSeed(1, 'fold', 2)).toBe(deriveSeed(1, 'fold', 2));
    expect(deriveSeed(1, 'fold', 2)).not.toBe(deriveSeed(1, 'fold', 3));
  });
});
