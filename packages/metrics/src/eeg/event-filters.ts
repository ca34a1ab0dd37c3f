import { PipelineError } from '@pipeline/core';
import { RunBuilder, type SampleRuns } from './sample-runs.js';
import type { Interval } from './types.js';

/** Keeps events lasting at least `minDuration` seconds (`stop − start >= minDuration`). */
export function removeShortEvents(events: readonly Interval[], minDuration: number): Interval[] {
  return events.filter(([s, e]) => e - s >= minDuration);
}

/**
 * Keeps runs of at least `minSamples` samples. SeizureTransformer's rule with `minSamples =
 * int(minDuration · fs)` (its original code also misses a run that starts on the last sample; this
 * one does not).
 */
export function removeShortRuns(runs: SampleRuns, minSamples: number): SampleRuns {
  const builder = new RunBuilder(runs.length);
  for (let r = 0; r < runs.starts.length; r++) {
    if (runs.ends[r]! - runs.starts[r]! >= minSamples) builder.push(runs.starts[r]!, runs.ends[r]!);
  }
  return builder.build();
}

export interface MergeGapOptions {
  /**
   * Merge when the gap is `<= maxGap` (brain-go-brr-v2's `merge_events`) instead of the default
   * strict `< maxGap` (timescoring's `minDurationBetweenEvents`).
   */
  readonly inclusive?: boolean;
}

/** Sorts events by start and merges neighbours separated by a gap shorter than `maxGap` seconds (overlaps always merge). */
export function mergeEventGaps(events: readonly Interval[], maxGap: number, options: MergeGapOptions = {}): Interval[] {
  const sorted = [...events].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    const gap = last === undefined ? Infinity : s - last[1];
    if (last !== undefined && (gap <= 0 || (options.inclusive === true ? gap <= maxGap : gap < maxGap))) {
      if (e > last[1]) last[1] = e;
    } else {
      out.push([s, e]);
    }
  }
  return out;
}

/**
 * Splits events longer than `maxDuration` seconds into consecutive chunks of exactly `maxDuration`
 * (the last one is the remainder), as timescoring does before event scoring.
 */
export function splitLongEvents(events: readonly Interval[], maxDuration: number): Interval[] {
  if (!(maxDuration > 0)) throw new PipelineError('E_USAGE', `maxDuration must be positive, got ${maxDuration}`, { field: 'maxDuration' });
  const out: Interval[] = [];
  for (const [s, e] of events) {
    let start = s;
    while (e - start > maxDuration) {
      out.push([start, start + maxDuration]);
      start += maxDuration;
    }
    out.push([start, e]);
  }
  return out;
}
