import { availableParallelism } from 'node:os';
import { sequentialExecutor, type FoldExecutor } from '@pipeline/model-selection';
import { localParallelExecutor } from './local-parallel-executor.js';

/** What {@link defaultExecutor} may take into account besides the estimator kinds. */
export interface DefaultExecutorOptions {
  /** Cores to use. Default: `availableParallelism()`. */
  readonly cores?: number;
  /** A base model's args set its own thread count (e.g. `nThreads`): keep the folds in this process. */
  readonly threadsGiven?: boolean;
}

/**
 * The executor a run gets when the caller names none (every choice gives byte-identical results):
 *
 * - only gradient boosting (`hist-gradient-boosting`), at least 2 cores and no thread count in the
 *   args: a {@link localParallelExecutor} with one worker per core, each fitting on one thread
 *   (`nThreads: 1`, result-neutral). Independent fold fits side by side can keep both cores busy
 *   with no per-histogram synchronisation (a fit with 2 histogram threads kept about 1.5 of 2 cores
 *   busy). Measured only on a shared machine (`bench/results/cli.md`, 2026-12-05): the same CPU
 *   seconds as the in-process fits with 2 threads (main job at 6,000 rows × 3 folds: 30.9 vs
 *   30.1 CPU-s), the wall-time gain on an idle machine is not yet measured. The caller starts it
 *   early and closes it (`trainRun` does).
 * - otherwise sequential: for the temporal models fold-level threads were not measurably faster on
 *   this 2-core machine while it was shared (CNN, 240 rows × 3 folds × 2 epochs: 56 s sequential vs
 *   72 s with 2 workers at load average 16–20 — inconclusive, see the closing note of the workflows
 *   issue). `localParallelExecutor({ workers })` (CLI `--workers N`) is the opt-in.
 */
export function defaultExecutor(kinds: readonly string[], options: DefaultExecutorOptions = {}): FoldExecutor {
  const cores = options.cores ?? availableParallelism();
  const gbdtOnly = kinds.length > 0 && kinds.every((kind) => kind === 'hist-gradient-boosting');
  if (!gbdtOnly || cores < 2 || options.threadsGiven === true) return sequentialExecutor;
  return localParallelExecutor({
    workers: cores,
    taskArgs: { 'hist-gradient-boosting': { nThreads: 1 } },
    preload: ['@pipeline/model-gbdt'],
  });
}
