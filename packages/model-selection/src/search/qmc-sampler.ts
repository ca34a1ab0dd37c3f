import { createRng, deriveSeed } from '@pipeline/core';
import { paramsFromUnits, type Sampler, type SamplerContext } from './sampler.js';

/** The first primes, one Halton base per dimension (a space with more parameters is refused). */
const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151,
  157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229,
];

/** The van der Corput radical inverse of `index` in `base`: its base-b digits mirrored after the point. */
export function radicalInverse(index: number, base: number): number {
  let result = 0;
  let fraction = 1 / base;
  let i = index;
  while (i > 0) {
    result += (i % base) * fraction;
    i = Math.floor(i / base);
    fraction /= base;
  }
  return result;
}

/**
 * Point `index` of the randomly shifted Halton sequence in `dimensions` dimensions: coordinate d is
 * frac(radicalInverse(index, p_d) + shift_d), p_d the d-th prime, shift_d uniform from the seed
 * (Cranley–Patterson rotation: every seed gives an equally low-discrepancy point set, and averages
 * over seeds are unbiased).
 */
export function haltonPoint(index: number, dimensions: number, seed: number): Float64Array {
  if (dimensions > PRIMES.length) throw new RangeError(`haltonPoint supports at most ${PRIMES.length} dimensions`);
  const rng = createRng(deriveSeed(seed, 'halton-shift'));
  const point = new Float64Array(dimensions);
  for (let d = 0; d < dimensions; d++) {
    const value = radicalInverse(index, PRIMES[d]!) + rng.uniform();
    point[d] = value >= 1 ? value - 1 : value;
  }
  return point;
}

/**
 * Quasi-random search: trial `number` is point `number` of a seeded, randomly shifted Halton
 * sequence with one dimension per parameter (in space order; an inactive conditional parameter
 * keeps its dimension unused). The first 2^k trials stratify every base-2 coordinate into 2^k
 * equal cells, which is why it covers small budgets better than independent random draws.
 */
export function qmcSampler(context: SamplerContext): Sampler {
  const dimensions = context.space.order.length;
  if (dimensions > PRIMES.length) throw new RangeError(`the qmc sampler supports at most ${PRIMES.length} parameters, the space has ${dimensions}`);
  return {
    name: 'qmc',
    tell: () => {},
    ask: (number) => {
      const point = haltonPoint(number, dimensions, context.seed);
      return paramsFromUnits(context.space, (_name, index) => point[index]!);
    },
  };
}
