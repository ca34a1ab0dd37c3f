import { PRIMARY_METRIC, type RunIndexEntry } from './run-index.js';

/** Runs that differ only in the seed, with the spread of their CV fold-means. */
export interface SeedGroup {
  /** Hash of the config without seed, name and tags. */
  readonly group: string;
  readonly ids: readonly string[];
  readonly seeds: readonly number[];
  readonly metric: string;
  /** Each run's fold-mean of `metric`. */
  readonly means: readonly number[];
  /** Mean of the runs' fold-means. */
  readonly mean: number;
  /** Population standard deviation of the runs' fold-means. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

/** Statistics of a list of per-seed scores: mean, population std, min, max. */
export function seedStatistics(values: readonly number[]): { mean: number; std: number; min: number; max: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(ss / n), min: Math.min(...values), max: Math.max(...values) };
}

/** Groups completed runs by seed group (first-seen order); each group's CV statistics on `metric`. */
export function groupBySeed(entries: readonly RunIndexEntry[], metric = PRIMARY_METRIC): SeedGroup[] {
  const groups = new Map<string, RunIndexEntry[]>();
  for (const e of entries) {
    if (e.status !== 'completed' || e.cv[metric] === undefined) continue;
    const list = groups.get(e.seedGroup) ?? [];
    list.push(e);
    groups.set(e.seedGroup, list);
  }
  return [...groups.entries()].map(([group, runs]) => {
    const means = runs.map((r) => r.cv[metric]!.mean);
    return { group, ids: runs.map((r) => r.id), seeds: runs.map((r) => r.seed), metric, means, ...seedStatistics(means) };
  });
}
