import { checkLabelList, checkPair, encodeLabels, uniqueLabels, type LabelArray, type LabelsOption } from './labels.js';

/**
 * Per-class error rate: the fraction of each true class predicted as anything else (1 − recall),
 * in the order of `labels` (default: the sorted labels present). Predictions outside `labels`
 * count as errors. A class with no true samples gets 0 (the zero-division convention of
 * scikit-learn's recall); read it next to the support.
 */
export function perClassErrorRate(yTrue: LabelArray, yPred: LabelArray, options: LabelsOption = {}): number[] {
  checkPair(yTrue, yPred, 'perClassErrorRate');
  const labels = options.labels === undefined ? uniqueLabels(yTrue, yPred) : checkLabelList(options.labels, 'perClassErrorRate');
  const trueIndex = encodeLabels(yTrue, labels);
  const support = new Float64Array(labels.length);
  const errors = new Float64Array(labels.length);
  for (let i = 0; i < yTrue.length; i++) {
    const t = trueIndex[i]!;
    if (t < 0) continue;
    support[t]! += 1;
    if (yPred[i] !== yTrue[i]) errors[t]! += 1;
  }
  return Array.from(support, (s, i) => (s === 0 ? 0 : errors[i]! / s));
}
