import { createRng, matrix, type Dataset } from '@pipeline/core';

export interface SyntheticSignalsOptions {
  readonly rows: number;
  /** Samples per row (one channel). */
  readonly steps: number;
  /** Default 3. */
  readonly classes?: number;
  readonly seed: number;
  /** Standard deviation of the added Gaussian noise. Default 0.3. */
  readonly noise?: number;
  /** Added to every sample of class k, times k (a level difference on top of the frequency). Default 0. */
  readonly classOffset?: number;
}

/**
 * A separable signal classification task for examples, tests and benchmarks: row i has class
 * i mod classes, and class k is a sine of 2 + 3k cycles per row with a random phase and amplitude
 * (0.5–1.5) around an offset of 3 (+ k · classOffset), plus Gaussian noise. Seeded (core's
 * xoshiro128**).
 */
export function syntheticSignals(options: SyntheticSignalsOptions): Dataset & { readonly labels: Int32Array } {
  const { rows, steps, seed } = options;
  const classes = options.classes ?? 3;
  const noise = options.noise ?? 0.3;
  const classOffset = options.classOffset ?? 0;
  const rng = createRng(seed);
  const features = new Float32Array(rows * steps);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const label = i % classes;
    labels[i] = label;
    const cycles = 2 + 3 * label;
    const phase = 2 * Math.PI * rng.uniform();
    const amplitude = 0.5 + rng.uniform();
    for (let t = 0; t < steps; t++) {
      features[i * steps + t] = amplitude * Math.sin((2 * Math.PI * cycles * t) / steps + phase) + noise * rng.normal() + 3 + label * classOffset;
    }
  }
  return { features: matrix(rows, steps, features), labels };
}
