import { PipelineError } from '@pipeline/core';
import { sortedScoresAuc } from '../binary-curve.js';
import { eventsToRuns, type SampleRuns } from './sample-runs.js';
import type { ProbabilityRecording } from './types.js';

/**
 * Sample-level ROC AUC of per-sample seizure probabilities against the reference (a sanity metric,
 * not a clinical one): sample i is positive when it lies in a reference event (`[round(start·fs),
 * round(stop·fs))`, round half to even), pooled over recordings. Exact (ties count one half).
 * Float32 traces are ranked by an O(n) radix sort of their bit patterns (two extra 4-byte copies
 * of the timeline); other arrays are copied to float64 and sorted natively.
 */
export function timelineAuroc(recordings: readonly ProbabilityRecording[]): number {
  let positives = 0;
  let total = 0;
  const masks = recordings.map((r) => {
    const runs = eventsToRuns(r.ref, r.fs, r.proba.length);
    for (let k = 0; k < runs.starts.length; k++) positives += runs.ends[k]! - runs.starts[k]!;
    total += r.proba.length;
    return runs;
  });
  if (positives === 0 || positives === total) {
    throw new PipelineError('E_INPUT', 'timelineAuroc: needs both seizure and background samples', {
      field: 'ref',
      hint: 'include recordings with and without seizures',
    });
  }
  recordings.forEach((r, index) => {
    for (let i = 0; i < r.proba.length; i++) {
      if (Number.isNaN(r.proba[i]!)) {
        throw new PipelineError('E_INPUT', `probability ${i} of recording ${index} is NaN`, { field: 'proba' });
      }
    }
  });
  if (recordings.every((r) => r.proba instanceof Float32Array)) {
    const keys = new Uint32Array(total);
    partition(recordings, masks, positives, (r) => float32Key(r.proba as Float32Array), keys);
    const scratch = new Uint32Array(Math.max(positives, total - positives));
    return sortedScoresAuc(radixSort(keys.subarray(0, positives), scratch), radixSort(keys.subarray(positives), scratch));
  }
  const values = new Float64Array(total);
  partition(recordings, masks, positives, (r) => (i) => r.proba[i]!, values);
  return sortedScoresAuc(values.subarray(0, positives).sort(), values.subarray(positives).sort());
}

/** Copies positives to the front of `out` and negatives to the back. */
function partition(
  recordings: readonly ProbabilityRecording[],
  masks: readonly SampleRuns[],
  positives: number,
  reader: (r: ProbabilityRecording) => (i: number) => number,
  out: { [i: number]: number },
): void {
  let p = 0;
  let q = positives;
  recordings.forEach((r, index) => {
    const read = reader(r);
    const runs = masks[index]!;
    let cursor = 0;
    for (let k = 0; k <= runs.starts.length; k++) {
      const start = k < runs.starts.length ? runs.starts[k]! : r.proba.length;
      for (let i = cursor; i < start; i++) out[q++] = read(i);
      if (k === runs.starts.length) break;
      for (let i = start; i < runs.ends[k]!; i++) out[p++] = read(i);
      cursor = runs.ends[k]!;
    }
  });
}

/** Reader of order-preserving unsigned keys of float32 bit patterns (−0 is read as +0). */
function float32Key(values: Float32Array): (i: number) => number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return (i) => {
    const b = bits[i]! === 0x80000000 ? 0 : bits[i]!;
    return b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  };
}

/** LSD radix sort of unsigned 32-bit keys in two 16-bit passes; `scratch` holds at least `keys.length`. */
function radixSort(keys: Uint32Array, scratch: Uint32Array): Uint32Array {
  const n = keys.length;
  const tmp = scratch.subarray(0, n);
  const counts = new Uint32Array(65536);
  let src = keys;
  let dst = tmp;
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      dst[counts[(x >>> shift) & 0xffff]!++] = x;
    }
    [src, dst] = [dst, src];
  }
  return src;
}
