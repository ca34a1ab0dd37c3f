import { PipelineError, type Splitter } from '@pipeline/core';
import { logisticRegression } from '@pipeline/model-linear';
import { stratifiedKFold, type FoldEstimator } from '@pipeline/model-selection';
import type { MissingStrategy } from './impute-missing.js';
import { DEFAULT_MAX_ONE_HOT_CATEGORIES } from './one-hot.js';

/** A base model of a stack. */
export interface BaseModel {
  /**
   * Unique name: prefix of its stacking columns (`<name>:proba_<class>`), its task ids and its
   * artifact folder. Letters, digits, `_`, `.` and `-`; not `meta`.
   */
  readonly name: string;
  /** Any estimator spec (`kind`, plain-JSON `args`, `fit`). */
  readonly spec: FoldEstimator;
  /** Name of the input view it reads. Default `features`. */
  readonly input?: string;
}

export interface StackingOptions {
  /** The base models, in the order their columns appear in the stacking matrix. */
  readonly base: readonly BaseModel[];
  /** The meta-learner, fitted on the out-of-fold stacking matrix only. Default `logisticRegression()`. */
  readonly meta?: FoldEstimator;
  /** Cross-validation scheme for the out-of-fold predictions (a partition). Default `stratifiedKFold({ nSplits: 5 })`. */
  readonly splitter?: Splitter;
  /** What base models contribute: their class probabilities. Default and only value `proba`. */
  readonly stackMethod?: 'proba';
  /** In a binary problem, keep only each base model's class-1 column. Default true (as scikit-learn). */
  readonly dropFirstBinaryColumn?: boolean;
  /** Also feed these views (true: every base model's view) to the meta-learner as they are. Default false. */
  readonly passthrough?: boolean | readonly string[];
  /**
   * Categorical columns of passthrough views, by view and column name (the view's `featureNames`),
   * each with its categories (a cell holds the code 0…k-1 of `categories`, as `readTypedCsv`
   * writes it). The meta-learner sees each one-hot encoded: columns `<view>:<column>=<category>`;
   * a missing cell or unknown category encodes as all zeros. Without this, a category code would
   * reach the meta-learner as a number. Default: none.
   */
  readonly passthroughCategorical?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Most categories a passthrough column may one-hot encode to (E_INPUT beyond). Default 64. */
  readonly maxOneHotCategories?: number;
  /**
   * Missing values (NaN) in numeric passthrough columns: `error` (default) refuses them, naming the
   * column; `median` / `most_frequent` wrap the meta-learner in `imputeMissing`, so each of its
   * fits (every inner-CV fold and the final fit) learns the fill values from its own training rows
   * and the fitted stack reuses them at predict.
   */
  readonly passthroughMissing?: 'error' | MissingStrategy;
  /**
   * Final base models: `full` refits each on all rows; `bagged` keeps the fold models and averages
   * them; `none` keeps no base model (the stack reports its OOF scores but cannot predict). Default `full`.
   */
  readonly refit?: 'full' | 'bagged' | 'none';
  /**
   * Undersample every class to the smallest class's count before any training, the same rows in
   * every view. `true` uses the seed `deriveSeed(seed, 'undersample')`. Excludes `classWeightsAuto`.
   */
  readonly undersampleBalanced?: boolean | { readonly seed: number };
  /** Weight rows by scikit-learn's 'balanced' class weights, for every base model and the meta-learner. */
  readonly classWeightsAuto?: boolean;
  /** Refuse splits that put a group on both sides when the data has groups. Default true. */
  readonly checkGroups?: boolean;
}

/** The plain-JSON description of a stack (for run manifests). */
export interface StackingArgs {
  readonly base: readonly { readonly name: string; readonly input: string; readonly kind: string; readonly args: object }[];
  readonly meta: { readonly kind: string; readonly args: object };
  readonly splitter: { readonly kind: string; readonly args: Readonly<Record<string, unknown>> };
  readonly stackMethod: 'proba';
  readonly dropFirstBinaryColumn: boolean;
  /** Passthrough views, resolved to names. */
  readonly passthrough: readonly string[];
  /** Present when set: categorical passthrough columns (one-hot encoded), by view and column. */
  readonly passthroughCategorical?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Present when `passthroughCategorical` is set. */
  readonly maxOneHotCategories?: number;
  /** Present when not `error`. */
  readonly passthroughMissing?: MissingStrategy;
  readonly refit: 'full' | 'bagged' | 'none';
  /** false, or the undersampling seed (null: derived from the fit seed). */
  readonly undersampleBalanced: false | { readonly seed: number | null };
  readonly classWeightsAuto: boolean;
  readonly checkGroups: boolean;
}

/** Options with defaults filled in. */
export interface ResolvedStackingOptions {
  readonly base: readonly (BaseModel & { readonly input: string })[];
  readonly meta: FoldEstimator;
  readonly splitter: Splitter;
  readonly args: StackingArgs;
  /** Distinct views read by base models or passed through, in first-use order. */
  readonly views: readonly string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function resolveStackingOptions(options: StackingOptions): ResolvedStackingOptions {
  const usage = (field: string, message: string, hint?: string): never => {
    throw new PipelineError('E_USAGE', `stackingClassifier: ${message}`, { field, ...(hint === undefined ? {} : { hint }) });
  };
  if (options.base.length === 0) usage('base', 'needs at least one base model');
  const base = options.base.map((model) => ({ ...model, input: model.input ?? 'features' }));
  const seen = new Set<string>();
  for (const { name } of base) {
    if (!NAME.test(name) || name === 'meta') usage('base', `base model name '${name}' is not allowed`, "use letters, digits, '_', '.', '-' (not 'meta')");
    if (seen.has(name)) usage('base', `two base models are named '${name}'`, 'give each base model a unique name');
    seen.add(name);
  }
  if ((options.stackMethod ?? 'proba') !== 'proba') usage('stackMethod', `stackMethod '${options.stackMethod}' is not supported`, "use 'proba'");
  const refit = options.refit ?? 'full';
  if (!['full', 'bagged', 'none'].includes(refit)) usage('refit', `refit '${refit}' is not supported`, "use 'full', 'bagged' or 'none'");
  const undersample = options.undersampleBalanced ?? false;
  const classWeights = options.classWeightsAuto ?? false;
  if (undersample !== false && classWeights) {
    usage('undersampleBalanced', 'undersampleBalanced and classWeightsAuto are mutually exclusive', 'choose one way to handle class imbalance');
  }
  const baseViews = [...new Set(base.map((model) => model.input))];
  const passthrough = options.passthrough === true ? baseViews : options.passthrough === false || options.passthrough === undefined ? [] : [...options.passthrough];
  const views = [...new Set([...baseViews, ...passthrough])];
  const categorical = options.passthroughCategorical;
  for (const view of Object.keys(categorical ?? {})) {
    if (!passthrough.includes(view)) usage('passthroughCategorical', `view '${view}' has categorical columns but is not passed through`, 'add it to passthrough or leave it out of passthroughCategorical');
  }
  const maxOneHot = options.maxOneHotCategories ?? DEFAULT_MAX_ONE_HOT_CATEGORIES;
  if (!Number.isInteger(maxOneHot) || maxOneHot < 1) usage('maxOneHotCategories', `maxOneHotCategories must be a positive integer, got ${maxOneHot}`);
  const missing = options.passthroughMissing ?? 'error';
  if (!['error', 'median', 'most_frequent'].includes(missing)) usage('passthroughMissing', `passthroughMissing '${missing}' is not supported`, "use 'error', 'median' or 'most_frequent'");
  const meta = options.meta ?? logisticRegression();
  const splitter = options.splitter ?? stratifiedKFold({ nSplits: 5 });
  return {
    base,
    meta,
    splitter,
    views,
    args: {
      base: base.map(({ name, input, spec }) => ({ name, input, kind: spec.kind, args: spec.args })),
      meta: { kind: meta.kind, args: meta.args },
      splitter: { kind: splitter.kind, args: splitter.args },
      stackMethod: 'proba',
      dropFirstBinaryColumn: options.dropFirstBinaryColumn ?? true,
      passthrough,
      ...(categorical === undefined
        ? {}
        : {
            passthroughCategorical: Object.fromEntries(
              Object.entries(categorical).map(([view, columns]) => [view, Object.fromEntries(Object.entries(columns).map(([name, categories]) => [name, [...categories]]))]),
            ),
            maxOneHotCategories: maxOneHot,
          }),
      ...(missing === 'error' ? {} : { passthroughMissing: missing }),
      refit,
      undersampleBalanced: undersample === false ? false : { seed: undersample === true ? null : undersample.seed },
      classWeightsAuto: classWeights,
      checkGroups: options.checkGroups ?? true,
    },
  };
}
