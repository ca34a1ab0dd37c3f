import { matrix, PipelineError, type Matrix } from '@pipeline/core';

/**
 * Spreads a model's probabilities (one column per entry of `classes`) over all `nClasses` class
 * indices; a class the model does not know gets probability 0.
 */
export function probaByClass(proba: Matrix, classes: readonly number[], nClasses: number, owner: string): Matrix {
  if (proba.cols !== classes.length) {
    throw new PipelineError('E_INTERNAL', `${owner} returned ${proba.cols} probability columns for ${classes.length} classes`);
  }
  if (classes.length === nClasses && classes.every((c, k) => c === k)) return proba;
  for (const c of classes) {
    if (!(Number.isInteger(c) && c >= 0 && c < nClasses)) {
      throw new PipelineError('E_SCHEMA', `${owner} knows class ${c}, but the stack has classes 0..${nClasses - 1}`, { field: 'classes' });
    }
  }
  const out = matrix(proba.rows, nClasses);
  for (let i = 0; i < proba.rows; i++) {
    for (let k = 0; k < classes.length; k++) out.data[i * nClasses + classes[k]!] = proba.data[i * proba.cols + k]!;
  }
  return out;
}
