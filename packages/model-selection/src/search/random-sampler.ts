import { createRng, deriveSeed } from '@pipeline/core';
import { randomParams, type Sampler, type SamplerContext } from './sampler.js';

/**
 * Independent uniform sampling (see `valueFromUnit` for each distribution). Trial `number` draws
 * from `createRng(deriveSeed(seed, 'random', number))`, so its params depend on nothing else.
 */
export function randomSampler(context: SamplerContext): Sampler {
  return {
    name: 'random',
    tell: () => {},
    ask: (number) => randomParams(context.space, createRng(deriveSeed(context.seed, 'random', number))),
  };
}
