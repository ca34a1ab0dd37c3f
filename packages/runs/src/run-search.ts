import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError } from '@pipeline/core';
import type { TrialRecord } from '@pipeline/model-selection';
import { RUN_FILES } from './run-files.js';

/** One point of an optimisation history: the trial and the best complete score up to it. */
export interface HistoryPoint {
  readonly number: number;
  readonly state: TrialRecord['state'];
  readonly score: number | null;
  /** Best score of the complete trials numbered ≤ this one (null before the first complete trial). */
  readonly best: number | null;
}

/** How much of the score's variance one parameter explains (see {@link paramImportances}). */
export interface ParamImportance {
  readonly param: string;
  /** The correlation ratio η² of the score on the parameter's bins, in [0, 1]. */
  readonly eta2: number;
  /** η² divided by the sum over every parameter (0 when every η² is 0). */
  readonly share: number;
  /** Bins used: distinct values (categorical) or value-sorted equal-count bins (numeric). */
  readonly bins: number;
}

/** A run's search: its trials (by number), settings, best-so-far history and parameter importances. */
export interface RunSearch {
  readonly trials: readonly TrialRecord[];
  readonly metric: string;
  readonly direction: 'maximize' | 'minimize';
  readonly sampler?: string;
  readonly history: readonly HistoryPoint[];
  readonly importances: readonly ParamImportance[];
}

/** The best-so-far curve of a search over its trials in number order; pruned and failed trials never set the best. */
export function optimizationHistory(trials: readonly TrialRecord[], direction: 'maximize' | 'minimize'): HistoryPoint[] {
  let best: number | null = null;
  return [...trials]
    .sort((a, b) => a.number - b.number)
    .map((t) => {
      if (t.state === 'complete' && t.score !== null && Number.isFinite(t.score)) {
        if (best === null || (direction === 'maximize' ? t.score > best : t.score < best)) best = t.score;
      }
      return { number: t.number, state: t.state, score: t.score, best };
    });
}

/**
 * Parameter importances of a search, first-order and variance-based (the main effects of fANOVA,
 * estimated on the trials themselves instead of a fitted forest): over the complete trials with a
 * finite score, each parameter's values are grouped into bins — one per distinct value for strings,
 * booleans and parameters with at most `bins` distinct values; otherwise `bins` equal-count bins of
 * the value-sorted trials (equal values always share a bin); a trial without the parameter
 * (conditional spaces) is its own bin — and the importance is the correlation ratio
 * `η² = Σ_b n_b (ȳ_b − ȳ)² / Σ_i (y_i − ȳ)²`: the share of the score's variance explained by
 * the bin means. 0 for a parameter that does not move the score, 1 when its bins determine it.
 * Sorted by η², largest first. Fewer than 3 trials, or scores without variance, give η² = 0.
 */
export function paramImportances(trials: readonly TrialRecord[], options: { bins?: number } = {}): ParamImportance[] {
  const nBins = options.bins ?? 4;
  const done = trials.filter((t) => t.state === 'complete' && t.score !== null && Number.isFinite(t.score));
  const y = done.map((t) => t.score as number);
  const mean = y.reduce((a, b) => a + b, 0) / Math.max(1, y.length);
  const total = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const rows = names.map((param) => {
    const bin = binsOf(done.map((t) => t.params[param]), nBins);
    const sums = new Map<string, { n: number; sum: number }>();
    bin.forEach((b, i) => {
      const s = sums.get(b) ?? { n: 0, sum: 0 };
      s.n += 1;
      s.sum += y[i]!;
      sums.set(b, s);
    });
    let between = 0;
    for (const { n, sum } of sums.values()) between += n * (sum / n - mean) ** 2;
    const eta2 = done.length < 3 || total <= 0 ? 0 : Math.min(1, between / total);
    return { param, eta2, bins: sums.size };
  });
  const sum = rows.reduce((a, r) => a + r.eta2, 0);
  return rows.map((r) => ({ ...r, share: sum > 0 ? r.eta2 / sum : 0 })).sort((a, b) => b.eta2 - a.eta2 || (a.param < b.param ? -1 : 1));
}

/** The bin label of each value: distinct values, or equal-count bins of the numeric values. */
function binsOf(values: readonly unknown[], nBins: number): string[] {
  const present = values.filter((v) => v !== undefined);
  const numeric = present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v));
  const distinct = new Set(present.map((v) => JSON.stringify(v)));
  if (!numeric || distinct.size <= nBins) return values.map((v) => (v === undefined ? '(absent)' : JSON.stringify(v)));
  const order = values
    .map((v, i) => ({ v: v as number | undefined, i }))
    .filter((x) => x.v !== undefined)
    .sort((a, b) => a.v! - b.v!);
  const out = values.map(() => '(absent)');
  let k = 0;
  while (k < order.length) {
    let end = k;
    while (end + 1 < order.length && order[end + 1]!.v === order[k]!.v) end += 1;
    const b = Math.min(nBins - 1, Math.floor((k * nBins) / order.length));
    for (let j = k; j <= end; j++) out[order[j]!.i] = `bin${b}`;
    k = end + 1;
  }
  return out;
}

/**
 * The search kept in a run folder (`opt/trials.jsonl` + `opt/config_used.json`), or undefined for a
 * run trained without `--optimize`.
 */
export async function readRunSearch(runDir: string, options: { bins?: number } = {}): Promise<RunSearch | undefined> {
  const file = join(runDir, RUN_FILES.optTrials);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PipelineError('E_INPUT', 'cannot read the trial log', { file, cause: error });
  }
  const { parseTrialLog } = await import('@pipeline/model-selection');
  const trials = parseTrialLog(text, file).sort((a, b) => a.number - b.number);
  let settings: { metric?: string; direction?: string; sampler?: string } = {};
  try {
    settings = JSON.parse(await readFile(join(runDir, RUN_FILES.optConfig), 'utf8')) as typeof settings;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new PipelineError('E_INPUT', 'the search settings are not JSON', { file: join(runDir, RUN_FILES.optConfig), cause: error });
  }
  const direction = settings.direction === 'minimize' ? 'minimize' : 'maximize';
  return {
    trials,
    metric: settings.metric ?? 'accuracy',
    direction,
    ...(settings.sampler === undefined ? {} : { sampler: settings.sampler }),
    history: optimizationHistory(trials, direction),
    importances: paramImportances(trials, options),
  };
}
