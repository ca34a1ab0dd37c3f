import { accuracy, balancedAccuracy, f1Score, recallScore, rocAuc } from '@pipeline/metrics';

/** The metrics of one fold's test subset (binary, class 1 positive). AUROC is NaN when the test subset has one class. */
export interface FoldMetrics {
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly f1: number;
  readonly auroc: number;
  /** Recall of class 1. */
  readonly sensitivity: number;
  /** Recall of class 0. */
  readonly specificity: number;
}

/** Names of {@link FoldMetrics}, in summary order. */
export const FOLD_METRICS = ['accuracy', 'balancedAccuracy', 'f1', 'auroc', 'sensitivity', 'specificity'] as const;

/** Metrics of predictions (`@pipeline/metrics`, scikit-learn semantics, zero division → 0). */
export function foldMetrics(labels: ArrayLike<number>, predicted: ArrayLike<number>, probability: ArrayLike<number>): FoldMetrics {
  const y = Int32Array.from(labels);
  const p = Int32Array.from(predicted);
  const twoClasses = new Set(y).size === 2;
  return {
    accuracy: accuracy(y, p),
    balancedAccuracy: balancedAccuracy(y, p),
    f1: f1Score(y, p, { average: 'binary', posLabel: 1, zeroDivision: 0 }),
    auroc: twoClasses ? rocAuc(y, Float64Array.from(probability)) : NaN,
    sensitivity: y.includes(1) ? recallScore(y, p, { average: 'binary', posLabel: 1, zeroDivision: 0 }) : NaN,
    specificity: y.includes(0) ? recallScore(Int32Array.from(y, (v) => 1 - v), Int32Array.from(p, (v) => 1 - v), { average: 'binary', posLabel: 1, zeroDivision: 0 }) : NaN,
  };
}
