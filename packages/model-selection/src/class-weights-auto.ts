import { PipelineError } from '@pipeline/core';

/**
 * scikit-learn's `class_weight='balanced'`: weight of class c = nRows / (nPresentClasses · count_c),
 * so every class carries the same total weight. Indexed by class index (length max label + 1, or
 * `nClasses`); classes absent from `labels` get 0.
 */
export function classWeightsAuto(labels: Int32Array, nClasses?: number): Float64Array {
  let max = -1;
  for (const label of labels) {
    if (label < 0) throw new PipelineError('E_INPUT', `labels must be class indices ≥ 0, got ${label}`, { field: 'labels' });
    if (label > max) max = label;
  }
  if (labels.length === 0) throw new PipelineError('E_INPUT', 'cannot weight classes of an empty label set', { field: 'labels' });
  const counts = new Float64Array(Math.max(max + 1, nClasses ?? 0));
  for (const label of labels) counts[label]!++;
  const present = counts.reduce((k, count) => k + (count > 0 ? 1 : 0), 0);
  return counts.map((count) => (count > 0 ? labels.length / (present * count) : 0));
}

/** Per-row weights: the row's class weight times its sample weight (1 when none). */
export function applyClassWeights(labels: Int32Array, classWeights: ArrayLike<number>, sampleWeight?: Float64Array): Float64Array {
  const out = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = (classWeights[labels[i]!] ?? 0) * (sampleWeight?.[i] ?? 1);
  return out;
}
