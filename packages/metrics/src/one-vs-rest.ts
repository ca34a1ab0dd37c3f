import type { LabelArray } from './labels.js';
import { scoreColumn, type DenseScores } from './score-matrix.js';

/** A binary score of one class against the rest: positives by predicate, scores of that class's column. */
export type BinaryMetric = (isPositive: (i: number) => boolean, scores: ArrayLike<number>, what: string) => number;

/**
 * One-vs-rest average of a binary metric over the columns of a score matrix: the plain mean
 * (`macro`) or weighted by each class's support (`weighted`), as scikit-learn's `_average_binary_score`.
 */
export function oneVsRestAverage(
  yTrue: LabelArray,
  matrix: DenseScores,
  labels: readonly number[],
  average: 'macro' | 'weighted',
  metric: BinaryMetric,
  what: string,
): number {
  let total = 0;
  let weightSum = 0;
  labels.forEach((label, c) => {
    let support = 0;
    for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === label) support++;
    const value = metric((i) => yTrue[i] === label, scoreColumn(matrix, c), `${what} (class ${label} vs rest)`);
    const w = average === 'weighted' ? support : 1;
    total += w * value;
    weightSum += w;
  });
  return total / weightSum;
}
