import { argmaxRows, takeRows, type Matrix } from '@pipeline/core';
import { accuracy, balancedAccuracy, f1Score, logLoss, summarizeFolds } from '@pipeline/metrics';

/** The four headline scores of the summary table. */
export interface Scores {
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly f1Macro: number;
  readonly logLoss: number;
}

export interface ScoreSummary extends Scores {
  /** Per-fold scores (first repeat's folds), fold order. */
  readonly folds: ReadonlyArray<Scores & { readonly fold: number; readonly rows: number }>;
  /** Mean and population std (numpy's default) of each score over the folds. */
  readonly foldMean: Scores;
  readonly foldStd: Scores;
}

/** Scores of probabilities `proba` (rows × k) against class indices `labels`. */
export function scoreProba(labels: Int32Array, proba: Matrix, nClasses: number): Scores {
  const all = Array.from({ length: nClasses }, (_, k) => k);
  const pred = argmaxRows(proba);
  return {
    accuracy: accuracy(labels, pred),
    balancedAccuracy: balancedAccuracy(labels, pred),
    f1Macro: f1Score(labels, pred, { average: 'macro', labels: all }),
    logLoss: logLoss(labels, { rows: proba.rows, cols: proba.cols, data: proba.data }, { labels: all }),
  };
}

/** Overall scores plus the per-fold ones (rows grouped by `foldOf`). */
export function scoreWithFolds(labels: Int32Array, proba: Matrix, nClasses: number, foldOf: Int32Array): ScoreSummary {
  const overall = scoreProba(labels, proba, nClasses);
  const nFolds = foldOf.reduce((m, f) => Math.max(m, f), -1) + 1;
  const folds: Array<Scores & { fold: number; rows: number }> = [];
  for (let fold = 0; fold < nFolds; fold++) {
    const rows: number[] = [];
    for (let i = 0; i < foldOf.length; i++) if (foldOf[i] === fold) rows.push(i);
    if (rows.length === 0) continue;
    const y = Int32Array.from(rows, (i) => labels[i]!);
    folds.push({ fold, rows: rows.length, ...scoreProba(y, takeRows(proba, rows), nClasses) });
  }
  const keys = ['accuracy', 'balancedAccuracy', 'f1Macro', 'logLoss'] as const;
  const mean = {} as Record<(typeof keys)[number], number>;
  const std = {} as Record<(typeof keys)[number], number>;
  for (const key of keys) {
    const summary = summarizeFolds(folds.map((f) => f[key]));
    mean[key] = summary.mean;
    std[key] = summary.std;
  }
  return { ...overall, folds, foldMean: mean, foldStd: std };
}

