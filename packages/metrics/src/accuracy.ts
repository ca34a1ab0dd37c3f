import { countMatrix } from './confusion-matrix.js';
import { checkPair, encodeLabels, uniqueLabels, type LabelArray } from './labels.js';

/** Fraction of samples whose predicted label equals the true label. */
export function accuracy(yTrue: LabelArray, yPred: LabelArray): number {
  checkPair(yTrue, yPred, 'accuracy');
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

export interface BalancedAccuracyOptions {
  /** Rescale so that chance scores 0 and perfect scores 1 (scikit-learn's `adjusted`). Default false. */
  readonly adjusted?: boolean;
}

/**
 * Mean per-class recall over the classes present in `yTrue` (scikit-learn's
 * `balanced_accuracy_score`): a class that is only predicted, never true, is left out.
 */
export function balancedAccuracy(yTrue: LabelArray, yPred: LabelArray, options: BalancedAccuracyOptions = {}): number {
  checkPair(yTrue, yPred, 'balancedAccuracy');
  const labels = uniqueLabels(yTrue, yPred);
  const counts = countMatrix(encodeLabels(yTrue, labels), encodeLabels(yPred, labels), labels.length);
  const recalls: number[] = [];
  counts.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0);
    if (support > 0) recalls.push(row[i]! / support);
  });
  let score = recalls.reduce((a, b) => a + b, 0) / recalls.length;
  if (options.adjusted === true) {
    const chance = 1 / recalls.length;
    score = (score - chance) / (1 - chance);
  }
  return score;
}
