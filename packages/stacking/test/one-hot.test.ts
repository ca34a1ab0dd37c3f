import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createRng, isPipelineError, loadModel, matrix, readArtifact, saveArtifact, type Matrix } from '@pipeline/core';
import { logisticRegression } from '@pipeline/model-linear';
import { stratifiedKFold } from '@pipeline/model-selection';
import { FittedStack, oneHotEncode, oneHotNames, stackingClassifier, type StackingOptions } from '@pipeline/stacking';
import { twoViewData } from './helpers/estimators.js';

const COLORS = ['blue', 'green', 'red'];
const SIZES = ['L', 'S'];

/** View `t`: a number, a color code 0..2 (tied to the label) and a size code 0..1 with missing cells. */
function tabularView(labels: Int32Array, seed: number): Matrix {
  const rng = createRng(seed);
  const t = matrix(labels.length, 3);
  labels.forEach((y, i) => {
    const color = rng.uniform() < 0.6 ? y : rng.int(3);
    const size = rng.uniform() < 0.15 ? Number.NaN : (y === 2 ? 1 : 0) ^ (rng.uniform() < 0.3 ? 1 : 0);
    t.data.set([rng.normal(), color, size], i * 3);
  });
  return t;
}

/** The same view one-hot encoded by hand: [x, color=blue, color=green, color=red, size=L, size=S]; missing → zeros. */
function manualOneHot(t: Matrix): Matrix {
  const out = matrix(t.rows, 6);
  for (let i = 0; i < t.rows; i++) {
    const [x, color, size] = [t.data[i * 3]!, t.data[i * 3 + 1]!, t.data[i * 3 + 2]!];
    const row = [x, 0, 0, 0, 0, 0];
    if (!Number.isNaN(color)) row[1 + color] = 1;
    if (!Number.isNaN(size)) row[4 + size] = 1;
    out.data.set(row, i * 6);
  }
  return out;
}

const data = twoViewData(400, 4);
const t = tabularView(data.labels, 9);
const fresh = twoViewData(50, 8);
const freshT = tabularView(fresh.labels, 10);
// Unknown categories at predict read as missing (the code table's unknown bucket): NaN codes.
freshT.data[0 * 3 + 1] = Number.NaN;
freshT.data[1 * 3 + 2] = Number.NaN;
const bytes = (m: { data: Float32Array }) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
const base: StackingOptions = {
  base: [{ name: 'lr_a', spec: logisticRegression(), input: 'a' }],
  splitter: stratifiedKFold({ nSplits: 4 }),
  passthrough: ['t'],
};
const categorical = { t: { color: COLORS, size: SIZES } };

describe('one-hot passthrough of categorical columns', () => {
  it('oneHotEncode equals a hand-written encoding; missing and unknown codes are all zeros', () => {
    const encoded = oneHotEncode(t, [
      { column: 1, categories: COLORS },
      { column: 2, categories: SIZES },
    ]);
    expect(bytes(encoded).equals(bytes(manualOneHot(t)))).toBe(true);
    expect(oneHotNames(['x', 'color', 'size'], [{ column: 1, categories: COLORS }])).toEqual(['x', 'color=blue', 'color=green', 'color=red', 'size']);
    expect(Array.from(oneHotEncode(matrix(1, 1, Float32Array.of(Number.NaN)), [{ column: 0, categories: COLORS }]).data)).toEqual([0, 0, 0]);
  });

  it('a stack with one-hot passthrough equals the stack fitted on the manually one-hot encoded numeric view', async () => {
    const names = { a: ['a0', 'a1', 'a2'] };
    const encodedStack = await stackingClassifier({ ...base, passthroughCategorical: categorical }).fit(
      { views: { a: data.views.a, t }, labels: data.labels, featureNames: { ...names, t: ['x', 'color', 'size'] } },
      { seed: 3 },
    );
    const manualStack = await stackingClassifier(base).fit(
      { views: { a: data.views.a, t: manualOneHot(t) }, labels: data.labels, featureNames: { ...names, t: ['x', 'color=blue', 'color=green', 'color=red', 'size=L', 'size=S'] } },
      { seed: 3 },
    );
    expect(encodedStack.columns).toEqual(manualStack.columns);
    expect(encodedStack.columns.slice(-6)).toEqual(['t:x', 't:color=blue', 't:color=green', 't:color=red', 't:size=L', 't:size=S']);
    expect(bytes(encodedStack.oof!.z).equals(bytes(manualStack.oof!.z))).toBe(true);
    expect(bytes(encodedStack.oof!.meta).equals(bytes(manualStack.oof!.meta))).toBe(true);
    const predictEncoded = await encodedStack.predictProba({ a: fresh.views.a, t: freshT });
    const predictManual = await manualStack.predictProba({ a: fresh.views.a, t: manualOneHot(freshT) });
    expect(bytes(predictEncoded).equals(bytes(predictManual))).toBe(true);
    expect(encodedStack.args.passthroughCategorical).toEqual(categorical);

    // The layout (with the categories) is saved with the stack and reused at predict.
    const dir = await mkdtemp(join(tmpdir(), 'stack-onehot-'));
    try {
      await saveArtifact(dir, await encodedStack.toArtifact());
      const loaded = (await loadModel(await readArtifact(dir))) as FittedStack;
      expect(loaded).toBeInstanceOf(FittedStack);
      expect(loaded.columns).toEqual(encodedStack.columns);
      expect(bytes(await loaded.predictProba({ a: fresh.views.a, t: freshT })).equals(bytes(predictEncoded))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a column with more categories than maxOneHotCategories, naming it and the way out', async () => {
    const error = await stackingClassifier({ ...base, passthroughCategorical: categorical, maxOneHotCategories: 2 })
      .fit({ views: { a: data.views.a, t }, labels: data.labels, featureNames: { t: ['x', 'color', 'size'] } })
      .catch((e: unknown) => e);
    expect(isPipelineError(error) && [error.code, error.message, error.field, error.hint]).toEqual([
      'E_INPUT',
      expect.stringContaining("categorical column 'color' of passthrough view 't' has 3 categories, more than the 2 one-hot encoding allows"),
      'color',
      'encode it natively (categorical: native, for the GBDT\'s categorical splits), drop it, or raise maxOneHotCategories to at least 3',
    ]);
  });

  it('refuses an unknown column name, and a code outside the table', async () => {
    const unknown = await stackingClassifier({ ...base, passthroughCategorical: { t: { colour: COLORS } } })
      .fit({ views: { a: data.views.a, t }, labels: data.labels, featureNames: { t: ['x', 'color', 'size'] } })
      .catch((e: unknown) => e);
    expect(isPipelineError(unknown) && [unknown.code, unknown.field]).toEqual(['E_USAGE', 'passthroughCategorical.t.colour']);
    const bad = matrix(2, 3, Float32Array.of(0, 1, 0, 0, 3, 1));
    expect(() => oneHotEncode(bad, [{ column: 1, categories: COLORS }], { names: ['x', 'color', 'size'], what: "view 't'" })).toThrow(
      "categorical column 'color' of view 't' holds 3 in row 2, not a code 0…2 of its 3 categories",
    );
  });
});
