import { countClasses, type Dataset } from '@pipeline/core';

/** How a temporal model weights the classes in its loss: `none`, or `balanced` (scikit-learn's `class_weight='balanced'`). */
export type ClassWeightMode = 'none' | 'balanced';

/**
 * The dataset with `balanced` class weights multiplied into its sample weights: class c gets
 * total / (classes · total_c), where the totals are sums of the rows' existing sample weights (1
 * without any). Over weighted totals the rule is idempotent: rows already balanced (the stack's
 * `classWeightsAuto`) keep their weights, so the two never balance twice. `none` or unlabeled data
 * return the dataset unchanged. Classes without rows are skipped.
 */
export function withBalancedClassWeights(data: Dataset, mode: ClassWeightMode): Dataset {
  if (mode === 'none' || data.labels === undefined) return data;
  const { labels, sampleWeight } = data;
  const classes = countClasses(data);
  const totals = new Float64Array(classes);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = sampleWeight === undefined ? 1 : sampleWeight[i]!;
    totals[labels[i]!] = totals[labels[i]!]! + w;
    total += w;
  }
  const present = totals.filter((t) => t > 0).length;
  const factor = Float64Array.from(totals, (t) => (t > 0 ? total / (present * t) : 0));
  const weights = Float64Array.from({ length: labels.length }, (_, i) => (sampleWeight === undefined ? 1 : sampleWeight[i]!) * factor[labels[i]!]!);
  return { ...data, sampleWeight: weights };
}
