import { PipelineError, type Dataset, type Matrix } from '@pipeline/core';
import { gatherRows } from '@pipeline/model-selection';

/**
 * The training data of a stack: one matrix per input view (a tabular feature matrix, a raw signal
 * matrix, …), all with the same rows in the same order, plus the per-row arrays shared by every view.
 */
export interface StackingData {
  /** Input matrices by view name; base models name the view they read. */
  readonly views: Readonly<Record<string, Matrix>>;
  /** Class indices 0..k-1. Required to fit. */
  readonly labels?: Int32Array;
  /** Group ids (subject, recording, …): no group is ever on both sides of a split. */
  readonly groups?: Int32Array;
  /** Predefined fold per row, for `predefinedSplit` (-1 = never tested). */
  readonly folds?: Int32Array;
  readonly sampleWeight?: Float64Array;
  readonly ids?: readonly string[];
  /** The original label of each class index (used in column names). */
  readonly classNames?: readonly string[];
  /** Column names per view (used for passthrough column names). */
  readonly featureNames?: Readonly<Record<string, readonly string[]>>;
}

/** Input to a stack's `predictProba`: one matrix per view, or a single matrix when the stack reads one view. */
export type StackInput = Matrix | Readonly<Record<string, Matrix>>;

export function isMatrix(value: unknown): value is Matrix {
  const candidate = value as Partial<Matrix> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.rows === 'number' && candidate.data instanceof Float32Array;
}

/**
 * The views record of a stack input. A single matrix (or a `Dataset`'s features) is accepted when
 * the stack reads exactly one view.
 */
export function viewsOf(input: StackInput, viewNames: readonly string[]): Readonly<Record<string, Matrix>> {
  if (!isMatrix(input)) return input;
  if (viewNames.length !== 1) {
    throw new PipelineError('E_USAGE', `this stack reads ${viewNames.length} views (${viewNames.join(', ')}), so a single matrix is ambiguous`, {
      field: 'views',
      hint: `pass { ${viewNames.map((v) => `${v}: …`).join(', ')} }`,
    });
  }
  return { [viewNames[0]!]: input };
}

/** Turns a `Dataset` (one view) or `StackingData` into `StackingData`, checking every used view. */
export function toStackingData(data: Dataset | StackingData, viewNames: readonly string[]): StackingData {
  const stacking: StackingData =
    'views' in data
      ? data
      : {
          views: viewsOf(data.features, viewNames),
          ...(data.labels === undefined ? {} : { labels: data.labels }),
          ...(data.groups === undefined ? {} : { groups: data.groups }),
          ...(data.sampleWeight === undefined ? {} : { sampleWeight: data.sampleWeight }),
          ...(data.ids === undefined ? {} : { ids: data.ids }),
          ...(data.classNames === undefined ? {} : { classNames: data.classNames }),
          ...(data.featureNames === undefined ? {} : { featureNames: { [viewNames[0]!]: data.featureNames } }),
        };
  checkViews(stacking.views, viewNames);
  const n = stacking.views[viewNames[0]!]!.rows;
  const check = (field: string, length: number | undefined) => {
    if (length !== undefined && length !== n) {
      throw new PipelineError('E_INPUT', `${field} has ${length} entries but the views have ${n} rows`, {
        field,
        hint: 'every per-row array must follow the row order of the views',
      });
    }
  };
  check('labels', stacking.labels?.length);
  const negative = stacking.labels?.findIndex((label) => label < 0) ?? -1;
  if (negative !== -1) {
    throw new PipelineError('E_INPUT', `label of row ${negative} is ${stacking.labels![negative]}; labels must be class indices 0..k-1`, {
      field: 'labels',
      hint: 'map class names to indices (classNames keeps the names)',
    });
  }
  check('groups', stacking.groups?.length);
  check('folds', stacking.folds?.length);
  check('sampleWeight', stacking.sampleWeight?.length);
  check('ids', stacking.ids?.length);
  return stacking;
}

/** Every named view exists and all have the same number of rows; returns that number. */
export function checkViews(views: Readonly<Record<string, Matrix>>, viewNames: readonly string[]): number {
  let rows: number | undefined;
  for (const name of viewNames) {
    const view = views[name];
    if (view === undefined) {
      throw new PipelineError('E_INPUT', `view '${name}' is missing`, {
        field: name,
        hint: `the stack reads views ${viewNames.join(', ')}; given: ${Object.keys(views).join(', ') || 'none'}`,
      });
    }
    if (rows !== undefined && view.rows !== rows) {
      throw new PipelineError('E_INPUT', `view '${name}' has ${view.rows} rows but view '${viewNames[0]}' has ${rows}`, {
        field: name,
        hint: 'all views must hold the same rows in the same order',
      });
    }
    rows = view.rows;
  }
  return rows ?? 0;
}

/** The given rows of every used view and per-row array, alike. */
export function takeStackingRows(data: StackingData, indices: Int32Array, viewNames: readonly string[]): StackingData {
  const pick = (array: Int32Array | undefined) => (array === undefined ? undefined : Int32Array.from(indices, (i) => array[i]!));
  const labels = pick(data.labels);
  const groups = pick(data.groups);
  const folds = pick(data.folds);
  const sampleWeight = data.sampleWeight === undefined ? undefined : Float64Array.from(indices, (i) => data.sampleWeight![i]!);
  return {
    views: Object.fromEntries(viewNames.map((name) => [name, gatherRows(data.views[name]!, indices)])),
    ...(labels === undefined ? {} : { labels }),
    ...(groups === undefined ? {} : { groups }),
    ...(folds === undefined ? {} : { folds }),
    ...(sampleWeight === undefined ? {} : { sampleWeight }),
    ...(data.ids === undefined ? {} : { ids: Array.from(indices, (i) => data.ids![i]!) }),
    ...(data.classNames === undefined ? {} : { classNames: data.classNames }),
    ...(data.featureNames === undefined ? {} : { featureNames: data.featureNames }),
  };
}
