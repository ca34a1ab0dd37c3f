import { describe, expect, it } from '@jest/globals';
import {
  averagePrecision,
  balancedAccuracy,
  classificationReport,
  cohenKappa,
  f1Score,
  fbetaScore,
  formatClassificationReport,
  formatFixed,
  logLoss,
  precisionScore,
  recallScore,
  rocAuc,
  rocCurve,
  type ClassificationReport,
  type PrecisionRecallOptions,
  type ReportScores,
} from '@pipeline/metrics';
import { expectClose, loadFixture } from './helpers.js';

type Scores = { precision: number | number[]; recall: number | number[]; f1: number | number[]; f2: number | number[] };
interface PrfEntry {
  id: string;
  y_true: number[];
  y_pred: number[];
  labels: number[] | null;
  zero_division: Record<'0' | '1', Record<'micro' | 'macro' | 'weighted' | 'none', Scores>>;
  binary?: { precision: number; recall: number; f1: number; f1_pos0: number };
  subset_labels: number[];
  subset: Record<'micro' | 'macro' | 'weighted' | 'none', Scores>;
}
type SkDictRow = { precision: number; recall: number; 'f1-score': number; support: number };
interface ReportEntry {
  id: string;
  y_true: number[];
  y_pred: number[];
  variants: { kwargs: { digits?: number; target_names?: string[]; labels?: number[] }; text: string; dict: Record<string, SkDictRow | number> }[];
}
interface Fixture {
  source: string;
  prf: PrfEntry[];
  reports: ReportEntry[];
  kappa: { id: string; weights: 'linear' | 'quadratic' | null; labels?: number[]; y_true: number[]; y_pred: number[]; value: number }[];
  balanced: { id: string; adjusted: boolean; y_true: number[]; y_pred: number[]; value: number }[];
  scores: (Record<string, unknown> & { id: string; k: number; y_true: number[]; proba: number[][] })[];
  log_loss_labels: { y_true: number[]; proba: number[][]; labels: number[]; value: number };
}

const fx = loadFixture<Fixture>('sklearn_extra.json');
const TOL = 1e-9;

function checkPrf(yTrue: number[], yPred: number[], base: PrecisionRecallOptions, expected: Record<string, Scores>, tag: string): void {
  for (const [average, scores] of Object.entries(expected)) {
    const o = { ...base, average } as PrecisionRecallOptions & { average: 'none' };
    expectClose(precisionScore(yTrue, yPred, o), scores.precision, TOL, `${tag} ${average} precision`);
    expectClose(recallScore(yTrue, yPred, o), scores.recall, TOL, `${tag} ${average} recall`);
    expectClose(f1Score(yTrue, yPred, o), scores.f1, TOL, `${tag} ${average} f1`);
    expectClose(fbetaScore(yTrue, yPred, { ...o, beta: 2 }), scores.f2, TOL, `${tag} ${average} f2`);
  }
}

describe(`precision / recall / F against ${fx.source}`, () => {
  for (const e of fx.prf) {
    it(`${e.id}: every average, both zero-division values, a label subset`, () => {
      for (const zd of ['0', '1'] as const) {
        const base: PrecisionRecallOptions = { zeroDivision: Number(zd) as 0 | 1, ...(e.labels ? { labels: e.labels } : {}) };
        checkPrf(e.y_true, e.y_pred, base, e.zero_division[zd], `${e.id} zd=${zd}`);
      }
      checkPrf(e.y_true, e.y_pred, { labels: e.subset_labels }, e.subset, `${e.id} subset`);
      if (e.binary) {
        expectClose(precisionScore(e.y_true, e.y_pred), e.binary.precision, TOL);
        expectClose(recallScore(e.y_true, e.y_pred), e.binary.recall, TOL);
        expectClose(f1Score(e.y_true, e.y_pred), e.binary.f1, TOL);
        expectClose(f1Score(e.y_true, e.y_pred, { posLabel: 0 }), e.binary.f1_pos0, TOL);
      } else {
        expect(() => f1Score(e.y_true, e.y_pred)).toThrow(/average is 'binary'/);
      }
    });
  }
});

function toSklearnDict(report: ClassificationReport): Record<string, SkDictRow | number> {
  const row = (s: ReportScores): SkDictRow => ({ precision: s.precision, recall: s.recall, 'f1-score': s.f1, support: s.support });
  const out: Record<string, SkDictRow | number> = {};
  for (const c of report.classes) out[c.name] = row(c);
  if (report.accuracy !== undefined) out.accuracy = report.accuracy;
  if (report.microAvg !== undefined) out['micro avg'] = row(report.microAvg);
  out['macro avg'] = row(report.macroAvg);
  out['weighted avg'] = row(report.weightedAvg);
  return out;
}

describe('classification report', () => {
  for (const r of fx.reports) {
    r.variants.forEach((v, i) => {
      it(`${r.id} variant ${i} ${JSON.stringify(v.kwargs)}: dict values and text, character for character`, () => {
        const report = classificationReport(r.y_true, r.y_pred, {
          ...(v.kwargs.labels ? { labels: v.kwargs.labels } : {}),
          ...(v.kwargs.target_names ? { targetNames: v.kwargs.target_names } : {}),
        });
        const dict = toSklearnDict(report);
        expect(Object.keys(dict)).toEqual(Object.keys(v.dict));
        for (const [key, value] of Object.entries(v.dict)) {
          if (typeof value === 'number') expectClose(dict[key], value, TOL, key);
          else for (const [field, x] of Object.entries(value)) expectClose((dict[key] as Record<string, number>)[field], x, TOL, `${key}.${field}`);
        }
        expect(formatClassificationReport(report, v.kwargs.digits === undefined ? {} : { digits: v.kwargs.digits })).toBe(v.text);
      });
    });
  }

  it('rounds exact binary ties half to even, like Python', () => {
    expect([0.125, 0.375, 0.625, 2.5, 0.5, 1.5].map((x) => formatFixed(x, x >= 0.5 && x % 0.5 === 0 ? 0 : 2))).toEqual([
      '0.12',
      '0.38',
      '0.62',
      '2',
      '0',
      '2',
    ]);
    expect(formatFixed(0.1 + 0.2, 2)).toBe('0.30');
    expect(formatFixed(1.005, 2)).toBe('1.00'); // 1.005 is 1.00499999999999989… in binary
  });

  it('rejects a wrong number of target names', () => {
    expect(() => classificationReport([0, 1], [0, 1], { targetNames: ['a'] })).toThrow(/target names/);
  });
});

describe('kappa and balanced accuracy options', () => {
  for (const k of fx.kappa) {
    it(`${k.id}: kappa weights=${k.weights} labels=${JSON.stringify(k.labels ?? null)}`, () => {
      const options = { ...(k.weights ? { weights: k.weights } : {}), ...(k.labels ? { labels: k.labels } : {}) };
      expectClose(cohenKappa(k.y_true, k.y_pred, options), k.value, TOL);
    });
  }
  for (const b of fx.balanced) {
    it(`${b.id}: balanced accuracy adjusted=${b.adjusted}`, () => {
      expectClose(balancedAccuracy(b.y_true, b.y_pred, { adjusted: b.adjusted }), b.value, TOL);
    });
  }
});

describe('score-based metrics with ties, OvO, one-vs-rest average precision', () => {
  for (const s of fx.scores) {
    it(`${s.id}`, () => {
      const proba = { rows: s.proba.length, cols: s.k, data: Float64Array.from(s.proba.flat()) };
      const e = s as Record<string, unknown>;
      if (s.k === 2) {
        const positive = s.proba.map((r) => r[1]!);
        expectClose(rocAuc(s.y_true, positive), e.roc_auc, TOL, 'roc_auc');
        expectClose(rocAuc(s.y_true, proba), e.roc_auc, TOL, 'roc_auc (matrix)');
        expectClose(averagePrecision(s.y_true, positive), e.average_precision, TOL, 'ap');
        expectClose(averagePrecision(s.y_true, s.proba.map((r) => r[0]!), { posLabel: 0 }), e.average_precision_pos0, TOL, 'ap pos0');
        expectClose(logLoss(s.y_true, positive), e.log_loss, 1e-7, 'log_loss (vector)');
        const curve = rocCurve(s.y_true, positive);
        const expected = e.roc_curve as { fpr: number[]; tpr: number[]; thresholds_after_first: number[] };
        expectClose(curve.fpr, expected.fpr, TOL, 'fpr');
        expectClose(curve.tpr, expected.tpr, TOL, 'tpr');
        expectClose(curve.thresholds.slice(1), expected.thresholds_after_first, TOL, 'thresholds');
        expect(curve.thresholds[0]).toBe(Infinity);
      } else {
        for (const mc of ['ovr', 'ovo'] as const) {
          for (const avg of ['macro', 'weighted'] as const) {
            expectClose(rocAuc(s.y_true, proba, { multiClass: mc, average: avg }), e[`roc_auc_${mc}_${avg}`], TOL, `${mc} ${avg}`);
          }
        }
        for (const avg of ['macro', 'weighted', 'micro'] as const) {
          expectClose(averagePrecision(s.y_true, proba, { average: avg }), e[`average_precision_ovr_${avg}`], TOL, `ap ${avg}`);
        }
        expectClose(logLoss(s.y_true, proba), e.log_loss, 1e-7, 'log_loss');
        const p32 = { rows: proba.rows, cols: proba.cols, data: Float32Array.from(proba.data) };
        expectClose(logLoss(s.y_true, p32), e.log_loss_float32, 1e-7, 'log_loss float32');
      }
    });
  }

  it('log loss with a class absent from yTrue and hard zeros (clipped, renormalized)', () => {
    const l = fx.log_loss_labels;
    expectClose(logLoss(l.y_true, l.proba, { labels: l.labels }), l.value, 1e-7);
    expect(() => logLoss(l.y_true, l.proba)).toThrow(/3 columns but there are 2 labels/);
  });
});
