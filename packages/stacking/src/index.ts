export { stackingClassifier, type StackingSpec, type StackingFitContext } from './stacking-classifier.js';
export {
  resolveStackingOptions,
  type BaseModel,
  type StackingOptions,
  type StackingArgs,
  type ResolvedStackingOptions,
} from './stacking-options.js';
export { FittedStack, loadStack, STACKING_KIND, type StackOof, type StackTimings, type FittedStackParts } from './fitted-stack.js';
export { BaggedClassifier, loadBaggedClassifier, BAGGED_KIND } from './bagged-classifier.js';
export { type StackingData, type StackInput, toStackingData, takeStackingRows } from './stacking-data.js';
export { buildStack, stackColumns, type StackLayout, type PassthroughLayout } from './stack-matrix.js';
export { oneHotEncode, oneHotNames, checkOneHot, DEFAULT_MAX_ONE_HOT_CATEGORIES, type OneHotColumn, type OneHotOptions } from './one-hot.js';
export {
  imputeMissing,
  fitMissingFill,
  fillMissing,
  ImputedClassifier,
  loadImputedClassifier,
  IMPUTED_KIND,
  type MissingStrategy,
  type ImputeMissingArgs,
} from './impute-missing.js';
export { probaByClass } from './class-columns.js';
// The imbalance strategies live in @pipeline/model-selection; re-exported for stack users.
export { undersampleBalanced, classWeightsAuto, applyClassWeights } from '@pipeline/model-selection';
