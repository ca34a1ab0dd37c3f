import { describe, expect, test } from '@jest/globals';
import { TRANSIT_CURVE_DEFAULTS, transitCurve } from '../src/index.js';

/** Inverts the curve's value transform back to a flux deficit in ppm. */
const deficit = (value: number) => 10 ** (3 * value) - 1;
const step = TRANSIT_CURVE_DEFAULTS.windowHours / (TRANSIT_CURVE_DEFAULTS.points - 1);

describe('transitCurve', () => {
  test('2001 points; a single transit keeps its area depth · duration · (1 − ingressFraction)', () => {
    const shape = { period: 40, duration: 6.3, depth: 850 };
    const curve = transitCurve(shape);
    expect(curve).toHaveLength(2001);
    let area = 0;
    for (const v of curve) area += deficit(v) * step;
    // trapezoid area: flat bottom 0.8·T plus two ingress triangles of 0.1·T each, × depth
    expect(area).toBeCloseTo(850 * 6.3 * 0.9, 0);
    expect(Math.abs(area / (850 * 6.3 * 0.9) - 1)).toBeLessThan(1e-4);
  });

  test('the flat bottom reads log10(1 + depth) / 3 and out of transit reads 0; symmetric', () => {
    const curve = transitCurve({ period: 100, duration: 10, depth: 5000 });
    expect(curve[1000]).toBeCloseTo(Math.log10(5001) / 3, 6);
    expect(curve[0]).toBe(0);
    expect(curve[2000]).toBe(0);
    // bins inside the flat bottom (|t| ≤ 4 h − half a bin) are all at full depth
    const flatBins = Math.floor((4 - step / 2) / step);
    for (let k = -flatBins; k <= flatBins; k++) expect(curve[1000 + k]).toBeCloseTo(Math.log10(5001) / 3, 6);
    for (let k = 1; k <= 1000; k++) expect(curve[1000 + k]).toBe(curve[1000 - k]);
    // edges: ingress bins strictly between 0 and full depth, monotone towards the centre
    const edge = Math.round(5 / step);
    expect(curve[1000 + edge - 2]!).toBeGreaterThan(0);
    expect(curve[1000 + edge - 2]!).toBeLessThan(curve[1000]!);
  });

  test('short periods show their neighbouring transits: one dip per k with |k · 24 · period| ≤ 48 h', () => {
    for (const [period, expected] of [
      [0.7, 2 * Math.floor(48 / (24 * 0.7)) + 1],
      [1.3, 2 * Math.floor(48 / (24 * 1.3)) + 1],
      [30, 1],
    ] as const) {
      const curve = transitCurve({ period, duration: 1.5, depth: 300 });
      let dips = 0;
      for (let i = 1; i < curve.length; i++) if (curve[i]! > 0 && curve[i - 1] === 0) dips++;
      if (curve[0]! > 0) dips++;
      expect(dips).toBe(expected);
    }
  });

  test('a dip narrower than a bin keeps its area; a box (ingress 0) has only full-depth bins inside', () => {
    const narrow = transitCurve({ period: 300, duration: step / 4, depth: 2000 }, { ...TRANSIT_CURVE_DEFAULTS, ingressFraction: 0 });
    let area = 0;
    for (const v of narrow) area += deficit(v) * step;
    expect(Math.abs(area / (2000 * (step / 4)) - 1)).toBeLessThan(1e-4);
    const box = transitCurve({ period: 300, duration: 8 + step / 2, depth: 2000 }, { ...TRANSIT_CURVE_DEFAULTS, ingressFraction: 0 });
    const levels = new Set(Array.from(box).map((v) => v.toFixed(6)));
    // 0, full depth, and at most one partial level (the two symmetric edge bins)
    expect(levels.size).toBeLessThanOrEqual(3);
    expect(levels.has((Math.log10(2001) / 3).toFixed(6))).toBe(true);
  });

  test('overlapping transits (duration > period) are capped at the full depth', () => {
    const curve = transitCurve({ period: 0.1, duration: 5, depth: 1000 });
    for (const v of curve) expect(v).toBeCloseTo(Math.log10(1001) / 3, 6);
  });

  test('deterministic: the same shape gives the same bytes', () => {
    const a = transitCurve({ period: 3.3, duration: 2.2, depth: 123 });
    const b = transitCurve({ period: 3.3, duration: 2.2, depth: 123 });
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });
});
