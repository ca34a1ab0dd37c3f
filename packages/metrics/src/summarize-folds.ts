import { PipelineError } from '@pipeline/core';

export interface FoldSummary {
  readonly n: number;
  readonly mean: number;
  /** Standard deviation with divisor `n − ddof` (default ddof 0: population, like `numpy.std`). */
  readonly std: number;
  readonly ddof: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Mean ± standard deviation of per-fold scores. The default is the population standard
 * deviation (`ddof: 0`, `numpy.std`'s default, what scikit-learn's `cross_validate` summaries
 * print); pass `ddof: 1` for the sample standard deviation. NaN scores propagate.
 */
export function summarizeFolds(values: ArrayLike<number>, options: { readonly ddof?: 0 | 1 } = {}): FoldSummary {
  const n = values.length;
  const ddof = options.ddof ?? 0;
  if (n === 0) throw new PipelineError('E_INPUT', 'summarizeFolds: no values', { field: 'values' });
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  const std = n - ddof > 0 ? Math.sqrt(squares / (n - ddof)) : NaN;
  return { n, mean, std, ddof, min, max };
}

/** `"0.9123 ± 0.0123"` with the given number of decimals (default 4). */
export function formatMeanStd(summary: Pick<FoldSummary, 'mean' | 'std'>, digits = 4): string {
  return `${summary.mean.toFixed(digits)} ± ${summary.std.toFixed(digits)}`;
}
