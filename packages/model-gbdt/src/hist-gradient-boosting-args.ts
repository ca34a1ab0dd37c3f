import { availableParallelism } from 'node:os';
import { PipelineError } from '@pipeline/core';

/**
 * Hyper-parameters of {@link histGradientBoosting}: scikit-learn's HistGradientBoostingClassifier
 * (1.2) parameters in camelCase, plus `nThreads`. Plain JSON, logged in run manifests.
 */
export interface HistGradientBoostingArgs {
  /** Maximum number of boosting iterations (one tree per class per iteration for 3+ classes). Default 100. */
  readonly maxIter?: number;
  /** Shrinkage applied to every leaf value. Default 0.1. */
  readonly learningRate?: number;
  /** Maximum number of leaves per tree; `null` for no limit. Default 31. */
  readonly maxLeafNodes?: number | null;
  /** Maximum depth of a tree (the root has depth 0); `null` for no limit. Default null. */
  readonly maxDepth?: number | null;
  /** Minimum number of training samples per leaf. Default 20. */
  readonly minSamplesLeaf?: number;
  /** L2 penalty on leaf values (added to the hessian sums). Default 0. */
  readonly l2Regularization?: number;
  /** Bins for non-missing values per feature, 2..255; one more bin always holds NaN. Default 255. */
  readonly maxBins?: number;
  /** `'auto'`: on when there are more than 10000 training rows or a validation set is given. Default 'auto'. */
  readonly earlyStopping?: 'auto' | boolean;
  /**
   * Part of the training rows held out (stratified, seeded) for early stopping: a fraction in (0, 1)
   * or a row count >= 1; `null` to stop on the training loss. Ignored when a validation set is given.
   * Default 0.1.
   */
  readonly validationFraction?: number | null;
  /** Stop when the last `nIterNoChange` scores do not improve on the one before them by more than `tol`. Default 10. */
  readonly nIterNoChange?: number;
  /** Minimum improvement of the (negative) loss that counts. Default 1e-7. */
  readonly tol?: number;
  /** `'balanced'` (n_samples / (n_classes * count)) or a weight per class index; multiplies `sampleWeight`. */
  readonly classWeight?: 'balanced' | Readonly<Record<number, number>> | null;
  /**
   * Threads of a fit (the calling thread plus nThreads - 1 workers: a node's histograms by feature,
   * or, for narrow multiclass data, an iteration's gradients by rows and its trees whole) and of
   * large predictions (rows). Results do not depend on it. Default: available cores.
   */
  readonly nThreads?: number;
  /**
   * Indices of the features split natively as categories (scikit-learn's `categorical_features`):
   * their values are category codes, integers 0..maxBins-1 (NaN: missing). Default none.
   */
  readonly categoricalFeatures?: readonly number[] | null;
}

/** Every argument with its default filled in. */
export interface ResolvedHistGradientBoostingArgs {
  readonly maxIter: number;
  readonly learningRate: number;
  readonly maxLeafNodes: number | null;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  readonly maxBins: number;
  readonly earlyStopping: 'auto' | boolean;
  readonly validationFraction: number | null;
  readonly nIterNoChange: number;
  readonly tol: number;
  readonly classWeight: 'balanced' | Readonly<Record<number, number>> | null;
  readonly nThreads: number;
  readonly categoricalFeatures: readonly number[];
}

const KNOWN = new Set([
  'maxIter',
  'learningRate',
  'maxLeafNodes',
  'maxDepth',
  'minSamplesLeaf',
  'l2Regularization',
  'maxBins',
  'earlyStopping',
  'validationFraction',
  'nIterNoChange',
  'tol',
  'classWeight',
  'nThreads',
  'categoricalFeatures',
]);

function usage(field: string, message: string, hint?: string): PipelineError {
  return new PipelineError('E_USAGE', message, { field, ...(hint === undefined ? {} : { hint }) });
}

function integer(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw usage(field, `${field} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function positive(field: string, value: unknown, allowZero: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw usage(field, `${field} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills in defaults and checks every argument; unknown names are an error (typos must not pass silently). */
export function resolveArgs(args: HistGradientBoostingArgs): ResolvedHistGradientBoostingArgs {
  for (const key of Object.keys(args)) {
    if (!KNOWN.has(key)) {
      throw usage(key, `unknown histGradientBoosting argument '${key}'`, `known arguments: ${[...KNOWN].join(', ')}`);
    }
  }
  const maxLeafNodes = args.maxLeafNodes === undefined ? 31 : args.maxLeafNodes;
  const maxDepth = args.maxDepth === undefined ? null : args.maxDepth;
  const earlyStopping = args.earlyStopping ?? 'auto';
  if (earlyStopping !== 'auto' && typeof earlyStopping !== 'boolean') {
    throw usage('earlyStopping', `earlyStopping must be 'auto', true or false, got ${JSON.stringify(earlyStopping)}`);
  }
  const validationFraction = args.validationFraction === undefined ? 0.1 : args.validationFraction;
  if (validationFraction !== null) {
    const ok =
      typeof validationFraction === 'number' &&
      ((validationFraction > 0 && validationFraction < 1) || (Number.isInteger(validationFraction) && validationFraction >= 1));
    if (!ok) {
      throw usage(
        'validationFraction',
        `validationFraction must be a fraction in (0, 1), a row count >= 1 or null, got ${JSON.stringify(validationFraction)}`,
      );
    }
  }
  const classWeight = args.classWeight ?? null;
  if (classWeight !== null && classWeight !== 'balanced') {
    if (typeof classWeight !== 'object') {
      throw usage('classWeight', `classWeight must be 'balanced', an object { classIndex: weight } or null`);
    }
    for (const [key, weight] of Object.entries(classWeight)) {
      if (!/^\d+$/.test(key)) throw usage('classWeight', `classWeight key '${key}' is not a class index (0, 1, ...)`);
      positive(`classWeight.${key}`, weight, true);
    }
  }
  return {
    maxIter: integer('maxIter', args.maxIter ?? 100, 1),
    learningRate: positive('learningRate', args.learningRate ?? 0.1, false),
    maxLeafNodes: maxLeafNodes === null ? null : integer('maxLeafNodes', maxLeafNodes, 2),
    maxDepth: maxDepth === null ? null : integer('maxDepth', maxDepth, 1),
    minSamplesLeaf: integer('minSamplesLeaf', args.minSamplesLeaf ?? 20, 1),
    l2Regularization: positive('l2Regularization', args.l2Regularization ?? 0, true),
    maxBins: integer('maxBins', args.maxBins ?? 255, 2, 255),
    earlyStopping,
    validationFraction,
    nIterNoChange: integer('nIterNoChange', args.nIterNoChange ?? 10, 1),
    tol: positive('tol', args.tol ?? 1e-7, true),
    classWeight,
    nThreads: integer('nThreads', args.nThreads ?? availableParallelism(), 1, 256),
    categoricalFeatures: categoricalFeatures(args.categoricalFeatures),
  };
}

function categoricalFeatures(value: readonly number[] | null | undefined): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw usage('categoricalFeatures', 'categoricalFeatures must be an array of feature indices');
  const out = value.map((f, k) => integer(`categoricalFeatures[${k}]`, f, 0));
  if (new Set(out).size !== out.length) throw usage('categoricalFeatures', 'categoricalFeatures lists a feature twice');
  return [...out].sort((a, b) => a - b);
}
