import type { Rng } from '@pipeline/core';
import { isActive, isLogParam, type ParamSpec, type ParamValue, type Params, type SearchSpace } from './search-space.js';
import type { Direction, TrialRecord } from './trial-record.js';

/**
 * A sampler proposes the params of trial `number`. Its contract makes searches reproducible and
 * resumable:
 *
 * - `tell` receives finished trials in increasing number order, each exactly once (the study
 *   decides which trials a proposal may see, see `runStudy`);
 * - `ask(number, pending)` depends only on the trials told so far, the params of `pending` trials
 *   (proposed, not yet visible) and the seed — every random draw comes from a generator seeded with
 *   `deriveSeed(seed, <sampler>, number)`, so no hidden state carries from one proposal to the next.
 *
 * Replaying a trial log through `tell` therefore restores the state exactly.
 */
export interface Sampler {
  /** `random`, `qmc` or `tpe`. */
  readonly name: string;
  /** Adds a finished trial (increasing `number`). */
  tell(trial: TrialRecord): void;
  /** The params of trial `number`. */
  ask(number: number, pending: readonly Params[]): Params;
}

/** What a sampler is built from. */
export interface SamplerContext {
  readonly space: SearchSpace;
  readonly direction: Direction;
  readonly seed: number;
}

/**
 * Maps u in [0, 1) to a value of `spec`: uniform → low + u·(high − low); log-uniform → exp of the
 * same in log space; int → one of low..high with equal probability; log int → round(exp(U)) with U
 * uniform on [log(low − ½), log(high + ½)] (Optuna's convention); choice → choices[⌊u·k⌋].
 */
export function valueFromUnit(spec: ParamSpec, u: number): ParamValue {
  switch (spec.type) {
    case 'uniform':
      return spec.low + u * (spec.high - spec.low);
    case 'log-uniform': {
      const lo = Math.log(spec.low);
      return Math.min(spec.high, Math.max(spec.low, Math.exp(lo + u * (Math.log(spec.high) - lo))));
    }
    case 'int': {
      if (isLogParam(spec)) {
        const lo = Math.log(spec.low - 0.5);
        const value = Math.round(Math.exp(lo + u * (Math.log(spec.high + 0.5) - lo)));
        return Math.min(spec.high, Math.max(spec.low, value));
      }
      return Math.min(spec.high, spec.low + Math.floor(u * (spec.high - spec.low + 1)));
    }
    case 'choice':
      return spec.choices[Math.min(spec.choices.length - 1, Math.floor(u * spec.choices.length))]!;
  }
}

/** Params of a trial drawn independently with `unit(name, index)` giving u for each active parameter in space order. */
export function paramsFromUnits(space: SearchSpace, unit: (name: string, index: number) => number): Params {
  const params: Record<string, ParamValue> = {};
  space.order.forEach((name, index) => {
    if (!isActive(space, name, params)) return;
    params[name] = valueFromUnit(space.params[name]!, unit(name, index));
  });
  return params;
}

/** One uniform draw per active parameter, in space order. */
export function randomParams(space: SearchSpace, rng: Rng): Params {
  return paramsFromUnits(space, () => rng.uniform());
}
