import { LABELS } from './nedc-timeline.js';
import type { NedcLabel } from './types.js';

/**
 * The per-label block NEDC v6.0.0 prints, with readable names (NEDC's own in brackets).
 * `tp = hit`, `fn = mis`, `fp = fal` (DP alignment: insertions); `tn` depends on the scorer (TAES,
 * OVLP: the hits of the other labels; EPOCH, DP alignment: the confusion sub-matrix without this
 * label). Undefined ratios are 0, as in NEDC.
 */
export interface NedcLabelScores {
  readonly tgt: number;
  readonly hit: number;
  readonly mis: number;
  readonly fal: number;
  readonly ins: number;
  readonly del: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  /** TP / (TP + FN) [tpr]. */
  readonly sensitivity: number;
  /** TN / (TN + FP) [tnr]. */
  readonly specificity: number;
  /** TP / (TP + FP) [ppv]. */
  readonly precision: number;
  /** TN / (TN + FN) [npv]. */
  readonly npv: number;
  /** 1 − sensitivity [fnr]. */
  readonly fnr: number;
  /** 1 − specificity [fpr]. */
  readonly fpr: number;
  /** 1 − precision [fdr]. */
  readonly fdr: number;
  /** 1 − npv [for]. */
  readonly falseOmissionRate: number;
  /** (TP + TN) / (TP + TN + FP + FN) [acc]. */
  readonly accuracy: number;
  /** 1 − accuracy [msr]. */
  readonly misclassificationRate: number;
  /** (TP + FN) / (TP + TN + FP + FN) [prv]. */
  readonly prevalence: number;
  /** 2·precision·sensitivity / (precision + sensitivity) [f1s]. */
  readonly f1: number;
  /** Matthews correlation [mcc]. */
  readonly mcc: number;
  /**
   * False alarms per 24 h of recording [flr]: FP / total duration × 86400. For EPOCH, FP counts
   * epochs, so this is false-positive *seconds* per day (FP × epoch duration / T × 86400).
   */
  readonly faPer24h: number;
}

/** A NEDC scorer's result: the seizure-label block at the top level, plus every label and NEDC's summary. */
export interface NedcResult extends NedcLabelScores {
  readonly perLabel: Readonly<Record<NedcLabel, NedcLabelScores>>;
  /**
   * NEDC's "Summary" block: counts summed over **both** labels (seizure and background), and an F1
   * that divides by the last label's (background's) precision + sensitivity, as NEDC v6.0.0 does.
   * Kept for parity; report the seizure block.
   */
  readonly summary: NedcLabelScores;
  /** Σ recording durations in seconds (after NEDC's loading). */
  readonly totalDuration: number;
  /** Confusion counts `[ref][hyp]` (EPOCH and DP alignment). */
  readonly confusion?: Readonly<Record<NedcLabel, Readonly<Record<NedcLabel, number>>>>;
}

export interface RawCounts {
  tgt: number;
  hit: number;
  mis: number;
  fal: number;
  ins: number;
  del: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/** NEDC's `round(x, 10) == 0`. */
function isZero10(x: number): boolean {
  return Math.abs(x) < 5e-11;
}

function derive(c: RawCounts, f1Denominator: number, fpToRate: (fp: number) => number): NedcLabelScores {
  const { tp, tn, fp, fn } = c;
  const ratio = (a: number, b: number): number => (b !== 0 ? a / b : 0);
  const sensitivity = ratio(tp, tp + fn);
  const specificity = ratio(tn, tn + fp);
  const precision = ratio(tp, tp + fp);
  const npv = ratio(tn, tn + fn);
  const all = tp + tn + fp + fn;
  const accuracy = all !== 0 ? (tp + tn) / all : 0;
  const prevalence = all !== 0 ? (tp + fn) / all : 0;
  const mccDenominator = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  return {
    ...c,
    sensitivity,
    specificity,
    precision,
    npv,
    fnr: 1 - sensitivity,
    fpr: 1 - specificity,
    fdr: 1 - precision,
    falseOmissionRate: 1 - npv,
    accuracy,
    misclassificationRate: 1 - accuracy,
    prevalence,
    f1: isZero10(f1Denominator) ? 0 : (2 * precision * sensitivity) / f1Denominator,
    mcc: isZero10(mccDenominator) ? 0 : (tp * tn - fp * fn) / Math.sqrt(mccDenominator),
    faPer24h: fpToRate(fp),
  };
}

/**
 * NEDC's `compute_performance`: per-label derived measures and the summary block, from raw counts
 * per label (in NEDC map order: seiz, bckg). `faScale` multiplies FP before dividing by the total
 * duration (the epoch duration for EPOCH, 1 otherwise).
 */
export function nedcPerformance(
  counts: readonly RawCounts[],
  totalDuration: number,
  faScale = 1,
  extra: Pick<NedcResult, 'confusion'> = {},
): NedcResult {
  const fpToRate = (fp: number): number => (isZero10(totalDuration) ? 0 : ((fp * faScale) / totalDuration) * 86400);
  let lastF1Denominator = 0;
  const perLabel = counts.map((c) => {
    const precision = c.tp + c.fp !== 0 ? c.tp / (c.tp + c.fp) : 0;
    const sensitivity = c.tp + c.fn !== 0 ? c.tp / (c.tp + c.fn) : 0;
    lastF1Denominator = precision + sensitivity;
    return derive(c, lastF1Denominator, fpToRate);
  });
  const sum = (key: keyof RawCounts): number => counts.reduce((a, c) => a + c[key], 0);
  const summaryCounts: RawCounts = {
    tgt: sum('tgt'),
    hit: sum('hit'),
    mis: sum('mis'),
    fal: sum('fal'),
    ins: sum('ins'),
    del: sum('del'),
    tp: sum('tp'),
    tn: sum('tn'),
    fp: sum('fp'),
    fn: sum('fn'),
  };
  const summary = derive(summaryCounts, lastF1Denominator, fpToRate);
  const seiz = perLabel[0]!;
  return {
    ...seiz,
    perLabel: { seiz, bckg: perLabel[1]! },
    summary,
    totalDuration,
    ...extra,
  };
}

/** Per-label accumulators shared by the NEDC scorers. */
export class NedcCounts {
  readonly tgt = new Float64Array(2);
  readonly hit = new Float64Array(2);
  readonly mis = new Float64Array(2);
  readonly fal = new Float64Array(2);
  readonly ins = new Float64Array(2);
  readonly del = new Float64Array(2);
  /** Confusion counts, `sub[ref * 2 + hyp]`. */
  readonly sub = new Float64Array(4);
  totalDuration = 0;
}

/** TAES and OVLP: insertions = false alarms, deletions = misses, TN = hits of the other label. */
export function hitMissCounts(acc: NedcCounts): RawCounts[] {
  return LABELS.map((_, l) => {
    const other = 1 - l;
    return {
      tgt: acc.tgt[l]!,
      hit: acc.hit[l]!,
      mis: acc.mis[l]!,
      fal: acc.fal[l]!,
      ins: acc.fal[l]!,
      del: acc.mis[l]!,
      tp: acc.hit[l]!,
      tn: 0 + acc.hit[other]!,
      fp: acc.fal[l]!,
      fn: acc.mis[l]!,
    };
  });
}

export function confusionRecord(sub: Float64Array): Record<NedcLabel, Record<NedcLabel, number>> {
  return {
    seiz: { seiz: sub[0]!, bckg: sub[1]! },
    bckg: { seiz: sub[2]!, bckg: sub[3]! },
  };
}
