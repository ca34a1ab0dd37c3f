import { describe, expect, it } from '@jest/globals';
import { createRng, matrix } from '@pipeline/core';
import { logisticRegression } from '@pipeline/model-linear';
import { stratifiedKFold } from '@pipeline/model-selection';
import { stackingClassifier } from '@pipeline/stacking';
import { accuracy, memorizer } from './helpers/estimators.js';

/**
 * The leakage canary. Labels are coin flips and the features pure noise, so nothing can be learnt.
 * The canary base model memorizes the rows it is trained on: on those rows its output equals the
 * label (a feature that equals the label on training rows only), elsewhere it knows nothing. A
 * stack whose meta-learner saw in-sample base predictions would trust it and score perfectly; the
 * out-of-fold pipeline must score at chance.
 */
describe('leakage canary', () => {
  const n = 400;
  const rng = createRng(2024);
  const labels = Int32Array.from({ length: n }, () => rng.int(2));
  const noise = matrix(n, 4, Float32Array.from({ length: n * 4 }, () => rng.normal()));

  it('a leaky (in-sample) stack would score perfectly: the canary works', async () => {
    const inSample = await (await memorizer().fit({ features: noise, labels })).predictProba(noise);
    expect(accuracy(inSample, labels)).toBe(1);
  });

  it('the out-of-fold stack scores at chance and the meta-learner ignores the canary', async () => {
    const stack = await stackingClassifier({
      base: [
        { name: 'canary', spec: memorizer(), input: 'noise' },
        { name: 'linear', spec: logisticRegression(), input: 'noise' },
      ],
      splitter: stratifiedKFold({ nSplits: 5 }),
    }).fit({ views: { noise }, labels }, { seed: 7 });
    const oof = stack.oof!;
    // Out of fold the canary never sees its rows: its column is the fold's class frequency (≈ 0.5), never the label.
    const canary = oof.columns.indexOf('canary:proba_1');
    expect(canary).toBe(0);
    for (let i = 0; i < n; i++) expect(Math.abs(oof.z.data[i * oof.z.cols + canary]! - 0.5)).toBeLessThan(0.05);
    expect(accuracy(oof.base['canary']!, labels)).toBeLessThan(0.6);
    // The stack's own out-of-fold score is at chance, not perfect.
    const stackAccuracy = accuracy(oof.meta, labels);
    expect(stackAccuracy).toBeGreaterThan(0.4);
    expect(stackAccuracy).toBeLessThan(0.6);
    // On fresh noise the fitted stack is at chance too.
    const fresh = createRng(99);
    const freshLabels = Int32Array.from({ length: 2000 }, () => fresh.int(2));
    const freshNoise = matrix(2000, 4, Float32Array.from({ length: 8000 }, () => fresh.normal()));
    const heldOut = accuracy(await stack.predictProba({ noise: freshNoise }), freshLabels);
    expect(heldOut).toBeGreaterThan(0.45);
    expect(heldOut).toBeLessThan(0.55);
  });
});
