import { PipelineError } from '@pipeline/core';
import type { FittedHistGradientBoosting } from './fitted-hist-gradient-boosting.js';

export interface FeatureImportanceOptions {
  /**
   * `'gain'`: total loss reduction of the splits on each feature, GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ)
   * summed over every tree (LightGBM's 'gain'); `'split'`: number of splits on each feature.
   * Default 'gain'.
   */
  readonly type?: 'gain' | 'split';
  /** Scale to sum to 1 (when any split exists). Default false. */
  readonly normalize?: boolean;
}

/** Importance of each input feature in a fitted model (one entry per feature, in column order). */
export function featureImportances(model: FittedHistGradientBoosting, options: FeatureImportanceOptions = {}): Float64Array {
  const type = options.type ?? 'gain';
  if (type !== 'gain' && type !== 'split') {
    throw new PipelineError('E_USAGE', `importance type must be 'gain' or 'split', got '${String(type)}'`, { field: 'type' });
  }
  const { ensemble } = model.state;
  const out = new Float64Array(model.nFeatures);
  const end = ensemble.treeStart[model.nIter * ensemble.nTreesPerIteration]!;
  for (let node = 0; node < end; node++) {
    const f = ensemble.feature[node]!;
    if (f >= 0) out[f]! += type === 'gain' ? ensemble.gain[node]! : 1;
  }
  if (options.normalize === true) {
    let total = 0;
    for (const v of out) total += v;
    if (total > 0) for (let f = 0; f < out.length; f++) out[f]! /= total;
  }
  return out;
}
