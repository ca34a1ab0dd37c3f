import { createRng } from '@pipeline/core';
import type { SeizureWindow, WindowSet } from '@pipeline/eeg';

export interface SyntheticSetOptions {
  readonly recordings: number;
  readonly durationSec: number;
  readonly fs: number;
  readonly channels: number;
  readonly windowSamples: number;
  readonly strideSamples: number;
  readonly seed: number;
  /** Seizure length in seconds (one per recording, except every third recording, which has none). */
  readonly seizureSec: number;
  readonly prefix?: string;
}

/**
 * An in-memory WindowSet for unit tests: background = small seeded noise, a seizure = a 5 Hz
 * rhythm of amplitude 3 on every channel. Recording k (k % 3 ≠ 2) has one seizure starting at
 * a seeded time.
 */
export function syntheticWindowSet(options: SyntheticSetOptions): WindowSet {
  const rng = createRng(options.seed);
  const { fs, channels, windowSamples, strideSamples } = options;
  const length = Math.round(options.durationSec * fs);
  const recs = Array.from({ length: options.recordings }, (_, k) => {
    const id = `${options.prefix ?? 'rec'}${k}`;
    const signal = new Float32Array(channels * length);
    for (let i = 0; i < signal.length; i++) signal[i] = 0.3 * rng.normal();
    const seizures: Array<{ start: number; stop: number }> = [];
    if (k % 3 !== 2) {
      const start = Math.round((2 + rng.uniform() * (options.durationSec - options.seizureSec - 4)) * 4) / 4;
      const stop = start + options.seizureSec;
      seizures.push({ start, stop });
      for (let c = 0; c < channels; c++) {
        for (let t = Math.round(start * fs); t < Math.round(stop * fs); t++) signal[c * length + t] = signal[c * length + t]! + 3 * Math.sin((2 * Math.PI * 5 * t) / fs + c);
      }
    }
    const mask = new Float32Array(length);
    for (const s of seizures) mask.fill(1, Math.round(s.start * fs), Math.round(s.stop * fs));
    return { id, signal, mask, seizures, durationSec: options.durationSec };
  });
  const index: Array<{ rec: number; start: number }> = [];
  recs.forEach((r, k) => {
    for (let start = 0; start + windowSamples <= length; start += strideSamples) index.push({ rec: k, start });
  });
  const positive = Uint8Array.from(index, ({ rec, start }) => (recs[rec]!.mask.subarray(start, start + windowSamples).some((v) => v > 0) ? 1 : 0));
  return {
    channels: Array.from({ length: channels }, (_, c) => `C${c}-Avg`),
    sampleRate: fs,
    windowSamples,
    strideSamples,
    length: index.length,
    positive,
    window(i: number): SeizureWindow {
      const { rec, start } = index[i]!;
      const r = recs[rec]!;
      const x = new Float32Array(channels * windowSamples);
      for (let c = 0; c < channels; c++) x.set(r.signal.subarray(c * length + start, c * length + start + windowSamples), c * windowSamples);
      return { recording: r.id, startSample: start, x, mask: r.mask.slice(start, start + windowSamples) };
    },
    recordings: recs.map((r) => ({ id: r.id, durationSec: r.durationSec, seizures: r.seizures })),
  };
}
