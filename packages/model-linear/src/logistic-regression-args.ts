import { PipelineError } from '@pipeline/core';

export interface LogisticRegressionArgs {
  /**
   * Inverse regularization strength, as scikit-learn's `C`: the fit minimizes
   * `0.5·‖W‖² + C·Σᵢ wᵢ·logloss(i)`; the intercept is not penalized. Default 1.
   */
  readonly C?: number;
  /** L-BFGS iteration limit. Default 1000. */
  readonly maxIter?: number;
  /**
   * Stop when every component of the gradient of the objective divided by `C·Σᵢ wᵢ` (a mean log-loss
   * plus penalty) is at most `tol` in absolute value. Default 1e-9: converged to float64 noise, far
   * tighter than scikit-learn's default stop.
   */
  readonly tol?: number;
  /**
   * `'balanced'` (weight of class c = n / (k · count_c) over the training labels, scikit-learn's
   * formula), or a weight per class index (`{ "0": 1, "1": 5 }`; missing classes weigh 1), or null.
   * Multiplies `sampleWeight`. Default null.
   */
  readonly classWeight?: 'balanced' | Readonly<Record<string, number>> | null;
  /** Standardize each feature ((x − mean) / std over the training rows) before fitting. Default false. */
  readonly standardize?: boolean;
  /** Fit an (unpenalized) intercept. Default true. */
  readonly fitIntercept?: boolean;
  /**
   * `newton` (exact Hessian), `lbfgs`, or `auto`: Newton for small multinomial problems (classes ×
   * (columns + 1) ≤ 24, e.g. a meta-learner over 2 base models × 3 classes), L-BFGS otherwise. Both
   * reach the same optimum to the tolerance. Default `auto`.
   */
  readonly solver?: 'auto' | 'newton' | 'lbfgs';
}

export type ResolvedLogisticRegressionArgs = { readonly [K in keyof LogisticRegressionArgs]-?: Exclude<LogisticRegressionArgs[K], undefined> };

/** Fills in defaults and checks every argument. */
export function resolveLogisticRegressionArgs(args: LogisticRegressionArgs): ResolvedLogisticRegressionArgs {
  const resolved: ResolvedLogisticRegressionArgs = {
    C: args.C ?? 1,
    maxIter: args.maxIter ?? 1000,
    tol: args.tol ?? 1e-9,
    classWeight: args.classWeight ?? null,
    standardize: args.standardize ?? false,
    fitIntercept: args.fitIntercept ?? true,
    solver: args.solver ?? 'auto',
  };
  const fail = (field: string, message: string): never => {
    throw new PipelineError('E_USAGE', `logisticRegression: ${message}`, { field });
  };
  if (!(Number.isFinite(resolved.C) && resolved.C > 0)) fail('C', `C must be a positive number, got ${resolved.C}`);
  if (!(Number.isInteger(resolved.maxIter) && resolved.maxIter >= 1)) fail('maxIter', `maxIter must be a positive integer, got ${resolved.maxIter}`);
  if (!(Number.isFinite(resolved.tol) && resolved.tol > 0)) fail('tol', `tol must be a positive number, got ${resolved.tol}`);
  if (!['auto', 'newton', 'lbfgs'].includes(resolved.solver)) fail('solver', `solver must be 'auto', 'newton' or 'lbfgs', got '${resolved.solver}'`);
  const weights = resolved.classWeight;
  if (weights !== null && weights !== 'balanced') {
    for (const [key, value] of Object.entries(weights)) {
      if (!/^\d+$/.test(key)) fail('classWeight', `classWeight keys are class indices, got '${key}'`);
      if (!(Number.isFinite(value) && value >= 0)) fail('classWeight', `classWeight of class ${key} must be a number ≥ 0, got ${value}`);
    }
  }
  return resolved;
}
