import { describe, expect, it } from '@jest/globals';
import { deriveSeed, isPipelineError, matrix, type ProgressEvent } from '@pipeline/core';
import { logisticRegression } from '@pipeline/model-linear';
import { crossValPredict, groupKFold, kFold, repeated, stratifiedKFold, type FoldOutcome, type StoredFold } from '@pipeline/model-selection';
import { stackingClassifier, undersampleBalanced, type StackingOptions } from '@pipeline/stacking';
import { accuracy, gaussianNaiveBayes, recording, twoViewData } from './helpers/estimators.js';

const data = twoViewData(600, 1);
const options: StackingOptions = {
  base: [
    { name: 'lr_a', spec: logisticRegression(), input: 'a' },
    { name: 'nb_b', spec: gaussianNaiveBayes(), input: 'b' },
  ],
  splitter: stratifiedKFold({ nSplits: 5 }),
};

async function errorOf(run: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    if (isPipelineError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a PipelineError');
}

const bytes = (m: { data: Float32Array }) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);

describe('stackingClassifier', () => {
  it('stacking two informative but different models beats each alone (out of fold)', async () => {
    const stack = await stackingClassifier(options).fit({ views: data.views, labels: data.labels }, { seed: 3 });
    const oof = stack.oof!;
    const a = accuracy(oof.base['lr_a']!, data.labels);
    const b = accuracy(oof.base['nb_b']!, data.labels);
    const stacked = accuracy(oof.meta, data.labels);
    expect(a).toBeGreaterThan(0.5);
    expect(a).toBeLessThan(0.72);
    expect(b).toBeGreaterThan(0.5);
    expect(b).toBeLessThan(0.72);
    expect(stacked).toBeGreaterThan(Math.max(a, b) + 0.12);
  });

  it('stacking a model with itself does not leak: OOF accuracy ≈ the base model', async () => {
    const stack = await stackingClassifier({
      base: [
        { name: 'nb1', spec: gaussianNaiveBayes(), input: 'a' },
        { name: 'nb2', spec: gaussianNaiveBayes(), input: 'a' },
      ],
    }).fit({ views: data.views, labels: data.labels }, { seed: 3 });
    const base = accuracy(stack.oof!.base['nb1']!, data.labels);
    expect(bytes(stack.oof!.base['nb1']!).equals(bytes(stack.oof!.base['nb2']!))).toBe(true);
    expect(Math.abs(accuracy(stack.oof!.meta, data.labels) - base)).toBeLessThan(0.03);
  });

  it('refuses a passthrough view with a missing value, naming the column (the logistic meta-learner takes no NaN)', async () => {
    const b = matrix(600, 2, Float32Array.from(data.views.b.data));
    b.data[17 * 2 + 1] = Number.NaN;
    const error = await stackingClassifier({ ...options, base: [{ name: 'nb_a', spec: gaussianNaiveBayes(), input: 'a' }], passthrough: ['b'] })
      .fit({ views: { a: data.views.a, b }, labels: data.labels, featureNames: { b: ['x', 'y'] } }, { seed: 3 })
      .catch((e: unknown) => e);
    expect(isPipelineError(error)).toBe(true);
    expect([(error as { code: string }).code, (error as Error).message]).toEqual([
      'E_INPUT',
      expect.stringContaining("passthrough view 'b' has a missing value (row 18, column 'y'); the logistic meta-learner cannot take NaN"),
    ]);
  });

  it('names the stacking columns <model>:proba_<class> in the declared order, and fits the meta-learner on Z_oof', async () => {
    const stack = await stackingClassifier({ ...options, passthrough: ['b'] }).fit(
      { views: data.views, labels: data.labels, classNames: ['awake', 'n1', 'n2'], featureNames: { b: ['x', 'y'] } },
      { seed: 3 },
    );
    expect(stack.columns).toEqual([
      'lr_a:proba_awake', 'lr_a:proba_n1', 'lr_a:proba_n2',
      'nb_b:proba_awake', 'nb_b:proba_n1', 'nb_b:proba_n2',
      'b:x', 'b:y',
    ]);
    const oof = stack.oof!;
    expect(oof.z.cols).toBe(8);
    for (let i = 0; i < 600; i++) {
      expect(Array.from(oof.z.data.subarray(i * 8, i * 8 + 3))).toEqual(Array.from(oof.base['lr_a']!.data.subarray(i * 3, i * 3 + 3)));
      expect(Array.from(oof.z.data.subarray(i * 8 + 6, i * 8 + 8))).toEqual(Array.from(data.views.b.data.subarray(i * 2, i * 2 + 2)));
    }
    // The meta-learner is exactly a logistic regression fitted on Z_oof.
    const direct = await logisticRegression().fit({ features: oof.z, labels: data.labels }, { seed: deriveSeed(3, 'meta', 'refit') });
    expect(bytes(await direct.predictProba(oof.z)).equals(bytes(await stack.meta.predictProba(oof.z)))).toBe(true);
    // Its reported OOF score comes from an inner CV on the same folds.
    const inner = await crossValPredict(logisticRegression(), { features: oof.z, labels: data.labels }, stratifiedKFold({ nSplits: 5 }), {
      seed: 3,
      name: 'meta',
    });
    expect(bytes(inner.proba).equals(bytes(oof.meta))).toBe(true);
  });

  it('drops the first column of each base model in a binary problem', async () => {
    const binary = data.labels.map((y) => (y === 0 ? 0 : 1));
    const stack = await stackingClassifier(options).fit({ views: data.views, labels: binary }, { seed: 1 });
    expect(stack.columns).toEqual(['lr_a:proba_1', 'nb_b:proba_1']);
    const kept = await stackingClassifier({ ...options, dropFirstBinaryColumn: false }).fit({ views: data.views, labels: binary }, { seed: 1 });
    expect(kept.columns).toEqual(['lr_a:proba_0', 'lr_a:proba_1', 'nb_b:proba_0', 'nb_b:proba_1']);
  });

  it('is byte-identical for the same seed and different for another', async () => {
    const fit = (seed: number) => stackingClassifier(options).fit({ views: data.views, labels: data.labels }, { seed });
    const [a, b, c] = [await fit(5), await fit(5), await fit(6)];
    expect(bytes(a.oof!.z).equals(bytes(b.oof!.z))).toBe(true);
    expect(bytes(a.oof!.meta).equals(bytes(b.oof!.meta))).toBe(true);
    expect(bytes(await a.predictProba(data.views)).equals(bytes(await b.predictProba(data.views)))).toBe(true);
    expect(bytes(a.oof!.z).equals(bytes(c.oof!.z))).toBe(false);
    expect(Array.from(a.oof!.plan.foldOf[0]!)).toEqual(Array.from(b.oof!.plan.foldOf[0]!));
  });

  it('overlapRefit hands the refits over after the first fold fit and changes no byte of the result', async () => {
    const events: ProgressEvent[] = [];
    const plain = await stackingClassifier(options).fit({ views: data.views, labels: data.labels }, { seed: 5 });
    const overlapped = await stackingClassifier(options).fit({ views: data.views, labels: data.labels }, { seed: 5, overlapRefit: true, onProgress: (event) => events.push(event) });
    expect(bytes(overlapped.oof!.z).equals(bytes(plain.oof!.z))).toBe(true);
    expect(bytes(overlapped.oof!.meta).equals(bytes(plain.oof!.meta))).toBe(true);
    expect(bytes(await overlapped.predictProba(data.views)).equals(bytes(await plain.predictProba(data.views)))).toBe(true);
    expect(overlapped.timings!.refit.map((r) => [r.model, r.trainRows])).toEqual([['lr_a', 600], ['nb_b', 600]]);
    // The refits were started before the meta-learner's folds (here, on one thread, interleaved with the fold fits).
    const firstRefit = events.findIndex((e) => e.stage === 'refit');
    expect(firstRefit).toBeGreaterThan(0);
    expect(firstRefit).toBeLessThan(events.findIndex((e) => e.stage === 'meta-fold'));
  });

  it('reports fold-level progress and per-fold, per-model timings', async () => {
    const events: ProgressEvent[] = [];
    const stack = await stackingClassifier({ ...options, splitter: stratifiedKFold({ nSplits: 3 }) }).fit(
      { views: data.views, labels: data.labels },
      { onProgress: (event) => events.push(event) },
    );
    const stages = events.map((e) => `${e.stage} ${e.current}/${e.total}`);
    expect(stages).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((k) => `fold ${k}/6`),
      ...[1, 2, 3].map((k) => `meta-fold ${k}/3`),
      'meta 1/1',
      'refit 1/2',
      'refit 2/2',
    ]);
    expect(events[0]!.label).toBe('oof/lr_a/fold-0');
    const timings = stack.timings!;
    expect(timings.folds.map((f) => `${f.model}/${f.fold}`)).toEqual(['lr_a/0', 'lr_a/1', 'lr_a/2', 'nb_b/0', 'nb_b/1', 'nb_b/2']);
    for (const record of [...timings.folds, ...timings.metaFolds, timings.meta, ...timings.refit]) {
      expect(record.fitMs).toBeGreaterThan(0);
      expect(record.reused).toBe(false);
    }
    expect(timings.folds.every((f) => f.predictMs > 0 && f.trainRows + f.testRows === 600)).toBe(true);
    expect(timings.refit.map((r) => [r.model, r.trainRows])).toEqual([['lr_a', 600], ['nb_b', 600]]);
    const modelMs = [...timings.folds, ...timings.metaFolds, timings.meta, ...timings.refit].reduce((s, r) => s + r.fitMs + r.predictMs, 0);
    expect(timings.overheadMs).toBeCloseTo(timings.totalMs - modelMs, 6);
  });

  it('passes the derived seeds to every fold fit and refit', async () => {
    const spy = recording(gaussianNaiveBayes());
    await stackingClassifier({ base: [{ name: 'nb', spec: spy, input: 'a' }], splitter: kFold({ nSplits: 3 }) }).fit(
      { views: data.views, labels: data.labels },
      { seed: 21 },
    );
    expect(spy.calls.map((c) => c.seed)).toEqual([
      deriveSeed(21, 'nb', 'fold', 0),
      deriveSeed(21, 'nb', 'fold', 1),
      deriveSeed(21, 'nb', 'fold', 2),
      deriveSeed(21, 'nb', 'refit'),
    ]);
    expect(spy.calls.map((c) => c.rows)).toEqual([400, 400, 400, 600]);
  });

  it('averages repeats and keeps the fold assignment of each repeat', async () => {
    const stack = await stackingClassifier({ ...options, splitter: repeated(stratifiedKFold({ nSplits: 3 }), 2) }).fit(
      { views: data.views, labels: data.labels },
      { seed: 2 },
    );
    expect(stack.oof!.plan.foldOf).toHaveLength(2);
    expect(stack.timings!.folds).toHaveLength(12);
    const single = await stackingClassifier({ ...options, splitter: stratifiedKFold({ nSplits: 3 }) }).fit({ views: data.views, labels: data.labels }, { seed: 2 });
    expect(Math.abs(accuracy(stack.oof!.meta, data.labels) - accuracy(single.oof!.meta, data.labels))).toBeLessThan(0.05);
  });

  it('keeps groups on one side of every split, and refuses a splitter that leaks them', async () => {
    const groups = Int32Array.from({ length: 600 }, (_, i) => Math.floor(i / 20));
    const stack = await stackingClassifier({ ...options, splitter: groupKFold({ nSplits: 4 }) }).fit({ views: data.views, labels: data.labels, groups });
    const foldOf = stack.oof!.plan.foldOf[0]!;
    for (let i = 0; i < 600; i++) expect(foldOf[i]).toBe(foldOf[Math.floor(i / 20) * 20]);
    const leak = await errorOf(() => stackingClassifier(options).fit({ views: data.views, labels: data.labels, groups }));
    expect(leak.code).toBe('E_INPUT');
    expect(leak.message).toContain("field 'groups'");
  });

  it('resumes from stored fold results with identical output', async () => {
    const stored = new Map<string, StoredFold>();
    const keep = (outcome: FoldOutcome) => {
      if (outcome.task.id !== 'oof/nb_b/fold-3') stored.set(outcome.task.id, { result: outcome.result, ...(outcome.model ? { model: outcome.model } : {}) });
    };
    const first = await stackingClassifier(options).fit({ views: data.views, labels: data.labels }, { seed: 4, onTaskDone: keep });
    const rerun: string[] = [];
    const resumed = await stackingClassifier(options).fit(
      { views: data.views, labels: data.labels },
      { seed: 4, completed: (task) => stored.get(task.id), onTaskDone: (outcome) => void rerun.push(outcome.task.id) },
    );
    expect(rerun).toEqual(['oof/nb_b/fold-3']);
    expect(bytes(resumed.oof!.z).equals(bytes(first.oof!.z))).toBe(true);
    expect(bytes(await resumed.predictProba(data.views)).equals(bytes(await first.predictProba(data.views)))).toBe(true);
    expect(resumed.timings!.folds.filter((f) => f.reused)).toHaveLength(9);
  });

  it('fits on a Dataset when every base model reads the same view, and nests inside crossValPredict', async () => {
    const single = stackingClassifier({
      base: [
        { name: 'lr', spec: logisticRegression() },
        { name: 'nb', spec: gaussianNaiveBayes() },
      ],
      splitter: stratifiedKFold({ nSplits: 3 }),
    });
    const features = data.views.a;
    const stack = await single.fit({ features, labels: data.labels }, { seed: 1 });
    expect(stack.views).toEqual(['features']);
    expect(bytes(await stack.predictProba(features)).equals(bytes(await stack.predictProba({ features })))).toBe(true);
    // Nested CV: the whole stack as the estimator of an outer cross-validation.
    const outer = await crossValPredict(single, { features, labels: data.labels }, stratifiedKFold({ nSplits: 3 }), { seed: 9 });
    expect(outer.proba.rows).toBe(600);
    expect(accuracy(outer.proba, data.labels)).toBeGreaterThan(0.5);
  });
});

describe('the spec', () => {
  it('describes itself as plain JSON for run manifests, and `with` returns a new spec', () => {
    const spec = stackingClassifier({ ...options, undersampleBalanced: { seed: 3 } });
    expect(JSON.parse(JSON.stringify(spec.args))).toEqual({
      base: [
        { name: 'lr_a', input: 'a', kind: 'logistic-regression', args: { C: 1, maxIter: 1000, tol: 1e-9, classWeight: null, standardize: false, fitIntercept: true, solver: 'auto' } },
        { name: 'nb_b', input: 'b', kind: 'test-gaussian-nb', args: {} },
      ],
      meta: { kind: 'logistic-regression', args: { C: 1, maxIter: 1000, tol: 1e-9, classWeight: null, standardize: false, fitIntercept: true, solver: 'auto' } },
      splitter: { kind: 'stratified-k-fold', args: { nSplits: 5, shuffle: true } },
      stackMethod: 'proba',
      dropFirstBinaryColumn: true,
      passthrough: [],
      refit: 'full',
      undersampleBalanced: { seed: 3 },
      classWeightsAuto: false,
      checkGroups: true,
    });
    const bagged = spec.with({ refit: 'bagged', meta: logisticRegression({ C: 0.5 }) });
    expect(bagged.args.refit).toBe('bagged');
    expect(bagged.args.meta.args).toMatchObject({ C: 0.5 });
    expect(spec.args.refit).toBe('full');
  });

  it('stops with E_ABORTED when its signal is aborted between folds', async () => {
    const controller = new AbortController();
    const error = await errorOf(() =>
      stackingClassifier(options).fit(
        { views: data.views, labels: data.labels },
        { signal: controller.signal, onProgress: (event) => event.current === 2 && controller.abort() },
      ),
    );
    expect(error.code).toBe('E_ABORTED');
  });
});

describe('class imbalance', () => {
  const imbalanced = data.labels.map((y, i) => (y === 2 && i % 3 !== 0 ? 0 : y));

  it('undersampling keeps the same balanced rows in every view, reproducibly', async () => {
    const spyA = recording(logisticRegression());
    const spyB = recording(gaussianNaiveBayes());
    const stack = await stackingClassifier({
      base: [
        { name: 'a', spec: spyA, input: 'a' },
        { name: 'b', spec: spyB, input: 'b' },
      ],
      undersampleBalanced: { seed: 13 },
      splitter: stratifiedKFold({ nSplits: 3 }),
    }).fit({ views: data.views, labels: imbalanced });
    const kept = undersampleBalanced(imbalanced, 13);
    expect(Array.from(stack.oof!.rows)).toEqual(Array.from(kept));
    expect(stack.oof!.z.rows).toBe(kept.length);
    const counts = [0, 0, 0];
    for (const label of stack.oof!.labels) counts[label]!++;
    expect(new Set(counts).size).toBe(1);
    // The refit saw exactly the kept rows, the same rows in both views.
    const refitA = spyA.calls.at(-1)!;
    const refitB = spyB.calls.at(-1)!;
    expect(Array.from(refitA.firstFeature)).toEqual(Array.from(kept, (i) => data.views.a.data[i * 3]!));
    expect(Array.from(refitB.firstFeature)).toEqual(Array.from(kept, (i) => data.views.b.data[i * 2]!));
  });

  it("classWeightsAuto passes scikit-learn 'balanced' weights to every base model and the meta-learner", async () => {
    const spy = recording(gaussianNaiveBayes());
    const meta = recording(logisticRegression());
    await stackingClassifier({ base: [{ name: 'nb', spec: spy, input: 'a' }], meta, classWeightsAuto: true, splitter: kFold({ nSplits: 3 }) }).fit({
      views: data.views,
      labels: imbalanced,
    });
    const counts = [0, 0, 0];
    for (const label of imbalanced) counts[label]!++;
    const expected = Array.from(imbalanced, (y) => 600 / (3 * counts[y]!));
    expect(Array.from(spy.calls.at(-1)!.sampleWeight!)).toEqual(expected);
    expect(Array.from(meta.calls.at(-1)!.sampleWeight!)).toEqual(expected);
  });

  it('refuses undersampling together with class weights', async () => {
    const error = await errorOf(() => stackingClassifier({ ...options, undersampleBalanced: true, classWeightsAuto: true }));
    expect(error).toEqual({
      code: 'E_USAGE',
      message:
        "field 'undersampleBalanced': stackingClassifier: undersampleBalanced and classWeightsAuto are mutually exclusive (choose one way to handle class imbalance)",
    });
  });
});

describe('predictProba checks its input', () => {
  const fitted = stackingClassifier({ ...options, splitter: stratifiedKFold({ nSplits: 3 }) }).fit({ views: data.views, labels: data.labels });

  it('refuses a missing view, a wrong width, rows that differ, and an ambiguous single matrix', async () => {
    const stack = await fitted;
    const missing = await errorOf(() => stack.predictProba({ a: data.views.a }));
    expect(missing.code).toBe('E_INPUT');
    expect(missing.message).toContain("field 'b': view 'b' is missing");
    const width = await errorOf(() => stack.predictProba({ a: data.views.a, b: matrix(600, 3) }));
    expect(width).toEqual({
      code: 'E_SCHEMA',
      message: "field 'b': view 'b' has 3 columns, but the stack was fitted on 2 (predict with the same columns, in the same order, as at fit time)",
    });
    expect((await errorOf(() => stack.predictProba({ a: data.views.a, b: matrix(5, 2) }))).message).toContain("view 'b' has 5 rows but view 'a' has 600");
    expect((await errorOf(() => stack.predictProba(data.views.a))).code).toBe('E_USAGE');
  });

  it("refuses to predict without final base models (refit 'none')", async () => {
    const stack = await stackingClassifier({ ...options, refit: 'none' }).fit({ views: data.views, labels: data.labels });
    expect(stack.oof!.meta.rows).toBe(600);
    const error = await errorOf(() => stack.predictProba(data.views));
    expect(error.code).toBe('E_STATE');
    expect(error.message).toContain("no final model for 'lr_a'");
  });

  it('refuses option mistakes with usage errors', async () => {
    expect((await errorOf(() => stackingClassifier({ base: [] }))).message).toContain('needs at least one base model');
    const twice = { name: 'x', spec: gaussianNaiveBayes() };
    expect((await errorOf(() => stackingClassifier({ base: [twice, twice] }))).message).toContain("two base models are named 'x'");
    expect((await errorOf(() => stackingClassifier({ base: [{ ...twice, name: 'meta' }] }))).message).toContain("'meta' is not allowed");
    expect((await errorOf(() => stackingClassifier(options).fit({ views: data.views }))).message).toContain('needs labels');
    const negative = Int32Array.from(data.labels, (y, i) => (i === 7 ? -1 : y));
    expect(await errorOf(() => stackingClassifier(options).fit({ views: data.views, labels: negative }))).toEqual({
      code: 'E_INPUT',
      message: "field 'labels': label of row 7 is -1; labels must be class indices 0..k-1 (map class names to indices (classNames keeps the names))",
    });
    const short = await errorOf(() => stackingClassifier(options).fit({ views: data.views, labels: data.labels.subarray(1) }));
    expect(short.message).toContain('labels has 599 entries but the views have 600 rows');
  });
});
