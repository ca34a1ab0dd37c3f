import type { Direction, TrialRecord } from './trial-record.js';

/**
 * A pruner decides fold by fold whether a running trial should stop. Like a sampler it sees the
 * finished trials the study shows it (`tell`, increasing number order), so decisions are as
 * reproducible as proposals.
 */
export interface Pruner {
  /** `none`, `median` or `paired`. */
  readonly name: string;
  tell(trial: TrialRecord): void;
  /** After fold `foldScores.length − 1` was reported: stop this trial? */
  shouldPrune(foldScores: readonly number[]): boolean;
}

/** What a pruner is built from. */
export interface PrunerContext {
  readonly direction: Direction;
}

/** Never prunes (the default for random and quasi-random search). */
export function nonePruner(): Pruner {
  return { name: 'none', tell: () => {}, shouldPrune: () => false };
}
