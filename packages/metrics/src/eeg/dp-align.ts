import { confusionCounts } from './epoch-score.js';
import { confusionRecord, nedcPerformance, NedcCounts, type NedcResult, type RawCounts } from './nedc-scores.js';
import { LABELS, loadRecording, type Timeline } from './nedc-timeline.js';
import type { NedcScorerOptions } from './ovlp.js';
import type { Recording } from './types.js';

const NULL = 2;
const SUB = 0;
const INS = 1;
const DEL = 2;

/**
 * Dynamic-programming alignment (DPALIGN), as NEDC v6.0.0's `NedcDpalign`: timing is ignored; the
 * label sequences of the filled timelines (background included) are aligned by Levenshtein distance
 * (insertion, deletion and substitution cost 1; NEDC's tie-breaking: substitution unless insertion
 * is strictly cheaper, then deletion if strictly cheaper). Hits are matched labels, misses are
 * deletions and substitutions, false alarms are insertions. Memory is one byte per (ref event × hyp
 * event) of a recording.
 */
export function dpAlign(recordings: readonly Recording[], options: NedcScorerOptions = {}): NedcResult {
  const acc = new NedcCounts();
  recordings.forEach((recording, index) => {
    const { ref, hyp } = loadRecording(recording, index, options.overlapping ?? 'error');
    acc.totalDuration += ref.stop[ref.n - 1]!;
    alignRecording(ref, hyp, acc);
  });
  const counts = LABELS.map(
    (_, l): RawCounts => ({
      tgt: acc.tgt[l]!,
      hit: acc.hit[l]!,
      mis: acc.mis[l]!,
      fal: acc.fal[l]!,
      ins: acc.ins[l]!,
      del: acc.del[l]!,
      ...confusionCounts(acc.sub, l),
      tp: acc.hit[l]!,
      fp: acc.ins[l]!,
      fn: acc.mis[l]!,
    }),
  );
  return nedcPerformance(counts, acc.totalDuration, 1, { confusion: confusionRecord(acc.sub) });
}

function padded(t: Timeline): Uint8Array {
  const out = new Uint8Array(t.n + 2);
  out[0] = NULL;
  out.set(t.label, 1);
  out[t.n + 1] = NULL;
  return out;
}

function alignRecording(refTimeline: Timeline, hypTimeline: Timeline, acc: NedcCounts): void {
  const ref = padded(refTimeline);
  const hyp = padded(hypTimeline);
  const m = ref.length;
  const n = hyp.length;
  const types = new Uint8Array(m * n);
  let prev = new Float64Array(m);
  let cur = new Float64Array(m);
  for (let i = 0; i < m; i++) prev[i] = i;
  for (let i = 1; i < m; i++) types[i * n] = DEL;
  for (let j = 1; j < n; j++) types[j] = INS;
  types[0] = SUB;
  for (let j = 1; j < n; j++) {
    cur[0] = j;
    for (let i = 1; i < m; i++) {
      const del = cur[i - 1]! + 1;
      const ins = prev[i]! + 1;
      let best = prev[i - 1]! + (ref[i] !== hyp[j] ? 1 : 0);
      let type = SUB;
      if (ins < best) {
        best = ins;
        type = INS;
      }
      if (del < best) {
        best = del;
        type = DEL;
      }
      cur[i] = best;
      types[i * n + j] = type;
    }
    [prev, cur] = [cur, prev];
  }
  // Backtrace from the bottom-right cell to (0, 0).
  const pairs: [number, number][] = [];
  let i = m - 1;
  let j = n - 1;
  while (i >= 0 || j >= 0) {
    const type = types[i * n + j]!;
    if (type === DEL) {
      pairs.push([ref[i]!, NULL]);
      i--;
    } else if (type === INS) {
      pairs.push([NULL, hyp[j]!]);
      j--;
    } else {
      pairs.push([ref[i]!, hyp[j]!]);
      i--;
      j--;
    }
  }
  pairs.reverse();
  for (let k = 1; k < pairs.length - 1; k++) {
    const [r, h] = pairs[k]!;
    if (r === NULL) {
      acc.ins[h]! += 1;
      acc.fal[h]! += 1;
    } else if (h === NULL) {
      acc.tgt[r]! += 1;
      acc.del[r]! += 1;
      acc.mis[r]! += 1;
    } else {
      acc.tgt[r]! += 1;
      acc.sub[r * 2 + h]! += 1;
      if (r === h) acc.hit[r]! += 1;
      else acc.mis[r]! += 1;
    }
  }
}
