import { resolveContext, type FitContext } from '@pipeline/core';
import {
  faCurve,
  ovlp,
  postprocess,
  sensitivityAtFa,
  taes,
  timelineAuroc,
  timescoringEvent,
  timescoringSample,
  type FaCurveRow,
  type Interval,
  type NedcResult,
  type OperatingPointScorer,
  type PostprocessOptions,
  type ProbabilityRecording,
  type Recording,
  type TimescoringResult,
} from '@pipeline/metrics/eeg';

/** How probabilities become events and how they are scored (the `validation` block of the config). */
export interface SeizureValidationArgs {
  /** Hysteresis: an event starts when p ≥ tauOn … */
  readonly tauOn: number;
  /** … and ends when p < tauOff. */
  readonly tauOff: number;
  /** Opening then closing kernel, in samples of the probability timeline (1 = none). */
  readonly morphologyKernel: number;
  /** Events shorter than this many seconds are dropped (0 = keep all). */
  readonly minDurationSec: number;
  /** Scorer of the FA/24h curve and the sensitivity-at-FA numbers. */
  readonly faScorer: 'ovlp' | 'taes' | 'timescoring';
  /** Onset thresholds of the FA curve (each replaces tauOn, keeping tauOn − tauOff). */
  readonly faThresholds: readonly number[];
  /** TAES pairing: NEDC v6.0.0's integer-second rule (`nedc`, parity with the public scorer) or true overlap (`exact`). */
  readonly taesMode: 'nedc' | 'exact';
}

/** The seed's operating points: τ_on 0.86, τ_off 0.78, kernel 5, events ≥ 2 s, OVLP FA curve over 0.02…0.98. */
export const SEIZURE_VALIDATION_DEFAULTS: Readonly<SeizureValidationArgs> = Object.freeze({
  tauOn: 0.86,
  tauOff: 0.78,
  morphologyKernel: 5,
  minDurationSec: 2,
  faScorer: 'ovlp',
  faThresholds: Object.freeze(Array.from({ length: 49 }, (_, k) => Math.round((0.02 + 0.02 * k) * 100) / 100)),
  taesMode: 'nedc',
});

/** FA/24h budgets reported as `sensitivity_at_{10,5,2_5,1}fa`. */
export const FA_TARGETS = [10, 5, 2.5, 1] as const;

/** Metric names that early stopping can monitor, with their direction. */
export const MONITORED_METRICS = {
  sensitivity_at_10fa: 'max',
  sensitivity_at_5fa: 'max',
  sensitivity_at_2_5fa: 'max',
  sensitivity_at_1fa: 'max',
  taes: 'max',
  auroc: 'max',
  val_loss: 'min',
} as const;
export type MonitoredMetric = keyof typeof MONITORED_METRICS;

/** Sensitivity, precision, F1 and FA/24h of one event scorer. */
export interface EventScores {
  readonly sensitivity: number;
  readonly precision: number;
  readonly f1: number;
  readonly fa_per_24h: number;
}

/** Everything validation and `evaluate` report (snake_case: the seed's JSON keys). NaN = undefined. */
export interface SeizureMetrics {
  /** TAES F1 of the seizure label (NEDC definitions: fractional hits and false alarms). */
  readonly taes: number;
  /** TAES details: sensitivity, precision, FA/24h, and the raw counts. */
  readonly taes_detail: EventScores & { readonly hit: number; readonly mis: number; readonly fal: number; readonly tgt: number };
  /** NEDC seizure-label sensitivity and specificity from TAES (specificity = background hits / (background hits + seizure FA)). */
  readonly sensitivity: number;
  readonly specificity: number;
  /** Sample-level ROC AUC of the stitched probabilities (NaN without both classes). */
  readonly auroc: number;
  readonly ovlp: EventScores;
  readonly timescoring_event: EventScores;
  readonly timescoring_sample: EventScores;
  readonly sensitivity_at_10fa: number;
  readonly sensitivity_at_5fa: number;
  readonly sensitivity_at_2_5fa: number;
  readonly sensitivity_at_1fa: number;
  /** Rule-A operating thresholds of the four budgets (Infinity = no detections → null in JSON). */
  readonly thresholds_at_fa: Readonly<Record<'10' | '5' | '2.5' | '1', number>>;
  readonly fa_curve: readonly FaCurveRow[];
  /** Which scorer the FA curve used. */
  readonly fa_scorer: SeizureValidationArgs['faScorer'];
  /** Seizure events detected at (tauOn, tauOff), summed over recordings. */
  readonly detected_events: number;
  readonly reference_events: number;
  readonly hours: number;
}

/** The post-processing chain of the validation arguments (for `@pipeline/metrics/eeg`'s `postprocess`). */
export function postprocessChain(args: SeizureValidationArgs): Omit<PostprocessOptions, 'fs'> {
  return {
    binarize: { kind: 'hysteresis', tauOn: args.tauOn, tauOff: args.tauOff },
    ...(args.morphologyKernel > 1 ? { openingKernel: args.morphologyKernel, closingKernel: args.morphologyKernel } : {}),
    ...(args.minDurationSec > 0 ? { minDuration: args.minDurationSec } : {}),
  };
}

/** Seizure events of one recording's probabilities at the configured operating point. */
export function detectEvents(proba: ArrayLike<number>, fs: number, args: SeizureValidationArgs): Interval[] {
  return postprocess(proba, { ...postprocessChain(args), fs });
}

function nedcScores(result: NedcResult): EventScores {
  return { sensitivity: result.sensitivity, precision: result.precision, f1: result.f1, fa_per_24h: result.faPer24h };
}

function timescoringScores(result: TimescoringResult): EventScores {
  return { sensitivity: result.sensitivity, precision: result.precision, f1: result.f1, fa_per_24h: result.faPer24h };
}

function faScorer(args: SeizureValidationArgs): OperatingPointScorer {
  switch (args.faScorer) {
    case 'taes':
      return (recordings) => taes(recordings, { mode: args.taesMode });
    case 'timescoring':
      return (recordings) => {
        const result = timescoringEvent(recordings);
        // timescoring's NaN sensitivity (no reference events) counts as 0 for operating points.
        return { sensitivity: Number.isNaN(result.sensitivity) ? 0 : result.sensitivity, faPer24h: result.faPer24h };
      };
    default:
      return (recordings) => ovlp(recordings);
  }
}

/**
 * Scores per-sample probabilities against the reference events with `@pipeline/metrics/eeg`:
 * hysteresis + morphology + minimum duration → events → TAES, OVLP, timescoring (event and sample),
 * NEDC sensitivity/specificity, sample AUROC, the FA/24h curve over `faThresholds` and the rule-A
 * sensitivity at 10, 5, 2.5 and 1 FA/24h.
 */
export function scoreSeizurePredictions(recordings: readonly ProbabilityRecording[], args: SeizureValidationArgs, context: FitContext = {}): SeizureMetrics {
  const { signal, onProgress } = resolveContext(context);
  const scored: Recording[] = recordings.map((r) => ({
    duration: r.duration ?? r.proba.length / r.fs,
    ref: r.ref,
    hyp: detectEvents(r.proba, r.fs, args),
    ...(r.id === undefined ? {} : { id: r.id }),
  }));
  const taesResult = taes(scored, { mode: args.taesMode });
  const curve = faCurve(recordings, args.faThresholds, postprocessChain(args), faScorer(args), {
    ...(signal === undefined ? {} : { signal }),
    onProgress,
  });
  const atFa = sensitivityAtFa(curve, [...FA_TARGETS]);
  let auroc = NaN;
  try {
    auroc = timelineAuroc(recordings);
  } catch {
    // one class only: undefined
  }
  const hours = scored.reduce((total, r) => total + r.duration, 0) / 3600;
  return {
    taes: taesResult.f1,
    taes_detail: { ...nedcScores(taesResult), hit: taesResult.hit, mis: taesResult.mis, fal: taesResult.fal, tgt: taesResult.tgt },
    sensitivity: taesResult.sensitivity,
    specificity: taesResult.specificity,
    auroc,
    ovlp: nedcScores(ovlp(scored)),
    timescoring_event: timescoringScores(timescoringEvent(scored)),
    timescoring_sample: timescoringScores(timescoringSample(scored)),
    sensitivity_at_10fa: atFa[0]!.sensitivity,
    sensitivity_at_5fa: atFa[1]!.sensitivity,
    sensitivity_at_2_5fa: atFa[2]!.sensitivity,
    sensitivity_at_1fa: atFa[3]!.sensitivity,
    thresholds_at_fa: { '10': atFa[0]!.threshold!, '5': atFa[1]!.threshold!, '2.5': atFa[2]!.threshold!, '1': atFa[3]!.threshold! },
    fa_curve: curve,
    fa_scorer: args.faScorer,
    detected_events: scored.reduce((total, r) => total + r.hyp.length, 0),
    reference_events: scored.reduce((total, r) => total + r.ref.length, 0),
    hours,
  };
}

/** The value of a monitored metric (val_loss comes from the caller). */
export function monitoredValue(metrics: SeizureMetrics, valLoss: number, name: MonitoredMetric): number {
  return name === 'val_loss' ? valLoss : metrics[name];
}
