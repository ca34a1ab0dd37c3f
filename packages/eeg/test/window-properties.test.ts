import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { balancedBatchOrder, createWindowSet, type LabeledRecording } from '@pipeline/eeg';

export const RUNS = { windows: 200, batches: 200 };

const equal = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

describe('createWindowSet invariants (fast-check)', () => {
  it('covers every sample, flags exactly the windows whose mask has a seizure, and copies the right samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 1, max: 30 })), { maxLength: 3 }),
        fc.boolean(),
        (n, windowSamples, strideSamples, events, coverEnd) => {
          const fs = 4;
          const seizures = events.map(([s, len]) => [s / fs, (s + len) / fs] as [number, number]);
          const recording: LabeledRecording = {
            id: 'r',
            channels: ['A', 'B'],
            sampleRate: fs,
            data: [Float32Array.from({ length: n }, (_, t) => t + 1), Float32Array.from({ length: n }, (_, t) => -(t + 1))],
            durationSec: n / fs,
            start: null,
            seizures,
          };
          const set = createWindowSet([recording], { windowSamples, strideSamples, coverEnd });
          const covered = new Uint8Array(n);
          for (let i = 0; i < set.length; i++) {
            const w = set.window(i);
            const x = new Float32Array(2 * windowSamples);
            const mask = new Float32Array(windowSamples);
            for (let k = 0; k < windowSamples; k++) {
              const t = w.startSample + k;
              if (t >= n) continue;
              x[k] = t + 1;
              x[windowSamples + k] = -(t + 1);
              covered[t] = 1;
              // Events sit on whole samples here, so the scorers' rounding is exact.
              if (events.some(([s, len]) => t >= s && t < s + len)) mask[k] = 1;
            }
            if (!(equal(w.x, x) && equal(w.mask, mask))) expect({ x: Array.from(w.x), mask: Array.from(w.mask) }).toEqual({ x: Array.from(x), mask: Array.from(mask) });
            if (set.positive[i] !== (mask.some((v) => v === 1) ? 1 : 0)) expect(set.positive[i]).toBe(mask.some((v) => v === 1) ? 1 : 0);
            if (i > 0 && !(w.startSample > set.window(i - 1).startSample)) expect(w.startSample).toBeGreaterThan(set.window(i - 1).startSample);
          }
          // With a stride no longer than the window (and coverEnd), no sample is left out.
          if ((coverEnd && strideSamples <= windowSamples) || n <= windowSamples) expect(covered.every((c) => c === 1)).toBe(true);
        },
      ),
      { numRuns: RUNS.windows, seed: 21 },
    );
  });
});

describe('balancedBatchOrder invariants (fast-check)', () => {
  it('every negative once per epoch, ceil(b/2) positives per full batch, indices in range, deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 33 }), fc.nat(), fc.nat(50), (flags, batchSize, seed, epoch) => {
        const positive = Uint8Array.from(flags, (f) => (f ? 1 : 0));
        const batches = balancedBatchOrder(positive, batchSize, seed, epoch);
        expect(balancedBatchOrder(positive, batchSize, seed, epoch)).toEqual(batches);
        const all = batches.flatMap((b) => Array.from(b));
        for (const i of all) expect(i >= 0 && i < positive.length).toBe(true);
        const nPos = positive.reduce((a, v) => a + v, 0);
        const nNeg = positive.length - nPos;
        const negatives = all.filter((i) => positive[i] === 0).sort((a, b) => a - b);
        expect(negatives).toEqual(Array.from(positive.keys()).filter((i) => positive[i] === 0));
        if (nPos > 0 && nNeg > 0 && batchSize > 1) {
          batches.slice(0, -1).forEach((b) => {
            expect(b.length).toBe(batchSize);
            expect(Array.from(b).filter((i) => positive[i] === 1).length).toBe(Math.ceil(batchSize / 2));
          });
        } else {
          expect(all.sort((a, b) => a - b)).toEqual(Array.from(positive.keys()));
        }
      }),
      { numRuns: RUNS.batches, seed: 22 },
    );
  });
});
