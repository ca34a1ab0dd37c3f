export { logisticRegression, type LogisticRegressionSpec } from './logistic-regression.js';
export { type LogisticRegressionArgs, type ResolvedLogisticRegressionArgs } from './logistic-regression-args.js';
export {
  LogisticRegressionModel,
  loadLogisticRegression,
  LOGISTIC_REGRESSION_KIND,
  type LogisticRegressionParameters,
} from './logistic-regression-model.js';
export { minimizeLbfgs, type LbfgsOptions, type MinimizeOptions, type MinimizeResult, type Objective } from './lbfgs.js';
export { minimizeNewton, type Hessian } from './newton.js';
