import { beforeAll, describe, expect, it } from '@jest/globals';
import { selectBackend, tf } from '@pipeline/tf';
import { predictWindows, type SeizureForward } from '@pipeline/model-seizure';
import { syntheticWindowSet } from './synthetic-window-set.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('predictWindows', () => {
  it('stitches overlapping windows back onto each recording (time-major batches, averaged overlaps)', async () => {
    const set = syntheticWindowSet({ recordings: 2, durationSec: 20, fs: 32, channels: 3, windowSamples: 128, strideSamples: 32, seed: 4, seizureSec: 5 });
    // logits = channel 1 of the input: every window gives the same value for a sample, so the average equals it
    const forward: SeizureForward = (x) => tf.tidy(() => tf.squeeze(tf.slice(x, [0, 0, 1], [-1, -1, 1]), [2]) as tf.Tensor2D);
    const { recordings, windows, loss } = await predictWindows(forward, set, { batchSize: 5 });
    expect(windows).toBe(set.length);
    expect(Number.isFinite(loss)).toBe(true);
    expect(recordings.map((r) => [r.id, r.proba.length, r.uncovered, r.duration])).toEqual([
      ['rec0', 640, 0, 20],
      ['rec1', 640, 0, 20],
    ]);
    // the signal of channel 1 of rec1, from any window covering sample t
    const first = set.window(set.length - 1);
    expect(first.recording).toBe('rec1');
    for (let t = 0; t < 128; t += 7) {
      const expected = 1 / (1 + Math.exp(-first.x[128 + t]!));
      expect(recordings[1]!.proba[first.startSample + t]).toBeCloseTo(expected, 5);
    }
    expect(recordings[0]!.ref).toEqual(set.recordings[0]!.seizures.map((s) => [s.start, s.stop]));
  });
});
