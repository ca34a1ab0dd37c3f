import { hitMissCounts, nedcPerformance, NedcCounts, type NedcResult } from './nedc-scores.js';
import { loadRecording, strictOverlap, touchWindow, type Timeline } from './nedc-timeline.js';
import type { OverlapPolicy, Recording } from './types.js';

export interface NedcScorerOptions {
  /** Overlapping events within one annotation. Default `'error'`. */
  readonly overlapping?: OverlapPolicy;
}

/**
 * Any-overlap scoring (OVLP), as NEDC v6.0.0's `NedcOverlap`: a reference event is a hit if any
 * hypothesis event of the same label overlaps it (touching does not count; NEDC's 1 ms guard band
 * is disabled in v6.0.0), otherwise a miss; a hypothesis event that overlaps no reference event of
 * its label is one false alarm. Integer counts, summed over recordings.
 */
export function ovlp(recordings: readonly Recording[], options: NedcScorerOptions = {}): NedcResult {
  const acc = new NedcCounts();
  recordings.forEach((recording, index) => {
    const { ref, hyp } = loadRecording(recording, index, options.overlapping ?? 'error');
    acc.totalDuration += ref.stop[ref.n - 1]!;
    countOverlaps(ref, hyp, (i, found) => {
      const label = ref.label[i]!;
      acc.tgt[label]! += 1;
      if (found) acc.hit[label]! += 1;
      else acc.mis[label]! += 1;
    });
    countOverlaps(hyp, ref, (j, found) => {
      if (!found) acc.fal[hyp.label[j]!]! += 1;
    });
  });
  return nedcPerformance(hitMissCounts(acc), acc.totalDuration);
}

/** For each event of `a`: whether some event of `b` with the same label overlaps it. */
function countOverlaps(a: Timeline, b: Timeline, report: (i: number, found: boolean) => void): void {
  for (let i = 0; i < a.n; i++) {
    const [lo, hi] = touchWindow(b, a.iStart[i]!, a.iStop[i]!);
    let found = false;
    for (let j = lo; j < hi && !found; j++) found = b.label[j] === a.label[i] && strictOverlap(a, i, b, j);
    report(i, found);
  }
}
