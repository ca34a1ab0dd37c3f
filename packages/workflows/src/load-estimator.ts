import { PipelineError } from '@pipeline/core';
import type { FoldEstimator } from '@pipeline/model-selection';
import type { ImputeMissingArgs } from '@pipeline/stacking';

/**
 * The model package of each estimator kind, loaded on first use. The kind strings are the model
 * packages' `*_KIND` constants (`estimatorFromTask` switches on the same; a test keeps them in step).
 */
const FACTORIES: Readonly<Record<string, (args: unknown) => Promise<FoldEstimator>>> = {
  'hist-gradient-boosting': async (args) => (await import('@pipeline/model-gbdt')).histGradientBoosting(args as never),
  'logistic-regression': async (args) => (await import('@pipeline/model-linear')).logisticRegression(args as never),
  lstm: async (args) => (await import('@pipeline/model-lstm')).lstmClassifier(args as never),
  cnn1d: async (args) => (await import('@pipeline/model-cnn')).cnnClassifier(args as never),
  cnn2d: async (args) => (await import('@pipeline/model-cnn2d')).cnn2dClassifier(args as never),
};

/** The estimator kinds {@link loadEstimator} builds. */
export const LOADABLE_ESTIMATOR_KINDS: readonly string[] = Object.freeze(Object.keys(FACTORIES));

/**
 * Rebuilds a fold task's estimator from its kind and args, like `estimatorFromTask`, but imports
 * only the model package of that kind, on first use: a process that fits gradient boosting never
 * loads TensorFlow.js (seconds of start-up per queue worker child process).
 */
export async function loadEstimator(kind: string, args: unknown): Promise<FoldEstimator> {
  if (kind === 'impute-missing') {
    // A wrapper (the stack's imputing meta-learner): the wrapped estimator, loaded the same way.
    const { imputeMissing } = await import('@pipeline/stacking');
    const imputed = args as ImputeMissingArgs;
    return imputeMissing(await loadEstimator(imputed.estimator.kind, imputed.estimator.args), { strategy: imputed.strategy, columns: imputed.columns });
  }
  const factory = FACTORIES[kind];
  if (factory === undefined) throw new PipelineError('E_INTERNAL', `no estimator factory for kind '${kind}'`, { field: 'kind', hint: `known kinds: ${LOADABLE_ESTIMATOR_KINDS.join(', ')}` });
  return factory(args);
}
