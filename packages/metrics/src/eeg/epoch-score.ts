import { PipelineError } from '@pipeline/core';
import { confusionRecord, nedcPerformance, NedcCounts, type NedcResult, type RawCounts } from './nedc-scores.js';
import { BCKG, LABELS, loadRecording, type Timeline } from './nedc-timeline.js';
import type { OverlapPolicy, Recording } from './types.js';

export interface EpochOptions {
  /** Epoch length in seconds. Default 0.25 (NEDC's parameter file). */
  readonly epochDuration?: number;
  /** Overlapping events within one annotation. Default `'error'`. */
  readonly overlapping?: OverlapPolicy;
}

/** Samples both timelines at `E/2 + k·E` (k = 0, 1, … while ≤ the end) into `acc.sub` and `acc.tgt`. */
export function sampleEpochs(recordings: readonly Recording[], options: EpochOptions, acc: NedcCounts): number {
  const epoch = options.epochDuration ?? 0.25;
  if (!(epoch > 0 && Number.isFinite(epoch))) {
    throw new PipelineError('E_USAGE', `epochDuration must be a positive number of seconds, got ${epoch}`, { field: 'epochDuration' });
  }
  recordings.forEach((recording, index) => {
    const { ref, hyp } = loadRecording(recording, index, options.overlapping ?? 'error');
    const end = ref.stop[ref.n - 1]!;
    acc.totalDuration += end;
    const refAt = labelCursor(ref);
    const hypAt = labelCursor(hyp);
    const half = epoch / 2;
    for (let k = 0; ; k++) {
      const t = half + k * epoch;
      if (!(t <= end)) break;
      const r = refAt(t);
      acc.sub[r * 2 + hypAt(t)]! += 1;
      acc.tgt[r]! += 1;
    }
  });
  return epoch;
}

/**
 * The label at time t: the first event in list order with `start <= t <= stop`; NEDC falls back to
 * the last event when none matches. Times must be queried in increasing order.
 */
function labelCursor(t: Timeline): (time: number) => number {
  let p = 0;
  return (time) => {
    if (!t.monotone) {
      for (let i = 0; i < t.n; i++) if (time >= t.start[i]! && time <= t.stop[i]!) return t.label[i]!;
      return t.label[t.n - 1]!;
    }
    while (p < t.n && time > t.stop[p]!) p++;
    return p < t.n && t.start[p]! <= time ? t.label[p]! : t.label[t.n - 1]!;
  };
}

/** TN, FP, FN of label `l` from the confusion counts (NxN → 2x2). */
export function confusionCounts(sub: Float64Array, l: number): Pick<RawCounts, 'tp' | 'tn' | 'fp' | 'fn'> {
  const other = 1 - l;
  return { tp: sub[l * 2 + l]!, tn: sub[other * 2 + other]!, fp: sub[other * 2 + l]!, fn: sub[l * 2 + other]! };
}

/**
 * Epoch-based scoring (EPOCH), as NEDC v6.0.0's `NedcEpoch`: both timelines are sampled every
 * `epochDuration` seconds (at the epoch centres) and tabulated in a confusion matrix. Background is
 * the null class: seizure false alarms are background epochs labelled seizure. FA/24h here is
 * false-positive **seconds** per 24 h (FP epochs × epoch duration), not an event count.
 */
export function epochScore(recordings: readonly Recording[], options: EpochOptions = {}): NedcResult {
  const acc = new NedcCounts();
  const epoch = sampleEpochs(recordings, options, acc);
  const { sub } = acc;
  const counts = LABELS.map((_, l): RawCounts => {
    const other = 1 - l;
    const isNull = l === BCKG;
    return {
      tgt: acc.tgt[l]!,
      hit: sub[l * 2 + l]!,
      mis: sub[l * 2 + other]!,
      fal: isNull ? 0 : sub[BCKG * 2 + l]!,
      ins: isNull ? 0 : sub[BCKG * 2 + l]!,
      del: isNull ? 0 : sub[l * 2 + BCKG]!,
      ...confusionCounts(sub, l),
    };
  });
  return nedcPerformance(counts, acc.totalDuration, epoch, { confusion: confusionRecord(sub) });
}
