import { PipelineError } from '@pipeline/core';
import { pyRound } from '../python-round.js';
import type { BlockExtrema } from './block-extrema.js';
import { scanDown, scanUp } from './scan.js';
import type { Interval } from './types.js';

/**
 * A binary timeline as its runs of ON samples: run k covers samples `[starts[k], ends[k])`. Runs are
 * sorted, non-empty and separated by at least one OFF sample. This is the representation the
 * post-processing works on: a 24 h recording at 256 Hz is 22 M samples but a few hundred runs.
 */
export interface SampleRuns {
  /** Timeline length in samples. */
  readonly length: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** Appends runs to growable typed arrays, merging a run that touches or overlaps the previous one. */
export class RunBuilder {
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private count = 0;

  constructor(readonly length: number) {
    if (!Number.isInteger(length) || length < 0 || length > 0x7fffffff) {
      throw new PipelineError('E_INPUT', `a timeline must have between 0 and 2^31 − 1 samples, got ${length}`, { field: 'length' });
    }
  }

  /** Adds `[start, end)`; runs must come in order of start. Empty runs are ignored. */
  push(start: number, end: number): void {
    if (!(start < end)) return;
    const last = this.count - 1;
    if (last >= 0 && start <= this.ends[last]!) {
      if (end > this.ends[last]!) this.ends[last] = end;
      return;
    }
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  build(): SampleRuns {
    return { length: this.length, starts: this.starts.slice(0, this.count), ends: this.ends.slice(0, this.count) };
  }
}

/** The runs of a mask (any non-zero / true value is ON). */
export function maskToRuns(mask: ArrayLike<number | boolean>): SampleRuns {
  const builder = new RunBuilder(mask.length);
  let start = -1;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      builder.push(start, i);
      start = -1;
    }
  }
  if (start >= 0) builder.push(start, mask.length);
  return builder.build();
}

/** A `Uint8Array` mask (1 = ON) of the runs. */
export function runsToMask(runs: SampleRuns): Uint8Array {
  const mask = new Uint8Array(runs.length);
  for (let k = 0; k < runs.starts.length; k++) mask.fill(1, runs.starts[k]!, runs.ends[k]!);
  return mask;
}

/** Events `[start / fs, end / fs)` in seconds. */
export function runsToEvents(runs: SampleRuns, fs: number): Interval[] {
  checkFs(fs);
  return Array.from(runs.starts, (s, k) => [s / fs, runs.ends[k]! / fs] as const);
}

export interface EventsToRunsOptions {
  /**
   * How event times map to sample indices: `'half-even'` (default) is `round(t·fs)` with Python's
   * round-half-even, as timescoring builds masks; `'floor'` truncates, as epilepsy2bids' `getMask`.
   */
  readonly rounding?: 'half-even' | 'floor';
}

/** Sample runs of events in seconds: sample indices `[round(start·fs), round(stop·fs))`, clipped and OR-ed. */
export function eventsToRuns(events: readonly Interval[], fs: number, length: number, options: EventsToRunsOptions = {}): SampleRuns {
  checkFs(fs);
  const toIndex = options.rounding === 'floor' ? Math.floor : pyRound;
  const ranges = events
    .map(([s, e]) => [Math.max(0, toIndex(s * fs)), Math.min(length, toIndex(e * fs))] as const)
    .sort((a, b) => a[0] - b[0]);
  const builder = new RunBuilder(length);
  for (const [a, b] of ranges) builder.push(a, b);
  return builder.build();
}

export interface ThresholdOptions {
  /** `p > threshold` instead of the default `p >= threshold` (SeizureTransformer uses `>`). */
  readonly strict?: boolean;
}

/**
 * Runs of a two-level detector: ON at the first sample at or above `onLevel` (strictly above with
 * `strict`), OFF again at the next sample that is not at or above `offLevel`. A threshold is the
 * case `onLevel = offLevel`; causal hysteresis `onLevel = tauOn > offLevel = tauOff`.
 */
export function twoLevelRuns(proba: ArrayLike<number>, onLevel: number, offLevel: number, strict: boolean, index?: BlockExtrema): SampleRuns {
  const n = proba.length;
  const builder = new RunBuilder(n);
  for (let i = 0; ; ) {
    const start = scanUp(proba, i, onLevel, strict, index);
    if (start >= n) break;
    i = scanDown(proba, start + 1, offLevel, strict, index);
    builder.push(start, i);
  }
  return builder.build();
}

/**
 * Runs of samples at or above (or strictly above) a threshold. Tight scans, no per-sample
 * allocation; with `index` (see {@link blockExtrema}) blocks entirely on one side are skipped.
 */
export function thresholdRuns(proba: ArrayLike<number>, threshold: number, options: ThresholdOptions = {}, index?: BlockExtrema): SampleRuns {
  return twoLevelRuns(proba, threshold, threshold, options.strict === true, index);
}

/** Binary mask of per-sample probabilities (`p >= threshold`, or `>` with `strict`). */
export function thresholdMask(proba: ArrayLike<number>, threshold: number, options: ThresholdOptions = {}): Uint8Array {
  return runsToMask(thresholdRuns(proba, threshold, options));
}

/** Events `[start, end)` in seconds of a binary mask at `fs`: its maximal runs. */
export function maskToEvents(mask: ArrayLike<number | boolean>, fs: number): Interval[] {
  return runsToEvents(maskToRuns(mask), fs);
}

/** A mask of `length` samples at `fs` from events in seconds (see {@link eventsToRuns} for rounding). */
export function eventsToMask(events: readonly Interval[], fs: number, length: number, options: EventsToRunsOptions = {}): Uint8Array {
  return runsToMask(eventsToRuns(events, fs, length, options));
}

export function checkFs(fs: number): void {
  if (!(Number.isFinite(fs) && fs > 0)) {
    throw new PipelineError('E_USAGE', `fs must be a positive sampling rate in Hz, got ${fs}`, { field: 'fs' });
  }
}
