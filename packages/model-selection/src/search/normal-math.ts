import type { Rng } from '@pipeline/core';

/**
 * Normal-distribution helpers of the Parzen estimator: erfc (Chebyshev fit, Numerical Recipes
 * `erfcc`, relative error < 1.2e-7 everywhere), the log mass of N(0, 1) on [a, b] (accurate for
 * narrow intervals through a midpoint expansion), and truncated-normal sampling by rejection.
 */

const SQRT1_2 = Math.SQRT1_2;
/** log(sqrt(2π)). */
export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Complementary error function. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Φ(x), the standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** log of the N(0, 1) mass on [a, b] (a <= b); -Infinity when it underflows. */
export function logGaussMass(a: number, b: number): number {
  // Outside ±8.3 the tails weigh < 1e-16 each: the mass is 1 to double precision.
  if (a < -8.3 && b > 8.3) return 0;
  const width = b - a;
  if (width < 0.05) {
    // Midpoint rule with its second-order correction: ∫φ = φ(m)·w·(1 + w²(m² − 1)/24) + O(w⁵).
    const m = 0.5 * (a + b);
    return -0.5 * m * m - LOG_SQRT_2PI + Math.log(width * (1 + (width * width * (m * m - 1)) / 24));
  }
  let mass: number;
  if (b <= 0) mass = 0.5 * (erfc(-b * SQRT1_2) - erfc(-a * SQRT1_2));
  else if (a >= 0) mass = 0.5 * (erfc(a * SQRT1_2) - erfc(b * SQRT1_2));
  else {
    // A tail beyond 8.3 weighs < 2^−54: subtracting it from a value in [0.5, 1] rounds to no change,
    // so it is skipped (same bits, one erfc less for most Parzen kernels).
    const lowerTail = a < -8.3 ? 0 : 0.5 * erfc(-a * SQRT1_2);
    const upperTail = b > 8.3 ? 0 : 0.5 * erfc(b * SQRT1_2);
    mass = 1 - lowerTail - upperTail;
  }
  return mass > 0 ? Math.log(mass) : -Infinity;
}

/**
 * A draw from N(mu, sigma²) truncated to [low, high], by rejection. The Parzen estimator's kernels
 * always have mu in [low, high] and sigma <= high − low, so at least 34% of draws are accepted; a
 * hard cap of 10,000 draws falls back to a uniform draw (never reached in practice).
 */
export function sampleTruncatedNormal(rng: Rng, mu: number, sigma: number, low: number, high: number): number {
  for (let attempt = 0; attempt < 10000; attempt++) {
    const x = mu + sigma * rng.normal();
    if (x >= low && x <= high) return x;
  }
  return low + (high - low) * rng.uniform();
}

/** log(Σ exp(values)) without overflow; -Infinity for an empty or all -Infinity input. */
export function logSumExp(values: Float64Array, length = values.length): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}
