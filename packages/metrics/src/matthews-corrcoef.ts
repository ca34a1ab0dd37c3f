import { confusionMatrix } from './confusion-matrix.js';
import type { LabelArray } from './labels.js';

/**
 * Matthews correlation coefficient, multi-class (Gorodkin's R_K, scikit-learn's
 * `matthews_corrcoef`). 0 when either labeling is constant.
 */
export function matthewsCorrcoef(yTrue: LabelArray, yPred: LabelArray): number {
  const counts = confusionMatrix(yTrue, yPred);
  const k = counts.length;
  const tSum = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const pSum = Array.from({ length: k }, (_, j) => counts.reduce((a, row) => a + row[j]!, 0));
  let correct = 0;
  for (let i = 0; i < k; i++) correct += counts[i]![i]!;
  const n = pSum.reduce((a, b) => a + b, 0);
  const dot = (a: number[], b: number[]): number => a.reduce((acc, v, i) => acc + v * b[i]!, 0);
  const covTruePred = correct * n - dot(tSum, pSum);
  const covPredPred = n * n - dot(pSum, pSum);
  const covTrueTrue = n * n - dot(tSum, tSum);
  if (covPredPred * covTrueTrue === 0) return 0;
  return covTruePred / Math.sqrt(covTrueTrue * covPredPred);
}
