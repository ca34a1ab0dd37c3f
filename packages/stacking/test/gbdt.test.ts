import { afterAll, describe, expect, it } from '@jest/globals';
import { loadModel } from '@pipeline/core';
import { disposeWorkers, histGradientBoosting } from '@pipeline/model-gbdt';
import { logisticRegression } from '@pipeline/model-linear';
import { stratifiedKFold } from '@pipeline/model-selection';
import { FittedStack, stackingClassifier } from '@pipeline/stacking';
import { accuracy, twoViewData } from './helpers/estimators.js';

afterAll(() => disposeWorkers());

describe('stacking with histogram gradient boosting', () => {
  const data = twoViewData(500, 8);
  const fresh = twoViewData(200, 9);
  const spec = stackingClassifier({
    base: [
      { name: 'hgb_a', spec: histGradientBoosting({ maxIter: 30, nThreads: 1, earlyStopping: false }), input: 'a' },
      { name: 'lr_b', spec: logisticRegression(), input: 'b' },
    ],
    splitter: stratifiedKFold({ nSplits: 4 }),
  });

  it('beats each base model out of fold and round-trips through its artifact', async () => {
    const stack = await spec.fit({ views: data.views, labels: data.labels }, { seed: 1 });
    const oof = stack.oof!;
    const hgb = accuracy(oof.base['hgb_a']!, data.labels);
    const lr = accuracy(oof.base['lr_b']!, data.labels);
    expect(accuracy(oof.meta, data.labels)).toBeGreaterThan(Math.max(hgb, lr) + 0.1);
    const loaded = (await loadModel(await stack.toArtifact())) as FittedStack;
    expect(loaded.base[0]!.model!.kind).toBe('hist-gradient-boosting');
    const before = await stack.predictProba(fresh.views);
    const after = await loaded.predictProba(fresh.views);
    expect(Buffer.from(after.data.buffer).equals(Buffer.from(before.data.buffer))).toBe(true);
  });

  it('gives byte-identical out-of-fold matrices for the same seed', async () => {
    const a = await spec.fit({ views: data.views, labels: data.labels }, { seed: 3 });
    const b = await spec.fit({ views: data.views, labels: data.labels }, { seed: 3 });
    expect(Buffer.from(a.oof!.z.data.buffer).equals(Buffer.from(b.oof!.z.data.buffer))).toBe(true);
  });
});
