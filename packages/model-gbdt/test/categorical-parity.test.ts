import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { loadModel, takeRows } from '@pipeline/core';
import { histGradientBoosting } from '@pipeline/model-gbdt';
import { loadFixtureSet, scores } from './fixtures.js';

// 5-fold OOF parity with scikit-learn's HistGradientBoostingClassifier(categorical_features=…) on
// generated data with categorical columns of cardinality 3…200 and NaNs (gen_categorical_fixtures.py,
// scikit-learn version in categorical_reference.json). The bar: mean accuracy within 1
// point, mean log loss within 5 %; and the OOF probabilities themselves close on average.
interface CategoricalReference {
  readonly sets: Record<
    string,
    {
      readonly params: { max_iter: number; learning_rate: number; max_leaf_nodes: number };
      readonly categorical_features: number[];
      readonly mean_accuracy: number;
      readonly mean_logloss: number;
      readonly oof_proba: number[][];
    }
  >;
}
const reference = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'categorical_reference.json'), 'utf8'),
) as CategoricalReference;

describe('native categorical splits: 5-fold OOF parity with scikit-learn HGB categorical_features', () => {
  for (const name of ['synth_cat_binary', 'synth_cat_multi']) {
    it(name, async () => {
      const ref = reference.sets[name]!;
      const set = loadFixtureSet(name);
      const args = {
        maxIter: ref.params.max_iter,
        learningRate: ref.params.learning_rate,
        maxLeafNodes: ref.params.max_leaf_nodes,
        earlyStopping: false,
        nThreads: 1,
      } as const;
      const native = histGradientBoosting({ ...args, categoricalFeatures: ref.categorical_features });
      const ordinal = histGradientBoosting(args);
      const accuracies: number[] = [];
      const losses: number[] = [];
      const ordinalLosses: number[] = [];
      let absDiff = 0;
      let count = 0;
      for (let k = 0; k < 5; k++) {
        const train: number[] = [];
        const test: number[] = [];
        set.folds.forEach((f, i) => (f === k ? test : train).push(i));
        const data = { features: takeRows(set.features, train), labels: Int32Array.from(train, (i) => set.labels[i]!) };
        const model = await native.fit(data);
        const features = takeRows(set.features, test);
        const proba = await model.predictProba(features);
        const labels = Int32Array.from(test, (i) => set.labels[i]!);
        const s = scores(proba, labels);
        accuracies.push(s.accuracy);
        losses.push(s.logloss);
        test.forEach((i, j) => {
          for (let c = 0; c < proba.cols; c++) {
            absDiff += Math.abs(proba.data[j * proba.cols + c]! - ref.oof_proba[i]![c]!);
            count++;
          }
        });
        if (k === 0) {
          // The artifact round trip keeps the categorical splits (same probabilities, bit for bit).
          const loaded = await loadModel(await model.toArtifact());
          expect(Array.from((await loaded.predictProba(features)).data)).toEqual(Array.from(proba.data));
        }
        ordinalLosses.push(scores(await (await ordinal.fit(data)).predictProba(features), labels).logloss);
      }
      const meanAccuracy = accuracies.reduce((a, b) => a + b) / 5;
      const meanLoss = losses.reduce((a, b) => a + b) / 5;
      expect(Math.abs(meanAccuracy - ref.mean_accuracy)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(meanLoss - ref.mean_logloss) / ref.mean_logloss).toBeLessThanOrEqual(0.05);
      expect(absDiff / count).toBeLessThan(0.01);
      // Native splits beat treating the codes as ordered numbers on this data.
      expect(meanLoss).toBeLessThan(ordinalLosses.reduce((a, b) => a + b) / 5);
    }, 120_000);
  }
});
