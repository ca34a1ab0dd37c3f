import { registerLoader } from '@pipeline/core';
import { HIST_GRADIENT_BOOSTING_KIND, loadHistGradientBoosting } from './fitted-hist-gradient-boosting.js';

export {
  histGradientBoosting,
  PARALLEL_MIN_CELLS,
  type HistGradientBoostingFitContext,
  type HistGradientBoostingSpec,
} from './hist-gradient-boosting.js';
export type { HistGradientBoostingArgs, ResolvedHistGradientBoostingArgs } from './hist-gradient-boosting-args.js';
export { resolveArgs as resolveHistGradientBoostingArgs } from './hist-gradient-boosting-args.js';
export {
  FittedHistGradientBoosting,
  loadHistGradientBoosting,
  HIST_GRADIENT_BOOSTING_KIND,
  HIST_GRADIENT_BOOSTING_FORMAT,
  type FittedHistGradientBoostingState,
} from './fitted-hist-gradient-boosting.js';
export { featureImportances, type FeatureImportanceOptions } from './feature-importances.js';
export { fitBinMapper, binColumns, binOf, BINNING_SUBSAMPLE, type BinMapper } from './bin-mapper.js';
export type { TreeEnsemble } from './tree-ensemble.js';
export { disposeWorkers } from './hist-worker-pool.js';

// Importing the package makes its artifacts loadable through @pipeline/core's loadModel.
registerLoader(HIST_GRADIENT_BOOSTING_KIND, loadHistGradientBoosting);
