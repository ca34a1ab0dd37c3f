import { hitMissCounts, nedcPerformance, NedcCounts, type NedcResult } from './nedc-scores.js';
import { integerOverlap, loadRecording, strictOverlap, touchWindow, type Timeline } from './nedc-timeline.js';
import type { OverlapPolicy, Recording } from './types.js';

export interface TaesOptions {
  /**
   * `'nedc'` (default): bit-compatible with NEDC v6.0.0, which pairs a reference and a hypothesis
   * event when their *integer-second* ranges `[int(start), int(stop)]` intersect. That test can give
   * negative partial hits, let a hypothesis that ends just after a seizure "cover" the next one, and
   * charge a reference twice; published TAES numbers come from it. `'exact'`: the published
   * definition, pairing on true overlap (`hyp.stop > ref.start && hyp.start < ref.stop`); then every
   * hit is in [0, 1] and hit + miss = 1 per reference event.
   */
  readonly mode?: 'nedc' | 'exact';
  /** Overlapping events within one annotation. Default `'error'`. */
  readonly overlapping?: OverlapPolicy;
}

/**
 * Time-aligned event scoring (TAES), as NEDC v6.0.0's `NedcTAES`: each reference event carries
 * weight 1, split into a fractional hit (overlap / reference duration) and miss; the overhang of a
 * matched hypothesis, divided by the *reference* duration and capped at 1 per pair, is a fractional
 * false alarm; a hypothesis spanning several references credits only the first (each later one is
 * a full miss); unmatched hypotheses count 1 false alarm whatever their length. Counts are summed
 * over recordings; FA/24h divides by their total duration. Both seizure and background are scored.
 */
export function taes(recordings: readonly Recording[], options: TaesOptions = {}): NedcResult {
  const acc = new NedcCounts();
  const touches = options.mode === 'exact' ? strictOverlap : integerOverlap;
  recordings.forEach((recording, index) => {
    const { ref, hyp } = loadRecording(recording, index, options.overlapping ?? 'error');
    acc.totalDuration += ref.stop[ref.n - 1]!;
    taesRecording(ref, hyp, acc, touches);
  });
  return nedcPerformance(hitMissCounts(acc), acc.totalDuration);
}

type Touch = (a: Timeline, i: number, b: Timeline, j: number) => boolean;

/** NEDC's `calc_hf`: partial hit and false alarm of hypothesis j against reference i. */
function calcHf(ref: Timeline, i: number, hyp: Timeline, j: number): [hit: number, fa: number] {
  const rs = ref.start[i]!;
  const re = ref.stop[i]!;
  const hs = hyp.start[j]!;
  const he = hyp.stop[j]!;
  const d = re - rs;
  if (hs <= rs && he <= re) return [(he - rs) / d, (rs - hs) / d < 1 ? (rs - hs) / d : 1];
  if (hs >= rs && he >= re) return [(re - hs) / d, (he - re) / d < 1 ? (he - re) / d : 1];
  if (hs < rs && he > re) {
    const fa = (he - re + (rs - hs)) / d;
    return [1, fa > 1 ? 1 : fa];
  }
  return [(he - hs) / d, 0];
}

function taesRecording(ref: Timeline, hyp: Timeline, acc: NedcCounts, touches: Touch): void {
  const refFree = new Uint8Array(ref.n).fill(1);
  const hypFree = new Uint8Array(hyp.n).fill(1);
  for (let i = 0; i < ref.n; i++) {
    const label = ref.label[i]!;
    acc.tgt[label]! += 1;
    if (refFree[i] === 0) continue;
    const [lo, hi] = touchWindow(hyp, ref.iStart[i]!, ref.iStop[i]!);
    // Gate: some same-label hypothesis overlaps this reference in real time (flags ignored).
    let gate = false;
    for (let j = lo; j < hi && !gate; j++) gate = hyp.label[j] === label && strictOverlap(ref, i, hyp, j);
    if (!gate) continue;
    for (let j = lo; j < hi; j++) {
      if (hyp.label[j] !== label || hypFree[j] === 0 || !touches(ref, i, hyp, j)) continue;
      let [hit, fa] = calcHf(ref, i, hyp, j);
      let miss = 1 - hit;
      hypFree[j] = 0;
      refFree[i] = 0;
      if (hyp.stop[j]! >= ref.stop[i]!) {
        // The hypothesis reaches past this reference: every later reference under it is a full miss.
        for (let k = i + 1; k < ref.n && (!ref.monotone || ref.iStart[k]! <= hyp.iStop[j]!); k++) {
          if (ref.label[k] === label && touches(ref, k, hyp, j)) {
            refFree[k] = 0;
            miss += 1;
          }
        }
      } else if (ref.stop[i]! > hyp.stop[j]!) {
        // The reference reaches past this hypothesis: later hypotheses under it add their hits.
        for (let k = j + 1; k < hyp.n && (!hyp.monotone || hyp.iStart[k]! <= ref.iStop[i]!); k++) {
          if (hyp.label[k] === label && touches(ref, i, hyp, k)) {
            hypFree[k] = 0;
            const [hit2, fa2] = calcHf(ref, i, hyp, k);
            hit += hit2;
            miss -= hit2;
            fa += fa2;
          }
        }
      }
      acc.hit[label]! += hit;
      acc.mis[label]! += miss;
      acc.fal[label]! += fa;
    }
  }
  for (let i = 0; i < ref.n; i++) if (refFree[i] === 1) acc.mis[ref.label[i]!]! += 1;
  for (let j = 0; j < hyp.n; j++) if (hypFree[j] === 1) acc.fal[hyp.label[j]!]! += 1;
}
