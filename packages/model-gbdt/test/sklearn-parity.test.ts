import { describe, expect, it } from '@jest/globals';
import { takeRows } from '@pipeline/core';
import { histGradientBoosting } from '@pipeline/model-gbdt';
import { loadFixtureSet, reference, scores } from './fixtures.js';

// 5-fold out-of-fold predictions with the folds stored by gen_fixtures.py and scikit-learn's
// hyper-parameters for each set (learning rate 0.1, 31 leaves, no early stopping).
// Tolerances: mean accuracy within 1.0 percentage point and mean log loss within 10 % (the issue's
// bar); beyond that, the out-of-fold probabilities themselves must agree with scikit-learn's to
// 1e-3 on average (same binning, same split rules: only float summation order differs).
const SETS = ['iris', 'wine', 'breast_cancer', 'digits', 'synth_small', 'synth_nan'] as const;

describe('5-fold OOF parity with scikit-learn HistGradientBoostingClassifier', () => {
  for (const name of SETS) {
    it(name, async () => {
      const ref = reference().sets[name]!;
      const set = loadFixtureSet(name);
      const spec = histGradientBoosting({
        maxIter: ref.params.max_iter,
        learningRate: ref.params.learning_rate,
        maxLeafNodes: ref.params.max_leaf_nodes,
        earlyStopping: false,
        nThreads: 1,
      });
      const accuracies: number[] = [];
      const losses: number[] = [];
      let absDiff = 0;
      let count = 0;
      for (let k = 0; k < 5; k++) {
        const train: number[] = [];
        const test: number[] = [];
        set.folds.forEach((f, i) => (f === k ? test : train).push(i));
        const model = await spec.fit({ features: takeRows(set.features, train), labels: Int32Array.from(train, (i) => set.labels[i]!) });
        const proba = await model.predictProba(takeRows(set.features, test));
        const s = scores(proba, Int32Array.from(test, (i) => set.labels[i]!));
        accuracies.push(s.accuracy);
        losses.push(s.logloss);
        test.forEach((i, j) => {
          for (let c = 0; c < proba.cols; c++) {
            absDiff += Math.abs(proba.data[j * proba.cols + c]! - ref.oof_proba[i]![c]!);
            count++;
          }
        });
      }
      const meanAccuracy = accuracies.reduce((a, b) => a + b) / 5;
      const meanLoss = losses.reduce((a, b) => a + b) / 5;
      expect(Math.abs(meanAccuracy - ref.mean_accuracy)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(meanLoss - ref.mean_logloss) / ref.mean_logloss).toBeLessThanOrEqual(0.1);
      expect(absDiff / count).toBeLessThan(1e-3);
    });
  }
});
