import { PipelineError } from '@pipeline/core';
import { checkLabelList, checkPair, uniqueLabels, type LabelArray, type LabelsOption } from './labels.js';

/** How per-class scores are combined (scikit-learn's `average`); `'none'` returns the per-class array. */
export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

export interface PrecisionRecallOptions extends LabelsOption {
  /** Default `'binary'` (scikit-learn's default): the score of `posLabel`; an error for more than two classes. */
  readonly average?: Average | 'none';
  /** The positive class for `average: 'binary'`. Default 1. */
  readonly posLabel?: number;
  /** The value of a ratio whose denominator is 0 (no predicted / no true samples of a class). Default 0. */
  readonly zeroDivision?: 0 | 1;
}

export interface FbetaOptions extends PrecisionRecallOptions {
  /** Weight of recall against precision. Default 1 (F1). */
  readonly beta?: number;
}

/** Per-class precision, recall, F-beta and support for the reported labels (in their order). */
export interface PrecisionRecallFscoreSupport {
  readonly labels: number[];
  readonly precision: number[];
  readonly recall: number[];
  readonly fScore: number[];
  readonly support: number[];
}

interface Sufficient {
  labels: number[];
  tp: number[];
  predicted: number[];
  actual: number[];
}

function sufficientStatistics(yTrue: LabelArray, yPred: LabelArray, options: PrecisionRecallOptions, what: string): Sufficient {
  checkPair(yTrue, yPred, what);
  const average = options.average ?? 'binary';
  const present = uniqueLabels(yTrue, yPred);
  let labels: number[];
  if (average === 'binary') {
    if (present.length > 2) {
      throw new PipelineError('E_USAGE', `${what}: the targets have ${present.length} classes but average is 'binary'`, {
        field: 'average',
        hint: "choose 'macro', 'weighted', 'micro' or 'none'",
      });
    }
    const posLabel = options.posLabel ?? 1;
    if (!present.includes(posLabel) && present.length >= 2) {
      throw new PipelineError('E_USAGE', `${what}: posLabel ${posLabel} is not one of the labels ${present.join(', ')}`, {
        field: 'posLabel',
      });
    }
    labels = [posLabel];
  } else {
    labels = options.labels === undefined ? present : checkLabelList(options.labels, what);
  }
  const tpBy = new Map<number, number>();
  const predBy = new Map<number, number>();
  const trueBy = new Map<number, number>();
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    trueBy.set(t, (trueBy.get(t) ?? 0) + 1);
    predBy.set(p, (predBy.get(p) ?? 0) + 1);
    if (t === p) tpBy.set(t, (tpBy.get(t) ?? 0) + 1);
  }
  return {
    labels,
    tp: labels.map((l) => tpBy.get(l) ?? 0),
    predicted: labels.map((l) => predBy.get(l) ?? 0),
    actual: labels.map((l) => trueBy.get(l) ?? 0),
  };
}

function divide(numerator: number, denominator: number, zeroDivision: number): number {
  return denominator === 0 ? zeroDivision : numerator / denominator;
}

function fbetaFrom(precision: number, recall: number, beta: number): number {
  if (beta === Infinity) return recall;
  const beta2 = beta * beta;
  const denominator = beta2 * precision + recall;
  return ((1 + beta2) * precision * recall) / (denominator === 0 ? 1 : denominator);
}

/**
 * Per-class precision, recall, F-beta and support (scikit-learn's
 * `precision_recall_fscore_support(average=None)`), for `labels` (default: the sorted labels present).
 */
export function precisionRecallFscoreSupport(
  yTrue: LabelArray,
  yPred: LabelArray,
  options: Omit<FbetaOptions, 'average' | 'posLabel'> = {},
): PrecisionRecallFscoreSupport {
  const stats = sufficientStatistics(yTrue, yPred, { ...options, average: 'none' }, 'precisionRecallFscoreSupport');
  const zd = options.zeroDivision ?? 0;
  const beta = checkBeta(options.beta);
  const precision = stats.tp.map((tp, i) => divide(tp, stats.predicted[i]!, zd));
  const recall = stats.tp.map((tp, i) => divide(tp, stats.actual[i]!, zd));
  return {
    labels: stats.labels,
    precision,
    recall,
    fScore: precision.map((p, i) => fbetaFrom(p, recall[i]!, beta)),
    support: stats.actual,
  };
}

function checkBeta(beta: number | undefined): number {
  const value = beta ?? 1;
  if (!(value >= 0)) throw new PipelineError('E_USAGE', `beta must be >= 0, got ${beta}`, { field: 'beta' });
  return value;
}

type Which = 'precision' | 'recall' | 'f';

function averagedScore(yTrue: LabelArray, yPred: LabelArray, options: FbetaOptions, which: Which, what: string): number | number[] {
  const stats = sufficientStatistics(yTrue, yPred, options, what);
  const zd = options.zeroDivision ?? 0;
  const beta = checkBeta(options.beta);
  const average = options.average ?? 'binary';
  let { tp, predicted, actual } = stats;
  if (average === 'micro') {
    tp = [sum(tp)];
    predicted = [sum(predicted)];
    actual = [sum(actual)];
  }
  const precision = tp.map((t, i) => divide(t, predicted[i]!, zd));
  const recall = tp.map((t, i) => divide(t, actual[i]!, zd));
  const scores =
    which === 'precision' ? precision : which === 'recall' ? recall : precision.map((p, i) => fbetaFrom(p, recall[i]!, beta));
  if (average === 'none') return scores;
  if (average === 'weighted') {
    const total = sum(actual);
    if (total === 0) {
      // scikit-learn: precision/F are zeroDivision only if nothing was predicted either.
      if (which === 'recall' || sum(predicted) === 0) return zd;
      return 0;
    }
    return scores.reduce((acc, s, i) => acc + s * actual[i]!, 0) / total;
  }
  return sum(scores) / scores.length;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Precision (scikit-learn's `precision_score`). `average: 'none'` returns one value per label. */
export function precisionScore(yTrue: LabelArray, yPred: LabelArray, options: PrecisionRecallOptions & { average: 'none' }): number[];
export function precisionScore(yTrue: LabelArray, yPred: LabelArray, options?: PrecisionRecallOptions & { average?: Average }): number;
export function precisionScore(yTrue: LabelArray, yPred: LabelArray, options: PrecisionRecallOptions = {}): number | number[] {
  return averagedScore(yTrue, yPred, options, 'precision', 'precisionScore');
}

/** Recall (scikit-learn's `recall_score`). `average: 'none'` returns one value per label. */
export function recallScore(yTrue: LabelArray, yPred: LabelArray, options: PrecisionRecallOptions & { average: 'none' }): number[];
export function recallScore(yTrue: LabelArray, yPred: LabelArray, options?: PrecisionRecallOptions & { average?: Average }): number;
export function recallScore(yTrue: LabelArray, yPred: LabelArray, options: PrecisionRecallOptions = {}): number | number[] {
  return averagedScore(yTrue, yPred, options, 'recall', 'recallScore');
}

/** F1 score (scikit-learn's `f1_score`). `average: 'none'` returns one value per label. */
export function f1Score(yTrue: LabelArray, yPred: LabelArray, options: PrecisionRecallOptions & { average: 'none' }): number[];
export function f1Score(yTrue: LabelArray, yPred: LabelArray, options?: PrecisionRecallOptions & { average?: Average }): number;
export function f1Score(yTrue: LabelArray, yPred: LabelArray, options: PrecisionRecallOptions = {}): number | number[] {
  return averagedScore(yTrue, yPred, { ...options, beta: 1 }, 'f', 'f1Score');
}

/** F-beta score (scikit-learn's `fbeta_score`). `average: 'none'` returns one value per label. */
export function fbetaScore(yTrue: LabelArray, yPred: LabelArray, options: FbetaOptions & { average: 'none' }): number[];
export function fbetaScore(yTrue: LabelArray, yPred: LabelArray, options?: FbetaOptions & { average?: Average }): number;
export function fbetaScore(yTrue: LabelArray, yPred: LabelArray, options: FbetaOptions = {}): number | number[] {
  return averagedScore(yTrue, yPred, options, 'f', 'fbetaScore');
}
