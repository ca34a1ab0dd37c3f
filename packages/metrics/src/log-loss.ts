import { PipelineError } from '@pipeline/core';
import { checkLabelList, checkPair, encodeLabels, uniqueLabels, type LabelArray } from './labels.js';
import { denseScores, isScoreMatrix, type ScoreMatrix } from './score-matrix.js';

export interface LogLossOptions {
  /**
   * The classes the probability columns stand for, sorted ascending as scikit-learn does.
   * Default: the sorted labels of `yTrue`. Needed when a class is absent from `yTrue`.
   */
  readonly labels?: ArrayLike<number>;
  /**
   * Clipping: probabilities are clipped to [eps, 1 − eps] and each row renormalized.
   * `'auto'` (default) is the machine epsilon of the input (2⁻²³ for float32 data, 2⁻⁵² otherwise),
   * as in scikit-learn 1.2.
   */
  readonly eps?: 'auto' | number;
}

/**
 * Mean negative log-likelihood of the true class (scikit-learn's `log_loss`). `proba` has one
 * column per label (sorted ascending); a plain array is read as the probability of the larger of
 * two labels.
 */
export function logLoss(yTrue: LabelArray, proba: ScoreMatrix | ArrayLike<number>, options: LogLossOptions = {}): number {
  const labels = [...(options.labels === undefined ? uniqueLabels(yTrue) : checkLabelList(options.labels, 'logLoss'))].sort(
    (a, b) => a - b,
  );
  if (labels.length < 2) {
    throw new PipelineError('E_USAGE', `logLoss: needs at least two labels, got [${labels.join(', ')}]`, {
      field: 'labels',
      hint: 'pass the full label list with { labels }',
    });
  }
  const matrix = isScoreMatrix(proba) ? denseScores(proba, 'logLoss') : undefined;
  const vector = matrix === undefined ? (proba as ArrayLike<number>) : undefined;
  checkPair(yTrue, matrix === undefined ? vector! : { length: matrix.rows }, 'logLoss', 'proba');
  const cols = matrix === undefined ? 2 : matrix.cols;
  if (cols !== labels.length) {
    throw new PipelineError('E_INPUT', `logLoss: proba has ${cols} columns but there are ${labels.length} labels`, {
      field: 'proba',
      hint: 'pass { labels } listing every class, in column order',
    });
  }
  const eps =
    options.eps === undefined || options.eps === 'auto'
      ? (matrix?.float32 ?? vector instanceof Float32Array)
        ? 2 ** -23
        : 2 ** -52
      : options.eps;
  const clip = (p: number): number => (p < eps ? eps : p > 1 - eps ? 1 - eps : p);
  const index = encodeLabels(yTrue, labels);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = index[i]!;
    if (t < 0) {
      throw new PipelineError('E_INPUT', `logLoss: true label ${yTrue[i]} at index ${i} is not one of the labels`, {
        field: 'yTrue',
        hint: 'list every class in { labels }',
      });
    }
    let rowSum = 0;
    let pTrue = 0;
    if (matrix === undefined) {
      const p1 = clip(vector![i]!);
      const p0 = clip(1 - vector![i]!);
      rowSum = p0 + p1;
      pTrue = t === 1 ? p1 : p0;
    } else {
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        const p = clip(matrix.data[base + j]!);
        rowSum += p;
        if (j === t) pTrue = p;
      }
    }
    total -= Math.log(pTrue / rowSum);
  }
  return total / yTrue.length;
}
