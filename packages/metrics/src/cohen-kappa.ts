import { confusionMatrix } from './confusion-matrix.js';
import type { LabelArray, LabelsOption } from './labels.js';

export interface CohenKappaOptions extends LabelsOption {
  /** Disagreement weights: none (0/1), `'linear'` |i − j| or `'quadratic'` (i − j)², over label positions. */
  readonly weights?: 'linear' | 'quadratic';
}

/**
 * Cohen's kappa between two labelings (scikit-learn's `cohen_kappa_score`):
 * 1 − Σ w·observed / Σ w·expected, where expected is the outer product of the marginals.
 */
export function cohenKappa(yTrue: LabelArray, yPred: LabelArray, options: CohenKappaOptions = {}): number {
  const counts = confusionMatrix(yTrue, yPred, options.labels === undefined ? {} : { labels: options.labels });
  const k = counts.length;
  const rowSums = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: k }, (_, j) => counts.reduce((a, row) => a + row[j]!, 0));
  const total = colSums.reduce((a, b) => a + b, 0);
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const d = Math.abs(i - j);
      const w = options.weights === 'linear' ? d : options.weights === 'quadratic' ? d * d : i === j ? 0 : 1;
      observed += w * counts[i]![j]!;
      expected += (w * colSums[i]! * rowSums[j]!) / total;
    }
  }
  return 1 - observed / expected;
}
