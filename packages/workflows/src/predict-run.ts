import { resolve } from 'node:path';
import { PipelineError, argmaxRows, resolveContext, type Logger, type Matrix, type ProgressCallback } from '@pipeline/core';
import { parseRecipe } from '@pipeline/features';
import { writePredictionsCsv, type CategoryEncoding } from '@pipeline/ingest';
import { MANIFEST_FILE, fingerprintFile, openRun, writeRunPredictions, type OpenedRun, type RunManifest } from '@pipeline/runs';
import type { BackendName } from '@pipeline/tf';
import { checkSameRows } from './inputs/load-training-inputs.js';
import { SignalInput, type SignalLayout } from './inputs/signal-input.js';
import { DEFAULT_IMAGE_PATTERN, alignImageIndex, readImageSource, readImageView, type ImageIndex, type ImageSettings } from './inputs/image-input.js';
import { oneHotTable } from './inputs/one-hot-table.js';
import { selectNamedColumns } from './recipe-feature-groups.js';
import { readTableLike, type TableInput } from './inputs/table-input.js';
import type { WorkflowContext } from './workflow-context.js';

/** The data to predict: the same kinds of inputs the run was trained on. */
export interface PredictInputs {
  /** A CSV with the run's tabular feature columns (when the run has a tabular base model). */
  readonly table?: { readonly file: string; readonly idCol?: string };
  /** An H5 file in the run's layout (when the run has wavelet or signal base models). */
  readonly signal?: { readonly file: string; readonly datasetKey?: string };
  /**
   * The images of the rows, when the run has an image base model: a list CSV (`file`, id and path
   * columns as the run was trained with) or a folder (`dir`, matched by the run's file name pattern).
   */
  readonly images?: { readonly file?: string; readonly dir?: string };
}

export interface PredictRunOptions {
  readonly runDir: string;
  readonly inputs: PredictInputs;
  /** Rows per featurization batch (wavelet view). Default 2000. */
  readonly chunkSize?: number;
  /** TensorFlow.js backend for temporal models. Default: the best present. */
  readonly backend?: BackendName | 'auto';
  /** Write `id,pred,proba_0..k` here. */
  readonly out?: string;
  /** Replace `out` (and the stored predictions of `storeInRun`) if they exist (otherwise an error). */
  readonly overwrite?: boolean;
  /**
   * Also keep the predictions in the run, `predictions/<name>.arrow` (e.g. `test`), for
   * `pipeline runs export --what test`. The trained files and the manifest are never touched.
   */
  readonly storeInRun?: string;
}

export interface PredictRunResult {
  readonly runDir: string;
  readonly proba: Matrix;
  readonly predicted: Int32Array;
  readonly classNames: string[];
  readonly ids: string[] | undefined;
  readonly rows: number;
  /** Rows predicted per class. */
  readonly predictedCounts: Record<string, number>;
  /** The input files read (absolute). */
  readonly files: string[];
  /** Per categorical column: cells whose category the training rows never had (read as missing, the unknown bucket). */
  readonly unknownCategories: Record<string, number>;
  /** The predictions CSV, when `out` was given. */
  readonly out?: string;
  /** The run's stored predictions file, when `storeInRun` was given. */
  readonly stored?: string;
}

/** The H5 layout a run was trained with (format 1 runs: the seed layout). */
export function trainedSignalLayout(manifest: RunManifest, datasetKey?: string): SignalLayout {
  const signal = (manifest.config?.inputs as { signal?: Partial<SignalLayout> } | undefined)?.signal;
  const key = datasetKey ?? signal?.datasetKey ?? manifest.views.signal?.signal?.datasetKey ?? manifest.inputs.find((i) => i.role === 'x-h5')?.dataset ?? 'features';
  return { datasetKey: key, metaCols: signal?.metaCols ?? 11, ids: signal?.ids ?? 'meta', metaFeatures: signal?.metaFeatures ?? true };
}

/** The image settings a run was trained with (`inputs.images` of its stored config). */
export function trainedImageSettings(manifest: RunManifest, runDir: string): ImageSettings & { readonly pattern: string } {
  const images = (manifest.config?.inputs as { images?: Partial<ImageSettings> & { pattern?: string } } | undefined)?.images;
  const recipe = manifest.views.image?.recipe as { height?: number; width?: number } | undefined;
  const height = recipe?.height ?? images?.height;
  const width = recipe?.width ?? images?.width;
  if (height === undefined || width === undefined) {
    throw new PipelineError('E_SCHEMA', 'the run has an image view but no image size', { file: `${runDir}/${MANIFEST_FILE}`, field: 'views.image.recipe', hint: 'retrain the run' });
  }
  return { idCol: images?.idCol ?? 'id', pathCol: images?.pathCol ?? 'path', height, width, pattern: images?.pattern ?? DEFAULT_IMAGE_PATTERN };
}

/** Which inputs a run needs; throws naming exactly what is missing (config paths; the CLI maps them to flags). */
export function checkRunInputs(manifest: RunManifest, inputs: PredictInputs, runDir: string): void {
  const readers = (view: string) => manifest.baseModels.filter((m) => m.input === view).map((m) => m.name);
  const missing: Array<[string, string]> = [];
  if (manifest.views.tabular !== undefined && inputs.table === undefined) {
    missing.push(['inputs.table', `base model ${readers('tabular').join(', ')} reads the tabular CSV columns`]);
  }
  const h5Views = ['dwt', 'signal'].filter((v) => manifest.views[v] !== undefined);
  if (h5Views.length > 0 && inputs.signal === undefined) {
    const why = h5Views.includes('dwt') ? "wavelet features are rebuilt from the H5 signal with the run's recipe" : 'it reads the raw H5 signal';
    missing.push(['inputs.signal', `base model ${h5Views.flatMap(readers).join(', ')}: ${why}`]);
  }
  if (manifest.views.image !== undefined && inputs.images === undefined) {
    missing.push(['inputs.images', `base model ${readers('image').join(', ')} reads the images listed in a CSV (id and path columns)`]);
  }
  if (missing.length > 0) {
    throw new PipelineError('E_USAGE', `this run needs ${missing.map(([field, why]) => `${field} (${why})`).join(' and ')}`, {
      file: `${runDir}/${MANIFEST_FILE}`,
      field: missing.map(([field]) => field).join(', '),
      hint: 'pass the same kind of inputs the run was trained on',
    });
  }
}

/** Reads the views a run's stack needs from the given files, checked against the manifest. Each H5 is opened once. */
export async function readRunViews(
  manifest: RunManifest,
  inputs: PredictInputs,
  options: { resolvePath: (path: string) => string; chunkSize: number; logger: Logger; onProgress: ProgressCallback; signal?: AbortSignal | undefined; runDir?: string },
  encoding?: CategoryEncoding,
): Promise<{ views: Record<string, Matrix>; ids: string[] | undefined; rows: number; files: string[]; unknownCategories: Record<string, number> }> {
  const views: Record<string, Matrix> = {};
  const files: string[] = [];
  let table: TableInput | undefined;
  const tab = manifest.views.tabular;
  if (tab !== undefined) {
    const trainedIdCol = (manifest.config?.inputs as { table?: { idCol?: string } } | undefined)?.table?.idCol ?? 'id';
    table = await readTableLike(options.resolvePath(inputs.table!.file), inputs.table!.idCol ?? trainedIdCol, tab.columns, tab.ignoredColumns ?? [], 'inputs.table', encoding);
    for (const [column, count] of Object.entries(table.unknown)) {
      if (count > 0) options.logger.warn(`${count} cells of categorical column '${column}' hold categories training never saw: read as missing (the unknown bucket)`);
    }
    // Columns the run one-hot encoded are expanded by the run's code tables (unseen: all zeros).
    views.tabular = tab.oneHotColumns === undefined || encoding === undefined ? table.matrix : oneHotTable(table, tab.oneHotColumns, encoding, Number.MAX_SAFE_INTEGER).matrix;
    files.push(table.file);
  }
  const dwt = manifest.views.dwt;
  const raw = manifest.views.signal;
  let signal: SignalInput | undefined;
  try {
    if (dwt !== undefined || raw !== undefined) {
      const layout = trainedSignalLayout(manifest, inputs.signal!.datasetKey);
      signal = await SignalInput.open(options.resolvePath(inputs.signal!.file), layout, options.logger);
      files.push(signal.file);
      const trainedShape = manifest.inputs.find((i) => i.role === 'x-h5')?.shape;
      if (trainedShape !== undefined && trainedShape[1] !== signal.cols) {
        throw new PipelineError('E_SCHEMA', `dataset '${layout.datasetKey}' has ${signal.cols} columns but the run was trained on ${trainedShape[1]}`, {
          file: signal.file,
          field: layout.datasetKey,
          hint: `pass an H5 file with the training layout (${layout.metaCols} meta columns + the same number of signal samples)`,
        });
      }
      if (table !== undefined) checkSameRows(table, signal);
      if (dwt !== undefined) {
        const recipe = parseRecipe(dwt.recipe, `${MANIFEST_FILE} views.dwt.recipe`);
        const built = await signal.dwtView(recipe, { chunkSize: options.chunkSize, signal: options.signal, logger: options.logger, onProgress: options.onProgress });
        // A run trained with features.dropGroups keeps only some of the recipe's columns (by name, in its order).
        views.dwt = selectNamedColumns(built.matrix, built.columns, dwt.columns, `${MANIFEST_FILE} views.dwt.columns`);
      }
      if (raw !== undefined) views.signal = signal.readSignal();
    }
  } finally {
    signal?.close();
  }
  let imageIndex: ImageIndex | undefined;
  if (manifest.views.image !== undefined) {
    const settings = trainedImageSettings(manifest, options.runDir ?? '.');
    const given = inputs.images!;
    if ((given.file === undefined) === (given.dir === undefined)) {
      throw new PipelineError('E_USAGE', 'inputs.images needs exactly one of file (an image list CSV) and dir (an image folder)', { field: 'inputs.images', hint: 'pass the images of the rows to predict' });
    }
    imageIndex = await readImageSource({ file: given.file, dir: given.dir, pattern: settings.pattern }, settings, options.resolvePath);
    files.push(imageIndex.file);
    const primary = table !== undefined || signal !== undefined;
    const alignIds = table?.ids ?? (signal?.layout.ids === 'meta' ? signal.ids : undefined);
    const ordered = primary ? alignImageIndex(imageIndex, alignIds, table?.matrix.rows ?? signal!.rows) : imageIndex;
    views.image = await readImageView(ordered, settings);
  }
  const ids = table?.ids ?? signal?.ids ?? imageIndex?.ids.slice();
  const rows = table?.matrix.rows ?? signal?.rows ?? imageIndex!.ids.length;
  return { views, ids, rows, files, unknownCategories: table?.unknown ?? {} };
}

/** Loads a completed run's final stack and predicts new data (never trains, never writes in the run). */
export async function predictRun(options: PredictRunOptions, context: WorkflowContext = {}): Promise<PredictRunResult> {
  const cwd = context.cwd ?? process.cwd();
  const { logger, onProgress, signal } = resolveContext(context);
  const run = (await openRun(resolve(cwd, options.runDir))).requireCompleted('predict');
  checkRunInputs(run.manifest, options.inputs, run.dir);
  if (run.manifest.baseModels.some((b) => b.input === 'signal' || b.input === 'image')) {
    const { selectBackend } = await import('@pipeline/tf');
    await selectBackend({ backend: options.backend ?? 'auto', logger, env: context.env ?? process.env });
  }
  // Every model package's artifact loader (the run's stack may hold any of them).
  await import('./register-models.js');
  const stack = await run.loadStack('predict');
  try {
    const { views, ids, rows, files, unknownCategories } = await readRunViews(
      run.manifest,
      options.inputs,
      { resolvePath: (p) => resolve(cwd, p), chunkSize: options.chunkSize ?? 2000, logger, onProgress, signal, runDir: run.dir },
      await run.categoryEncoding(),
    );
    const proba = await stack.predictProba(views, { ...(signal === undefined ? {} : { signal }), logger });
    const classNames = [...run.manifest.classes.names];
    const predicted = argmaxRows(proba);
    const predictedCounts = Object.fromEntries(classNames.map((c, k) => [c, predicted.reduce((n, p) => n + (p === k ? 1 : 0), 0)]));
    let out: string | undefined;
    if (options.out !== undefined) {
      out = resolve(cwd, options.out);
      await writePredictionsCsv(out, { proba, ...(ids === undefined ? {} : { ids }), classNames }, { overwrite: options.overwrite === true });
    }
    let stored: string | undefined;
    if (options.storeInRun !== undefined) {
      const sources = [];
      for (const file of files) sources.push({ path: file, sha256: (await fingerprintFile(file, 'predict-input')).sha256 });
      stored = await writeRunPredictions(
        run.dir,
        { name: options.storeInRun, ids: ids ?? Array.from({ length: rows }, (_, i) => String(i)), classNames, proba, sources },
        { overwrite: options.overwrite === true },
      );
    }
    return { runDir: run.dir, proba, predicted, classNames, ids, rows, predictedCounts, files, unknownCategories, ...(out === undefined ? {} : { out }), ...(stored === undefined ? {} : { stored }) };
  } finally {
    stack.dispose();
  }
}

/** Opens a completed run (for callers that only read it). */
export async function openCompletedRun(runDir: string, purpose: string, cwd = process.cwd()): Promise<OpenedRun> {
  return (await openRun(resolve(cwd, runDir))).requireCompleted(purpose);
}
