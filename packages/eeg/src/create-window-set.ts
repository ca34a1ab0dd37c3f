import { PipelineError } from '@pipeline/core';
import { eventsToMask } from '@pipeline/metrics/eeg';
import type { PreprocessedRecording } from './preprocess.js';
import type { SeizureWindow, WindowSet } from './window-set.js';

/** A preprocessed recording with its reference seizures (seconds). */
export interface LabeledRecording extends PreprocessedRecording {
  readonly seizures: ReadonlyArray<readonly [number, number]>;
}

export interface WindowOptions {
  /** Window length in samples. Default 60 s at the recordings' rate (15,360 at 256 Hz). */
  readonly windowSamples?: number;
  /** Stride in samples. Default 10 s at the recordings' rate (2,560 at 256 Hz). */
  readonly strideSamples?: number;
  /**
   * Add a last window ending at the recording's end when the stride does not land there, so every
   * sample is covered (default true). A recording shorter than a window gets one zero-padded window
   * (its padding is background in the mask).
   */
  readonly coverEnd?: boolean;
}

/**
 * A lazy {@link WindowSet} over preprocessed recordings: `window(i)` copies one window out of the
 * recording's channels; nothing else is materialized. Masks come from the seizures with
 * `eventsToMask` of `@pipeline/metrics/eeg` (the scorers' rounding).
 */
export function createWindowSet(recordings: readonly LabeledRecording[], options: WindowOptions = {}): WindowSet {
  const first = recordings[0];
  if (first === undefined) throw new PipelineError('E_INPUT', 'no recordings to window', { field: 'recordings' });
  const sampleRate = first.sampleRate;
  const channels = first.channels;
  for (const r of recordings) {
    if (r.sampleRate !== sampleRate || r.channels.join('\u0000') !== channels.join('\u0000')) {
      throw new PipelineError('E_INPUT', `recording '${r.id}' has rate ${r.sampleRate} Hz / channels ${r.channels.join(',')}, the first has ${sampleRate} Hz / ${channels.join(',')}`, {
        field: 'recordings',
      });
    }
  }
  const windowSamples = options.windowSamples ?? Math.round(60 * sampleRate);
  const strideSamples = options.strideSamples ?? Math.round(10 * sampleRate);
  if (!(Number.isInteger(windowSamples) && windowSamples > 0)) throw new PipelineError('E_USAGE', `windowSamples ${windowSamples} must be a positive integer`, { field: 'windowSamples' });
  if (!(Number.isInteger(strideSamples) && strideSamples > 0)) throw new PipelineError('E_USAGE', `strideSamples ${strideSamples} must be a positive integer`, { field: 'strideSamples' });
  const coverEnd = options.coverEnd ?? true;

  const masks: Uint8Array[] = [];
  const recordingOf: number[] = [];
  const starts: number[] = [];
  const positive: number[] = [];
  recordings.forEach((r, ri) => {
    const n = r.data[0]?.length ?? 0;
    const mask = eventsToMask(r.seizures.map(([s, e]) => [s, e] as const), sampleRate, n);
    masks.push(mask);
    // Prefix sums of the mask for O(1) "any seizure in window".
    const prefix = new Int32Array(n + 1);
    for (let t = 0; t < n; t++) prefix[t + 1] = prefix[t]! + mask[t]!;
    const add = (start: number): void => {
      recordingOf.push(ri);
      starts.push(start);
      const end = Math.min(n, start + windowSamples);
      positive.push(prefix[end]! - prefix[start]! > 0 ? 1 : 0);
    };
    if (n <= windowSamples) {
      if (n > 0) add(0);
      return;
    }
    let start = 0;
    for (; start + windowSamples <= n; start += strideSamples) add(start);
    const last = n - windowSamples;
    if (coverEnd && starts[starts.length - 1] !== last) add(last);
  });

  const positives = Uint8Array.from(positive);
  const summaries = recordings.map((r) => ({
    id: r.id,
    durationSec: r.durationSec,
    seizures: r.seizures.map(([start, stop]) => ({ start, stop })),
  }));
  return {
    channels,
    sampleRate,
    windowSamples,
    strideSamples,
    length: starts.length,
    positive: positives,
    recordings: summaries,
    window(i: number): SeizureWindow {
      if (!(Number.isInteger(i) && i >= 0 && i < starts.length)) throw new RangeError(`window ${i} is outside [0, ${starts.length})`);
      const r = recordings[recordingOf[i]!]!;
      const start = starts[i]!;
      const x = new Float32Array(channels.length * windowSamples);
      r.data.forEach((channel, c) => {
        const piece = channel.subarray(start, Math.min(channel.length, start + windowSamples));
        x.set(piece, c * windowSamples);
      });
      const mask = new Float32Array(windowSamples);
      const m = masks[recordingOf[i]!]!;
      const end = Math.min(m.length, start + windowSamples);
      for (let t = start; t < end; t++) mask[t - start] = m[t]!;
      return { recording: r.id, startSample: start, x, mask };
    },
  };
}
