import { PipelineError } from '@pipeline/core';
import { pyRoundTo } from '../python-round.js';
import type { Interval, LabeledEvent, NedcLabel, OverlapPolicy, Recording } from './types.js';

/** Label codes inside the scorers, in NEDC's map order. */
export const SEIZ = 0;
export const BCKG = 1;
export const LABELS: readonly NedcLabel[] = ['seiz', 'bckg'];

/**
 * A filled timeline as structure-of-arrays. `monotone` says starts and stops are both
 * non-decreasing (always true for validated input), which lets the scorers search windows
 * instead of scanning every event.
 */
export interface Timeline {
  readonly n: number;
  readonly start: Float64Array;
  readonly stop: Float64Array;
  readonly label: Uint8Array;
  /** `int(start)` / `int(stop)` as Python computes them (truncation), for NEDC's integer-second test. */
  readonly iStart: Float64Array;
  readonly iStop: Float64Array;
  readonly monotone: boolean;
}

export interface TimelineOptions {
  /** Overlapping events: reject (default), merge, or pass to the NEDC loader unchanged. */
  readonly overlapping?: OverlapPolicy;
}

/**
 * The timeline NEDC v6.0.0 scores for one annotation: seizure events sorted by start, gaps filled
 * with background (filler boundaries rounded to 4 decimals, event times kept as given), then runs
 * of the same label merged (so touching seizures become one). No events: a single background event
 * `[0, duration]`.
 */
export function nedcTimeline(events: readonly Interval[], duration: number, options: TimelineOptions = {}): LabeledEvent[] {
  const t = loadTimeline(events, duration, options.overlapping ?? 'error', 'events');
  return Array.from({ length: t.n }, (_, i) => ({ start: t.start[i]!, stop: t.stop[i]!, label: LABELS[t.label[i]!]! }));
}

/** Validates a recording and loads both of its timelines. */
export function loadRecording(recording: Recording, index: number, overlapping: OverlapPolicy): { ref: Timeline; hyp: Timeline } {
  const where = recording.id ?? `recordings[${index}]`;
  if (!(Number.isFinite(recording.duration) && recording.duration > 0)) {
    throw new PipelineError('E_INPUT', `duration must be a positive number of seconds, got ${recording.duration}`, {
      file: where,
      field: 'duration',
    });
  }
  return {
    ref: loadTimeline(recording.ref, recording.duration, overlapping, 'ref', where),
    hyp: loadTimeline(recording.hyp, recording.duration, overlapping, 'hyp', where),
  };
}

export function loadTimeline(
  events: readonly Interval[],
  duration: number,
  overlapping: OverlapPolicy,
  field: string,
  file?: string,
): Timeline {
  const details = (f: string, hint?: string) => ({ ...(file === undefined ? {} : { file }), field: f, ...(hint ? { hint } : {}) });
  const list = events.map((e, i) => {
    const [start, stop] = e;
    if (!Number.isFinite(start) || !Number.isFinite(stop)) {
      throw new PipelineError('E_INPUT', `event [${start}, ${stop}] has a non-finite time`, details(`${field}[${i}]`));
    }
    if (overlapping !== 'nedc' && !(start >= 0 && stop > start && stop <= duration)) {
      throw new PipelineError('E_INPUT', `event [${start}, ${stop}] must satisfy 0 <= start < stop <= duration (${duration})`, {
        ...details(`${field}[${i}]`, 'clip events to the recording and drop empty ones'),
      });
    }
    return { start, stop, index: i };
  });
  list.sort((a, b) => a.start - b.start || a.index - b.index);
  let sorted: { start: number; stop: number; index: number }[] = list;
  if (overlapping !== 'nedc') {
    const merged: { start: number; stop: number; index: number }[] = [];
    for (const e of list) {
      const last = merged[merged.length - 1];
      if (last !== undefined && e.start < last.stop) {
        if (overlapping === 'error') {
          throw new PipelineError(
            'E_INPUT',
            `events ${field}[${last.index}] [${last.start}, ${last.stop}] and ${field}[${e.index}] [${e.start}, ${e.stop}] overlap`,
            details(field, "merge them first, or pass { overlapping: 'merge' }"),
          );
        }
        if (e.stop > last.stop) last.stop = e.stop;
        continue;
      }
      merged.push({ ...e });
    }
    sorted = merged;
  }
  return fillAndMerge(sorted, duration);
}

function fillAndMerge(events: readonly { start: number; stop: number }[], duration: number): Timeline {
  const start: number[] = [];
  const stop: number[] = [];
  const label: number[] = [];
  const push = (s: number, e: number, l: number): void => {
    // NEDC merges consecutive events of the same label into [first.start, last.stop].
    if (label.length > 0 && label[label.length - 1] === l) {
      stop[stop.length - 1] = e;
      return;
    }
    start.push(s);
    stop.push(e);
    label.push(l);
  };
  if (events.length === 0) {
    push(0, duration, BCKG);
  } else {
    let cur = 0;
    for (const e of events) {
      const s4 = pyRoundTo(e.start, 4);
      if (cur !== s4) push(cur, s4, BCKG);
      push(e.start, e.stop, SEIZ);
      cur = pyRoundTo(e.stop, 4);
    }
    const d4 = pyRoundTo(duration, 4);
    if (cur !== d4) push(cur, d4, BCKG);
  }
  const n = start.length;
  let monotone = true;
  for (let i = 1; i < n; i++) {
    if (!(start[i]! >= start[i - 1]! && stop[i]! >= stop[i - 1]!)) monotone = false;
  }
  return {
    n,
    start: Float64Array.from(start),
    stop: Float64Array.from(stop),
    label: Uint8Array.from(label),
    iStart: Float64Array.from(start, Math.trunc),
    iStop: Float64Array.from(stop, Math.trunc),
    monotone,
  };
}

/**
 * The index range `[lo, hi)` of events of `t` that can touch `[iFrom, iTo]` in integer seconds
 * (a superset of the events that overlap it in real time). Whole range when `t` is not monotone.
 */
export function touchWindow(t: Timeline, iFrom: number, iTo: number): [number, number] {
  if (!t.monotone) return [0, t.n];
  let lo = 0;
  let hi = t.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t.iStop[mid]! < iFrom) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < t.n && t.iStart[end]! <= iTo) end++;
  return [lo, end];
}

/** Strict overlap of event i of `a` and event j of `b` (touching events do not overlap). */
export function strictOverlap(a: Timeline, i: number, b: Timeline, j: number): boolean {
  return b.stop[j]! > a.start[i]! && b.start[j]! < a.stop[i]!;
}

/** NEDC's `anyovlp`: the inclusive integer-second ranges `[int(start), int(stop)]` intersect. */
export function integerOverlap(a: Timeline, i: number, b: Timeline, j: number): boolean {
  const lo = Math.max(a.iStart[i]!, b.iStart[j]!);
  const hi = Math.min(a.iStop[i]!, b.iStop[j]!);
  return a.iStart[i]! <= a.iStop[i]! && b.iStart[j]! <= b.iStop[j]! && lo <= hi;
}
