import type { FeaturizeWorkers } from '@pipeline/features';
import type { LocalParallelExecutor } from '@pipeline/workflows';

let started: FeaturizeWorkers | undefined;
let foldWorkers: LocalParallelExecutor | undefined;

/**
 * Whether `train`'s command line asks for the wavelet view (`--hgb-fe`, or `--demo`, whose default
 * model is HGB on wavelet features) and will train (not `--help`, `--print-config` or `--optimize`).
 * A wrong guess costs threads that load their modules and are ended: `trainRun` ends featurize
 * threads a config without a wavelet view does not need, and a fold pool it would not make.
 */
export function wantsEarlyFeaturize(argv: readonly string[]): boolean {
  if (argv.some((a) => a === '-h' || /^--(help|print-config|printConfig|optimize)(=|$)/.test(a))) return false;
  return argv.some((a) => /^--(hgb-fe|hgbFe|demo)(=true)?$/.test(a));
}

/**
 * Whether the fold worker pool is worth starting ahead too: a wavelet-view train
 * ({@link wantsEarlyFeaturize}) whose folds likely run on the default pool of gradient boosting
 * alone: no `--workers`, `--queue`, thread count, backend, temporal model or config file (which may
 * name other models). A wrong guess only costs the pool's start: `trainRun` ends a pool it would not
 * make.
 */
export function wantsEarlyFoldWorkers(argv: readonly string[]): boolean {
  return wantsEarlyFeaturize(argv) && !argv.some((a) => /^--(workers|queue|hgb-threads|hgbThreads|backend|with-lstm|withLstm|with-cnn|withCnn|config)(=|$)/.test(a));
}

/**
 * Starts the featurize threads (`startFeaturizeWorkers`) before the CLI loads the config schema and
 * the workflows, so their module loading (0.3–0.6 s of CPU each) runs on the other core meanwhile
 * instead of after the inputs are read. `train`'s run hands them to `trainRun`
 * ({@link takeEarlyFeaturize}); {@link releaseEarlyThreads} ends them when no run takes them.
 */
export async function startEarlyFeaturize(argv: readonly string[]): Promise<void> {
  releaseEarlyThreads();
  if (!wantsEarlyFeaturize(argv)) return;
  const { startFeaturizeWorkers } = await import('@pipeline/features');
  started = startFeaturizeWorkers();
}

/**
 * Starts the fold worker pool a gradient-boosting run gets by default
 * (`defaultPoolOptions(['hist-gradient-boosting'])`), once the featurize threads have had the other
 * core for their own module loading (call it after the config schema is loaded): the pool's threads
 * then load `@pipeline/model-gbdt` while this thread reads the inputs, instead of while the
 * featurize threads work. `trainRun` uses the pool when its config would make the same one
 * (`TrainRunContext.foldWorkers`) and ends it otherwise.
 */
export async function startEarlyFoldWorkers(argv: readonly string[]): Promise<void> {
  if (!wantsEarlyFoldWorkers(argv)) return;
  const { defaultPoolOptions, localParallelExecutor } = await import('@pipeline/workflows');
  const options = defaultPoolOptions(['hist-gradient-boosting']);
  if (options === undefined) return; // one core: folds run in this thread
  foldWorkers = localParallelExecutor(options);
  foldWorkers.start();
}

/** The threads started by {@link startEarlyFeaturize}, once (the taker owns them), or undefined. */
export function takeEarlyFeaturize(): FeaturizeWorkers | undefined {
  const taken = started;
  started = undefined;
  return taken;
}

/** The pool started by {@link startEarlyFoldWorkers}, once (the taker owns it), or undefined. */
export function takeEarlyFoldWorkers(): LocalParallelExecutor | undefined {
  const taken = foldWorkers;
  foldWorkers = undefined;
  return taken;
}

/** The pool started by {@link startEarlyFoldWorkers} and not yet taken (for tests and diagnostics). */
export function earlyFoldWorkers(): LocalParallelExecutor | undefined {
  return foldWorkers;
}

/** Ends the threads no run took (idempotent). */
export function releaseEarlyThreads(): void {
  takeEarlyFeaturize()?.close();
  takeEarlyFoldWorkers()
    ?.close()
    .catch(() => undefined);
}
