import type { Pruner, PrunerContext } from './pruner.js';
import { runningScores, type TrialRecord } from './trial-record.js';

/** Options of {@link medianPruner} (Optuna's `MedianPruner` defaults). */
export interface MedianPrunerOptions {
  /** No pruning until this many trials completed. Default 5. */
  readonly nStartupTrials?: number;
  /** No pruning before fold index `nWarmupSteps` (0-based). Default 0. */
  readonly nWarmupSteps?: number;
  /** Completed trials needed at the fold for a median. Default 1. */
  readonly nMinTrials?: number;
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Optuna's median pruner on running fold scores: the intermediate value at fold k is the mean of
 * folds 0..k. After fold k, once `nStartupTrials` trials completed and k >= `nWarmupSteps`, the
 * trial is pruned when its best running score so far (over folds 0..k) is worse than the median of
 * the completed trials' running scores at fold k.
 */
export function medianPruner(context: PrunerContext, options: MedianPrunerOptions = {}): Pruner {
  const nStartup = options.nStartupTrials ?? 5;
  const nWarmup = options.nWarmupSteps ?? 0;
  const nMin = options.nMinTrials ?? 1;
  const maximize = context.direction === 'maximize';
  /** Running scores of every completed trial, per fold. */
  const byFold: number[][] = [];
  let completed = 0;
  return {
    name: 'median',
    tell(trial: TrialRecord): void {
      if (trial.state !== 'complete') return;
      completed++;
      runningScores(trial.foldScores).forEach((value, fold) => {
        if (Number.isNaN(value)) return;
        (byFold[fold] ??= []).push(value);
      });
    },
    shouldPrune(foldScores: readonly number[]): boolean {
      const step = foldScores.length - 1;
      if (step < 0 || completed === 0 || completed < nStartup || step < nWarmup) return false;
      const running = runningScores(foldScores).filter((v) => !Number.isNaN(v));
      if (running.length === 0) return true;
      const best = maximize ? Math.max(...running) : Math.min(...running);
      const others = byFold[step] ?? [];
      if (others.length < nMin || others.length === 0) return false;
      const m = median(others);
      return maximize ? best < m : best > m;
    },
  };
}
