import { matrix, PipelineError, type Matrix } from '@pipeline/core';
import { oneHotEncode, oneHotNames, type OneHotColumn } from './one-hot.js';

/** A view appended to the stacking matrix after the base models' columns. */
export interface PassthroughLayout {
  readonly view: string;
  /** The view's column names (its width). */
  readonly names: readonly string[];
  /** Its categorical columns, one-hot encoded into `<view>:<column>=<category>` columns in place. */
  readonly oneHot?: readonly OneHotColumn[];
}

/** How the meta-learner's input is laid out: frozen at fit time, checked at predict time. */
export interface StackLayout {
  readonly nClasses: number;
  readonly classNames?: readonly string[];
  /** Base model names, in the declared order. */
  readonly models: readonly string[];
  /** Keep only class 1's column of each base model in a binary problem (the other is redundant). */
  readonly dropFirstBinaryColumn: boolean;
  /** Views appended after the base models' columns, with their column names and categorical columns. */
  readonly passthrough: readonly PassthroughLayout[];
  /** True when the meta-learner fills missing passthrough values itself (`passthroughMissing`); else NaN is refused. */
  readonly imputed?: boolean;
}

/** The classes each base model contributes a column for. */
export function stackedClasses(layout: StackLayout): number[] {
  const all = Array.from({ length: layout.nClasses }, (_, c) => c);
  return layout.nClasses === 2 && layout.dropFirstBinaryColumn ? [1] : all;
}

/** Column names of the stacking matrix: `<model>:proba_<class>`, then `<view>:<column>` for passthrough. */
export function stackColumns(layout: StackLayout): string[] {
  const classes = stackedClasses(layout);
  return [
    ...layout.models.flatMap((model) => classes.map((c) => `${model}:proba_${layout.classNames?.[c] ?? c}`)),
    ...layout.passthrough.flatMap(({ view, names, oneHot }) => oneHotNames(names, oneHot ?? []).map((name) => `${view}:${name}`)),
  ];
}

/**
 * Builds the stacking matrix Z from each base model's probabilities (rows × nClasses, in the
 * declared model order) and the passthrough views.
 */
export function buildStack(layout: StackLayout, baseProba: readonly Matrix[], passthrough: readonly Matrix[]): Matrix {
  const classes = stackedClasses(layout);
  const rows = baseProba[0]?.rows ?? passthrough[0]?.rows ?? 0;
  if (baseProba.length !== layout.models.length || passthrough.length !== layout.passthrough.length) {
    throw new PipelineError('E_INTERNAL', 'stack parts do not match the layout');
  }
  passthrough.forEach((view, k) => {
    const expected = layout.passthrough[k]!;
    if (view.cols !== expected.names.length) {
      throw new PipelineError('E_SCHEMA', `passthrough view '${expected.view}' has ${view.cols} columns, the stack was fitted with ${expected.names.length}`, {
        field: expected.view,
      });
    }
  });
  // Categorical columns become their one-hot indicators (missing and unknown: all zeros).
  const encoded = passthrough.map((view, k) => {
    const { view: name, names, oneHot } = layout.passthrough[k]!;
    return oneHot === undefined || oneHot.length === 0 ? view : oneHotEncode(view, oneHot, { names, what: `passthrough view '${name}'`, maxCategories: Number.MAX_SAFE_INTEGER });
  });
  const expanded = layout.passthrough.map(({ names, oneHot }) => oneHotNames(names, oneHot ?? []));
  const width = baseProba.length * classes.length + encoded.reduce((sum, view) => sum + view.cols, 0);
  const out = matrix(rows, width);
  const k = layout.nClasses;
  let column = 0;
  // Column by column: each base model's kept classes, then each passthrough view's columns.
  for (const proba of baseProba) {
    for (const c of classes) {
      for (let i = 0; i < rows; i++) out.data[i * width + column] = proba.data[i * k + c]!;
      column++;
    }
  }
  encoded.forEach((view, k) => {
    const cols = view.cols;
    const refuseMissing = layout.imputed !== true;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const x = view.data[i * cols + j]!;
        if (x !== x && refuseMissing) throw missingInPassthrough({ view: layout.passthrough[k]!.view, names: expanded[k]! }, j, i);
        out.data[i * width + column + j] = x;
      }
    }
    column += cols;
  });
  return out;
}

/**
 * The logistic meta-learner takes no missing values: a numeric passthrough column with NaN is
 * refused, naming the column, unless the stack imputes (`passthroughMissing`). Categorical columns
 * never hold NaN here: they are one-hot encoded (`passthroughCategorical`) before this check.
 */
function missingInPassthrough(view: { readonly view: string; readonly names: readonly string[] }, column: number, row: number): PipelineError {
  const name = view.names[column] ?? `column ${column}`;
  return new PipelineError('E_INPUT', `passthrough view '${view.view}' has a missing value (row ${row + 1}, column '${name}'); the logistic meta-learner cannot take NaN`, {
    field: `${view.view}:${name}`,
    hint: "set passthroughMissing: 'median' or 'most_frequent' (fitted on each training fold), leave this view out of passthrough (its base models handle missing values), or declare a categorical column in passthroughCategorical (one-hot, missing = all zeros)",
  });
}
