import { availableParallelism } from 'node:os';
import { canonicalJson, sequentialExecutor, type FoldExecutor } from '@pipeline/model-selection';
import { localParallelExecutor, type LocalParallelExecutorOptions } from './local-parallel-executor.js';

/** What {@link defaultExecutor} may take into account besides the estimator kinds. */
export interface DefaultExecutorOptions {
  /** Cores to use. Default: `availableParallelism()`. */
  readonly cores?: number;
  /** A base model's args set its own thread count (e.g. `nThreads`): keep the folds in this process. */
  readonly threadsGiven?: boolean;
  /** TensorFlow.js backend the workers select for temporal models (the run's `backend`). Default: the best present. */
  readonly backend?: string;
}

/** Built-in estimator kinds a worker can rebuild from a fold task (`estimatorFromTask`). */
const POOLED_KINDS: ReadonlySet<string> = new Set(['hist-gradient-boosting', 'lstm', 'cnn1d', 'cnn2d']);

/**
 * The executor a run gets when the caller names none (every choice gives byte-identical results):
 *
 * - only gradient boosting (`hist-gradient-boosting`), at least 2 cores and no thread count in the
 *   args: a {@link localParallelExecutor} with one worker per core, each fitting on one thread
 *   (`nThreads: 1`, result-neutral). Independent fold fits side by side can keep both cores busy
 *   with no per-histogram synchronisation (a fit with 2 histogram threads kept about 1.5 of 2 cores
 *   busy). On an idle machine (`bench/results/cli.md`, 2026-12-05, load 1.6–2.5) the main job
 *   `train --hgb-fe` took 11.0 s at 6,000 rows × 3 folds and 24.3 s at 20,000 rows × 5 folds,
 *   0.52× and 0.49× the wall time of the single-threaded Python reference. The caller starts it
 *   early and closes it (`trainRun` does).
 * - built-in temporal models (`lstm`, `cnn1d`, `cnn2d`, alone or with gradient boosting), at least 2
 *   cores and no thread count in the args: the same pool, each worker with its own TensorFlow.js
 *   backend. Measured on an idle machine (load 0.1, 2026-12-05): CNN, demo data, 3 folds × 2 epochs
 *   × 1,500 rows: 18.8 s with the pool vs 25.4 s sequential (0.74×), byte-identical OOF files; peak
 *   RSS 821 vs 434 MB (one backend per worker).
 * - otherwise (kinds registered by the caller, which a worker cannot rebuild; one core; thread
 *   counts given) sequential. `localParallelExecutor({ workers })` (CLI `--workers N`) sets the pool size.
 */
export function defaultExecutor(kinds: readonly string[], options: DefaultExecutorOptions = {}): FoldExecutor {
  const pool = defaultPoolOptions(kinds, options);
  return pool === undefined ? sequentialExecutor : localParallelExecutor(pool);
}

/**
 * The options of the worker pool {@link defaultExecutor} makes for these kinds, or undefined when it
 * runs the folds sequentially. A caller that starts the pool ahead (`localParallelExecutor(…)` then
 * `start()`, as the CLI does before it knows the config) hands it to `trainRun`
 * (`TrainRunContext.foldWorkers`), which uses it only when these options are equal to those of the
 * pool it would make itself ({@link samePoolOptions}).
 */
export function defaultPoolOptions(kinds: readonly string[], options: DefaultExecutorOptions = {}): LocalParallelExecutorOptions | undefined {
  const cores = options.cores ?? availableParallelism();
  const pooled = kinds.length > 0 && kinds.every((kind) => POOLED_KINDS.has(kind));
  if (!pooled || cores < 2 || options.threadsGiven === true) return undefined;
  const gbdtOnly = kinds.every((kind) => kind === 'hist-gradient-boosting');
  return {
    workers: cores,
    taskArgs: { 'hist-gradient-boosting': { nThreads: 1 } },
    ...(gbdtOnly ? { preload: ['@pipeline/model-gbdt'] } : {}),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  };
}

/** Whether two pools' options are the same (plain JSON data, compared key order aside). */
export function samePoolOptions(a: LocalParallelExecutorOptions, b: LocalParallelExecutorOptions): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
