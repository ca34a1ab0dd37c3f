import { PipelineError } from '@pipeline/core';
import { sortedScoresAuc } from '../binary-curve.js';
import { eventsToRuns } from './sample-runs.js';
import type { ProbabilityRecording } from './types.js';

/**
 * Sample-level ROC AUC of per-sample seizure probabilities against the reference (a sanity metric,
 * not a clinical one): sample i is positive when it lies in a reference event (`[round(start·fs),
 * round(stop·fs))`, round half to even), pooled over recordings. Exact (ties count one half):
 * positives and negatives are copied and sorted with the native typed-array sort, then merged.
 * Memory: one copy of the probabilities (float32 when every input is float32).
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
  const float32 = recordings.every((r) => r.proba instanceof Float32Array);
  const buffer = float32 ? new Float32Array(total) : new Float64Array(total);
  // Positives fill the front of the buffer, negatives the back.
  let p = 0;
  let q = positives;
  recordings.forEach((r, index) => {
    const runs = masks[index]!;
    let cursor = 0;
    const copyNegatives = (from: number, to: number): void => {
      for (let i = from; i < to; i++) buffer[q++] = check(r.proba[i]!, index, i);
    };
    for (let k = 0; k < runs.starts.length; k++) {
      copyNegatives(cursor, runs.starts[k]!);
      for (let i = runs.starts[k]!; i < runs.ends[k]!; i++) buffer[p++] = check(r.proba[i]!, index, i);
      cursor = runs.ends[k]!;
    }
    copyNegatives(cursor, r.proba.length);
  });
  const pos = buffer.subarray(0, positives).sort();
  const neg = buffer.subarray(positives).sort();
  return sortedScoresAuc(pos, neg);
}

function check(value: number, recording: number, i: number): number {
  if (Number.isNaN(value)) {
    throw new PipelineError('E_INPUT', `probability ${i} of recording ${recording} is NaN`, { field: 'proba' });
  }
  return value;
}
