import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  defaultWeights,
  erfc,
  kernelSigmas,
  logGaussMass,
  ParzenEstimator,
  parzenDimension,
  wilcoxonSignedRankP,
  type ParamSpec,
} from '@pipeline/model-selection';

// Reference values: test/fixtures/search.json, written by test/fixtures/gen_search.py (Optuna 5.0.0's
// _ParzenEstimator with its default parameters, scipy.special.erfc, scipy.stats.wilcoxon exact).
interface ParzenCase {
  name: string;
  observations: Record<string, number[]>;
  points: Record<string, number[]>;
  logPdf: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/search.json', import.meta.url), 'utf8')) as {
  erfc: Array<[number, number]>;
  defaultWeights: Record<string, number[]>;
  parzen: ParzenCase[];
  wilcoxon: Array<{ d: number[]; alternative: 'less' | 'greater'; p: number }>;
};

const OPTIONS = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false };
const SPECS: Record<string, ParamSpec> = {
  x: { type: 'uniform', low: -5, high: 10 },
  c: { type: 'log-uniform', low: 1e-3, high: 1e2 },
  n: { type: 'int', low: 1, high: 20 },
  m: { type: 'int', low: 8, high: 128, log: true },
  k: { type: 'choice', choices: ['a', 'b', 'c'] },
  j: { type: 'int', low: 1, high: 40 },
};
const SPEC_OF = (caseName: string, name: string): ParamSpec => (caseName === 'empty' || caseName === 'single' ? { type: 'uniform', low: 0, high: 1 } : SPECS[name]!);

describe('normal math', () => {
  it('erfc matches scipy to 1.2e-7 relative', () => {
    for (const [x, expected] of fixture.erfc) expect(Math.abs(erfc(x) - expected)).toBeLessThanOrEqual(1.2e-7 * expected + 1e-300);
  });
  it('logGaussMass is the log of Φ(b) − Φ(a), narrow intervals included', () => {
    // Φ(1) − Φ(−1) = erf(1/√2) = 0.682689492137086; a narrow interval ≈ φ(m)·w.
    expect(logGaussMass(-1, 1)).toBeCloseTo(Math.log(0.682689492137086), 6);
    const m = 1.3;
    const w = 1e-3;
    expect(logGaussMass(m - w / 2, m + w / 2)).toBeCloseTo(Math.log((w * Math.exp((-m * m) / 2)) / Math.sqrt(2 * Math.PI)), 6);
    // 0.5 · erfc(3/√2) (upper tail from 3): 0.0013498980316301
    expect(Math.exp(logGaussMass(3, 40))).toBeCloseTo(0.0013498980316301, 9);
  });
});

describe('Parzen estimator (Optuna parity)', () => {
  it("defaultWeights equals Optuna's default_weights", () => {
    for (const [n, expected] of Object.entries(fixture.defaultWeights)) {
      const weights = defaultWeights(Number(n));
      expect(weights.length).toBe(expected.length);
      expected.forEach((w, i) => expect(weights[i]).toBeCloseTo(w, 12));
    }
  });

  for (const reference of fixture.parzen) {
    it(`log_pdf of the ${reference.name} case matches Optuna's to 1e-5`, () => {
      const names = Object.keys(reference.observations);
      const dimensions = names.map((name) => parzenDimension(SPEC_OF(reference.name, name)));
      const internal = (name: string, values: number[], candidate: boolean): Float64Array => {
        const spec = SPEC_OF(reference.name, name);
        if (spec.type === 'log-uniform') return Float64Array.from(values, Math.log);
        if (spec.type === 'int' && spec.log === true && !candidate) return Float64Array.from(values, Math.log);
        return Float64Array.from(values);
      };
      const estimator = new ParzenEstimator(
        dimensions,
        names.map((name) => internal(name, reference.observations[name]!, false)),
        OPTIONS,
      );
      const logPdf = estimator.logPdf(names.map((name) => internal(name, reference.points[name]!, true)));
      reference.logPdf.forEach((expected, i) => expect(Math.abs(logPdf[i]! - expected)).toBeLessThan(1e-5));
    });
  }

  it('bandwidths: neighbour gaps, inner gap at the ends, magic clip', () => {
    // mus 0, 1, 3 on [0, 10]: gaps 1, 2 → sigmas (1, 2, 2); minSigma = 10 / min(100, 5) = 2 → (2, 2, 2).
    expect([...kernelSigmas(Float64Array.from([3, 0, 1]), 0, 10, OPTIONS)]).toEqual([2, 2, 2]);
    // Without the clip: (inner gap 1 for 0, max(1, 2) = 2 for 1, inner gap 2 for 3).
    expect([...kernelSigmas(Float64Array.from([3, 0, 1]), 0, 10, { ...OPTIONS, considerMagicClip: false })]).toEqual([2, 1, 2]);
    // With endpoints: 0 → max(0 − 0, 1) = 1; 3 → max(2, 10 − 3 = 7) = 7.
    expect([...kernelSigmas(Float64Array.from([3, 0, 1]), 0, 10, { ...OPTIONS, considerMagicClip: false, considerEndpoints: true })]).toEqual([7, 1, 2]);
    // One observation: max distance to a bound; the same with a precomputed sort order.
    expect([...kernelSigmas(Float64Array.from([2]), 0, 10, { ...OPTIONS, considerMagicClip: false })]).toEqual([8]);
    expect([...kernelSigmas(Float64Array.from([3, 0, 1]), 0, 10, { ...OPTIONS, considerMagicClip: false }, Int32Array.from([1, 2, 0]))]).toEqual([2, 1, 2]);
  });
});

describe('Wilcoxon signed-rank (exact, one-sided)', () => {
  for (const reference of fixture.wilcoxon) {
    it(`p(${reference.d.join(', ')}; ${reference.alternative}) = ${reference.p.toFixed(5)}`, () => {
      expect(wilcoxonSignedRankP(reference.d, reference.alternative)).toBeCloseTo(reference.p, 12);
    });
  }
  it('all-negative differences over n folds give p = 2^-n', () => {
    expect(wilcoxonSignedRankP([-1, -2, -3, -4], 'less')).toBe(1 / 16);
    expect(wilcoxonSignedRankP([-1, -2, -3, -4], 'greater')).toBe(1);
    expect(wilcoxonSignedRankP([0, 0], 'less')).toBe(1);
  });
});
