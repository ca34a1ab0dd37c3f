import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { isPipelineError, loadModel, readArtifact, saveArtifact } from '@pipeline/core';
import { logisticRegression, LogisticRegressionModel } from '@pipeline/model-linear';
import { stratifiedKFold } from '@pipeline/model-selection';
import { BaggedClassifier, FittedStack, stackingClassifier, type StackingOptions } from '@pipeline/stacking';
import { twoViewData } from './helpers/estimators.js';

const data = twoViewData(300, 5);
const fresh = twoViewData(200, 6);
const options: StackingOptions = {
  base: [
    { name: 'lr_a', spec: logisticRegression(), input: 'a' },
    { name: 'lr_b', spec: logisticRegression({ C: 0.3 }), input: 'b' },
  ],
  splitter: stratifiedKFold({ nSplits: 4 }),
  passthrough: ['b'],
};
const bytes = (m: { data: Float32Array }) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);

describe('stack artifacts', () => {
  for (const refit of ['full', 'bagged'] as const) {
    it(`refit '${refit}' round-trips through an artifact folder with identical predictions`, async () => {
      const stack = await stackingClassifier({ ...options, refit }).fit({ views: data.views, labels: data.labels, classNames: ['w', 'x', 'y'] }, { seed: 2 });
      const before = await stack.predictProba(fresh.views);
      const dir = await mkdtemp(join(tmpdir(), 'stack-artifact-'));
      try {
        await saveArtifact(dir, await stack.toArtifact());
        const loaded = await loadModel(await readArtifact(dir));
        expect(loaded).toBeInstanceOf(FittedStack);
        const reloaded = loaded as FittedStack;
        expect(reloaded.columns).toEqual(stack.columns);
        expect(reloaded.columns.slice(0, 3)).toEqual(['lr_a:proba_w', 'lr_a:proba_x', 'lr_a:proba_y']);
        expect(reloaded.args).toEqual(JSON.parse(JSON.stringify(stack.args)));
        expect(reloaded.inputs).toEqual([
          { view: 'a', cols: 3 },
          { view: 'b', cols: 2 },
        ]);
        expect(reloaded.oof).toBeUndefined();
        const model = reloaded.base[0]!.model!;
        if (refit === 'bagged') {
          expect(model).toBeInstanceOf(BaggedClassifier);
          expect((model as BaggedClassifier).members).toHaveLength(4);
        } else {
          expect(model).toBeInstanceOf(LogisticRegressionModel);
        }
        expect(bytes(await reloaded.predictProba(fresh.views)).equals(bytes(before))).toBe(true);
        expect(Array.from(await reloaded.predict(fresh.views))).toEqual(Array.from(await stack.predict(fresh.views)));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it("bagged averages the fold models' probabilities", async () => {
    const stack = await stackingClassifier({ ...options, refit: 'bagged' }).fit({ views: data.views, labels: data.labels }, { seed: 2 });
    const bagged = stack.base[1]!.model as BaggedClassifier;
    const members = await Promise.all(bagged.members.map((m) => m.predictProba(fresh.views.b)));
    const mean = await bagged.predictProba(fresh.views.b);
    for (let i = 0; i < mean.data.length; i++) {
      expect(mean.data[i]).toBeCloseTo(members.reduce((s, m) => s + m.data[i]!, 0) / 4, 6);
    }
  });

  it("refit 'none' saves without base models and still refuses to predict after loading", async () => {
    const stack = await stackingClassifier({ ...options, refit: 'none' }).fit({ views: data.views, labels: data.labels });
    const artifact = await stack.toArtifact();
    expect(Object.keys(artifact.children!)).toEqual(['meta']);
    const loaded = (await loadModel(artifact)) as FittedStack;
    await expect(loaded.predictProba(fresh.views)).rejects.toMatchObject({ code: 'E_STATE' });
  });

  it('refuses a meta-learner whose width does not match the stacking matrix', async () => {
    const stack = await stackingClassifier(options).fit({ views: data.views, labels: data.labels });
    const artifact = await stack.toArtifact();
    // A tampered artifact: the meta-learner of a stack without passthrough.
    const other = await (await stackingClassifier({ ...options, passthrough: false }).fit({ views: data.views, labels: data.labels })).toArtifact();
    const tampered = await loadModel({ ...artifact, children: { ...artifact.children, meta: other.children!['meta']! } });
    try {
      await tampered.predictProba(fresh.views as never);
      throw new Error('expected an error');
    } catch (error) {
      expect(isPipelineError(error) && error.code).toBe('E_SCHEMA');
      expect((error as Error).message).toBe(
        "field 'columns': the stacking matrix has 8 columns but the meta-learner expects 6 (the base models or passthrough views differ from those the meta-learner was fitted with; refit the stack)",
      );
    }
  });
});
