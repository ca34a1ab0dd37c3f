import { mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { atomicWrite, deriveSeed, matrix, PipelineError, resolveContext, sha256, type Dataset, type Logger, type Matrix } from '@pipeline/core';
import { summarizeFolds, type FoldSummary } from '@pipeline/metrics';
import { histGradientBoosting } from '@pipeline/model-gbdt';
import type { WorkflowContext } from '../workflow-context.js';
import type { CvBatchConfig, CvBatchMethod } from './cv-batch-config.js';
import { buildSubdbTable, compareFolds, type CombinedRow, type SubdbTable } from './cv-batch-table.js';
import { FOLD_METRICS, foldMetrics, type FoldMetrics } from './fold-metrics.js';

/** Version of `{method}_cv_summary.json` and `index.json`. */
export const CV_BATCH_FORMAT_VERSION = 1;

/** Options of {@link cvBatch} besides the config. */
export interface CvBatchOptions extends WorkflowContext {
  /** Run these sub-databases only (each must be in the config's `subdbs`). Default: all of them. */
  readonly subdbs?: readonly number[];
  /** Rebuild combined CSVs and results even when their inputs did not change. */
  readonly overwrite?: boolean;
}

/** One fold's entry of a summary. */
export interface CvFoldResult {
  readonly fold: string;
  readonly train: number;
  readonly val: number;
  readonly test: number;
  /** Metrics on the test subset; NaN (null in JSON) when undefined, e.g. AUROC of a one-class test subset. */
  readonly metrics: FoldMetrics;
  /** CNN only: the epoch whose weights scored the test subset. */
  readonly bestEpoch?: number;
}

/** The content of `{method}_cv_summary.json`. */
export interface CvSummary {
  readonly formatVersion: number;
  readonly method: CvBatchMethod;
  readonly subdb: number;
  /** sha256 of the combined table's inputs, the image bytes and the method's settings: results are reused while it is unchanged. */
  readonly resultsHash: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly folds: readonly CvFoldResult[];
  /** Mean ± population std (ddof 0) over the folds where the metric is defined. */
  readonly summary: Readonly<Record<(typeof FOLD_METRICS)[number], FoldSummary | null>>;
  /** The per-fold test predictions, next to the summary. */
  readonly predictions: string;
}

/** What {@link cvBatch} did for one sub-database. */
export interface CvBatchSubdbResult {
  readonly subdb: number;
  readonly combined: string;
  readonly rows: number;
  readonly rebuilt: boolean;
  readonly summaries: Readonly<Partial<Record<CvBatchMethod, { readonly file: string; readonly reused: boolean; readonly summary: CvSummary }>>>;
}

/** The result of {@link cvBatch}. */
export interface CvBatchResult {
  readonly out: string;
  /** `out/index.json`, over every sub-database run so far. */
  readonly index: string;
  readonly subdbs: readonly CvBatchSubdbResult[];
}

/**
 * Fold-column cross-validation per sub-database: for every sub-database, build the combined image
 * table (index images by name pattern, labels to 0/1, join by patient, expand the patient-level split
 * files, leak guard; see `buildSubdbTable`), then for every method and every fold train on
 * `subset = train`, early-stop on `val`, score `test`; write `subdb{k}/{method}_cv_summary.json`,
 * `subdb{k}/{method}_predictions.csv` and `index.json`. Results whose inputs (table, image bytes,
 * method settings) did not change are reused unless `overwrite`.
 */
export async function cvBatch(config: CvBatchConfig, options: CvBatchOptions = {}): Promise<CvBatchResult> {
  const { logger, signal, onProgress } = resolveContext(options);
  const subdbs = options.subdbs === undefined || options.subdbs.length === 0 ? config.subdbs : [...new Set(options.subdbs)];
  for (const k of subdbs) {
    if (!config.subdbs.includes(k)) {
      throw new PipelineError('E_USAGE', `sub-database ${k} is not in the config's subdbs (${config.subdbs.join(', ')})`, { field: '--subdbs', hint: 'list sub-databases of the config' });
    }
  }
  const results: CvBatchSubdbResult[] = [];
  for (const [position, subdb] of subdbs.entries()) {
    onProgress({ stage: 'subdb', current: position, total: subdbs.length, label: `subdb${subdb}` });
    const table = await buildSubdbTable(config, subdb, { logger, ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }) });
    if (table.rows.length === 0) {
      throw new PipelineError('E_INPUT', `sub-database ${subdb} has no image with a label and a split`, { file: table.file, hint: 'check imagePattern, labels.key and the split files' });
    }
    const images = await loadImages(config.images, table.rows);
    const summaries: Partial<Record<CvBatchMethod, { file: string; reused: boolean; summary: CvSummary }>> = {};
    for (const method of config.methods) {
      summaries[method] = await crossValidate(config, table, images, method, { logger, overwrite: options.overwrite === true, ...(signal === undefined ? {} : { signal }) });
    }
    results.push({ subdb, combined: table.file, rows: table.rows.length, rebuilt: table.rebuilt, summaries });
    onProgress({ stage: 'subdb', current: position + 1, total: subdbs.length, label: `subdb${subdb}` });
  }
  const index = await writeIndex(config, results);
  return { out: config.out, index, subdbs: results };
}

interface LoadedImages {
  readonly height: number;
  readonly width: number;
  /** image name → row of `pixels`. */
  readonly position: ReadonlyMap<string, number>;
  readonly pixels: Matrix;
  readonly hash: string;
}

async function loadImages(dir: string, rows: readonly CombinedRow[]): Promise<LoadedImages> {
  const names = [...new Set(rows.map((r) => r.image))].sort();
  let height = 0;
  let width = 0;
  let data = new Float32Array(0);
  const hashes: string[] = [];
  for (const [k, name] of names.entries()) {
    const file = join(dir, name);
    const bytes = await readFile(file);
    hashes.push(sha256(bytes));
    const { readImage } = await import('@pipeline/spectrogram');
    const image = await readImage(file);
    if (k === 0) {
      ({ height, width } = image);
      data = new Float32Array(names.length * height * width);
    } else if (image.height !== height || image.width !== width) {
      throw new PipelineError('E_INPUT', `image ${name} is ${image.width}×${image.height}, the first image (${names[0]}) is ${width}×${height}`, {
        file,
        field: 'images',
        hint: 'every image of a batch must have the same size',
      });
    }
    data.set(image.data, k * height * width);
  }
  return { height, width, position: new Map(names.map((n, k) => [n, k])), pixels: matrix(names.length, height * width, data), hash: sha256(hashes.join('\n')) };
}

/** Per image row (mel band, top first): mean and population std over the columns (frames). */
export function bandSummaryFeatures(pixels: Matrix, height: number, width: number): Matrix {
  const out = new Float32Array(pixels.rows * 2 * height);
  for (let i = 0; i < pixels.rows; i++) {
    for (let r = 0; r < height; r++) {
      let sum = 0;
      let squares = 0;
      for (let c = 0; c < width; c++) {
        const v = pixels.data[i * height * width + r * width + c]!;
        sum += v;
        squares += v * v;
      }
      const mean = sum / width;
      out[i * 2 * height + r] = mean;
      out[i * 2 * height + height + r] = Math.sqrt(Math.max(0, squares / width - mean * mean));
    }
  }
  return matrix(pixels.rows, 2 * height, out);
}

function methodSettings(config: CvBatchConfig, method: CvBatchMethod): Record<string, unknown> {
  return method === 'cnn2d' ? { epochs: config.epochs, ...config.cnn2d, seed: config.seed } : { ...config.hgb, features: 'band-mean-std', seed: config.seed };
}

async function crossValidate(
  config: CvBatchConfig,
  table: SubdbTable,
  images: LoadedImages,
  method: CvBatchMethod,
  context: { readonly logger: Logger; readonly overwrite: boolean; readonly signal?: AbortSignal },
): Promise<{ file: string; reused: boolean; summary: CvSummary }> {
  const { logger } = context;
  const dir = join(config.out, `subdb${table.subdb}`);
  const file = join(dir, `${method}_cv_summary.json`);
  const predictionsFile = join(dir, `${method}_predictions.csv`);
  const settings = methodSettings(config, method);
  const resultsHash = sha256(JSON.stringify({ version: CV_BATCH_FORMAT_VERSION, table: table.inputsHash, images: images.hash, method, settings }));
  const previous = await readSummary(file);
  if (!context.overwrite && previous?.resultsHash === resultsHash) {
    logger.info(`cv-batch subdb${table.subdb} ${method}: ${file} is up to date (inputs and settings unchanged)`);
    return { file, reused: true, summary: previous };
  }
  if (previous !== undefined) logger.info(`cv-batch subdb${table.subdb} ${method}: rewriting ${file} (${context.overwrite ? '--overwrite' : 'inputs or settings changed'})`);

  const features = method === 'cnn2d' ? images.pixels : bandSummaryFeatures(images.pixels, images.height, images.width);
  const folds = [...new Set(table.rows.map((r) => r.fold))].sort(compareFolds);
  const foldResults: CvFoldResult[] = [];
  const predictionLines = ['fold,patient,image,label,probability,predicted'];
  for (const fold of folds) {
    const subset = (name: CombinedRow['subset']) => table.rows.filter((r) => r.fold === fold && r.subset === name);
    const [train, val, test] = [subset('train'), subset('val'), subset('test')];
    for (const [name, rows] of [['train', train], ['val', val], ['test', test]] as const) {
      if (rows.length === 0) {
        throw new PipelineError('E_INPUT', `fold ${fold} of sub-database ${table.subdb} has no ${name} image`, { file: table.file, field: 'subset', hint: 'every fold needs train, val and test patients' });
      }
    }
    if (new Set(train.map((r) => r.label)).size < 2) {
      throw new PipelineError('E_INPUT', `fold ${fold} of sub-database ${table.subdb}: the training subset has one class only`, { file: table.file, field: 'label' });
    }
    const dataset = (rows: readonly CombinedRow[]): Dataset => {
      const out = new Float32Array(rows.length * features.cols);
      rows.forEach((r, k) => {
        const at = images.position.get(r.image)!;
        out.set(features.data.subarray(at * features.cols, (at + 1) * features.cols), k * features.cols);
      });
      return { features: matrix(rows.length, features.cols, out), labels: Int32Array.from(rows, (r) => r.label) };
    };
    const seed = deriveSeed(config.seed, 'cv-batch', table.subdb, fold, method);
    const fitContext = { seed, logger, ...(context.signal === undefined ? {} : { signal: context.signal }) };
    const testData = dataset(test);
    let probability: Matrix;
    let bestEpoch: number | undefined;
    if (method === 'cnn2d') {
      const { fitCnn2d } = await import('@pipeline/model-cnn2d');
      const model = await fitCnn2d(dataset(train), dataset(val), { height: images.height, width: images.width, epochs: config.epochs, ...config.cnn2d }, fitContext);
      probability = await model.predictProba(testData.features, fitContext);
      bestEpoch = model.stopping.bestEpoch;
      model.dispose();
    } else {
      const model = await histGradientBoosting({ maxIter: config.hgb.maxIter, learningRate: config.hgb.learningRate, nThreads: 1 }).fit(dataset(train), {
        ...fitContext,
        validation: dataset(val),
      });
      probability = await model.predictProba(testData.features);
      model.dispose();
    }
    const positive = Float64Array.from({ length: test.length }, (_, i) => probability.data[i * probability.cols + 1]!);
    const negative = Float64Array.from({ length: test.length }, (_, i) => probability.data[i * probability.cols]!);
    const predicted = Int32Array.from(positive, (p, i) => (p > negative[i]! ? 1 : 0));
    test.forEach((r, i) => predictionLines.push([fold, r.patient, r.image, r.label, positive[i], predicted[i]].map((v) => csvCell(String(v))).join(',')));
    const metrics = foldMetrics(testData.labels!, predicted, positive);
    logger.info(`cv-batch subdb${table.subdb} ${method} fold ${fold}: accuracy ${metrics.accuracy.toFixed(4)}, AUROC ${Number.isNaN(metrics.auroc) ? 'n/a' : metrics.auroc.toFixed(4)}`);
    foldResults.push({ fold, train: train.length, val: val.length, test: test.length, metrics, ...(bestEpoch === undefined ? {} : { bestEpoch }) });
  }
  const summary: CvSummary = {
    formatVersion: CV_BATCH_FORMAT_VERSION,
    method,
    subdb: table.subdb,
    resultsHash,
    settings,
    folds: foldResults,
    summary: Object.fromEntries(
      FOLD_METRICS.map((name) => {
        const values = foldResults.map((f) => f.metrics[name]).filter((v) => Number.isFinite(v));
        return [name, values.length === 0 ? null : summarizeFolds(values)];
      }),
    ) as CvSummary['summary'],
    predictions: relative(dir, predictionsFile),
  };
  await mkdir(dir, { recursive: true });
  await atomicWrite(predictionsFile, `${predictionLines.join('\n')}\n`);
  await atomicWrite(file, `${JSON.stringify(summary, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return { file, reused: false, summary };
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

async function readSummary(file: string): Promise<CvSummary | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CvSummary;
  } catch {
    return undefined;
  }
}

async function writeIndex(config: CvBatchConfig, results: readonly CvBatchSubdbResult[]): Promise<string> {
  const file = join(config.out, 'index.json');
  let entries: Record<string, unknown> = {};
  try {
    const previous = JSON.parse(await readFile(file, 'utf8')) as { subdbs?: Record<string, unknown> };
    entries = previous.subdbs ?? {};
  } catch {
    entries = {};
  }
  for (const result of results) {
    entries[`subdb${result.subdb}`] = {
      combined: relative(config.out, result.combined),
      rows: result.rows,
      methods: Object.fromEntries(
        Object.entries(result.summaries).map(([method, s]) => [
          method,
          {
            summary: relative(config.out, s.file),
            folds: s.summary.folds.length,
            ...Object.fromEntries(FOLD_METRICS.map((m) => [m, s.summary.summary[m] === null ? null : { mean: s.summary.summary[m].mean, std: s.summary.summary[m].std }])),
          },
        ]),
      ),
    };
  }
  const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => compareFolds(a.replace('subdb', ''), b.replace('subdb', ''))));
  await mkdir(config.out, { recursive: true });
  await atomicWrite(file, `${JSON.stringify({ formatVersion: CV_BATCH_FORMAT_VERSION, subdbs: sorted }, null, 2)}\n`);
  return file;
}
