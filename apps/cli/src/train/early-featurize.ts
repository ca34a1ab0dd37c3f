import type { FeaturizeWorkers } from '@pipeline/features';

let started: FeaturizeWorkers | undefined;

/**
 * Whether `train`'s command line asks for the wavelet view (`--hgb-fe`, or `--demo`, whose default
 * model is HGB on wavelet features) and will train (not `--help`, `--print-config` or `--optimize`).
 * A wrong guess costs two threads that load their modules and are ended: `trainRun` ends threads a
 * config without a wavelet view does not need.
 */
export function wantsEarlyFeaturize(argv: readonly string[]): boolean {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--print-config' || a === '--optimize')) return false;
  return argv.includes('--hgb-fe') || argv.includes('--demo');
}

/**
 * Starts the featurize threads (`startFeaturizeWorkers`) before the CLI loads the config schema and
 * the workflows, so their module loading (0.3–0.6 s of CPU each) runs on the other core meanwhile
 * instead of after the inputs are read. `train`'s run hands them to `trainRun`
 * ({@link takeEarlyFeaturize}); {@link releaseEarlyFeaturize} ends them when no run takes them.
 */
export async function startEarlyFeaturize(argv: readonly string[]): Promise<void> {
  releaseEarlyFeaturize();
  if (!wantsEarlyFeaturize(argv)) return;
  const { startFeaturizeWorkers } = await import('@pipeline/features');
  started = startFeaturizeWorkers();
}

/** The threads started by {@link startEarlyFeaturize}, once (the taker owns them), or undefined. */
export function takeEarlyFeaturize(): FeaturizeWorkers | undefined {
  const taken = started;
  started = undefined;
  return taken;
}

/** Ends the threads no run took (idempotent). */
export function releaseEarlyFeaturize(): void {
  takeEarlyFeaturize()?.close();
}
