import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { eiselLemire } from '../src/eisel-lemire.js';

/** eiselLemire on w · 10^q, w given as a bigint (split into its uint32 halves as the scanner does). */
function parse(w: bigint, q: number, negative = false): number {
  return eiselLemire(Number(w >> 32n), Number(w & 0xffffffffn), q, negative);
}

describe('eiselLemire (16–19 digit significands, any exponent) equals Number() bit for bit', () => {
  it('random significands below 2^64 and decimal exponents -400..400', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: -400, max: 400 }), fc.boolean(), (w, q, negative) => {
        expect(Object.is(parse(w, q, negative), Number(`${negative ? '-' : ''}${w}e${q}`))).toBe(true);
      }),
      { numRuns: 5000, seed: 31 },
    );
  });

  it('the 17 significant digits of random doubles (every binary exponent, subnormals included)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, minExcluded: true }), (x) => {
        const [digits, exponent] = x.toExponential(16).split('e') as [string, string];
        expect(Object.is(parse(BigInt(digits.replace('.', '')), Number(exponent) - 16), x)).toBe(true);
      }),
      { numRuns: 5000, seed: 32 },
    );
  });

  it('halfway, boundary and overflow cases', () => {
    const cases: [bigint, number][] = [
      [9007199254740993n, 0], // 2^53 + 1: ties to even, 2^53
      [9007199254740995n, 0], // ties up to 2^53 + 4
      [18014398509481986n, 0],
      [17976931348623157n, 292], // largest double
      [17976931348623158n, 292], // rounds to it
      [17976931348623159n, 292], // overflows
      [24703282292062327n, -340], // just below half the smallest subnormal: 0
      [24703282292062328n, -340], // just above: the smallest subnormal
      [49406564584124654n, -340],
      [22250738585072011n, -324], // largest subnormal
      [22250738585072014n, -324], // smallest normal
      [18446744073709551615n, 0], // 2^64 - 1
      [18446744073709551615n, -342],
      [18446744073709551615n, 308],
      [1n, -343],
      [1n, 309],
      [0n, 5],
      [10000000000000000000n, -19],
      [12345678901234567n, -30],
    ];
    for (const [w, q] of cases) {
      for (const negative of [false, true]) expect(Object.is(parse(w, q, negative), Number(`${negative ? '-' : ''}${w}e${q}`))).toBe(true);
    }
  });
});
