import { sequentialExecutor, type FoldExecutor } from '@pipeline/model-selection';

/**
 * The executor a run gets when the caller names none: sequential. HGB already spreads each fit over
 * both cores (its histogram threads), and for the temporal models fold-level threads were not
 * measurably faster on this 2-core machine while it was shared (CNN, 240 rows × 3 folds × 2 epochs:
 * 56 s sequential vs 72 s with 2 workers at load average 16–20 — inconclusive, see the closing note
 * of the workflows issue). `localParallelExecutor({ workers })` (CLI `--workers N`) is the opt-in,
 * byte-identical alternative.
 */
export function defaultExecutor(_kinds: readonly string[]): FoldExecutor {
  return sequentialExecutor;
}
