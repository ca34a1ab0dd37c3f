import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, matrix, type Dataset, type Matrix } from '@pipeline/core';

const HERE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface FixtureSet {
  readonly features: Matrix;
  readonly labels: Int32Array;
  readonly folds: Int32Array;
}

/** A CSV written by gen_fixtures.py: f0..f{d-1}, label, fold. */
export function loadFixtureSet(name: string): FixtureSet {
  const lines = readFileSync(join(HERE, `${name}.csv`), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const d = header.length - 2;
  const rows = lines.length - 1;
  const data = new Float32Array(rows * d);
  const labels = new Int32Array(rows);
  const folds = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1]!.split(',');
    for (let j = 0; j < d; j++) data[i * d + j] = cells[j] === 'nan' ? NaN : Number(cells[j]);
    labels[i] = Number(cells[d]);
    folds[i] = Number(cells[d + 1]);
  }
  return { features: { rows, cols: d, data }, labels, folds };
}

export interface ReferenceSet {
  readonly rows: number;
  readonly classes: number;
  readonly params: { max_iter: number; learning_rate: number; max_leaf_nodes: number };
  readonly fold_accuracy: number[];
  readonly fold_logloss: number[];
  readonly mean_accuracy: number;
  readonly mean_logloss: number;
  readonly oof_proba: number[][];
}

export interface Reference {
  readonly source: string;
  readonly sets: Record<string, ReferenceSet>;
  readonly binning: {
    columns: Array<Array<number | null>>;
    thresholds_255: number[][];
    thresholds_16: number[][];
    binned_255: number[][];
  };
}

let cached: Reference | undefined;
export function reference(): Reference {
  cached ??= JSON.parse(readFileSync(join(HERE, 'reference.json'), 'utf8')) as Reference;
  return cached;
}

/** Accuracy and log loss (probabilities clipped like scikit-learn's log_loss) of row-major probabilities. */
export function scores(proba: Matrix, labels: Int32Array): { accuracy: number; logloss: number } {
  let correct = 0;
  let loss = 0;
  const k = proba.cols;
  for (let i = 0; i < proba.rows; i++) {
    let best = 0;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += proba.data[i * k + c]!;
    for (let c = 1; c < k; c++) if (proba.data[i * k + c]! > proba.data[i * k + best]!) best = c;
    if (best === labels[i]) correct++;
    const p = Math.min(Math.max(proba.data[i * k + labels[i]!]! / sum, 1e-15), 1 - 1e-15);
    loss -= Math.log(p);
  }
  return { accuracy: correct / proba.rows, logloss: loss / proba.rows };
}

/**
 * Seeded Gaussian blobs: `k` classes, `d` features, the first `informative` shifted by class
 * (`(c - (k - 1) / 2) · (j + 1) · shift`); with `nanFraction`, that share of rows gets NaN in feature 1.
 */
export function gaussianBlobs(
  n: number,
  d: number,
  k: number,
  seed: number,
  { informative = 3, shift = 0.6, nanFraction = 0 }: { informative?: number; shift?: number; nanFraction?: number } = {},
): Dataset & { labels: Int32Array } {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(k);
    labels[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() + (j < informative ? (c - (k - 1) / 2) * (j + 1) * shift : 0);
    if (nanFraction > 0 && rng.uniform() < nanFraction) data[i * d + 1] = Number.NaN;
  }
  return { features: matrix(n, d, data), labels };
}
