import { resolveContext, throwIfAborted, type FitContext } from '@pipeline/core';
import type { WindowSet } from '@pipeline/eeg';
import type { Interval, ProbabilityRecording } from '@pipeline/metrics/eeg';
import { tf } from '@pipeline/tf';
import { binaryCrossEntropyWithLogits } from './binary-cross-entropy.js';
import type { SeizureForward } from './seizure-net.js';
import { fillWindowBatch } from './window-batches.js';

export interface PredictWindowsOptions extends FitContext {
  /** Windows per forward pass. */
  readonly batchSize: number;
  /** Positive weight of the reported loss (the training loss's). Default 1. */
  readonly positiveWeight?: number;
  /** Progress label. */
  readonly label?: string;
}

/** A recording's stitched per-sample probabilities, ready for `@pipeline/metrics/eeg`. */
export interface RecordingProbabilities extends ProbabilityRecording {
  readonly id: string;
  readonly proba: Float32Array;
  readonly duration: number;
  /** Samples that no window covered (their probability is 0). */
  readonly uncovered: number;
}

export interface WindowPredictions {
  readonly recordings: RecordingProbabilities[];
  /** Mean binary cross-entropy over every window sample (the training loss's definition). */
  readonly loss: number;
  readonly windows: number;
}

/**
 * Runs the network over every window of a set and stitches the per-sample probabilities back onto
 * each recording's timeline (`round(durationSec · sampleRate)` samples): where windows overlap, the
 * probabilities are averaged. The reference events come from the set's `recordings`. The loss over
 * the windows is computed on the way (the validation loss).
 */
export async function predictWindows(forward: SeizureForward, set: WindowSet, options: PredictWindowsOptions): Promise<WindowPredictions> {
  const { signal, onProgress } = resolveContext(options);
  const channels = set.channels.length;
  const samples = set.windowSamples;
  const fs = set.sampleRate;
  const byId = new Map<string, { sum: Float32Array; count: Uint16Array }>();
  for (const r of set.recordings) {
    const length = Math.round(r.durationSec * fs);
    byId.set(r.id, { sum: new Float32Array(length), count: new Uint16Array(length) });
  }
  const batchSize = Math.max(1, Math.min(options.batchSize, set.length));
  const x = new Float32Array(batchSize * samples * channels);
  const y = new Float32Array(batchSize * samples);
  const batches = Math.ceil(set.length / batchSize);
  let lossSum = 0;
  for (let b = 0; b < batches; b++) {
    throwIfAborted(signal, options.label ?? 'seizure prediction');
    const start = b * batchSize;
    const rows = Math.min(batchSize, set.length - start);
    const indices = Int32Array.from({ length: rows }, (_, k) => start + k);
    const placed = fillWindowBatch(set, indices, x, y);
    const [probabilities, loss] = tf.tidy(() => {
      const logits = forward(tf.tensor3d(x.subarray(0, rows * samples * channels), [rows, samples, channels]));
      const labels = tf.tensor2d(y.subarray(0, rows * samples), [rows, samples]);
      return [tf.sigmoid(logits), binaryCrossEntropyWithLogits(logits, labels, options.positiveWeight ?? 1)];
    });
    const values = probabilities.dataSync() as Float32Array;
    lossSum += loss.dataSync()[0]! * rows;
    tf.dispose([probabilities, loss]);
    for (let k = 0; k < rows; k++) {
      const window = placed[k]!;
      const target = byId.get(window.recording);
      if (target === undefined) continue;
      const offset = window.startSample;
      const end = Math.min(target.sum.length, offset + samples);
      for (let t = Math.max(0, offset); t < end; t++) {
        target.sum[t] = target.sum[t]! + values[k * samples + (t - offset)]!;
        target.count[t] = target.count[t]! + 1;
      }
    }
    onProgress({ stage: 'predict', current: b + 1, total: batches, ...(options.label === undefined ? {} : { label: options.label }) });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const recordings = set.recordings.map((r): RecordingProbabilities => {
    const { sum, count } = byId.get(r.id)!;
    let uncovered = 0;
    for (let t = 0; t < sum.length; t++) {
      if (count[t]! > 0) sum[t] = sum[t]! / count[t]!;
      else uncovered++;
    }
    const duration = sum.length / fs;
    const ref: Interval[] = r.seizures
      .map((s) => [Math.max(0, s.start), Math.min(s.stop, duration)] as const)
      .filter(([start, stop]) => stop > start);
    return { id: r.id, proba: sum, fs, ref, duration, uncovered };
  });
  return { recordings, loss: set.length > 0 ? lossSum / set.length : NaN, windows: set.length };
}
