import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FORMAT_VERSION, type RunManifest } from './manifest.js';

/** Per-fold scores of a synthetic run's stack; `foldMean`/`foldStd` are computed from them here. */
export interface SyntheticScores {
  readonly balancedAccuracy: readonly number[];
  readonly logLoss?: readonly number[];
}

/**
 * Writes a completed (or `status`) run folder without training: manifest + metrics files only. For tests
 * and benchmarks of run tracking (index, compare, grouping) that must not train.
 */
export async function writeSyntheticRun(
  dir: string,
  options: {
    config: Record<string, unknown>;
    scores: SyntheticScores;
    createdAt: string;
    classes?: string[];
    status?: RunManifest['status'];
    columns?: string[];
  },
): Promise<void> {
  const classes = options.classes ?? ['a', 'b', 'c'];
  const seed = typeof options.config.seed === 'number' ? options.config.seed : 42;
  const manifest: RunManifest = {
    formatVersion: RUN_FORMAT_VERSION,
    status: options.status ?? 'completed',
    createdAt: options.createdAt,
    updatedAt: options.createdAt,
    ...(options.status === 'running' ? {} : { finishedAt: options.createdAt }),
    packages: { '@pipeline/runs': '0.1.0' },
    argv: ['train'],
    seed,
    inputs: [{ role: 'x-csv', path: '/data/X.csv', bytes: 10, sha256: 'ab'.repeat(32) }],
    nRows: 100,
    classes: { names: classes, counts: classes.map(() => 10) },
    views: { tabular: { source: '/data/X.csv', columns: options.columns ?? ['f1', 'f2'] } },
    baseModels: [{ name: 'hgb_tabular', kind: 'hgb', input: 'tabular', args: {} }],
    meta: { kind: 'logistic', args: { C: 1 } },
    splitter: { kind: 'stratified', args: {}, nSplits: options.scores.balancedAccuracy.length, foldsFile: 'folds.json' },
    imbalance: { strategy: 'none' },
    refitFinal: false,
    timings: { total: 1000 },
    files: {},
    config: options.config,
    configHash: 'h',
  };
  await mkdir(join(dir, 'metrics'), { recursive: true });
  const folds = options.scores.balancedAccuracy.map((b, i) => ({ balancedAccuracy: b, logLoss: options.scores.logLoss?.[i] ?? 1 - b }));
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const std = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
  const ba = folds.map((f) => f.balancedAccuracy);
  const ll = folds.map((f) => f.logLoss);
  const metrics = {
    accuracy: mean(ba),
    balancedAccuracy: mean(ba),
    f1Macro: mean(ba),
    logLoss: mean(ll),
    folds,
    foldMean: { balancedAccuracy: mean(ba), logLoss: mean(ll) },
    foldStd: { balancedAccuracy: std(ba), logLoss: std(ll) },
  };
  if (manifest.status === 'completed') {
    await writeFile(join(dir, 'metrics', 'oof_stack.json'), JSON.stringify(metrics));
    await writeFile(join(dir, 'metrics', 'oof_hgb_tabular.json'), JSON.stringify(metrics));
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** A small hand-made training config. */
export function handConfig(overrides: { seed?: number; maxIter?: number; splits?: number; strategy?: string } = {}): Record<string, unknown> {
  return {
    version: 1,
    seed: overrides.seed ?? 42,
    inputs: { table: { file: '/data/X.csv', dropCols: [] }, labels: { file: '/data/y.csv' } },
    baseModels: [{ kind: 'hgb', view: 'tabular', args: { maxIter: overrides.maxIter ?? 100, learningRate: 0.1 } }],
    cv: { splits: overrides.splits ?? 5, strategy: 'auto' },
    imbalance: { strategy: overrides.strategy ?? 'none' },
  };
}
