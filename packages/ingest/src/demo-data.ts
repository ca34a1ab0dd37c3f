import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  atomicWrite,
  createRng,
  deriveSeed,
  PipelineError,
  sha256,
  silentLogger,
  throwIfAborted,
  type Logger,
  type ProgressCallback,
  type Rng,
} from '@pipeline/core';
import { DEMO_CHANNELS, DEMO_SAMPLES, DEMO_SFREQ, synthesizeDemoSignal } from './demo-signal.js';
import { refuseOverwrite } from './file-checks.js';
import { formatFloat32 } from './format-number.js';
import { H5Writer } from './h5-writer.js';

/**
 * The 11 meta columns that precede the 1250-sample signal in the demo `features` dataset, in order:
 * - `id`: row id, unique across train and test; `y_train.csv` aligns by it.
 * - `subject`: subject id, a group id for `--group-col` (test subjects never appear in train).
 * - `session`: recording session of the subject (0..2).
 * - `channel`: index into {@link DEMO_CHANNELS} (10-20 system, 19 channels).
 * - `fold`: predefined fold 0..4 for `--fold-col`, by subject (so folds are group-disjoint); -1 in test.
 * - `subset`: 0 train, 1 validation (the subjects of fold 4), 2 test.
 * - `age` (18..80), `sex` (0/1): per subject; age nudges the class prior a little (the only meta effect).
 * - `sfreq`: 250 (Hz).
 * - `start_time`: seconds from the start of the recording to the window.
 * - `quality`: 0.35..1 signal quality; low quality means more noise and 50 Hz mains.
 */
export const DEMO_META_COLUMNS = [
  'id',
  'subject',
  'session',
  'channel',
  'fold',
  'subset',
  'age',
  'sex',
  'sfreq',
  'start_time',
  'quality',
] as const;

/** Signal summaries added to `X_train.csv`/`X_test.csv` after the meta columns (computed from the float32 signal). */
export const DEMO_SUMMARY_COLUMNS = ['sig_mean', 'sig_std', 'sig_ptp', 'sig_line_length', 'sig_mean_crossings'] as const;

/** Class labels of the demo data (`y_train.csv` holds these integers): normal, slowing, spike-and-wave. */
export const DEMO_CLASSES = ['normal', 'slowing', 'spike-wave'] as const;

/** Columns of the demo `features` dataset: the meta columns then the signal samples (1261 in all). */
export const DEMO_FEATURE_COLUMNS = DEMO_META_COLUMNS.length + DEMO_SAMPLES;

export interface DemoDataOptions {
  /** Folder to write into (created if missing). */
  readonly outDir: string;
  /** Training rows (default 5000). */
  readonly n?: number;
  /** Seed (default 7): the same seed and sizes give byte-identical files. */
  readonly seed?: number;
  /** Test rows (default n / 5, rounded); 0 writes no test files. */
  readonly testN?: number;
  /** Replace existing files (default false: `E_USAGE`). */
  readonly overwrite?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressCallback;
  readonly logger?: Logger;
}

export interface DemoFile {
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface DemoDataResult {
  readonly outDir: string;
  readonly seed: number;
  readonly n: number;
  readonly testN: number;
  /** Training rows per class (as written in y_train.csv). */
  readonly classCounts: number[];
  readonly files: DemoFile[];
}

const BASE_PRIOR = [0.6, 0.25, 0.15];
const LABEL_NOISE = 0.03;
const BLOCK_ROWS = 1000;
const CHUNK_ROWS = 200; // 200 × 1261 float32 ≈ 1 MB: fits HDF5's default 1 MiB chunk cache

interface Subject {
  readonly id: number;
  readonly age: number;
  readonly sex: number;
  readonly alphaHz: number;
  readonly alphaUv: number;
  readonly noiseScale: number;
  readonly sessions: number;
  readonly fold: number;
}

interface RowPlan {
  readonly subject: Subject;
  readonly session: number;
  readonly channel: number;
  readonly startTime: number;
  readonly quality: number;
  /** The class the signal is drawn from. */
  readonly trueLabel: number;
  /** The label written to y_train.csv (the true one, flipped to another class for 3 % of rows). */
  readonly label: number;
}

/**
 * Writes a synthetic EEG-like classification data set in the layout the pipeline reads:
 * `X_train.h5` (`features` float32 (n, 1261) = {@link DEMO_META_COLUMNS} + 1250 samples at 250 Hz),
 * `y_train.csv` (`id,label`, 3 classes ≈ 60/25/15 %), `X_train.csv` (id, the other meta columns and
 * {@link DEMO_SUMMARY_COLUMNS}), and `X_test.h5`/`X_test.csv` (new subjects, no labels).
 *
 * Classes depend on the signal's spectral and temporal content (see `synthesizeDemoSignal`):
 * alpha-dominated (0), theta/delta slowing (1), spike-and-wave bursts (2), with faint cases,
 * confusers and 3 % label noise, so accuracy is well above the 60 % majority rate but below 100 %;
 * of the meta columns only `age` carries a weak effect on the class prior.
 */
export async function generateDemoData(options: DemoDataOptions): Promise<DemoDataResult> {
  const n = options.n ?? 5000;
  const seed = options.seed ?? 7;
  const testN = options.testN ?? Math.round(n / 5);
  checkCount(n, 'n', 10);
  checkCount(testN, 'testN', 0);
  if (n + testN > 2 ** 24) {
    throw new PipelineError('E_USAGE', `n + testN = ${n + testN} rows exceed 2^24, the largest id float32 holds exactly`, { field: 'n' });
  }
  if (!Number.isFinite(seed)) throw new PipelineError('E_USAGE', `seed must be a finite number, got ${seed}`, { field: 'seed' });
  const outDir = resolve(options.outDir);
  const names = ['X_train.h5', 'y_train.csv', 'X_train.csv', ...(testN > 0 ? ['X_test.h5', 'X_test.csv'] : [])];
  for (const name of names) refuseOverwrite(join(outDir, name), options.overwrite, 'overwrite (--overwrite)');
  await mkdir(outDir, { recursive: true });
  const logger = options.logger ?? silentLogger;
  const onProgress = options.onProgress ?? (() => {});

  const plan = createRng(deriveSeed(seed, 'demo', 'plan'));
  const trainSubjects = planSubjects(plan, clamp(Math.round(n / 100), 5, 500), 0, true);
  const testSubjects = planSubjects(plan, clamp(Math.round(testN / 100), 2, 500), trainSubjects.length, false);
  const trainRows = planRows(plan, n, trainSubjects);
  const testRows = planRows(plan, testN, testSubjects);
  const total = n + testN;
  let done = 0;
  const progress = (rows: number) => {
    done += rows;
    onProgress({ stage: 'demo-data', current: done, total });
  };

  const classCounts = [0, 0, 0];
  for (const row of trainRows) classCounts[row.label]!++;
  await writeSplit(outDir, 'train', trainRows, 0, seed, options.signal, progress);
  await atomicWrite(join(outDir, 'y_train.csv'), `id,label\n${trainRows.map((row, i) => `${i},${row.label}`).join('\n')}\n`);
  if (testN > 0) await writeSplit(outDir, 'test', testRows, n, seed, options.signal, progress);

  const files: DemoFile[] = [];
  for (const name of names) {
    const path = join(outDir, name);
    const bytes = await readFile(path);
    files.push({ name, path, bytes: bytes.length, sha256: sha256(bytes) });
  }
  logger.info('demo data written', { outDir, n, testN, seed, classCounts });
  return { outDir, seed, n, testN, classCounts, files };
}

async function writeSplit(
  outDir: string,
  split: 'train' | 'test',
  rows: readonly RowPlan[],
  firstId: number,
  seed: number,
  signal: AbortSignal | undefined,
  progress: (rows: number) => void,
): Promise<void> {
  const h5 = await H5Writer.create(join(outDir, `X_${split}.h5`), {
    overwrite: true,
    attrs: {
      generator: '@pipeline/ingest generateDemoData',
      seed,
      split,
      n_meta: DEMO_META_COLUMNS.length,
      meta_columns: [...DEMO_META_COLUMNS],
      sfreq: DEMO_SFREQ,
      signal_samples: DEMO_SAMPLES,
      classes: [...DEMO_CLASSES],
    },
  });
  const width = DEMO_FEATURE_COLUMNS;
  const lines = [[...DEMO_META_COLUMNS, ...DEMO_SUMMARY_COLUMNS].join(',')];
  try {
    h5.createAppendable('features', { cols: width, chunkRows: Math.max(1, Math.min(CHUNK_ROWS, rows.length)) });
    const block = new Float32Array(BLOCK_ROWS * width);
    for (let start = 0; start < rows.length; start += BLOCK_ROWS) {
      throwIfAborted(signal, 'demo-data');
      const end = Math.min(rows.length, start + BLOCK_ROWS);
      for (let i = start; i < end; i++) {
        const row = rows[i]!;
        const id = firstId + i;
        const values = block.subarray((i - start) * width, (i - start + 1) * width);
        const meta = [
          id,
          row.subject.id,
          row.session,
          row.channel,
          split === 'train' ? row.subject.fold : -1,
          split === 'test' ? 2 : row.subject.fold === 4 ? 1 : 0,
          row.subject.age,
          row.subject.sex,
          DEMO_SFREQ,
          row.startTime,
          row.quality,
        ];
        values.set(meta);
        const samples = values.subarray(DEMO_META_COLUMNS.length);
        synthesizeDemoSignal(
          createRng(deriveSeed(seed, 'demo', split, i)),
          {
            label: row.trueLabel,
            alphaHz: row.subject.alphaHz,
            alphaUv: row.subject.alphaUv,
            noiseScale: row.subject.noiseScale,
            channel: row.channel,
            quality: row.quality,
          },
          samples,
        );
        lines.push([...values.subarray(0, DEMO_META_COLUMNS.length), ...summarize(samples)].map(formatFloat32).join(','));
      }
      h5.append('features', { rows: end - start, cols: width, data: block.subarray(0, (end - start) * width) });
      progress(end - start);
    }
  } catch (error) {
    await h5.abort();
    throw error;
  }
  await h5.close();
  await atomicWrite(join(outDir, `X_${split}.csv`), `${lines.join('\n')}\n`);
}

function planSubjects(rng: Rng, count: number, firstId: number, withFolds: boolean): Subject[] {
  const order = rng.shuffle(Array.from({ length: count }, (_, k) => k));
  const folds = new Array<number>(count);
  order.forEach((subject, k) => {
    folds[subject] = withFolds ? k % 5 : -1;
  });
  return Array.from({ length: count }, (_, k) => ({
    id: firstId + k,
    age: 18 + rng.int(63),
    sex: rng.int(2),
    alphaHz: clamp(10 + 0.8 * rng.normal(), 8, 12.5),
    alphaUv: 10 * Math.exp(0.3 * rng.normal()),
    noiseScale: 0.8 + 0.6 * rng.uniform(),
    sessions: 1 + rng.int(3),
    fold: folds[k]!,
  }));
}

function planRows(rng: Rng, count: number, subjects: readonly Subject[]): RowPlan[] {
  const rows: RowPlan[] = [];
  for (let i = 0; i < count; i++) {
    const subject = subjects[i % subjects.length]!;
    // Older subjects show slowing a little more often: the one weak meta effect.
    const shift = 0.6 * ((subject.age - 49) / 31);
    const weights = [BASE_PRIOR[0]!, BASE_PRIOR[1]! * Math.exp(shift), BASE_PRIOR[2]!];
    const sum = weights[0]! + weights[1]! + weights[2]!;
    let u = rng.uniform() * sum;
    let trueLabel = 0;
    while (trueLabel < 2 && u >= weights[trueLabel]!) u -= weights[trueLabel++]!;
    const label = rng.uniform() < LABEL_NOISE ? (trueLabel + 1 + rng.int(2)) % 3 : trueLabel;
    rows.push({
      subject,
      session: rng.int(subject.sessions),
      channel: rng.int(DEMO_CHANNELS.length),
      startTime: 5 * rng.int(720),
      quality: Math.round((0.35 + 0.65 * rng.uniform()) * 1000) / 1000,
      trueLabel,
      label,
    });
  }
  return rng.shuffle(rows);
}

/** Mean, standard deviation, peak-to-peak, mean |diff| and mean-crossings per second of one window. */
function summarize(samples: Float32Array): number[] {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of samples) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / samples.length;
  let squares = 0;
  let line = 0;
  let crossings = 0;
  for (let t = 0; t < samples.length; t++) {
    const centered = samples[t]! - mean;
    squares += centered * centered;
    if (t > 0) {
      line += Math.abs(samples[t]! - samples[t - 1]!);
      if ((samples[t - 1]! - mean) * centered < 0) crossings++;
    }
  }
  const seconds = samples.length / DEMO_SFREQ;
  return [mean, Math.sqrt(squares / samples.length), max - min, line / (samples.length - 1), crossings / seconds];
}

function checkCount(value: number, name: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new PipelineError('E_USAGE', `${name} must be an integer ≥ ${min}, got ${value}`, { field: name });
  }
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}
