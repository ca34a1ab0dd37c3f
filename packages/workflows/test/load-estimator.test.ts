import { describe, expect, it } from '@jest/globals';
import { CNN_KIND } from '@pipeline/model-cnn';
import { CNN2D_KIND } from '@pipeline/model-cnn2d';
import { HIST_GRADIENT_BOOSTING_KIND } from '@pipeline/model-gbdt';
import { LOGISTIC_REGRESSION_KIND } from '@pipeline/model-linear';
import { LSTM_KIND } from '@pipeline/model-lstm';
import { estimatorFromTask, parseTrainConfig, planBaseModels } from '@pipeline/workflows';
import { LOADABLE_ESTIMATOR_KINDS, loadEstimator } from '@pipeline/workflows/estimators';
// The meta-learner's spec is internal to the package (not exported).
import { metaSpec } from '../src/estimators.js';

describe('loadEstimator (the lazy twin of estimatorFromTask)', () => {
  it('knows exactly the model packages’ kinds', () => {
    expect([...LOADABLE_ESTIMATOR_KINDS].sort()).toEqual([CNN_KIND, CNN2D_KIND, HIST_GRADIENT_BOOSTING_KIND, LOGISTIC_REGRESSION_KIND, LSTM_KIND].sort());
  });

  it('builds the same estimator (kind and args) as estimatorFromTask for every base model and the meta-learner', async () => {
    const config = parseTrainConfig({
      inputs: { signal: { file: 'x.h5' }, labels: { file: 'y.csv' }, images: { file: 'images.csv', height: 16, width: 12 } },
      baseModels: [
        { kind: 'hgb', view: 'dwt', args: { maxIter: 7, learningRate: 0.2 } },
        { kind: 'lstm', args: { units: 5, epochs: 1 } },
        { kind: 'cnn', args: { filters: [4], kernelSizes: [3], epochs: 1 } },
        { kind: 'cnn2d', args: { blocks: 1, epochs: 1 } },
      ],
      meta: { args: { C: 0.25 } },
    });
    const specs = [...(await planBaseModels(config)).map((m) => m.spec), metaSpec(config)];
    expect(specs.map((s) => s.kind).sort()).toEqual([...LOADABLE_ESTIMATOR_KINDS].sort());
    for (const spec of specs) {
      const eager = await estimatorFromTask(spec.kind, spec.args);
      const lazy = await loadEstimator(spec.kind, spec.args);
      expect({ kind: lazy.kind, args: lazy.args }).toEqual({ kind: eager.kind, args: eager.args });
      expect(lazy.args).toEqual(spec.args);
    }
  });

  it('rebuilds the imputing wrapper of the meta-learner around the lazily loaded estimator', async () => {
    const args = { strategy: 'median', columns: [1, 2], estimator: { kind: LOGISTIC_REGRESSION_KIND, args: { C: 0.5 } } };
    const eager = await estimatorFromTask('impute-missing', args);
    const lazy = await loadEstimator('impute-missing', args);
    expect(lazy.kind).toBe('impute-missing');
    expect({ kind: lazy.kind, args: lazy.args }).toEqual({ kind: eager.kind, args: eager.args });
  });

  it('an unknown kind is E_INTERNAL naming the known ones', async () => {
    await expect(loadEstimator('svm', {})).rejects.toMatchObject({ code: 'E_INTERNAL', message: expect.stringContaining("no estimator factory for kind 'svm'"), hint: expect.stringContaining('hist-gradient-boosting, logistic-regression, lstm, cnn1d, cnn2d') });
  });
});
