import { describe, expect, it } from '@jest/globals';
import {
  faCurve,
  ovlp,
  sensitivityAtFa,
  taes,
  timescoringEvent,
  type FaCurveRow,
  type OperatingPointScorer,
  type ProbabilityRecording,
} from '@pipeline/metrics/eeg';
import { expectClose, loadFixture } from './helpers.js';

interface OperatingPoints {
  fs: number;
  total_duration_s: number;
  recordings: { duration: number; background_p: number; segments: [number, number, number][]; ref: [number, number][] }[];
  targets_fa24: number[];
  sweep: (Record<string, { sens: number; fa24: number }> & { theta: number | 'inf'; hyp_events: [number, number][][] })[];
  selections: Record<string, Record<string, { rule_A_best_feasible: { sensitivity: number; theta: number | 'inf'; fa24: number }; rule_B_interpolated: number }>>;
}

const op = loadFixture<{ operating_points: OperatingPoints; scoring_cases: { timescoring_param_sets: Record<string, Record<string, number>> } }>(
  'nedc_v6_vectors.json',
);
const fx = op.operating_points;
const params = op.scoring_cases.timescoring_param_sets;
const theta = (t: number | 'inf'): number => (t === 'inf' ? Infinity : t);

/** The probability timelines of the fixture: background everywhere, then each segment written in order. */
const recordings: ProbabilityRecording[] = fx.recordings.map((r) => {
  const proba = new Float32Array(r.duration * fx.fs).fill(r.background_p);
  for (const [s, e, v] of r.segments) proba.fill(v, s * fx.fs, e * fx.fs);
  return { proba, fs: fx.fs, ref: r.ref, duration: r.duration };
});
const thresholds = fx.sweep.map((row) => theta(row.theta));
// Float32 storage: compare thresholds as float32 so that p >= θ behaves as for the float64 fixture values.
const thresholds32 = Float32Array.from(thresholds);

const scorers: Record<string, OperatingPointScorer> = {
  nedc_ovlp: ovlp,
  nedc_taes: taes,
  timescoring_event_strict_any_overlap: (r) => timescoringEvent(r, params.strict_any_overlap!),
  timescoring_event_szcore_default: (r) => timescoringEvent(r, params.szcore_default!),
};

describe('FA curve over the fixture sweep (p >= θ, no morphology)', () => {
  for (const [name, scorer] of Object.entries(scorers)) {
    it(`${name}: sensitivity and FA/24h at every threshold`, () => {
      const curve = faCurve(recordings, thresholds32, { binarize: { kind: 'threshold', threshold: 0 } }, scorer);
      fx.sweep.forEach((row, i) => {
        expectClose(curve[i]!.sensitivity, row[name]!.sens, 1e-9, `${name} θ=${row.theta} sens`);
        expectClose(curve[i]!.faPer24h, row[name]!.fa24, 1e-9, `${name} θ=${row.theta} fa24`);
      });
    });
  }

  it('post-processing reproduces the hypothesis events of every sweep row', () => {
    const seen: [number, number][][][] = [];
    faCurve(
      recordings,
      thresholds32,
      { binarize: { kind: 'threshold', threshold: 0 } },
      (recs) => {
        seen.push(recs.map((r) => r.hyp.map(([s, e]) => [s, e] as [number, number])));
        return { sensitivity: 0, faPer24h: 0 };
      },
    );
    expect(seen).toEqual(fx.sweep.map((row) => row.hyp_events));
  });

  it('is not monotone: θ 0.55 → 0.6 raises the OVLP false alarms (4 → 5)', () => {
    const curve = faCurve(recordings, [0.55, 0.6].map(Math.fround), { binarize: { kind: 'threshold', threshold: 0 } }, ovlp);
    expect(curve.map((r) => r.faPer24h)).toEqual([16, 20]);
  });

  describe('sensitivity at 10, 5, 2.5 and 1 FA/24h (candidates: the sweep without θ = min(p))', () => {
    for (const [name, byTarget] of Object.entries(fx.selections)) {
      it(`${name}: rule A (best feasible threshold) and rule B (interpolated envelope)`, () => {
        const scorer = scorers[name]!;
        const curve = faCurve(recordings, thresholds32, { binarize: { kind: 'threshold', threshold: 0 } }, scorer)
          .map((row, i) => ({ ...row, threshold: thresholds[i]! }))
          .filter((row) => row.threshold !== 0.05);
        const a = sensitivityAtFa(curve, fx.targets_fa24);
        const b = sensitivityAtFa(curve, fx.targets_fa24, { rule: 'B' });
        fx.targets_fa24.forEach((target, i) => {
          const expected = byTarget[target.toFixed(1)]!;
          expectClose(a[i]!.sensitivity, expected.rule_A_best_feasible.sensitivity, 1e-9, `A ${target} sens`);
          expect(a[i]!.threshold).toBe(theta(expected.rule_A_best_feasible.theta));
          expectClose(a[i]!.faPer24h, expected.rule_A_best_feasible.fa24, 1e-9, `A ${target} fa`);
          expectClose(b[i]!.sensitivity, expected.rule_B_interpolated, 1e-9, `B ${target}`);
        });
      });
    }
  });
});

describe('sensitivityAtFa rules', () => {
  const curve: FaCurveRow[] = [
    { threshold: 0.9, sensitivity: 0.5, faPer24h: 2 },
    { threshold: 0.8, sensitivity: 0.5, faPer24h: 2 },
    { threshold: 0.7, sensitivity: 0.5, faPer24h: 1 },
    { threshold: 0.6, sensitivity: 0.8, faPer24h: 6 },
    { threshold: 0.5, sensitivity: NaN, faPer24h: 0 },
  ];
  it('rule A: ties go to the lower FA, then to the higher threshold; NaN rows are ignored', () => {
    expect(sensitivityAtFa(curve, [2, 0.5, 10])).toEqual([
      { target: 2, sensitivity: 0.5, threshold: 0.7, faPer24h: 1 },
      { target: 0.5, sensitivity: 0, threshold: Infinity, faPer24h: 0 },
      { target: 10, sensitivity: 0.8, threshold: 0.6, faPer24h: 6 },
    ]);
    const tied = sensitivityAtFa(
      [
        { threshold: 0.4, sensitivity: 0.5, faPer24h: 1 },
        { threshold: 0.7, sensitivity: 0.5, faPer24h: 1 },
      ],
      [1],
    );
    expect(tied[0]!.threshold).toBe(0.7);
  });
  it('rule B interpolates on the upper envelope and is flat past its last point', () => {
    const b = sensitivityAtFa(curve, [0.5, 1, 3.5, 100], { rule: 'B' });
    expectClose(
      b.map((x) => x.sensitivity),
      [0.25, 0.5, 0.5 + (0.3 * 2.5) / 5, 0.8],
      1e-12,
    );
    expect(b[0]!.threshold).toBeUndefined();
  });
  it('rejects negative targets', () => {
    expect(() => sensitivityAtFa(curve, [-1])).toThrow(/targets must be >= 0/);
  });
});
