import {
  argmaxRows,
  checkArtifact,
  checkFeatureCount,
  loadModel,
  matrix,
  PipelineError,
  registerLoader,
  type Dataset,
  type EstimatorSpec,
  type FitContext,
  type FittedClassifier,
  type Matrix,
  type ModelArtifact,
} from '@pipeline/core';
import type { FoldEstimator } from '@pipeline/model-selection';

export const IMPUTED_KIND = 'impute-missing';
const FORMAT_VERSION = 1;

/**
 * How missing values (NaN) are filled for a model that cannot take them, with scikit-learn
 * `SimpleImputer` semantics: `median` of the column's non-missing training values (the mean of the
 * two middle ones for an even count), `most_frequent` value (the smallest on ties).
 */
export type MissingStrategy = 'median' | 'most_frequent';

/** The plain-JSON args of {@link imputeMissing}. */
export interface ImputeMissingArgs {
  readonly strategy: MissingStrategy;
  /** Columns to fill (indices); null: every column. */
  readonly columns: readonly number[] | null;
  /** The wrapped estimator. */
  readonly estimator: { readonly kind: string; readonly args: object };
}

/**
 * Per column, the value that fills its missing cells: learned from `features` (the training rows
 * only), NaN for a column outside `columns`. A column with no non-missing value fills with 0
 * (scikit-learn's `keep_empty_features=True`). Statistics are computed in float64 on the float32
 * values, as `SimpleImputer` does on a float64 copy.
 */
export function fitMissingFill(features: Matrix, strategy: MissingStrategy, columns: readonly number[] | null = null): Float64Array {
  const { rows, cols, data } = features;
  const fill = new Float64Array(cols).fill(Number.NaN);
  const wanted = columns ?? Array.from({ length: cols }, (_, j) => j);
  const values = new Float64Array(rows);
  for (const j of wanted) {
    if (!Number.isInteger(j) || j < 0 || j >= cols) {
      throw new PipelineError('E_USAGE', `imputeMissing: column ${j} is out of range (the features have ${cols} columns)`, { field: 'columns' });
    }
    let n = 0;
    for (let i = 0; i < rows; i++) {
      const x = data[i * cols + j]!;
      if (x === x) values[n++] = x;
    }
    if (n === 0) {
      fill[j] = 0;
      continue;
    }
    const sorted = values.subarray(0, n).sort();
    if (strategy === 'median') {
      const mid = n >> 1;
      fill[j] = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    } else {
      let best = sorted[0]!;
      let bestCount = 0;
      for (let start = 0; start < n; ) {
        let end = start + 1;
        while (end < n && sorted[end] === sorted[start]) end++;
        if (end - start > bestCount) {
          best = sorted[start]!;
          bestCount = end - start;
        }
        start = end;
      }
      fill[j] = best;
    }
  }
  return fill;
}

/** A copy of `features` whose missing cells are replaced by `fill` (columns whose fill is NaN keep theirs). */
export function fillMissing(features: Matrix, fill: ArrayLike<number>): Matrix {
  const { rows, cols } = features;
  const out = matrix(rows, cols, Float32Array.from(features.data));
  const data = out.data;
  for (let i = 0; i < rows * cols; i += cols) {
    for (let j = 0; j < cols; j++) {
      if (data[i + j] !== data[i + j]) data[i + j] = fill[j]!;
    }
  }
  return out;
}

/**
 * Wraps an estimator for data with missing values: `fit` learns the fill values of the given
 * columns from its own training rows (so inside cross-validation, from the fold's training rows
 * only), fills, and fits the wrapped estimator; the fitted model fills new rows with the same
 * values before predicting. The fill values are saved in the model's artifact (`state.fill`).
 */
export function imputeMissing(
  estimator: FoldEstimator,
  options: { readonly strategy: MissingStrategy; readonly columns?: readonly number[] | null },
): EstimatorSpec<ImputeMissingArgs, ImputedClassifier> {
  if (options.strategy !== 'median' && options.strategy !== 'most_frequent') {
    throw new PipelineError('E_USAGE', `imputeMissing: strategy '${String(options.strategy)}' is not supported`, { field: 'strategy', hint: "use 'median' or 'most_frequent'" });
  }
  const args: ImputeMissingArgs = {
    strategy: options.strategy,
    columns: options.columns === undefined || options.columns === null ? null : [...options.columns],
    estimator: { kind: estimator.kind, args: estimator.args },
  };
  return {
    kind: IMPUTED_KIND,
    args,
    with(overrides) {
      return imputeMissing(estimator, { strategy: overrides.strategy ?? args.strategy, columns: overrides.columns === undefined ? args.columns : overrides.columns });
    },
    async fit(data: Dataset, context?: FitContext) {
      const fill = fitMissingFill(data.features, args.strategy, args.columns);
      const inner = await estimator.fit({ ...data, features: fillMissing(data.features, fill) }, context);
      return new ImputedClassifier(args, fill, inner);
    },
  };
}

/** A fitted model behind a missing-value fill (see {@link imputeMissing}). */
export class ImputedClassifier implements FittedClassifier {
  readonly kind = IMPUTED_KIND;
  readonly classes: readonly number[];
  readonly nFeatures: number;

  constructor(
    readonly args: ImputeMissingArgs,
    /** Per column, the fill value learned on the training rows (NaN: not filled). */
    readonly fill: Float64Array,
    /** The wrapped fitted model. */
    readonly inner: FittedClassifier,
  ) {
    this.classes = inner.classes;
    this.nFeatures = fill.length;
  }

  async predictProba(features: Matrix, context?: FitContext): Promise<Matrix> {
    checkFeatureCount('imputed model', this.nFeatures, features);
    return this.inner.predictProba(fillMissing(features, this.fill), context);
  }

  async predict(features: Matrix, context?: FitContext): Promise<Int32Array> {
    return argmaxRows(await this.predictProba(features, context)).map((k) => this.classes[k]!);
  }

  async toArtifact(): Promise<ModelArtifact> {
    return {
      kind: IMPUTED_KIND,
      formatVersion: FORMAT_VERSION,
      args: this.args as unknown as Record<string, unknown>,
      // JSON has no NaN: columns that are not filled are null.
      state: { fill: Array.from(this.fill, (v) => (v === v ? v : null)) },
      files: [],
      children: { inner: await this.inner.toArtifact() },
    };
  }

  dispose(): void {
    this.inner.dispose();
  }
}

export async function loadImputedClassifier(artifact: ModelArtifact): Promise<ImputedClassifier> {
  checkArtifact(artifact, IMPUTED_KIND, [FORMAT_VERSION]);
  const state = artifact.state as { fill?: unknown };
  if (!Array.isArray(state.fill) || !state.fill.every((v) => v === null || typeof v === 'number')) {
    throw new PipelineError('E_INPUT', 'imputed model artifact has no valid fill values', { field: 'state.fill', hint: 're-save the model' });
  }
  const inner = artifact.children?.['inner'];
  if (inner === undefined) throw new PipelineError('E_INPUT', 'imputed model artifact lacks its inner model', { field: 'children/inner', hint: 're-save the model' });
  const fill = Float64Array.from(state.fill as (number | null)[], (v) => (v === null ? Number.NaN : v));
  return new ImputedClassifier(artifact.args as unknown as ImputeMissingArgs, fill, await loadModel(inner));
}

registerLoader(IMPUTED_KIND, loadImputedClassifier);
