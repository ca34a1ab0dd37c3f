/**
 * `@pipeline/workflows/estimators`: rebuilds fold-task estimators from their kind and args, loading
 * only the model package each kind needs (no TensorFlow.js for gradient boosting): for processes
 * that run fold tasks, such as queue workers, whose start-up must not pay for every model.
 */
export { loadEstimator, LOADABLE_ESTIMATOR_KINDS } from './load-estimator.js';
