import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { sha256, type Matrix } from '@pipeline/core';
import {
  DEMO_META_COLUMNS,
  DEMO_SUMMARY_COLUMNS,
  generateDemoData,
  openH5,
  readCsv,
  readLabels,
  type DemoDataResult,
} from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { bits } from './fixture-values.js';
import { tempDir } from './tmp-dir.js';

const META = DEMO_META_COLUMNS.length;
const COLS = META + 1250;
const col = (name: (typeof DEMO_META_COLUMNS)[number]) => DEMO_META_COLUMNS.indexOf(name);

async function readFeatures(path: string): Promise<Matrix> {
  const file = await openH5(path);
  const dataset = file.dataset('features');
  const matrix = dataset.readRows(0, dataset.info.shape[0]!);
  file.close();
  return matrix;
}
const metaColumn = (m: Matrix, name: (typeof DEMO_META_COLUMNS)[number]) =>
  Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + col(name)]!);

describe('generateDemoData', () => {
  const dir = tempDir('demo-');
  let result: DemoDataResult;

  it('writes X_train.h5/X_test.h5 (features float32 (N, 1261)), y_train.csv and the tabular CSVs', async () => {
    result = await generateDemoData({ outDir: join(dir, 'a'), n: 60, testN: 15, seed: 3 });
    expect(result.files.map((f) => f.name)).toEqual(['X_train.h5', 'y_train.csv', 'X_train.csv', 'X_test.h5', 'X_test.csv']);
    const file = await openH5(join(dir, 'a', 'X_train.h5'));
    expect(file.datasets()).toEqual([{ key: 'features', shape: [60, COLS], dtype: 'float32', chunks: [60, COLS], filters: [] }]); // 200-row chunks, fewer for small sets
    expect(file.attrs()).toMatchObject({ n_meta: 11, sfreq: 250, signal_samples: 1250, meta_columns: [...DEMO_META_COLUMNS], seed: 3, split: 'train' });
    file.close();

    const train = await readFeatures(join(dir, 'a', 'X_train.h5'));
    const test = await readFeatures(join(dir, 'a', 'X_test.h5'));
    expect(metaColumn(train, 'id')).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(metaColumn(test, 'id')).toEqual(Array.from({ length: 15 }, (_, i) => 60 + i));
    expect(new Set(metaColumn(train, 'sfreq'))).toEqual(new Set([250]));
    // Folds are per subject (group-disjoint), validation = fold 4, test subjects are new.
    const subjects = metaColumn(train, 'subject');
    const folds = metaColumn(train, 'fold');
    const foldOf = new Map<number, number>();
    subjects.forEach((s, i) => {
      expect(foldOf.get(s) ?? folds[i]).toBe(folds[i]);
      foldOf.set(s, folds[i]!);
    });
    expect(new Set(folds)).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(metaColumn(train, 'subset')).toEqual(folds.map((f) => (f === 4 ? 1 : 0)));
    expect(new Set(metaColumn(test, 'subset'))).toEqual(new Set([2]));
    expect(new Set(metaColumn(test, 'fold'))).toEqual(new Set([-1]));
    const trainSubjects = new Set(subjects);
    expect(metaColumn(test, 'subject').filter((s) => trainSubjects.has(s))).toEqual([]);
    for (const name of ['channel', 'session', 'sex'] as const) {
      expect(metaColumn(train, name).every((v) => Number.isInteger(v) && v >= 0 && v < 19)).toBe(true);
    }
    expect(metaColumn(train, 'quality').every((q) => q >= 0.35 && q <= 1)).toBe(true);
    expect(metaColumn(train, 'age').every((a) => Number.isInteger(a) && a >= 18 && a <= 80)).toBe(true);

    const labels = await readLabels(join(dir, 'a', 'y_train.csv'), { ids: metaColumn(train, 'id').map(String) });
    expect(labels.classNames).toEqual(['0', '1', '2']);
    expect(labels.counts).toEqual(result.classCounts);
    expect(result.classCounts.reduce((a, b) => a + b)).toBe(60);
  });

  it('X_train.csv holds the same meta values and summaries recomputed from the signal', async () => {
    const train = await readFeatures(join(dir, 'a', 'X_train.h5'));
    const table = await readCsv(join(dir, 'a', 'X_train.csv'));
    expect(table.columns).toEqual([...DEMO_META_COLUMNS.slice(1), ...DEMO_SUMMARY_COLUMNS]);
    expect(table.ids).toEqual(metaColumn(train, 'id').map(String));
    const width = table.cols;
    for (let i = 0; i < train.rows; i++) {
      const row = train.data.subarray(i * COLS, (i + 1) * COLS);
      const csv = table.matrix.data.subarray(i * width, (i + 1) * width);
      expect(bits(csv.slice(0, META - 1))).toEqual(bits(row.slice(1, META)));
      const signal = Array.from(row.subarray(META));
      const mean = signal.reduce((a, b) => a + b) / signal.length;
      const std = Math.sqrt(signal.reduce((a, v) => a + (v - mean) ** 2, 0) / signal.length);
      const ptp = Math.max(...signal) - Math.min(...signal);
      const lineLength = signal.slice(1).reduce((a, v, t) => a + Math.abs(v - signal[t]!), 0) / (signal.length - 1);
      const crossings = signal.slice(1).filter((v, t) => (signal[t]! - mean) * (v - mean) < 0).length / 5;
      const expected = new Float32Array([mean, std, ptp, lineLength, crossings]);
      // Summation order differs from the generator's, so allow a float32 ulp or two.
      csv.slice(META - 1).forEach((value, k) => expect(Math.abs(value - expected[k]!)).toBeLessThanOrEqual(Math.abs(expected[k]!) * 1e-6 + 1e-6));
    }
  });

  it('gives byte-identical files for the same seed, different ones for another seed', async () => {
    const again = await generateDemoData({ outDir: join(dir, 'b'), n: 60, testN: 15, seed: 3 });
    expect(again.files.map((f) => f.sha256)).toEqual(result.files.map((f) => f.sha256));
    for (const f of again.files) expect(sha256(readFileSync(f.path))).toBe(f.sha256);
    const other = await generateDemoData({ outDir: join(dir, 'c'), n: 60, testN: 0, seed: 4 });
    expect(other.files.map((f) => f.name)).toEqual(['X_train.h5', 'y_train.csv', 'X_train.csv']);
    expect(other.files[0]!.sha256).not.toBe(result.files[0]!.sha256);
  });

  it('makes classes (≈60/25/15) learnable from the signal, not from the meta columns', async () => {
    const out = join(dir, 'learn');
    const demo = await generateDemoData({ outDir: out, n: 300, testN: 0, seed: 11 });
    // 60/25/15 with a little sampling noise (and 3 % label noise).
    demo.classCounts.forEach((count, c) => expect(Math.abs(count / 300 - [0.6, 0.25, 0.15][c]!)).toBeLessThan(0.05));
    const features = await readFeatures(join(out, 'X_train.h5'));
    const labels = (await readLabels(join(out, 'y_train.csv'))).labels;
    const signalFeatures: number[][] = [];
    const metaFeatures: number[][] = [];
    for (let i = 0; i < 300; i++) {
      const row = features.data.subarray(i * COLS, (i + 1) * COLS);
      signalFeatures.push(spectralFeatures(row.subarray(META)));
      metaFeatures.push(['age', 'sex', 'quality', 'channel', 'session'].map((name) => row[col(name as 'age')]!));
    }
    const train = Array.from({ length: 150 }, (_, i) => i);
    const test = Array.from({ length: 150 }, (_, i) => i + 150);
    const majority = Math.max(...[0, 1, 2].map((c) => test.filter((i) => labels[i] === c).length)) / test.length;
    const fromSignal = nearestCentroidAccuracy(signalFeatures, labels, train, test);
    const fromMeta = nearestCentroidAccuracy(metaFeatures, labels, train, test);
    expect(fromSignal).toBeGreaterThan(majority + 0.1); // 0.79 vs 0.63 majority with this seed
    expect(fromSignal).toBeLessThan(0.99);
    expect(fromMeta).toBeLessThan(majority);
  });

  it('refuses to overwrite existing files unless asked, and checks sizes', async () => {
    const out = join(dir, 'd');
    await generateDemoData({ outDir: out, n: 10, testN: 2 });
    await expectError(generateDemoData({ outDir: out, n: 10, testN: 2 }), 'E_USAGE', /X_train\.h5/, /already exists/, /--overwrite/);
    writeFileSync(join(out, 'y_train.csv'), 'tampered');
    const replaced = await generateDemoData({ outDir: out, n: 10, testN: 2, overwrite: true });
    expect(readFileSync(join(out, 'y_train.csv'), 'utf8').startsWith('id,label\n0,')).toBe(true);
    expect(replaced.seed).toBe(7);
    await expectError(generateDemoData({ outDir: join(dir, 'e'), n: 5 }), 'E_USAGE', /n must be an integer ≥ 10, got 5/);
    await expectError(generateDemoData({ outDir: join(dir, 'e'), n: 10, testN: -1 }), 'E_USAGE', /testN must be an integer ≥ 0/);
  });
});

/** Log power in 1–4, 4–8, 8–13, 13–30 Hz (DFT at integer Hz) and the log of max/mean |diff| (spikiness). */
const COS = Array.from({ length: 31 }, (_, hz) => Float64Array.from({ length: 1250 }, (_, t) => Math.cos((2 * Math.PI * hz * t) / 250)));
const SIN = Array.from({ length: 31 }, (_, hz) => Float64Array.from({ length: 1250 }, (_, t) => Math.sin((2 * Math.PI * hz * t) / 250)));
function spectralFeatures(signal: Float32Array): number[] {
  const power = new Float64Array(31);
  for (let hz = 1; hz <= 30; hz++) {
    const cos = COS[hz]!;
    const sin = SIN[hz]!;
    let re = 0;
    let im = 0;
    for (let t = 0; t < signal.length; t++) {
      re += signal[t]! * cos[t]!;
      im += signal[t]! * sin[t]!;
    }
    power[hz] = re * re + im * im;
  }
  const band = (lo: number, hi: number) => Math.log(power.slice(lo, hi).reduce((a, b) => a + b) / (hi - lo));
  let max = 0;
  let sum = 0;
  for (let t = 1; t < signal.length; t++) {
    const step = Math.abs(signal[t]! - signal[t - 1]!);
    max = Math.max(max, step);
    sum += step;
  }
  return [band(1, 4), band(4, 8), band(8, 13), band(13, 30), Math.log(max / (sum / (signal.length - 1)))];
}

/** Standardize on `train`, classify `test` by the nearest class centroid; returns the accuracy. */
function nearestCentroidAccuracy(features: number[][], labels: Int32Array, train: number[], test: number[]): number {
  const k = features[0]!.length;
  const mean = Array.from({ length: k }, (_, j) => train.reduce((a, i) => a + features[i]![j]!, 0) / train.length);
  const sd = Array.from({ length: k }, (_, j) => Math.sqrt(train.reduce((a, i) => a + (features[i]![j]! - mean[j]!) ** 2, 0) / train.length) || 1);
  const z = (row: number[]) => row.map((v, j) => (v - mean[j]!) / sd[j]!);
  const centroids = [0, 1, 2].map((c) => {
    const rows = train.filter((i) => labels[i] === c).map((i) => z(features[i]!));
    return Array.from({ length: k }, (_, j) => rows.reduce((a, r) => a + r[j]!, 0) / rows.length);
  });
  let correct = 0;
  for (const i of test) {
    const zi = z(features[i]!);
    const distances = centroids.map((c) => c.reduce((a, v, j) => a + (v - zi[j]!) ** 2, 0));
    if (distances.indexOf(Math.min(...distances)) === labels[i]) correct++;
  }
  return correct / test.length;
}
