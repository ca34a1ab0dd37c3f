import { basename, dirname, resolve } from 'node:path';
import { PRIMARY_METRIC, RUN_METRICS, buildRunIndex, type RunIndexEntry } from './run-index.js';
import { bestRun } from './compare-runs.js';

/** A run's score against the previous completed run and the best earlier completed run of the same labels. */
export interface RunDeltas {
  readonly metric: string;
  readonly score: number;
  readonly previous?: { readonly id: string; readonly score: number; readonly delta: number };
  readonly best?: { readonly id: string; readonly score: number; readonly delta: number };
}

/**
 * Deltas of run `id` (fold-mean of `metric`) against the last completed run created before it and
 * against the best completed run created before it; runs of another label set are ignored.
 * Undefined when the run has no score.
 */
export function runDeltas(entries: readonly RunIndexEntry[], id: string, metric = PRIMARY_METRIC): RunDeltas | undefined {
  const self = entries.find((e) => e.id === id);
  const score = self?.cv[metric]?.mean;
  if (self === undefined || score === undefined || RUN_METRICS[metric] === undefined) return undefined;
  const earlier = entries.filter(
    (e) => e.id !== id && e.status === 'completed' && e.createdAt <= self.createdAt && e.classes.join(',') === self.classes.join(',') && e.cv[metric] !== undefined,
  );
  const previous = earlier.at(-1);
  const best = bestRun(earlier, metric);
  const at = (e: RunIndexEntry | undefined) => (e === undefined ? {} : { id: e.id, score: e.cv[metric]!.mean, delta: score - e.cv[metric]!.mean });
  return {
    metric,
    score,
    ...(previous === undefined ? {} : { previous: at(previous) as NonNullable<RunDeltas['previous']> }),
    ...(best === undefined ? {} : { best: at(best) as NonNullable<RunDeltas['best']> }),
  };
}

/** {@link runDeltas} of the run folder `runDir` among the runs of its parent folder (never writes the index cache there). */
export async function deltasOfRun(runDir: string, metric = PRIMARY_METRIC): Promise<RunDeltas | undefined> {
  const dir = resolve(runDir);
  return runDeltas(await buildRunIndex(dirname(dir), { writeCache: false }), basename(dir), metric);
}
