import { createRng, PipelineError, type Split, type SplitInput, type Splitter } from '@pipeline/core';
import { encodeValues, requireRowArray } from './fold-assignment.js';

export interface TrainTestSplitArgs {
  /** Fraction of rows in the test set (0 < testSize < 1), or a row count (integer ≥ 1). Default 0.25. */
  readonly testSize?: number;
  /** Keep class proportions in both parts (needs labels). Default true. */
  readonly stratify?: boolean;
}

/**
 * One seeded shuffled train/test split (not a partition: most rows are never tested). The test size
 * is `ceil(testSize · nRows)` for a fraction, as in scikit-learn; stratified, each class gets its
 * share by largest remainder, so every class's test count is within one row of its proportion.
 */
export function trainTestSplit(args: TrainTestSplitArgs = {}): Splitter {
  const testSize = args.testSize ?? 0.25;
  const stratify = args.stratify ?? true;
  const isFraction = testSize > 0 && testSize < 1;
  if (!isFraction && !(Number.isInteger(testSize) && testSize >= 1)) {
    throw new PipelineError('E_USAGE', `testSize must be a fraction in (0, 1) or a row count ≥ 1, got ${testSize}`, {
      field: 'testSize',
    });
  }
  return {
    kind: 'train-test-split',
    args: { testSize, stratify },
    isPartition: false,
    repeats: 1,
    nSplits: () => 1,
    split(input: SplitInput, seed = 0): Split[] {
      const n = input.nRows;
      const nTest = isFraction ? Math.ceil(testSize * n) : testSize;
      if (nTest >= n) {
        throw new PipelineError('E_INPUT', `a test set of ${nTest} rows leaves no training rows out of ${n}`, {
          field: 'testSize',
        });
      }
      const rng = createRng(seed);
      const isTest = new Uint8Array(n);
      if (!stratify) {
        for (const i of rng.sample(n, nTest)) isTest[i] = 1;
      } else {
        const labels = requireRowArray(input.labels, n, 'labels', 'trainTestSplit (stratify: true)');
        const { unique, codes } = encodeValues(labels);
        const members = Array.from({ length: unique.length }, () => [] as number[]);
        codes.forEach((code, i) => members[code]!.push(i));
        const quotas = largestRemainder(
          members.map((rows) => (rows.length * nTest) / n),
          nTest,
        );
        members.forEach((rows, c) => {
          rng.shuffle(rows);
          for (let k = 0; k < quotas[c]!; k++) isTest[rows[k]!] = 1;
        });
      }
      const test: number[] = [];
      const train: number[] = [];
      for (let i = 0; i < n; i++) (isTest[i] ? test : train).push(i);
      return [{ train: Int32Array.from(train), test: Int32Array.from(test) }];
    },
  };
}

/** Integer parts of `shares` that sum to `total`, rounding up the largest remainders (ties: lower index). */
function largestRemainder(shares: readonly number[], total: number): Int32Array {
  const out = Int32Array.from(shares, Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = shares.map((share, c) => ({ c, rest: share - Math.floor(share) })).sort((a, b) => b.rest - a.rest);
  for (const { c } of order) {
    if (left <= 0) break;
    out[c]!++;
    left--;
  }
  return out;
}
