import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { isPipelineError, loadModel, matrix, matrixFromRows, type Dataset, type Matrix } from '@pipeline/core';
import { logisticRegression, LogisticRegressionModel, type LogisticRegressionArgs } from '@pipeline/model-linear';

interface SharedCase {
  C: number;
  X: number[][];
  y: number[];
  expected: { coef: number[][]; intercept: number[]; proba_first10: number[][] };
}
interface TightCase {
  name: string;
  C: number;
  standardize: boolean;
  fitIntercept: boolean;
  classWeight: 'balanced' | null;
  sampleWeight: number[] | null;
  X: number[][];
  y: number[];
  coef: number[][];
  intercept: number[];
  proba: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/logistic.json', import.meta.url), 'utf8')) as {
  source: string;
  shared: { source: string; cases: SharedCase[] };
  tight: TightCase[];
};

function dataset(X: number[][], y: number[], sampleWeight?: number[] | null): Dataset {
  return {
    features: matrixFromRows(X),
    labels: Int32Array.from(y),
    ...(sampleWeight ? { sampleWeight: Float64Array.from(sampleWeight) } : {}),
  };
}

function coefRows(model: LogisticRegressionModel): number[][] {
  const p = model.nFeatures;
  return Array.from({ length: model.coefficientRows }, (_, c) => Array.from(model.coef.subarray(c * p, (c + 1) * p)));
}

function maxRelativeError(actual: number[][], expected: number[][], floor = 0): number {
  let worst = 0;
  expected.forEach((row, i) =>
    row.forEach((e, j) => {
      worst = Math.max(worst, Math.abs(actual[i]![j]! - e) / Math.max(Math.abs(e), floor));
    }),
  );
  return worst;
}

function maxAbsError(actual: Matrix, expected: number[][]): number {
  let worst = 0;
  expected.forEach((row, i) => row.forEach((e, j) => (worst = Math.max(worst, Math.abs(actual.data[i * actual.cols + j]! - e)))));
  return worst;
}

describe(`logistic regression vs ${fixture.shared.source}`, () => {
  for (const c of fixture.shared.cases) {
    it(`C=${c.C}, ${c.expected.intercept.length > 1 ? 'multinomial' : 'binary'}: coefficients to 1e-4 relative`, async () => {
      const model = await logisticRegression({ C: c.C }).fit(dataset(c.X, c.y));
      expect(model.converged).toBe(true);
      expect(maxRelativeError(coefRows(model), c.expected.coef)).toBeLessThan(1e-4);
      // scikit-learn's lbfgs stops at its default tolerance (scipy's factr), so its intercepts and
      // probabilities are only that accurate (≤ 2e-5 from the true optimum, see the tight cases).
      expect(maxRelativeError([Array.from(model.intercept)], [c.expected.intercept], 0.1)).toBeLessThan(2e-4);
      const proba = await model.predictProba(matrixFromRows(c.X.slice(0, 10)));
      expect(maxAbsError(proba, c.expected.proba_first10)).toBeLessThan(5e-5);
    });
  }
});

describe(`logistic regression vs converged ${fixture.source}`, () => {
  for (const c of fixture.tight) for (const solver of ['newton', 'lbfgs'] as const) {
    it(`${c.name}, ${solver}: coefficients and intercepts to 1e-5 relative, probabilities to 1e-6`, async () => {
      const args: LogisticRegressionArgs = {
        C: c.C,
        standardize: c.standardize,
        fitIntercept: c.fitIntercept,
        classWeight: c.classWeight,
        solver,
      };
      const model = await logisticRegression(args).fit(dataset(c.X, c.y, c.sampleWeight));
      expect(model.converged).toBe(true);
      expect(model.solver).toBe(solver);
      expect(model.classes).toEqual([...new Set(c.y)].sort());
      // Relative per coefficient (|e| floored at 1e-3); typical errors are ~1e-8, the worst (a tiny
      // coefficient of the under-determined wide case) 3e-6 at the default tol of 1e-9.
      expect(maxRelativeError(coefRows(model), c.coef, 1e-3)).toBeLessThan(1e-5);
      expect(maxRelativeError([Array.from(model.intercept)], [c.intercept], 1e-3)).toBeLessThan(1e-5);
      const proba = await model.predictProba(matrixFromRows(c.X));
      expect(maxAbsError(proba, c.proba)).toBeLessThan(1e-6);
      const predicted = await model.predict(matrixFromRows(c.X));
      const expectedClass = c.proba.map((row) => model.classes[row.indexOf(Math.max(...row))]);
      const disagreements = Array.from(predicted).filter((label, i) => label !== expectedClass[i]).length;
      expect(disagreements).toBe(0);
    });
  }

  it("solver 'auto' picks Newton for small multinomial problems only", async () => {
    const pick = async (name: string) => {
      const c = fixture.tight.find((t) => t.name === name)!;
      return (await logisticRegression().fit(dataset(c.X, c.y))).solver;
    };
    expect(await pick('shared C=1.0')).toBe('newton'); // 3 classes × (3 columns + 1)
    expect(await pick('multinomial balanced')).toBe('newton'); // 4 classes × (5 + 1) = 24
    expect(await pick('binary standardized')).toBe('lbfgs');
    expect(await pick('wide multinomial')).toBe('lbfgs'); // 3 × 67 > 24
  });

  it('gives the same model for sample weights as for repeated rows', async () => {
    const c = fixture.tight.find((t) => t.name === 'multinomial no intercept')!;
    const counts = c.y.map((_, i) => 1 + (i % 3));
    const weighted = await logisticRegression({ C: 2 }).fit(dataset(c.X, c.y, counts));
    const X: number[][] = [];
    const y: number[] = [];
    c.X.forEach((row, i) => {
      for (let r = 0; r < counts[i]!; r++) {
        X.push(row);
        y.push(c.y[i]!);
      }
    });
    const repeated = await logisticRegression({ C: 2 }).fit(dataset(X, y));
    expect(maxRelativeError(coefRows(weighted), coefRows(repeated), 1e-3)).toBeLessThan(1e-6);
  });
});

describe('logistic regression model', () => {
  const c = fixture.tight.find((t) => t.name === 'binary standardized')!;

  it('round-trips through its artifact with identical probabilities', async () => {
    const model = await logisticRegression({ C: c.C, standardize: true }).fit(dataset(c.X, c.y));
    const artifact = await model.toArtifact();
    expect(artifact.kind).toBe('logistic-regression');
    expect(artifact.args).toEqual({ C: c.C, maxIter: 1000, tol: 1e-9, classWeight: null, standardize: true, fitIntercept: true, solver: 'auto' });
    const loaded = await loadModel(artifact);
    expect(loaded).toBeInstanceOf(LogisticRegressionModel);
    const X = matrixFromRows(c.X);
    expect(Array.from((await loaded.predictProba(X)).data)).toEqual(Array.from((await model.predictProba(X)).data));
  });

  it('is deterministic: the same data gives byte-identical coefficients', async () => {
    const a = await logisticRegression().fit(dataset(c.X, c.y));
    const b = await logisticRegression().fit(dataset(c.X, c.y));
    expect(Buffer.from(a.coef.buffer).equals(Buffer.from(b.coef.buffer))).toBe(true);
  });

  it('keeps the classes it was fitted on (labels need not start at 0)', async () => {
    const y = c.y.map((label) => (label === 0 ? 2 : 5));
    const model = await logisticRegression().fit(dataset(c.X, y));
    expect(model.classes).toEqual([2, 5]);
    const predicted = await model.predict(matrixFromRows(c.X));
    expect(new Set(predicted)).toEqual(new Set([2, 5]));
  });

  it('refuses a wrong number of columns, one class, non-finite features and bad arguments', async () => {
    const model = await logisticRegression().fit(dataset(c.X, c.y));
    const code = async (run: () => unknown): Promise<string> => {
      try {
        await run();
      } catch (error) {
        if (isPipelineError(error)) return `${error.code}: ${error.message}`;
        throw error;
      }
      return 'no error';
    };
    expect(await code(() => model.predictProba(matrix(2, 3)))).toBe(
      "E_SCHEMA: field 'features': logistic regression expects 4 feature columns, got 3 (predict with the same columns, in the same order, as at fit time)",
    );
    expect(await code(() => logisticRegression().fit(dataset([[1], [2]], [1, 1])))).toContain(
      'E_INPUT: field \'labels\': logistic regression needs at least two classes',
    );
    expect(await code(() => logisticRegression().fit(dataset([[1], [NaN]], [0, 1])))).toContain("feature '0' of row 1 is NaN");
    expect(await code(() => logisticRegression({ C: 0 }))).toContain('E_USAGE');
    expect(await code(() => logisticRegression({ classWeight: { a: 1 } }))).toContain("classWeight keys are class indices, got 'a'");
  });
});
