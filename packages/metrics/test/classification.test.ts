import { describe, expect, it } from '@jest/globals';
import { matrix } from '@pipeline/core';
import {
  accuracy,
  averagePrecision,
  balancedAccuracy,
  cohenKappa,
  confusionMatrix,
  f1Score,
  logLoss,
  matthewsCorrcoef,
  perClassErrorRate,
  precisionScore,
  recallScore,
  rocAuc,
} from '@pipeline/metrics';
import { expectClose, loadFixture } from './helpers.js';

interface Case {
  id: string;
  k: number;
  y_true: number[];
  y_pred: number[];
  proba: number[][];
  expected: Record<string, number | number[] | number[][]>;
}

const fixture = loadFixture<{ source: string; cases: Case[] }>('classification.json');
const TOL = 1e-9;
const LOG_LOSS_TOL = 1e-7;

describe(`classification metrics against ${fixture.source}`, () => {
  it('covers every case of the fixture', () => {
    expect(fixture.cases.length).toBe(12);
  });

  for (const c of fixture.cases) {
    describe(`${c.id} (n=${c.y_true.length}, k=${c.k})`, () => {
      const yTrue = Int32Array.from(c.y_true);
      const yPred = Int32Array.from(c.y_pred);
      const labels = Array.from({ length: c.k }, (_, i) => i);
      const proba64 = { rows: c.proba.length, cols: c.k, data: Float64Array.from(c.proba.flat()) };
      const proba32 = matrix(c.proba.length, c.k, Float32Array.from(c.proba.flat()));
      const e = c.expected;
      const handled = new Set<string>();
      const check = (key: string, actual: unknown, tol = TOL): void => {
        handled.add(key);
        expectClose(actual, e[key], tol, `${c.id}.${key}`);
      };

      it('matches every expected value', () => {
        check('accuracy', accuracy(yTrue, yPred));
        check('balanced_accuracy', balancedAccuracy(yTrue, yPred));
        check('f1_macro', f1Score(yTrue, yPred, { average: 'macro', labels }));
        check('f1_weighted', f1Score(yTrue, yPred, { average: 'weighted', labels }));
        check('precision_per_class', precisionScore(yTrue, yPred, { average: 'none', labels }));
        check('recall_per_class', recallScore(yTrue, yPred, { average: 'none', labels }));
        check('f1_per_class', f1Score(yTrue, yPred, { average: 'none', labels }));
        check('confusion_matrix', confusionMatrix(yTrue, yPred, { labels }));
        check('confusion_matrix_normalized_true', confusionMatrix(yTrue, yPred, { labels, normalize: 'true' }));
        check('cohen_kappa', cohenKappa(yTrue, yPred));
        check('mcc', matthewsCorrcoef(yTrue, yPred));
        check('log_loss', logLoss(yTrue, proba64, { labels }), LOG_LOSS_TOL);
        if ('roc_auc' in e) check('roc_auc', rocAuc(yTrue, proba64));
        if ('average_precision' in e) check('average_precision', averagePrecision(yTrue, proba64.data.filter((_, i) => i % 2 === 1)));
        if ('roc_auc_ovr_macro' in e) check('roc_auc_ovr_macro', rocAuc(yTrue, proba64, { multiClass: 'ovr', average: 'macro' }));
        if ('roc_auc_ovr_weighted' in e) check('roc_auc_ovr_weighted', rocAuc(yTrue, proba64, { average: 'weighted' }));
        // Every key of the fixture case was checked: nothing silently skipped.
        expect([...handled].sort()).toEqual(Object.keys(e).sort());
      });

      it('accepts float32 probabilities (core Matrix) within the log-loss tolerance', () => {
        expectClose(logLoss(yTrue, proba32, { labels }), e.log_loss, LOG_LOSS_TOL, 'log_loss float32');
        if ('roc_auc' in e) expectClose(rocAuc(yTrue, proba32), e.roc_auc, TOL, 'roc_auc float32');
        if ('roc_auc_ovr_macro' in e) expectClose(rocAuc(yTrue, proba32), e.roc_auc_ovr_macro, TOL, 'roc_auc_ovr_macro float32');
      });

      it('per-class error rate is 1 − recall (0 for a class with no true sample)', () => {
        const recall = recallScore(yTrue, yPred, { average: 'none', labels });
        const support = labels.map((l) => c.y_true.filter((y) => y === l).length);
        expectClose(
          perClassErrorRate(yTrue, yPred, { labels }),
          recall.map((r, i) => (support[i] === 0 ? 0 : 1 - r)),
          1e-12,
        );
      });
    });
  }
});
