import { PipelineError } from '@pipeline/core';
import { pyRound } from '../python-round.js';
import { splitLongEvents } from './event-filters.js';
import { countInRange, intersectionSize, runsSize, unionRuns } from './interval-set.js';
import type { Interval, Recording } from './types.js';

/** SzCORE / timescoring 0.0.7 scores. NaN where timescoring gives NaN (undefined ratios). */
export interface TimescoringScores {
  readonly tp: number;
  readonly fp: number;
  readonly refTrue: number;
  /** tp / refTrue (NaN without reference events). */
  readonly sensitivity: number;
  /** tp / (tp + fp) (NaN when both are 0). */
  readonly precision: number;
  /** 2·tp / (2·tp + fp + (refTrue − tp)) (NaN when tp, fp and refTrue are all 0). timescoring ≥ 0.0.7. */
  readonly f1: number;
  /**
   * fp per 24 h of recording. Sample scoring: false-positive *samples* (seconds at fs = 1) per
   * day; event scoring: false-positive events per day.
   */
  readonly fpRate: number;
  /** Same as `fpRate`, for use as an operating-point scorer. */
  readonly faPer24h: number;
  /** Recording time scored, in seconds (Σ numSamples / fs). */
  readonly duration: number;
  readonly numSamples: number;
}

export interface TimescoringResult extends TimescoringScores {
  /** Per-recording scores; the top level sums their counts and recomputes the ratios (szcore-evaluation's pooling within a subject). */
  readonly perRecording: readonly TimescoringScores[];
}

export interface TimescoringSampleOptions {
  /** Label sampling rate in Hz. Default 1 (timescoring's default). */
  readonly fs?: number;
}

export interface TimescoringEventOptions {
  /** Seconds a detection may start before a reference event. Default 30 (SzCORE). */
  readonly toleranceStart?: number;
  /** Seconds a detection may end after a reference event. Default 60. */
  readonly toleranceEnd?: number;
  /**
   * Minimum fraction of the *tolerance-extended* reference window that detections must cover
   * (compared as `> minOverlap + 1e-6`). Default 0 (any overlap).
   */
  readonly minOverlap?: number;
  /** Events longer than this are split into chunks of this length (after merging). Default 300 s. */
  readonly maxEventDuration?: number;
  /** Events separated by a gap strictly shorter than this are merged (before splitting). Default 90 s. */
  readonly minDurationBetweenEvents?: number;
}

function scores(tp: number, fp: number, refTrue: number, numSamples: number, fs: number): TimescoringScores {
  const duration = numSamples / fs;
  const fpRate = fp / (duration / 3600 / 24);
  return {
    tp,
    fp,
    refTrue,
    sensitivity: refTrue > 0 ? tp / refTrue : NaN,
    precision: tp + fp > 0 ? tp / (tp + fp) : NaN,
    f1: tp + fp + refTrue > 0 ? (2 * tp) / (2 * tp + fp + (refTrue - tp)) : NaN,
    fpRate,
    faPer24h: fpRate,
    duration,
    numSamples,
  };
}

function pooled(perRecording: TimescoringScores[], fsOf: (i: number) => number): TimescoringResult {
  let tp = 0;
  let fp = 0;
  let refTrue = 0;
  let duration = 0;
  let numSamples = 0;
  perRecording.forEach((s, i) => {
    tp += s.tp;
    fp += s.fp;
    refTrue += s.refTrue;
    duration += s.numSamples / fsOf(i);
    numSamples += s.numSamples;
  });
  const total = scores(tp, fp, refTrue, duration, 1);
  return { ...total, numSamples, perRecording };
}

function checkRecording(recording: Recording, index: number): void {
  const where = recording.id ?? `recordings[${index}]`;
  if (!(Number.isFinite(recording.duration) && recording.duration > 0)) {
    throw new PipelineError('E_INPUT', `duration must be a positive number of seconds, got ${recording.duration}`, {
      file: where,
      field: 'duration',
    });
  }
  for (const field of ['ref', 'hyp'] as const) {
    recording[field].forEach(([s, e], i) => {
      if (!(Number.isFinite(s) && Number.isFinite(e) && s >= 0 && e >= s)) {
        throw new PipelineError('E_INPUT', `event [${s}, ${e}] must satisfy 0 <= start <= stop`, { file: where, field: `${field}[${i}]` });
      }
    });
  }
}

/** timescoring's `Annotation(events, fs, n).mask` as runs: `mask[round(s·fs):round(e·fs)] = True`. */
function maskRuns(events: readonly Interval[], fs: number, n: number) {
  return unionRuns(
    events.map(([s, e]) => [pyRound(s * fs), pyRound(e * fs)] as const),
    n,
  );
}

/**
 * SzCORE sample-based scoring (timescoring 0.0.7 `SampleScoring`): both annotations are rebuilt as
 * masks at `fs` (`round(t·fs)`, Python's round-half-even; `numSamples = round(duration·fs)`),
 * then tp = Σ ref∧hyp, fp = Σ ¬ref∧hyp, refTrue = Σ ref. Overlapping events are simply OR-ed.
 */
export function timescoringSample(recordings: readonly Recording[], options: TimescoringSampleOptions = {}): TimescoringResult {
  const fs = options.fs ?? 1;
  if (!(fs > 0)) throw new PipelineError('E_USAGE', `fs must be positive, got ${fs}`, { field: 'fs' });
  const perRecording = recordings.map((recording, index) => {
    checkRecording(recording, index);
    const n = pyRound(recording.duration * fs);
    const ref = maskRuns(recording.ref, fs, n);
    const hyp = maskRuns(recording.hyp, fs, n);
    const tp = intersectionSize(ref, hyp);
    return scores(tp, runsSize(hyp) - tp, runsSize(ref), n, fs);
  });
  return pooled(perRecording, () => fs);
}

/** Sorts by start, then merges neighbours closer than `minGap` (strict), exactly as timescoring (no max on the end). */
function mergeNeighbours(events: readonly Interval[], minGap: number): [number, number][] {
  const merged = [...events].map(([s, e]) => [s, e] as [number, number]).sort((a, b) => a[0] - b[0]);
  let i = 1;
  while (i < merged.length) {
    const event = merged[i]!;
    const previous = merged[i - 1]!;
    if (event[0] - previous[1] < minGap) {
      merged[i - 1] = [previous[0], event[1]];
      merged.splice(i, 1);
      i -= 1;
    }
    i += 1;
  }
  return merged;
}

/**
 * SzCORE event-based scoring (timescoring 0.0.7 `EventScoring`, SzCORE defaults): at a fixed 10 Hz,
 * reference and hypothesis events are merged (gap < `minDurationBetweenEvents`) then split
 * (> `maxEventDuration`); a reference event is a true positive when detections cover more than
 * `minOverlap` of its window extended by the tolerances; a hypothesis event is a false positive
 * when none of its samples falls in a detected window.
 */
export function timescoringEvent(recordings: readonly Recording[], options: TimescoringEventOptions = {}): TimescoringResult {
  const fs = 10;
  const toleranceStart = options.toleranceStart ?? 30;
  const toleranceEnd = options.toleranceEnd ?? 60;
  const minOverlap = options.minOverlap ?? 0;
  const maxEventDuration = options.maxEventDuration ?? 300;
  const minGap = options.minDurationBetweenEvents ?? 90;
  if (!(maxEventDuration > 0)) {
    throw new PipelineError('E_USAGE', `maxEventDuration must be positive, got ${maxEventDuration}`, { field: 'maxEventDuration' });
  }
  const perRecording = recordings.map((recording, index) => {
    checkRecording(recording, index);
    const n = pyRound(recording.duration * fs);
    const fileDuration = n / fs;
    const ref = splitLongEvents(mergeNeighbours(recording.ref, minGap), maxEventDuration);
    const hypEvents = splitLongEvents(mergeNeighbours(recording.hyp, minGap), maxEventDuration);
    const hyp = maskRuns(hypEvents, fs, n);
    let tp = 0;
    const detected: [number, number][] = [];
    for (const [s, e] of ref) {
      const start = Math.max(0, s - toleranceStart);
      const stop = Math.min(fileDuration, e + toleranceEnd);
      const a = pyRound(start * fs);
      const b = pyRound(stop * fs);
      const covered = countInRange(hyp, a, b) / fs;
      const width = stop - start;
      const relative = width !== 0 ? covered / width : covered > 0 ? Infinity : NaN;
      if (relative > minOverlap + 1e-6) {
        tp += 1;
        detected.push([a, b]);
      }
    }
    const tpMask = unionRuns(detected, n);
    let fp = 0;
    for (const [s, e] of hypEvents) {
      const a = Math.max(0, pyRound(s * fs));
      const b = Math.min(n, pyRound(e * fs));
      if (!(a < b) || countInRange(tpMask, a, b) === 0) fp += 1;
    }
    return scores(tp, fp, ref.length, n, fs);
  });
  return pooled(perRecording, () => fs);
}
