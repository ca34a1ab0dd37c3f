import { PipelineError } from '@pipeline/core';
import { RunDirectory } from './run-directory.js';
import { RUN_METRICS, type MetricScore, type RunIndexEntry } from './run-index.js';

/** One config parameter across the compared runs (`undefined` where a run lacks it). */
export interface ParamRow {
  /** Dotted path in the resolved config, e.g. `baseModels.0.args.maxIter`. */
  readonly path: string;
  readonly values: readonly unknown[];
  readonly differs: boolean;
}

/** One metric across the compared runs, with deltas against the baseline run. */
export interface MetricRow {
  readonly metric: string;
  readonly better: 'max' | 'min';
  readonly values: readonly (MetricScore | undefined)[];
  /** Fold-mean minus the baseline's fold-mean (0 for the baseline itself). */
  readonly deltas: readonly (number | undefined)[];
}

/** The result of {@link compareRuns}. */
export interface RunComparison {
  readonly ids: readonly string[];
  readonly baseline: string;
  /** Only the differing params unless `all` was asked for. */
  readonly params: readonly ParamRow[];
  readonly metrics: readonly MetricRow[];
  readonly lb: readonly (number | undefined)[];
}

/** Flattens a config to dotted paths → leaf values (arrays of scalars stay one value). */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !(Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object'))) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) out[prefix] = value;
    for (const [k, v] of entries) flattenConfig(v, prefix === '' ? k : `${prefix}.${k}`, out);
    return out;
  }
  if (prefix !== '') out[prefix] = value;
  return out;
}

/**
 * Refuses to compare runs whose scores are not comparable: another label set (class names in label
 * order) or another task (number of classes) gives a clear `E_INPUT` instead of a wrong delta.
 */
export function assertComparable(entries: readonly RunIndexEntry[]): void {
  const first = entries[0];
  if (first === undefined) return;
  for (const e of entries.slice(1)) {
    const a = first.classes.join(',');
    const b = e.classes.join(',');
    if (a !== b) {
      const task = (n: number): string => (n === 2 ? 'binary' : `${n}-class`);
      const what = first.classes.length !== e.classes.length ? `different tasks (${task(first.classes.length)} vs ${task(e.classes.length)})` : 'different label sets';
      throw new PipelineError('E_INPUT', `runs '${first.id}' and '${e.id}' have ${what}: classes [${a}] vs [${b}]; their scores are not comparable`, {
        file: e.dir,
        field: 'classes',
        hint: 'compare runs trained on the same labels',
      });
    }
  }
}

/** Params side by side (only the differing ones unless `all`), metrics with deltas vs the baseline. */
export function compareRuns(entries: readonly RunIndexEntry[], options: { all?: boolean; baseline?: string } = {}): RunComparison {
  if (entries.length === 0) throw new PipelineError('E_USAGE', 'name at least one run to compare', { field: 'ids' });
  assertComparable(entries);
  const baselineIndex = options.baseline === undefined ? 0 : entries.findIndex((e) => e.id === options.baseline);
  if (baselineIndex < 0) throw new PipelineError('E_USAGE', `the baseline '${options.baseline ?? ''}' is not one of the compared runs`, { field: '--baseline' });
  const flat = entries.map((e) => flattenConfig(e.config ?? {}));
  const paths = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const params: ParamRow[] = [];
  for (const path of paths) {
    const values = flat.map((f) => f[path]);
    const keys = values.map((v) => JSON.stringify(v));
    const differs = keys.some((k) => k !== keys[0]);
    if (differs || options.all === true) params.push({ path, values, differs });
  }
  const metrics: MetricRow[] = Object.entries(RUN_METRICS).map(([metric, better]) => {
    const values = entries.map((e) => e.cv[metric]);
    const base = values[baselineIndex]?.mean;
    return { metric, better, values, deltas: values.map((v) => (v === undefined || base === undefined ? undefined : v.mean - base)) };
  });
  return { ids: entries.map((e) => e.id), baseline: entries[baselineIndex]!.id, params, metrics, lb: entries.map((e) => e.lb) };
}

/** The result of {@link diffRuns}. */
export interface RunDiff {
  readonly a: string;
  readonly b: string;
  readonly params: readonly { readonly path: string; readonly a: unknown; readonly b: unknown }[];
  readonly featuresAdded: readonly string[];
  readonly featuresRemoved: readonly string[];
  readonly metrics: readonly {
    readonly metric: string;
    readonly a: number | undefined;
    readonly b: number | undefined;
    readonly change: number | undefined;
    /** b − a per fold, when both runs have the same number of folds. */
    readonly foldDeltas: readonly number[];
  }[];
  /** Why per-fold deltas are missing, if they are. */
  readonly foldNote?: string;
}

/** What changed from run A to run B: params, features (by view), scores overall and per fold. */
export async function diffRuns(a: RunIndexEntry, b: RunIndexEntry): Promise<RunDiff> {
  assertComparable([a, b]);
  const cmp = compareRuns([a, b]);
  const [ma, mb] = [(await RunDirectory.open(a.dir)).manifest, (await RunDirectory.open(b.dir)).manifest];
  const features = (m: typeof ma): Set<string> => new Set(Object.entries(m.views).flatMap(([view, v]) => (v.signal !== undefined ? [`${view}:signal[${v.signal.start}+${v.signal.length}]`] : v.columns.map((c) => `${view}:${c}`))));
  const fa = features(ma);
  const fb = features(mb);
  const sameFolds = ma.splitter.nSplits === mb.splitter.nSplits;
  const metrics = Object.keys(RUN_METRICS).map((metric) => {
    const sa = a.cv[metric];
    const sb = b.cv[metric];
    const foldDeltas = sa !== undefined && sb !== undefined && sameFolds && sa.folds.length === sb.folds.length ? sb.folds.map((v, i) => v - sa.folds[i]!) : [];
    return { metric, a: sa?.mean, b: sb?.mean, change: sa === undefined || sb === undefined ? undefined : sb.mean - sa.mean, foldDeltas };
  });
  return {
    a: a.id,
    b: b.id,
    params: cmp.params.map((p) => ({ path: p.path, a: p.values[0], b: p.values[1] })),
    featuresAdded: [...fb].filter((f) => !fa.has(f)),
    featuresRemoved: [...fa].filter((f) => !fb.has(f)),
    metrics,
    ...(sameFolds ? {} : { foldNote: `the runs have ${ma.splitter.nSplits} and ${mb.splitter.nSplits} folds: no per-fold deltas` }),
  };
}

/** The completed run with the best fold-mean of `metric` (max, or min for log loss); undefined when none. */
export function bestRun(entries: readonly RunIndexEntry[], metric: string): RunIndexEntry | undefined {
  const better = RUN_METRICS[metric];
  if (better === undefined) {
    throw new PipelineError('E_USAGE', `unknown metric '${metric}'`, { field: '--metric', hint: `one of ${Object.keys(RUN_METRICS).join(', ')}` });
  }
  let best: RunIndexEntry | undefined;
  for (const e of entries) {
    const v = e.cv[metric]?.mean;
    if (e.status !== 'completed' || v === undefined) continue;
    const b = best?.cv[metric]?.mean;
    if (b === undefined || (better === 'max' ? v > b : v < b)) best = e;
  }
  return best;
}
