import { describe, expect, it } from '@jest/globals';
import { createRng } from '@pipeline/core';
import { taes } from '@pipeline/metrics/eeg';
import { detectEvents, scoreSeizurePredictions, SEIZURE_VALIDATION_DEFAULTS, type SeizureValidationArgs } from '@pipeline/model-seizure';

const fs = 4;
const duration = 1800;
const args: SeizureValidationArgs = { ...SEIZURE_VALIDATION_DEFAULTS, faThresholds: [0.1, 0.3, 0.5, 0.7, 0.9], morphologyKernel: 3, minDurationSec: 2 };

/** A probability trace: high over `[start, stop)` events, seeded noise elsewhere (a few spikes reach high values). */
function trace(events: ReadonlyArray<readonly [number, number]>, seed: number, spikes: number): Float32Array {
  const rng = createRng(seed);
  const proba = Float32Array.from({ length: duration * fs }, () => 0.3 * rng.uniform());
  for (let k = 0; k < spikes; k++) {
    const at = Math.floor(rng.uniform() * (duration - 20)) * fs;
    const height = 0.4 + 0.6 * rng.uniform();
    proba.fill(height, at, at + 10 * fs);
  }
  for (const [start, stop] of events) proba.fill(0.97, start * fs, stop * fs);
  return proba;
}

const ref = [
  [100, 160],
  [700, 790],
  [1500, 1530],
] as const;

describe('scoreSeizurePredictions', () => {
  const aligned = [{ id: 'a', proba: trace(ref, 1, 12), fs, ref, duration }];
  const shifted = [
    {
      id: 'a',
      proba: trace(
        ref.map(([s, e]) => [s + 25, e + 25] as const),
        1,
        12,
      ),
      fs,
      ref,
      duration,
    },
  ];

  it('keeps TAES in [0, 1] and scores a better-aligned hypothesis higher', () => {
    const good = scoreSeizurePredictions(aligned, args);
    const bad = scoreSeizurePredictions(shifted, args);
    for (const m of [good, bad]) {
      expect(m.taes).toBeGreaterThanOrEqual(0);
      expect(m.taes).toBeLessThanOrEqual(1);
    }
    expect(good.taes).toBeGreaterThan(bad.taes);
    expect(good.taes_detail.sensitivity).toBeGreaterThan(bad.taes_detail.sensitivity);
    // the headline TAES is the NEDC scorer on the post-processed events (same numbers, recomputed here)
    const hyp = detectEvents(aligned[0]!.proba, fs, args);
    expect(good.taes).toBeCloseTo(taes([{ duration, ref, hyp }]).f1, 12);
    expect(good.reference_events).toBe(3);
    expect(good.auroc).toBeGreaterThan(0.9);
  });

  it('sensitivity at a fixed FA/24h never decreases as the FA budget grows', () => {
    for (const recordings of [aligned, shifted]) {
      const m = scoreSeizurePredictions(recordings, args);
      const byBudget = [m.sensitivity_at_1fa, m.sensitivity_at_2_5fa, m.sensitivity_at_5fa, m.sensitivity_at_10fa];
      for (let k = 1; k < byBudget.length; k++) expect(byBudget[k]!).toBeGreaterThanOrEqual(byBudget[k - 1]!);
      expect(m.fa_curve).toHaveLength(args.faThresholds.length);
      // every reported sensitivity is reachable within its budget on the curve (or is the no-detection point)
      for (const [budget, sensitivity] of [[10, m.sensitivity_at_10fa], [1, m.sensitivity_at_1fa]] as const) {
        const feasible = m.fa_curve.filter((row) => row.faPer24h <= budget).map((row) => row.sensitivity);
        expect(sensitivity).toBe(Math.max(0, ...feasible));
      }
    }
  });
});
