import type { WindowSet } from '@pipeline/eeg';

/**
 * Copies windows `indices` of a set into reused batch buffers: `x` as [batch, samples, channels]
 * (time-major, what tfjs's Conv1D wants; the set stores channel-major windows) and `y` as
 * [batch, samples] seizure masks. Returns where each window lies (recording id, first sample).
 */
export function fillWindowBatch(set: WindowSet, indices: ArrayLike<number>, x: Float32Array, y: Float32Array): Array<{ readonly recording: string; readonly startSample: number }> {
  const channels = set.channels.length;
  const samples = set.windowSamples;
  const placed: Array<{ recording: string; startSample: number }> = [];
  for (let k = 0; k < indices.length; k++) {
    const window = set.window(indices[k]!);
    const base = k * samples * channels;
    const source = window.x;
    for (let c = 0; c < channels; c++) {
      const row = c * samples;
      for (let t = 0; t < samples; t++) x[base + t * channels + c] = source[row + t]!;
    }
    y.set(window.mask.subarray(0, samples), k * samples);
    placed.push({ recording: window.recording, startSample: window.startSample });
  }
  return placed;
}
