// Small helpers the benchmarks share (not a test, not published): the median of a sample and a
// peer process whose last stdout line is JSON.
import { spawnSync } from 'node:child_process';

/** The median of `values` (the mean of the middle two for an even count; NaN when empty). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `command args` with one OpenMP thread (plus `env`) and parses the last line it printed as
 * JSON; throws with its stderr when it fails.
 */
export function runJson(command, args, env = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', ...env }, maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}
