import { PipelineError } from '@pipeline/core';
import { binaryCurve, curveAuc } from './binary-curve.js';
import { oneVsRestAverage } from './one-vs-rest.js';
import { checkLabelList, checkPair, uniqueLabels, type LabelArray } from './labels.js';
import { denseScores, isScoreMatrix, scoreColumn, type DenseScores, type ScoreMatrix } from './score-matrix.js';

export interface RocAucOptions {
  /** Multi-class strategy: one-vs-rest (default) or one-vs-one (Hand & Till). */
  readonly multiClass?: 'ovr' | 'ovo';
  /** How per-class (OvR) or per-pair (OvO) AUCs are combined. Default `'macro'`. */
  readonly average?: 'macro' | 'weighted';
  /** The classes of the score columns (sorted ascending). Default: the sorted labels of `yTrue`. */
  readonly labels?: ArrayLike<number>;
}

/** The ROC curve of a binary problem. `thresholds[0]` is +Infinity (the no-detection point). */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  readonly thresholds: Float64Array;
}

/**
 * ROC curve for a binary problem (scikit-learn's `roc_curve` without dropping intermediate points).
 * `posLabel` defaults to the larger of the two labels.
 */
export function rocCurve(yTrue: LabelArray, scores: ArrayLike<number>, options: { readonly posLabel?: number } = {}): RocCurve {
  checkPair(yTrue, scores, 'rocCurve', 'scores');
  const posLabel = options.posLabel ?? Math.max(...uniqueLabels(yTrue));
  const curve = binaryCurve((i) => yTrue[i] === posLabel, scores, 'rocCurve');
  checkBothClasses(curve.positives, curve.negatives, 'rocCurve');
  const n = curve.tps.length + 1;
  const fpr = new Float64Array(n);
  const tpr = new Float64Array(n);
  const thresholds = new Float64Array(n);
  thresholds[0] = Infinity;
  for (let k = 1; k < n; k++) {
    fpr[k] = curve.fps[k - 1]! / curve.negatives;
    tpr[k] = curve.tps[k - 1]! / curve.positives;
    thresholds[k] = curve.thresholds[k - 1]!;
  }
  return { fpr, tpr, thresholds };
}

function checkBothClasses(positives: number, negatives: number, what: string): void {
  if (positives === 0 || negatives === 0) {
    throw new PipelineError('E_INPUT', `${what}: only one class is present in yTrue; ROC AUC is not defined`, {
      field: 'yTrue',
      hint: 'score on data that contains both classes',
    });
  }
}

function binaryAuc(isPositive: (i: number) => boolean, scores: ArrayLike<number>, what: string): number {
  const curve = binaryCurve(isPositive, scores, what);
  checkBothClasses(curve.positives, curve.negatives, what);
  return curveAuc(curve);
}

/**
 * Area under the ROC curve (scikit-learn's `roc_auc_score`). Binary: `scores` is the score of the
 * larger label, or a two-column matrix (column 1 is used). Multi-class: one column per label;
 * one-vs-rest macro/weighted (weights = class support) or one-vs-one (Hand & Till; weights = pair
 * prevalence). Ties are handled exactly (they count one half).
 */
export function rocAuc(yTrue: LabelArray, scores: ScoreMatrix | ArrayLike<number>, options: RocAucOptions = {}): number {
  const labels = options.labels === undefined ? uniqueLabels(yTrue) : checkLabelList(options.labels, 'rocAuc');
  if (!isScoreMatrix(scores)) {
    checkPair(yTrue, scores, 'rocAuc', 'scores');
    if (labels.length !== 2) throw twoLabelsNeeded(labels);
    return binaryAuc((i) => yTrue[i] === labels[1], scores, 'rocAuc');
  }
  const matrix = denseScores(scores, 'rocAuc');
  checkPair(yTrue, { length: matrix.rows }, 'rocAuc', 'scores');
  if (matrix.cols !== labels.length) {
    throw new PipelineError('E_INPUT', `rocAuc: scores have ${matrix.cols} columns but there are ${labels.length} labels`, {
      field: 'scores',
      hint: 'pass { labels } listing every class, in column order',
    });
  }
  if (labels.length === 2) return binaryAuc((i) => yTrue[i] === labels[1], scoreColumn(matrix, 1), 'rocAuc');
  if (labels.length < 2) throw twoLabelsNeeded(labels);
  return options.multiClass === 'ovo'
    ? ovoAuc(yTrue, matrix, labels, options.average ?? 'macro')
    : oneVsRestAverage(yTrue, matrix, labels, options.average ?? 'macro', binaryAuc, 'rocAuc');
}

function twoLabelsNeeded(labels: readonly number[]): PipelineError {
  return new PipelineError('E_INPUT', `rocAuc: a score vector needs exactly two classes, got [${labels.join(', ')}]`, {
    field: 'scores',
    hint: 'pass one score column per class for multi-class problems',
  });
}

function ovoAuc(yTrue: LabelArray, matrix: DenseScores, labels: readonly number[], average: 'macro' | 'weighted'): number {
  let total = 0;
  let weightSum = 0;
  for (let a = 0; a < labels.length; a++) {
    for (let b = a + 1; b < labels.length; b++) {
      const rows: number[] = [];
      for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === labels[a] || yTrue[i] === labels[b]) rows.push(i);
      const scoresA = Float64Array.from(rows, (i) => matrix.data[i * matrix.cols + a]!);
      const scoresB = Float64Array.from(rows, (i) => matrix.data[i * matrix.cols + b]!);
      const what = `rocAuc (classes ${labels[a]} and ${labels[b]})`;
      const aucA = binaryAuc((k) => yTrue[rows[k]!] === labels[a], scoresA, what);
      const aucB = binaryAuc((k) => yTrue[rows[k]!] === labels[b], scoresB, what);
      const w = average === 'weighted' ? rows.length / yTrue.length : 1;
      total += (w * (aucA + aucB)) / 2;
      weightSum += w;
    }
  }
  return total / weightSum;
}
