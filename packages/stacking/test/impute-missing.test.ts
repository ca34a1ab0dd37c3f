import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadModel, matrix, readArtifact, saveArtifact, type Matrix } from '@pipeline/core';
import { logisticRegression } from '@pipeline/model-linear';
import { crossValPredict, predefinedSplit, stratifiedKFold } from '@pipeline/model-selection';
import { fillMissing, fitMissingFill, FittedStack, ImputedClassifier, imputeMissing, stackingClassifier, type MissingStrategy } from '@pipeline/stacking';
import { recording, twoViewData } from './helpers/estimators.js';

// scikit-learn SimpleImputer references: test/fixtures/imputer_fixture.json, written by
// test/fixtures/gen_imputer_fixture.py (its "source" field names the version).
interface Fixture {
  x: (number | null)[][];
  folds: number[];
  test: (number | null)[][];
  strategies: Record<MissingStrategy, { all: number[]; folds: number[][]; test_transformed: number[][] }>;
}
const fixture = JSON.parse(await readFile(new URL('./fixtures/imputer_fixture.json', import.meta.url), 'utf8')) as Fixture;
const toMatrix = (rows: (number | null)[][]): Matrix =>
  matrix(rows.length, rows[0]!.length, Float32Array.from(rows.flat(), (v) => (v === null ? Number.NaN : v)));
const x = toMatrix(fixture.x);
const labels = Int32Array.from(fixture.x, (row, i) => (i * 7) % 2);
const strategies: MissingStrategy[] = ['median', 'most_frequent'];

describe('missing-value strategies (scikit-learn SimpleImputer parity)', () => {
  for (const strategy of strategies) {
    it(`${strategy}: fill values and transform equal SimpleImputer's on the fixture`, () => {
      const fill = fitMissingFill(x, strategy);
      expect(Array.from(fill)).toEqual(fixture.strategies[strategy].all);
      expect(Array.from(fillMissing(toMatrix(fixture.test), fill).data)).toEqual(fixture.strategies[strategy].test_transformed.flat());
    });

    it(`${strategy}: inside cross-validation each fold's fill comes from that fold's training rows only`, async () => {
      const inner = recording(logisticRegression());
      const cv = await crossValPredict(imputeMissing(inner, { strategy }), { features: x, labels }, predefinedSplit(), {
        folds: Int32Array.from(fixture.folds),
        keepModels: true,
      });
      const fills = cv.models!.map((model) => Array.from((model as ImputedClassifier).fill));
      expect(fills).toEqual(fixture.strategies[strategy].folds);
      // The reference fills differ from the all-rows fill, so a leak would be seen.
      expect(fixture.strategies[strategy].folds.some((f) => JSON.stringify(f) !== JSON.stringify(fixture.strategies[strategy].all))).toBe(true);
      // The wrapped model never saw a NaN.
      expect(inner.calls.every((call) => call.firstFeature.every((v) => !Number.isNaN(v)))).toBe(true);
    });
  }

  it('fills only the given columns; the fill values are saved with the model and reused at predict', async () => {
    expect(Array.from(fitMissingFill(x, 'median', [0, 2]))).toEqual([fixture.strategies.median.all[0], NaN, fixture.strategies.median.all[2], NaN, NaN]);
    const model = await imputeMissing(logisticRegression(), { strategy: 'median' }).fit({ features: x, labels });
    const test = toMatrix(fixture.test);
    const direct = await model.inner.predictProba(toMatrix(fixture.strategies.median.test_transformed));
    const dir = await mkdtemp(join(tmpdir(), 'imputed-'));
    try {
      await saveArtifact(dir, await model.toArtifact());
      const loaded = (await loadModel(await readArtifact(dir))) as ImputedClassifier;
      expect(loaded).toBeInstanceOf(ImputedClassifier);
      expect(Array.from(loaded.fill)).toEqual(fixture.strategies.median.all);
      expect(Array.from((await loaded.predictProba(test)).data)).toEqual(Array.from(direct.data));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a stack with passthroughMissing takes NaN in a passthrough view: the final meta-learner fills with the medians of all rows', async () => {
    const data = twoViewData(300, 2);
    const b = matrix(300, 2, Float32Array.from(data.views.b.data));
    for (let i = 0; i < 300; i += 7) b.data[i * 2 + 1] = Number.NaN;
    const stack = await stackingClassifier({
      base: [{ name: 'lr_a', spec: logisticRegression(), input: 'a' }],
      splitter: stratifiedKFold({ nSplits: 3 }),
      passthrough: ['b'],
      passthroughMissing: 'median',
    }).fit({ views: { a: data.views.a, b }, labels: data.labels, featureNames: { b: ['x', 'y'] } }, { seed: 1 });
    const meta = stack.meta as ImputedClassifier;
    expect(meta).toBeInstanceOf(ImputedClassifier);
    // Independent median of b's second column (non-missing values).
    const ys = Array.from({ length: 300 }, (_, i) => b.data[i * 2 + 1]!).filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
    const median = ys.length % 2 === 1 ? ys[(ys.length - 1) / 2]! : (ys[ys.length / 2 - 1]! + ys[ys.length / 2]!) / 2;
    // Z = [lr_a:proba_0..2, b:x, b:y]: b:y is column 4.
    expect(stack.columns[4]).toBe('b:y');
    expect(meta.fill[4]).toBe(median);
    expect(stack.args.passthroughMissing).toBe('median');
    // Predicting rows with NaN works and reloads identically.
    const fresh = twoViewData(20, 3);
    const freshB = matrix(20, 2, Float32Array.from(fresh.views.b.data));
    freshB.data[1] = Number.NaN;
    const before = await stack.predictProba({ a: fresh.views.a, b: freshB });
    expect(before.data.every((v) => Number.isFinite(v))).toBe(true);
    const loaded = (await loadModel(await stack.toArtifact())) as FittedStack;
    expect(Array.from((await loaded.predictProba({ a: fresh.views.a, b: freshB })).data)).toEqual(Array.from(before.data));

    // The meta-learner's own OOF: per inner fold, fill Z's test rows with the medians of that fold's
    // training rows only (computed here by sorting), fit a logistic regression, predict.
    const z = stack.oof!.z;
    const expected = new Float32Array(stack.oof!.meta.data.length);
    for (const { train, test } of stack.oof!.plan.splits) {
      const fill = Array.from({ length: z.cols }, (_, j) => {
        const values = Array.from(train, (i) => z.data[i * z.cols + j]!).filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
        const m = values.length;
        return m % 2 === 1 ? values[(m - 1) / 2]! : (values[m / 2 - 1]! + values[m / 2]!) / 2;
      });
      const filled = (rows: Int32Array) => matrix(rows.length, z.cols, Float32Array.from({ length: rows.length * z.cols }, (_, k) => {
        const v = z.data[rows[Math.floor(k / z.cols)]! * z.cols + (k % z.cols)]!;
        return Number.isNaN(v) ? fill[k % z.cols]! : v;
      }));
      const model = await logisticRegression().fit({ features: filled(train), labels: Int32Array.from(train, (i) => data.labels[i]!) });
      const proba = await model.predictProba(filled(test));
      test.forEach((i, r) => expected.set(proba.data.subarray(r * 3, r * 3 + 3), i * 3));
    }
    expect(Array.from(stack.oof!.meta.data)).toEqual(Array.from(expected));
  });
});
