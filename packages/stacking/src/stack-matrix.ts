import { matrix, PipelineError, type Matrix } from '@pipeline/core';

/** How the meta-learner's input is laid out: frozen at fit time, checked at predict time. */
export interface StackLayout {
  readonly nClasses: number;
  readonly classNames?: readonly string[];
  /** Base model names, in the declared order. */
  readonly models: readonly string[];
  /** Keep only class 1's column of each base model in a binary problem (the other is redundant). */
  readonly dropFirstBinaryColumn: boolean;
  /** Views appended as they are after the base models' columns, with their widths and column names. */
  readonly passthrough: readonly { readonly view: string; readonly names: readonly string[] }[];
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
    ...layout.passthrough.flatMap(({ view, names }) => names.map((name) => `${view}:${name}`)),
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
  const width = baseProba.length * classes.length + passthrough.reduce((sum, view) => sum + view.cols, 0);
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
  passthrough.forEach((view, k) => {
    const cols = view.cols;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const x = view.data[i * cols + j]!;
        if (x !== x) throw missingInPassthrough(layout.passthrough[k]!, j, i);
        out.data[i * width + column + j] = x;
      }
    }
    column += cols;
  });
  return out;
}

/**
 * The logistic meta-learner takes no missing values, and a category code is not a number it can
 * weigh: a passthrough view with NaN (a missing cell, or an unknown category at predict) is
 * refused, naming the column. One-hot encoding and imputation for passthrough are not implemented.
 */
function missingInPassthrough(view: { readonly view: string; readonly names: readonly string[] }, column: number, row: number): PipelineError {
  const name = view.names[column] ?? `column ${column}`;
  return new PipelineError('E_INPUT', `passthrough view '${view.view}' has a missing value (row ${row + 1}, column '${name}'); the logistic meta-learner cannot take NaN`, {
    field: `${view.view}:${name}`,
    hint: 'leave this view out of passthrough (its base models handle missing values and categories), or fill the missing cells before training',
  });
}
