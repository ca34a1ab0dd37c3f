import type { Split, SplitInput, Splitter } from '@pipeline/core';
import { encodeValues, requireRowArray, splitsFromAssignment } from './fold-assignment.js';

/**
 * Folds given by a column (`SplitInput.folds`, e.g. the data's `fold` column): split k tests the rows
 * whose fold value is the k-th smallest non-negative value and trains on every other row. Rows with
 * fold -1 are never tested (always in training), as in scikit-learn's PredefinedSplit; such rows
 * have no out-of-fold prediction, so `crossValPredict` refuses them.
 */
export function predefinedSplit(): Splitter {
  return {
    kind: 'predefined-split',
    args: {},
    isPartition: true,
    repeats: 1,
    nSplits(input: SplitInput): number {
      return foldValues(requireRowArray(input.folds, input.nRows, 'folds', 'predefinedSplit')).length;
    },
    split(input: SplitInput): Split[] {
      const folds = requireRowArray(input.folds, input.nRows, 'folds', 'predefinedSplit');
      const values = foldValues(folds);
      const index = new Map<number, number>();
      values.forEach((value, k) => index.set(value, k));
      return splitsFromAssignment(folds.map((fold) => (fold < 0 ? -1 : index.get(fold)!)), values.length);
    },
  };
}

function foldValues(folds: Int32Array): Int32Array {
  return encodeValues(folds).unique.filter((value) => value >= 0);
}
