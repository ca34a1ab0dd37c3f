import { checkLabelList, checkPair, encodeLabels, uniqueLabels, type LabelArray, type LabelsOption } from './labels.js';

export interface ConfusionMatrixOptions extends LabelsOption {
  /**
   * `'true'`: each row divided by its sum (rows are true classes, so the diagonal is per-class
   * recall); `'pred'`: each column divided by its sum; `'all'`: everything divided by the total.
   * A zero row/column/total gives zeros (scikit-learn's `nan_to_num`). Omitted: raw counts.
   */
  readonly normalize?: 'true' | 'pred' | 'all';
}

/**
 * Confusion matrix `C[i][j]` = number of samples of true class `labels[i]` predicted as
 * `labels[j]` (scikit-learn's `confusion_matrix`). With explicit `labels`, samples whose true or
 * predicted label is not listed are ignored, and listed labels that never occur give zero rows.
 */
export function confusionMatrix(yTrue: LabelArray, yPred: LabelArray, options: ConfusionMatrixOptions = {}): number[][] {
  checkPair(yTrue, yPred, 'confusionMatrix');
  const labels = options.labels === undefined ? uniqueLabels(yTrue, yPred) : checkLabelList(options.labels, 'confusionMatrix');
  const counts = countMatrix(encodeLabels(yTrue, labels), encodeLabels(yPred, labels), labels.length);
  return options.normalize === undefined ? counts : normalizeConfusion(counts, options.normalize);
}

/** Counts pairs of encoded labels; entries encoded as -1 are skipped. */
export function countMatrix(trueIndex: Int32Array, predIndex: Int32Array, k: number): number[][] {
  const flat = new Float64Array(k * k);
  for (let i = 0; i < trueIndex.length; i++) {
    const t = trueIndex[i]!;
    const p = predIndex[i]!;
    if (t >= 0 && p >= 0) flat[t * k + p]! += 1;
  }
  const out: number[][] = [];
  for (let i = 0; i < k; i++) out.push(Array.from(flat.subarray(i * k, (i + 1) * k)));
  return out;
}

/** Normalizes a count matrix over rows (`'true'`), columns (`'pred'`) or the total (`'all'`). */
export function normalizeConfusion(counts: readonly (readonly number[])[], by: 'true' | 'pred' | 'all'): number[][] {
  const k = counts.length;
  const rowSums = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: k }, (_, j) => counts.reduce((a, row) => a + row[j]!, 0));
  const total = rowSums.reduce((a, b) => a + b, 0);
  return counts.map((row, i) =>
    row.map((value, j) => {
      const denominator = by === 'true' ? rowSums[i]! : by === 'pred' ? colSums[j]! : total;
      return denominator === 0 ? 0 : value / denominator;
    }),
  );
}
