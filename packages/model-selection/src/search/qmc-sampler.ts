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
 * Random digit permutations of a scrambled Halton sequence: for each dimension d and digit level j
 * a seeded permutation of 0..p_d − 1 (drawn once per seed), over enough levels for 53 bits.
 */
export function haltonScrambles(dimensions: number, seed: number): Uint8Array[][] {
  if (dimensions > PRIMES.length) throw new RangeError(`the Halton sequence supports at most ${PRIMES.length} dimensions`);
  const rng = createRng(deriveSeed(seed, 'halton-scramble'));
  const out: Uint8Array[][] = [];
  for (let d = 0; d < dimensions; d++) {
    const base = PRIMES[d]!;
    const levels = Math.ceil(53 / Math.log2(base));
    const perms: Uint8Array[] = [];
    for (let j = 0; j < levels; j++) {
      const perm = new Uint8Array(base);
      for (let i = 0; i < base; i++) perm[i] = i;
      perms.push(rng.shuffle(perm));
    }
    out.push(perms);
  }
  return out;
}

/**
 * Point `index` of the scrambled Halton sequence: coordinate d is Σ_j π_{d,j}(a_j) · p_d^−(j+1),
 * where a_j are the base-p_d digits of `index` (trailing zeros included up to 53 bits) and π_{d,j}
 * the seeded digit permutations of {@link haltonScrambles}. Permuting digits keeps the
 * stratification of the plain sequence (the first p^k points fill every cell of width p^−k once)
 * while breaking the correlation between dimensions with large bases at small budgets.
 */
export function haltonPoint(index: number, scrambles: readonly (readonly Uint8Array[])[]): Float64Array {
  const point = new Float64Array(scrambles.length);
  scrambles.forEach((perms, d) => {
    const base = PRIMES[d]!;
    let i = index;
    let fraction = 1 / base;
    let value = 0;
    for (const perm of perms) {
      value += perm[i % base]! * fraction;
      i = Math.floor(i / base);
      fraction /= base;
    }
    point[d] = Math.min(value, 1 - Number.EPSILON);
  });
  return point;
}

/**
 * Quasi-random search: trial `number` is point `number` of a seeded scrambled Halton sequence
 * with one dimension per parameter (in space order; an inactive conditional parameter keeps its
 * dimension unused). The first 2^k trials stratify the first parameter into 2^k equal cells, the
 * first 3^k the second into 3^k, and so on: small budgets are covered more evenly than by
 * independent random draws.
 */
export function qmcSampler(context: SamplerContext): Sampler {
  const dimensions = context.space.order.length;
  if (dimensions > PRIMES.length) throw new RangeError(`the qmc sampler supports at most ${PRIMES.length} parameters, the space has ${dimensions}`);
  const scrambles = haltonScrambles(dimensions, context.seed);
  return {
    name: 'qmc',
    tell: () => {},
    ask: (number) => {
      const point = haltonPoint(number, scrambles);
      return paramsFromUnits(context.space, (_name, index) => point[index]!);
    },
  };
}
