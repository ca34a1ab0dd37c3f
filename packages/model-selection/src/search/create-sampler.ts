import { PipelineError } from '@pipeline/core';
import { medianPruner, type MedianPrunerOptions } from './median-pruner.js';
import { pairedPruner, type PairedPrunerOptions } from './paired-pruner.js';
import { nonePruner, type Pruner, type PrunerContext } from './pruner.js';
import { qmcSampler } from './qmc-sampler.js';
import { randomSampler } from './random-sampler.js';
import type { Sampler, SamplerContext } from './sampler.js';
import { tpeSampler, type TpeOptions } from './tpe-sampler.js';

/** A sampler by name (with options), or a factory of one's own. */
export type SamplerSpec =
  | 'random'
  | 'qmc'
  | 'tpe'
  | { readonly type: 'random' }
  | { readonly type: 'qmc' }
  | ({ readonly type: 'tpe' } & TpeOptions)
  | ((context: SamplerContext) => Sampler);

/** A pruner by name (with options), or a factory of one's own. */
export type PrunerSpec =
  | 'none'
  | 'median'
  | 'paired'
  | { readonly type: 'none' }
  | ({ readonly type: 'median' } & MedianPrunerOptions)
  | ({ readonly type: 'paired' } & PairedPrunerOptions)
  | ((context: PrunerContext) => Pruner);

/** Builds the sampler a spec names (`E_USAGE` for an unknown name). */
export function createSampler(spec: SamplerSpec, context: SamplerContext): Sampler {
  if (typeof spec === 'function') return spec(context);
  const { type, ...options } = typeof spec === 'string' ? { type: spec } : spec;
  switch (type) {
    case 'random':
      return randomSampler(context);
    case 'qmc':
      return qmcSampler(context);
    case 'tpe':
      return tpeSampler(context, options as TpeOptions);
    default:
      throw new PipelineError('E_USAGE', `unknown sampler '${String(type)}'`, { field: 'sampler', hint: 'use random, qmc or tpe' });
  }
}

/** Builds the pruner a spec names (`E_USAGE` for an unknown name). */
export function createPruner(spec: PrunerSpec, context: PrunerContext): Pruner {
  if (typeof spec === 'function') return spec(context);
  const { type, ...options } = typeof spec === 'string' ? { type: spec } : spec;
  switch (type) {
    case 'none':
      return nonePruner();
    case 'median':
      return medianPruner(context, options as MedianPrunerOptions);
    case 'paired':
      return pairedPruner(context, options as PairedPrunerOptions);
    default:
      throw new PipelineError('E_USAGE', `unknown pruner '${String(type)}'`, { field: 'pruner', hint: 'use none, median or paired' });
  }
}
