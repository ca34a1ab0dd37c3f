import { describe, expect, it } from '@jest/globals';
import { createRng, isPipelineError } from '@pipeline/core';
import { faCurve, ovlp, postprocess, taes, timelineAuroc, withThreshold, type ProbabilityRecording } from '@pipeline/metrics/eeg';

/** Mann–Whitney by brute force: P(score_pos > score_neg) + ½ P(=). */
function bruteAuc(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

function syntheticRecording(seed: number, seconds: number, fs: number): ProbabilityRecording {
  const rng = createRng(seed);
  const proba = new Float32Array(seconds * fs);
  for (let i = 0; i < proba.length; i++) proba[i] = Math.round(rng.uniform() * 20) / 20; // many ties
  const ref: [number, number][] = [
    [seconds * 0.2, seconds * 0.3],
    [seconds * 0.6, seconds * 0.65],
  ];
  for (const [s, e] of ref) for (let i = s * fs; i < e * fs; i++) proba[i] = Math.min(1, proba[i]! + 0.3);
  return { proba, fs, ref };
}

describe('timelineAuroc', () => {
  it('equals the brute-force Mann–Whitney statistic (with ties) pooled over recordings', () => {
    const recordings = [syntheticRecording(1, 100, 4), syntheticRecording(2, 60, 4)];
    const pos: number[] = [];
    const neg: number[] = [];
    for (const r of recordings) {
      Array.from(r.proba).forEach((p, i) => {
        const t = i / r.fs;
        (r.ref.some(([s, e]) => t >= s && t < e) ? pos : neg).push(p);
      });
    }
    expect(Math.abs(timelineAuroc(recordings) - bruteAuc(pos, neg))).toBeLessThan(1e-12);
    const as64 = recordings.map((r) => ({ ...r, proba: Float64Array.from(r.proba) }));
    expect(Math.abs(timelineAuroc(as64) - bruteAuc(pos, neg))).toBeLessThan(1e-12);
  });
  it('ranks negative scores, −0 and +0 correctly on the float32 radix path', () => {
    const rng = createRng(11);
    const proba = new Float32Array(400);
    for (let i = 0; i < proba.length; i++) proba[i] = [-0, 0, -1.5, 2, Math.round(rng.normal() * 4) / 2][rng.int(5)]!;
    const ref: [number, number][] = [[100, 180], [300, 330]];
    const pos: number[] = [];
    const neg: number[] = [];
    proba.forEach((p, i) => (ref.some(([s, e]) => i >= s && i < e) ? pos : neg).push(p));
    expect(Math.abs(timelineAuroc([{ proba, fs: 1, ref }]) - bruteAuc(pos, neg))).toBeLessThan(1e-12);
  });

  it('needs both classes', () => {
    expect(() => timelineAuroc([{ proba: new Float32Array(10), fs: 1, ref: [] }])).toThrow(/both seizure and background/);
  });
});

describe('faCurve', () => {
  const recordings = [syntheticRecording(3, 400, 8), syntheticRecording(4, 300, 8)];
  const chain = {
    binarize: { kind: 'hysteresis', tauOn: 0.86, tauOff: 0.78 },
    openingKernel: 3,
    closingKernel: 9,
    minDuration: 1,
  } as const;

  it('a post-processing chain and the equivalent function give the same curve; hysteresis keeps its gap', () => {
    const thresholds = [0.5, 0.7, 0.9, Infinity];
    const viaOptions = faCurve(recordings, thresholds, chain, taes);
    const viaFunction = faCurve(recordings, thresholds, (proba, fs, threshold) => postprocess(proba, withThreshold({ ...chain, fs }, threshold)), taes);
    expect(viaOptions).toEqual(viaFunction);
    expect(withThreshold({ ...chain, fs: 8 }, 0.5).binarize).toEqual({ kind: 'hysteresis', tauOn: 0.5, tauOff: 0.5 - (0.86 - 0.78) });
    expect(viaOptions[3]).toEqual({ threshold: Infinity, sensitivity: 0, faPer24h: 0 });
    const manual = ovlp(recordings.map((r) => ({ duration: r.proba.length / r.fs, ref: r.ref, hyp: postprocess(r.proba, withThreshold({ ...chain, fs: r.fs }, 0.7)) })));
    const row = faCurve(recordings, [0.7], chain, ovlp)[0]!;
    expect([row.sensitivity, row.faPer24h]).toEqual([manual.sensitivity, manual.faPer24h]);
  });

  it('reports progress per threshold and stops on abort with E_ABORTED', () => {
    const seen: number[] = [];
    faCurve(recordings, [0.2, 0.4, 0.6], chain, ovlp, { onProgress: (e) => seen.push(e.current) });
    expect(seen).toEqual([1, 2, 3]);
    const controller = new AbortController();
    controller.abort();
    try {
      faCurve(recordings, [0.2], chain, ovlp, { signal: controller.signal });
      throw new Error('did not abort');
    } catch (error) {
      expect(isPipelineError(error) && error.code).toBe('E_ABORTED');
    }
  });
});
