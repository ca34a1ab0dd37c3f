import { describe, expect, it } from '@jest/globals';
import { createRng, type Rng } from '@pipeline/core';
import { blockExtrema, hysteresis, hysteresisRuns, sensitivityAtFa, thresholdRuns, taes, type FaCurveRow, type Interval, type Recording } from '@pipeline/metrics/eeg';

/** Seizures separated by wide gaps, each with a hypothesis perturbed by less than a quarter gap. */
function alignedPair(rng: Rng): { duration: number; refs: Interval[]; hyps: Interval[] } {
  const count = 1 + rng.int(5);
  const gap = 60;
  const refs: Interval[] = [];
  const hyps: Interval[] = [];
  let t = gap;
  for (let i = 0; i < count; i++) {
    const length = 1 + rng.uniform() * 40;
    const ref: Interval = [t, t + length];
    const start = ref[0] + (rng.uniform() - 0.5) * (gap / 2);
    const stop = Math.max(start + 0.5, ref[1] + (rng.uniform() - 0.5) * (gap / 2));
    refs.push(ref);
    hyps.push([start, stop]);
    t = ref[1] + gap;
  }
  return { duration: t, refs, hyps };
}

const toward = (hyp: Interval, ref: Interval, f: number): Interval => [hyp[0] + f * (ref[0] - hyp[0]), hyp[1] + f * (ref[1] - hyp[1])];

describe("TAES properties ('exact' mode, valid inputs)", () => {
  it('sensitivity, hits and misses stay in [0, 1] per reference; hit + miss = targets', () => {
    const rng = createRng(20240611);
    for (let trial = 0; trial < 300; trial++) {
      const duration = 600;
      const events = (count: number): Interval[] => {
        const cuts = Array.from({ length: 2 * count }, () => Math.round(rng.uniform() * duration * 100) / 100).sort((a, b) => a - b);
        const out: Interval[] = [];
        for (let k = 0; k + 1 < cuts.length; k += 2) if (cuts[k + 1]! > cuts[k]!) out.push([cuts[k]!, cuts[k + 1]!]);
        return out;
      };
      const recording: Recording = { duration, ref: events(rng.int(6)), hyp: events(rng.int(8)) };
      const r = taes([recording], { mode: 'exact' });
      expect(r.sensitivity).toBeGreaterThanOrEqual(0);
      expect(r.sensitivity).toBeLessThanOrEqual(1);
      expect(r.hit).toBeGreaterThanOrEqual(-1e-12);
      expect(r.hit).toBeLessThanOrEqual(r.tgt + 1e-12);
      expect(r.fal).toBeGreaterThanOrEqual(0);
      expect(Math.abs(r.hit + r.mis - r.tgt)).toBeLessThan(1e-9);
      for (const label of ['seiz', 'bckg'] as const) {
        const l = r.perLabel[label];
        expect(Math.abs(l.hit + l.mis - l.tgt)).toBeLessThan(1e-9);
        expect(l.sensitivity).toBeLessThanOrEqual(1);
      }
    }
  });

  it('better alignment never scores lower: moving hypotheses toward their seizures never lowers sensitivity nor raises FA', () => {
    const rng = createRng(99);
    for (let trial = 0; trial < 300; trial++) {
      const { duration, refs, hyps } = alignedPair(rng);
      const f1 = rng.uniform();
      const f2 = f1 + (1 - f1) * rng.uniform();
      const score = (f: number) => taes([{ duration, ref: refs, hyp: hyps.map((h, i) => toward(h, refs[i]!, f)) }], { mode: 'exact' });
      const worse = score(f1);
      const better = score(f2);
      const perfect = score(1);
      expect(better.sensitivity).toBeGreaterThanOrEqual(worse.sensitivity - 1e-12);
      expect(better.fal).toBeLessThanOrEqual(worse.fal + 1e-12);
      expect(perfect.sensitivity).toBeCloseTo(1, 12);
      expect(perfect.fal).toBeCloseTo(0, 12);
    }
  });
});

describe('sensitivity at fixed FA (rule A) is monotone in the budget', () => {
  it('a larger FA/24h target never gives a lower sensitivity; rule B is never below rule A', () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 300; trial++) {
      // Random, deliberately non-monotone curves.
      const curve: FaCurveRow[] = Array.from({ length: 1 + rng.int(25) }, () => ({
        threshold: rng.uniform(),
        sensitivity: Math.round(rng.uniform() * 20) / 20,
        faPer24h: Math.round(rng.uniform() * 40) / 2,
      }));
      const targets = Array.from({ length: 12 }, () => rng.uniform() * 25).sort((a, b) => a - b);
      const a = sensitivityAtFa(curve, targets);
      const b = sensitivityAtFa(curve, targets, { rule: 'B' });
      for (let i = 0; i < targets.length; i++) {
        expect(a[i]!.faPer24h!).toBeLessThanOrEqual(targets[i]!);
        if (i > 0) expect(a[i]!.sensitivity).toBeGreaterThanOrEqual(a[i - 1]!.sensitivity);
        expect(b[i]!.sensitivity).toBeGreaterThanOrEqual(a[i]!.sensitivity - 1e-12);
      }
    }
  });
});

/** brain-go-brr-v2's zone algorithm, transcribed step by step on whole arrays (the slow way). */
function zoneHysteresis(p: number[], tauOn: number, tauOff: number, minOn: number, minOff: number): number[] {
  const n = p.length;
  const runs = (flags: boolean[]) => {
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      if (flags[i] && (i === 0 || !flags[i - 1])) {
        let j = i;
        while (j < n && flags[j]) j++;
        out.push([i, j - i]);
      }
    }
    return out;
  };
  const offRuns = runs(p.map((x) => !(x >= tauOff))).filter(([, len]) => len >= minOff);
  const onStarts = runs(p.map((x) => x >= tauOn))
    .filter(([, len]) => len >= minOn)
    .map(([s]) => s);
  const zones: [number, number][] = [];
  let prevEnd = 0;
  for (const [s, len] of offRuns) {
    const ze = s + Math.max(0, minOff - 1);
    if (ze > prevEnd) zones.push([prevEnd, Math.min(ze, n)]);
    prevEnd = s + len;
  }
  if (prevEnd < n) zones.push([prevEnd, n]);
  const mask = new Array<number>(n).fill(0);
  let ptr = 0;
  for (const [zs, ze] of zones) {
    while (ptr < onStarts.length && onStarts[ptr]! < zs) ptr++;
    if (ptr >= onStarts.length) break;
    const onset = onStarts[ptr]!;
    if (onset < ze) {
      for (let i = onset; i < ze; i++) mask[i] = 1;
      ptr++;
    }
  }
  return mask;
}

describe('streaming hysteresis equals the zone algorithm', () => {
  it('on 500 seeded random sequences with random stability windows', () => {
    const rng = createRng(31);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + rng.int(60);
      const p = Array.from({ length: n }, () => Math.round(rng.uniform() * 10) / 10);
      const tauOff = 0.1 + Math.round(rng.uniform() * 6) / 10;
      const tauOn = tauOff + Math.round(rng.uniform() * 3) / 10;
      const minOn = 1 + rng.int(4);
      const minOff = 1 + rng.int(4);
      const ours = Array.from(hysteresis(p, { tauOn, tauOff, minOnsetSamples: minOn, minOffsetSamples: minOff }));
      expect({ p, tauOn, tauOff, minOn, minOff, mask: ours }).toEqual({ p, tauOn, tauOff, minOn, minOff, mask: zoneHysteresis(p, tauOn, tauOff, minOn, minOff) });
    }
  });
});

describe('block-extrema skipping gives identical runs', () => {
  it('threshold and hysteresis binarization, 100 seeded traces, random block sizes and parameters', () => {
    const rng = createRng(77);
    const flat = (r: { starts: Int32Array; ends: Int32Array; length: number }) => [r.length, ...r.starts, -1, ...r.ends];
    for (let trial = 0; trial < 100; trial++) {
      const n = 1 + rng.int(1500);
      // Slowly varying traces with plateaus, so that whole blocks sit on one side of a threshold.
      const p = new Float32Array(n);
      let level = rng.uniform();
      for (let i = 0; i < n; i++) {
        if (rng.uniform() < 0.01) level = rng.uniform();
        p[i] = rng.uniform() < 0.002 ? NaN : Math.min(1, Math.max(0, level + 0.05 * rng.normal()));
      }
      const index = blockExtrema(p, 1 + rng.int(300));
      const threshold = rng.uniform();
      for (const strict of [false, true]) {
        expect(flat(thresholdRuns(p, threshold, { strict }, index))).toEqual(flat(thresholdRuns(p, threshold, { strict })));
      }
      const tauOff = rng.uniform() * 0.9;
      // Half the traces use the plain state machine (stability windows 1/1, its own fast path).
      const windows = rng.uniform() < 0.5;
      const options = {
        tauOn: tauOff + rng.uniform() * 0.1,
        tauOff,
        minOnsetSamples: windows ? 1 + rng.int(20) : 1,
        minOffsetSamples: windows ? 1 + rng.int(20) : 1,
      };
      expect(flat(hysteresisRuns(p, options, index))).toEqual(flat(hysteresisRuns(p, options)));
    }
  });
});
