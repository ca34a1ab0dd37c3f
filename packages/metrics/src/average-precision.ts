import { PipelineError } from '@pipeline/core';
import { binaryCurve, curveAveragePrecision } from './binary-curve.js';
import { oneVsRestAverage } from './one-vs-rest.js';
import { checkLabelList, checkPair, uniqueLabels, type LabelArray } from './labels.js';
import { denseScores, isScoreMatrix, scoreColumn, type ScoreMatrix } from './score-matrix.js';

export interface AveragePrecisionOptions {
  /** The positive class when `scores` is a vector. Default 1 (scikit-learn's `pos_label`). */
  readonly posLabel?: number;
  /** One-vs-rest combination for a multi-column score matrix. Default `'macro'`. */
  readonly average?: 'macro' | 'weighted' | 'micro';
  /** The classes of the score columns (sorted ascending). Default: the sorted labels of `yTrue`. */
  readonly labels?: ArrayLike<number>;
}

/**
 * Average precision, Σ (R_k − R_{k−1}) · P_k over decreasing thresholds (scikit-learn's
 * `average_precision_score`; no interpolation). A score vector scores `posLabel`; a matrix has one
 * column per label: with two labels column 1 scores the larger label, with more the per-class
 * one-vs-rest values are averaged (`micro` pools all cells, as scikit-learn does for indicator
 * targets).
 */
export function averagePrecision(
  yTrue: LabelArray,
  scores: ScoreMatrix | ArrayLike<number>,
  options: AveragePrecisionOptions = {},
): number {
  if (!isScoreMatrix(scores)) {
    checkPair(yTrue, scores, 'averagePrecision', 'scores');
    const posLabel = options.posLabel ?? 1;
    return binaryAp((i) => yTrue[i] === posLabel, scores, 'averagePrecision');
  }
  const matrix = denseScores(scores, 'averagePrecision');
  checkPair(yTrue, { length: matrix.rows }, 'averagePrecision', 'scores');
  const labels = options.labels === undefined ? uniqueLabels(yTrue) : checkLabelList(options.labels, 'averagePrecision');
  if (matrix.cols !== labels.length) {
    throw new PipelineError('E_INPUT', `averagePrecision: scores have ${matrix.cols} columns but there are ${labels.length} labels`, {
      field: 'scores',
      hint: 'pass { labels } listing every class, in column order',
    });
  }
  if (labels.length === 2) return binaryAp((i) => yTrue[i] === labels[1], scoreColumn(matrix, 1), 'averagePrecision');
  const average = options.average ?? 'macro';
  if (average === 'micro') {
    const k = matrix.cols;
    return binaryAp((cell) => yTrue[Math.floor(cell / k)] === labels[cell % k], matrix.data, 'averagePrecision (micro)');
  }
  return oneVsRestAverage(yTrue, matrix, labels, average, binaryAp, 'averagePrecision');
}

function binaryAp(isPositive: (i: number) => boolean, scores: ArrayLike<number>, what: string): number {
  const curve = binaryCurve(isPositive, scores, what);
  if (curve.positives === 0) {
    throw new PipelineError('E_INPUT', `${what}: no positive sample; average precision is not defined`, {
      field: 'yTrue',
      hint: 'score on data that contains the positive class',
    });
  }
  return curveAveragePrecision(curve);
}
