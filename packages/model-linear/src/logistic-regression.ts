import {
  PipelineError,
  requireLabels,
  resolveContext,
  validateDataset,
  type Dataset,
  type EstimatorSpec,
  type FitContext,
} from '@pipeline/core';
import { classWeightsAuto } from '@pipeline/model-selection';
import { minimizeLbfgs } from './lbfgs.js';
import {
  resolveLogisticRegressionArgs,
  type LogisticRegressionArgs,
  type ResolvedLogisticRegressionArgs,
} from './logistic-regression-args.js';
import { LOGISTIC_REGRESSION_KIND, LogisticRegressionModel } from './logistic-regression-model.js';
import {
  coefficientRows,
  logisticHessian,
  logisticObjective,
  parameterCount,
  preferNewton,
  type LogisticProblem,
} from './logistic-objective.js';
import { minimizeNewton } from './newton.js';

export type LogisticRegressionSpec = EstimatorSpec<LogisticRegressionArgs, LogisticRegressionModel>;

/**
 * L2-regularized logistic regression with scikit-learn's semantics (`lbfgs` solver): binary with
 * one coefficient vector for two classes, multinomial (softmax) for more; penalty `0.5·‖W‖²` on the
 * weights only; `C` scales the summed (weighted) log-loss. Fitted in float64 to a tight gradient
 * tolerance by Newton's method (small problems) or L-BFGS. The default meta-learner of a stack.
 */
export function logisticRegression(args: LogisticRegressionArgs = {}): LogisticRegressionSpec {
  const resolved = resolveLogisticRegressionArgs(args);
  return {
    kind: LOGISTIC_REGRESSION_KIND,
    args: resolved,
    with: (overrides) => logisticRegression({ ...resolved, ...overrides }),
    fit: (data, context) => fitLogisticRegression(resolved, data, context),
  };
}

async function fitLogisticRegression(args: ResolvedLogisticRegressionArgs, data: Dataset, context?: FitContext): Promise<LogisticRegressionModel> {
  const { signal, logger } = resolveContext(context);
  validateDataset(data);
  const labels = requireLabels(data, 'logistic regression fit');
  const { rows: n, cols: p } = data.features;
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  if (classes.length < 2) {
    throw new PipelineError('E_INPUT', `logistic regression needs at least two classes in the training labels, got ${classes.length}`, {
      field: 'labels',
    });
  }
  const position = new Map(classes.map((c, k) => [c, k]));
  const target = labels.map((label) => position.get(label)!);
  const { x, mean, scale } = design(data, args.standardize);
  const weight = rowWeights(data, labels, args.classWeight);
  let total = 0;
  for (const w of weight) total += w;
  if (!(total > 0)) {
    throw new PipelineError('E_INPUT', 'the sample weights sum to zero', { field: 'sampleWeight', hint: 'give some rows a positive weight' });
  }
  for (let i = 0; i < n; i++) weight[i]! /= total;
  // With an intercept, solve on weighted-centred columns: the same optimum for W (the intercept
  // absorbs the shift, corrected below) and a much better conditioned problem when columns have
  // large means, like the probabilities of a stacking matrix.
  const center = new Float64Array(p);
  if (args.fitIntercept) {
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) center[j]! += weight[i]! * x[i * p + j]!;
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) x[i * p + j]! -= center[j]!;
  }
  const problem: LogisticProblem = {
    x,
    n,
    p,
    target,
    nClasses: classes.length,
    weight,
    penalty: 1 / (args.C * total),
    fitIntercept: args.fitIntercept,
  };
  const newton = args.solver === 'newton' || (args.solver === 'auto' && preferNewton(p, classes.length, args.fitIntercept));
  const start = new Float64Array(parameterCount(problem));
  const stop = { tol: args.tol, maxIter: args.maxIter, signal };
  const result = newton
    ? minimizeNewton(logisticObjective(problem), logisticHessian(problem), start, stop)
    : minimizeLbfgs(logisticObjective(problem), start, stop);
  if (!result.converged) {
    logger.warn('logistic regression stopped before reaching the gradient tolerance', {
      solver: newton ? 'newton' : 'lbfgs',
      reason: result.reason,
      iterations: result.iterations,
      gradientNorm: result.gradientNorm,
      tol: args.tol,
    });
  }
  const rows = coefficientRows(classes.length);
  const coef = result.x.slice(0, rows * p);
  const intercept = args.fitIntercept ? result.x.slice(rows * p) : new Float64Array(rows);
  for (let c = 0; c < rows; c++) for (let j = 0; j < p; j++) intercept[c]! -= coef[c * p + j]! * center[j]!;
  if (rows > 1 && args.fitIntercept) {
    // Softmax is unchanged by a common shift of the intercepts: report the centred ones.
    const shift = intercept.reduce((a, b) => a + b, 0) / rows;
    for (let c = 0; c < rows; c++) intercept[c]! -= shift;
  }
  return new LogisticRegressionModel(args, {
    classes,
    nFeatures: p,
    coef,
    intercept,
    ...(mean === undefined ? {} : { mean, scale: scale! }),
    solver: newton ? 'newton' : 'lbfgs',
    nIter: result.iterations,
    converged: result.converged,
    gradientNorm: result.gradientNorm,
  });
}

/** The float64 design matrix (standardized if asked), refusing non-finite values. */
function design(data: Dataset, standardize: boolean): { x: Float64Array; mean?: Float64Array; scale?: Float64Array } {
  const { rows: n, cols: p, data: values } = data.features;
  const x = new Float64Array(n * p);
  for (let k = 0; k < x.length; k++) {
    const value = values[k]!;
    if (value - value !== 0) {
      // NaN or ±Infinity (x − x is 0 exactly for every finite x)
      const column = data.featureNames?.[k % p] ?? String(k % p);
      throw new PipelineError('E_INPUT', `feature '${column}' of row ${Math.floor(k / p)} is ${value}`, {
        field: column,
        hint: 'logistic regression needs finite features: impute or drop missing values first',
      });
    }
    x[k] = value;
  }
  if (!standardize) return { x };
  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  for (let k = 0; k < x.length; k++) mean[k % p]! += x[k]!;
  for (let j = 0; j < p; j++) mean[j]! /= n;
  for (let k = 0; k < x.length; k++) scale[k % p]! += (x[k]! - mean[k % p]!) ** 2;
  for (let j = 0; j < p; j++) {
    const std = Math.sqrt(scale[j]! / n);
    scale[j] = std > 0 ? std : 1; // constant columns stay unscaled, as in scikit-learn's StandardScaler
  }
  for (let k = 0; k < x.length; k++) x[k] = (x[k]! - mean[k % p]!) / scale[k % p]!;
  return { x, mean, scale };
}

/** Sample weight × class weight per row. */
function rowWeights(data: Dataset, labels: Int32Array, classWeight: ResolvedLogisticRegressionArgs['classWeight']): Float64Array {
  const weight = new Float64Array(labels.length).fill(1);
  if (data.sampleWeight !== undefined) {
    data.sampleWeight.forEach((w, i) => {
      if (!(Number.isFinite(w) && w >= 0)) {
        throw new PipelineError('E_INPUT', `sample weight of row ${i} is ${w}`, { field: 'sampleWeight', hint: 'weights must be finite and ≥ 0' });
      }
      weight[i] = w;
    });
  }
  if (classWeight === 'balanced') {
    const perClass = classWeightsAuto(labels);
    for (let i = 0; i < labels.length; i++) weight[i]! *= perClass[labels[i]!]!;
  } else if (classWeight !== null) {
    for (let i = 0; i < labels.length; i++) weight[i]! *= classWeight[String(labels[i])] ?? 1;
  }
  return weight;
}
