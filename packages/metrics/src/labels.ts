import { PipelineError } from '@pipeline/core';

/** Class labels as given by the caller: an `Int32Array`, any typed array or a plain number array. */
export type LabelArray = ArrayLike<number>;

/** The labels to report on. Omitted: the sorted union of the labels present in the inputs. */
export interface LabelsOption {
  readonly labels?: ArrayLike<number>;
}

/** Throws `E_INPUT` unless both arrays are non-empty and of equal length. */
export function checkPair(yTrue: LabelArray, yPred: ArrayLike<unknown>, what: string, predName = 'yPred'): void {
  if (yTrue.length !== yPred.length) {
    throw new PipelineError('E_INPUT', `${what}: yTrue has ${yTrue.length} values but ${predName} has ${yPred.length}`, {
      field: predName,
      hint: 'pass one prediction per sample',
    });
  }
  if (yTrue.length === 0) {
    throw new PipelineError('E_INPUT', `${what}: no samples`, { field: 'yTrue', hint: 'pass at least one sample' });
  }
}

/** Sorted distinct values of one or more label arrays (scikit-learn's `unique_labels`). */
export function uniqueLabels(...arrays: LabelArray[]): number[] {
  const seen = new Set<number>();
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) {
        throw new PipelineError('E_INPUT', `label ${v} at index ${i} is not a finite number`, {
          field: 'yTrue/yPred',
          hint: 'labels must be finite numbers (class indices)',
        });
      }
      seen.add(v);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** Validates an explicit label list (no duplicates, finite values) and copies it. */
export function checkLabelList(labels: ArrayLike<number>, what: string): number[] {
  const out = Array.from(labels);
  if (out.length === 0) {
    throw new PipelineError('E_USAGE', `${what}: 'labels' is empty`, { field: 'labels', hint: 'list at least one label' });
  }
  const seen = new Set<number>();
  for (const label of out) {
    if (!Number.isFinite(label)) {
      throw new PipelineError('E_USAGE', `${what}: label ${label} is not a finite number`, { field: 'labels' });
    }
    if (seen.has(label)) {
      throw new PipelineError('E_USAGE', `${what}: label ${label} is listed twice`, { field: 'labels' });
    }
    seen.add(label);
  }
  return out;
}

/** Maps each value to its position in `labels` (-1 when absent). */
export function encodeLabels(values: LabelArray, labels: readonly number[]): Int32Array {
  const index = new Map<number, number>();
  labels.forEach((label, i) => index.set(label, i));
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = index.get(values[i]!) ?? -1;
  return out;
}
