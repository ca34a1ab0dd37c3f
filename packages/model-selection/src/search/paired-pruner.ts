import type { Pruner, PrunerContext } from './pruner.js';
import { isBetter, type TrialRecord } from './trial-record.js';
import { wilcoxonSignedRankP } from './wilcoxon.js';

/** Options of {@link pairedPruner} (Optuna's `WilcoxonPruner` defaults). */
export interface PairedPrunerOptions {
  /** Prune when the one-sided p-value is below this. Default 0.1. */
  readonly pThreshold?: number;
  /** Folds needed before a test (at least 2). Default 2. */
  readonly nStartupSteps?: number;
}

/**
 * Stops a trial whose fold scores are significantly worse than the best complete trial's on the
 * same folds: a one-sided exact Wilcoxon signed-rank test on (trial − best) per fold (alternative
 * "less" when maximising, "greater" when minimising), pruning when p < `pThreshold` (default 0.1)
 * after at least max(2, `nStartupSteps`) folds — with the exact test and no ties, p >= 2^−folds, so
 * with the default threshold the earliest prune is after 4 folds (p = 1/16) that are all worse.
 * As in Optuna, a trial whose mean so far is at least the best trial's mean is never pruned.
 */
export function pairedPruner(context: PrunerContext, options: PairedPrunerOptions = {}): Pruner {
  const pThreshold = options.pThreshold ?? 0.1;
  const nStartup = options.nStartupSteps ?? 2;
  if (!(pThreshold >= 0 && pThreshold <= 1)) throw new RangeError(`pThreshold must be in [0, 1], got ${pThreshold}`);
  const direction = context.direction;
  let best: TrialRecord | undefined;
  return {
    name: 'paired',
    tell(trial: TrialRecord): void {
      if (trial.state !== 'complete' || trial.score === null || Number.isNaN(trial.score)) return;
      if (best === undefined || isBetter(trial.score, best.score!, direction)) best = trial;
    },
    shouldPrune(foldScores: readonly number[]): boolean {
      if (best === undefined || best.foldScores.length === 0 || foldScores.length === 0) return false;
      if (!foldScores.every(Number.isFinite) || !best.foldScores.every(Number.isFinite)) return false;
      const shared = Math.min(foldScores.length, best.foldScores.length);
      if (shared < Math.max(2, nStartup)) return false;
      const differences = foldScores.slice(0, shared).map((v, i) => v - best!.foldScores[i]!);
      const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
      const bestMean = mean(best.foldScores);
      const currentMean = mean(foldScores);
      const averageIsBest = direction === 'maximize' ? bestMean <= currentMean : bestMean >= currentMean;
      const p = wilcoxonSignedRankP(differences, direction === 'maximize' ? 'less' : 'greater');
      return p < pThreshold && !averageIsBest;
    },
  };
}
