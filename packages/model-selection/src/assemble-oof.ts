import { matrix, PipelineError, type Matrix } from '@pipeline/core';
import { bytesToFloat32 } from './bytes.js';
import type { FoldPlan } from './resolve-folds.js';
import type { FoldOutcome } from './run-fold-task.js';

/**
 * Puts one model's fold predictions back in row order: an `nRows × nClasses` matrix of out-of-fold
 * probabilities, class indices as columns (a class a fold model never saw gets 0). With repeats,
 * the mean over repeats.
 */
export function assembleOof(outcomes: readonly FoldOutcome[], plan: FoldPlan, nClasses: number): Matrix {
  const nRows = plan.foldOf[0]?.length ?? 0;
  const sum = new Float64Array(nRows * nClasses);
  const seen = new Uint8Array(plan.splits.length);
  for (const { task, result } of outcomes) {
    const { split, classes, testRows } = result.output;
    const test = plan.splits[split]?.test;
    if (test === undefined || test.length !== testRows || seen[split] === 1) {
      throw new PipelineError('E_STATE', `result of task ${task.id} does not fit split ${split} of the fold plan`);
    }
    seen[split] = 1;
    const blob = result.blobs?.['proba'];
    const proba = blob === undefined ? undefined : bytesToFloat32(blob);
    if (proba === undefined || proba.length !== testRows * classes.length) {
      throw new PipelineError('E_STATE', `result of task ${task.id} lacks its ${testRows} × ${classes.length} probabilities`);
    }
    const width = classes.length;
    classes.forEach((c) => {
      if (!(Number.isInteger(c) && c >= 0 && c < nClasses)) {
        throw new PipelineError('E_STATE', `task ${task.id} predicted class ${c}, outside 0..${nClasses - 1}`);
      }
    });
    const columns = Int32Array.from(classes);
    for (let k = 0; k < testRows; k++) {
      const target = test[k]! * nClasses;
      for (let j = 0; j < width; j++) sum[target + columns[j]!]! += proba[k * width + j]!;
    }
  }
  const missing = seen.indexOf(0);
  if (missing !== -1) throw new PipelineError('E_STATE', `no result for split ${missing} of the fold plan`);
  const out = matrix(nRows, nClasses);
  for (let i = 0; i < sum.length; i++) out.data[i] = sum[i]! / plan.repeats;
  return out;
}
