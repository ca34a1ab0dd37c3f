import { describe, expect, it } from '@jest/globals';
import { createRng } from '@pipeline/core';
import {
  binaryClosing,
  binaryOpening,
  closeRuns,
  eventsToMask,
  hysteresis,
  hysteresisComponents,
  maskToEvents,
  maskToRuns,
  mergeEventGaps,
  openRuns,
  postprocess,
  removeShortEvents,
  runsToMask,
  splitLongEvents,
  thresholdMask,
  type Interval,
} from '@pipeline/metrics/eeg';
import { loadFixture } from './helpers.js';

type Vector = Record<string, unknown> & { kind: string };
const vectors = loadFixture<{ postprocessing: { vectors: Vector[]; skipped: unknown[] } }>('nedc_v6_vectors.json').postprocessing;

const bits = (mask: Uint8Array): number[] => Array.from(mask);

/** Each vector kind → the check that reproduces it. Every vector of the fixture must have a handler. */
const handlers: Record<string, (v: Vector) => void> = {
  hysteresis_causal: (v) => {
    expect(bits(hysteresis(v.p as number[], { tauOn: v.tau_on as number, tauOff: v.tau_off as number }))).toEqual(v.out);
  },
  hysteresis_components: (v) => {
    expect(bits(hysteresisComponents(v.p as number[], { high: v.high as number, low: v.low as number }))).toEqual(v.out);
  },
  hysteresis_stability: (v) => {
    const mask = hysteresis(v.p as number[], {
      tauOn: v.tau_on as number,
      tauOff: v.tau_off as number,
      minOnsetSamples: v.min_onset_samples as number,
      minOffsetSamples: v.min_offset_samples as number,
    });
    expect(bits(mask)).toEqual(v.out);
  },
  open_then_close_pool_border: (v) => {
    const opened = binaryOpening(v.x as number[], v.opening_kernel as number, { border: 'ignore' });
    expect(bits(binaryClosing(opened, v.closing_kernel as number, { border: 'ignore' }))).toEqual(v.out);
    // The default border is the pooled ("ignore outside") one.
    expect(bits(binaryClosing(binaryOpening(v.x as number[], v.opening_kernel as number), v.closing_kernel as number))).toEqual(v.out);
  },
  morphology_scipy_border0: (v) => {
    const x = v.x as number[];
    const k = v.kernel as number;
    const zero = { border: 'zero' } as const;
    expect(bits(binaryOpening(x, k, zero))).toEqual(v.opening);
    expect(bits(binaryClosing(x, k, zero))).toEqual(v.closing);
    expect(bits(binaryClosing(binaryOpening(x, k, zero), k, zero))).toEqual(v.opening_then_closing);
    if (v.pool_opening !== null) expect(bits(binaryOpening(x, k, { border: 'ignore' }))).toEqual(v.pool_opening);
    if (v.pool_closing !== null) expect(bits(binaryClosing(x, k, { border: 'ignore' }))).toEqual(v.pool_closing);
  },
  seizuretransformer_pipeline: (v) => {
    const events = postprocess(v.p as number[], {
      fs: v.fs as number,
      binarize: { kind: 'threshold', threshold: v.threshold as number, strict: true },
      openingKernel: v.kernel as number,
      closingKernel: v.kernel as number,
      border: 'zero',
      minDuration: v.min_duration_sec as number,
    });
    expect(events).toEqual(v.events);
  },
  merge_gap: (v) => {
    const events = v.events as Interval[];
    expect(mergeEventGaps(events, v.gap as number)).toEqual(v.strict_lt);
    expect(mergeEventGaps(events, v.gap as number, { inclusive: true })).toEqual(v.inclusive_le);
  },
  split_long: (v) => {
    expect(splitLongEvents(v.events as Interval[], v.max_duration as number)).toEqual(v.out);
  },
  min_duration: (v) => {
    expect(removeShortEvents(v.events as Interval[], v.min_duration as number)).toEqual(v.out);
  },
};

describe('post-processing vectors (brain-go-brr-v2, scipy/SeizureTransformer, own reference)', () => {
  it('has all 30 vectors and none skipped', () => {
    expect(vectors.vectors.length).toBe(30);
    expect(vectors.skipped).toEqual([]);
  });
  vectors.vectors.forEach((v, i) => {
    it(`vector ${i}: ${v.kind}${v.kernel === undefined ? '' : ` k=${String(v.kernel)}`}`, () => {
      const handler = handlers[v.kind];
      if (handler === undefined) throw new Error(`no handler for vector kind ${v.kind}`);
      handler(v);
    });
  });
});

/** Direct per-sample definitions, to cross-check the run-based implementations on random masks. */
function naiveMorphology(x: number[], k: number, border: 'zero' | 'ignore', op: 'open' | 'close'): number[] {
  const before = Math.floor(k / 2);
  const after = k - 1 - before;
  const n = x.length;
  const erode = (m: number[]) =>
    m.map((_, i) => {
      for (let j = i - before; j <= i + after; j++) {
        const v = j < 0 || j >= n ? (border === 'zero' ? 0 : 1) : m[j]!;
        if (v === 0) return 0;
      }
      return 1;
    });
  const dilate = (m: number[]) =>
    m.map((_, i) => {
      for (let j = i - after; j <= i + before; j++) if (j >= 0 && j < n && m[j] === 1) return 1;
      return 0;
    });
  return op === 'open' ? dilate(erode(x)) : erode(dilate(x));
}

describe('run-based morphology equals the per-sample definition', () => {
  it('on 400 seeded random masks, k = 1…8, both borders', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + rng.int(40);
      const density = rng.uniform();
      const x = Array.from({ length: n }, () => (rng.uniform() < density ? 1 : 0));
      const k = 1 + rng.int(8);
      for (const border of ['zero', 'ignore'] as const) {
        const runs = maskToRuns(x);
        expect(bits(runsToMask(openRuns(runs, k, { border })))).toEqual(naiveMorphology(x, k, border, 'open'));
        expect(bits(runsToMask(closeRuns(runs, k, { border })))).toEqual(naiveMorphology(x, k, border, 'close'));
      }
    }
  });
});

describe('timelines', () => {
  it('mask ↔ events at fs, with runs touching both ends', () => {
    const mask = Uint8Array.from([1, 1, 0, 0, 1, 1, 1, 0, 1]);
    expect(maskToEvents(mask, 2)).toEqual([
      [0, 1],
      [2, 3.5],
      [4, 4.5],
    ]);
    expect(bits(eventsToMask(maskToEvents(mask, 2), 2, mask.length))).toEqual(bits(mask));
  });
  it('events → mask rounds half to even like timescoring, or floors like epilepsy2bids', () => {
    expect(bits(eventsToMask([[10.5, 12.5]], 1, 15))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
    expect(bits(eventsToMask([[10.5, 12.5]], 1, 15, { rounding: 'floor' }))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
    expect(bits(eventsToMask([[11.5, 13.5]], 1, 15))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]);
    expect(bits(eventsToMask([[11.5, 13.5]], 1, 15, { rounding: 'floor' }))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0]);
  });
  it('threshold masks: >= by default, > with strict', () => {
    expect(bits(thresholdMask(Float32Array.from([0.5, 0.8, 0.81, 0.2]), 0.8))).toEqual([0, 1, 1, 0]);
    expect(bits(thresholdMask([0.5, 0.8, 0.81, 0.2], 0.8, { strict: true }))).toEqual([0, 0, 1, 0]);
  });
  it('hysteresis with tauOn < tauOff is a usage error', () => {
    expect(() => hysteresis([0.5], { tauOn: 0.5, tauOff: 0.6 })).toThrow(/tauOn >= tauOff/);
  });
});
