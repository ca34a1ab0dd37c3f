import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineError, resolveContext, type Matrix } from '@pipeline/core';
import { createRecipe, featurizeH5, parseRecipe, type FeatureRecipe, type RecipeName } from '@pipeline/features';
import { formatFloat32, openH5, writeArrowTable, type H5File } from '@pipeline/ingest';
import type { WorkflowContext } from './workflow-context.js';

/** Options of {@link featurizeRun}: an H5 file → a feature table (Arrow IPC). */
export interface FeaturizeRunOptions {
  /** HDF5 file with rows of meta + signal columns. */
  readonly xH5: string;
  /** Arrow IPC file to write. */
  readonly out: string;
  /** Feature recipe by name (default dwt-combo), unless `recipeFile` is given. */
  readonly recipe?: RecipeName;
  /** A JSON recipe, or a run manifest holding one: rebuilds exactly those features. */
  readonly recipeFile?: string;
  /** Dataset key inside the file. Default `features`. */
  readonly dataset?: string;
  readonly chunkSize?: number;
  /** Worker threads (0 = this thread). Default: the cores. */
  readonly workers?: number;
  /** Comma-separated meta column names (default: the file's `meta_columns` attribute, else the recipe's). */
  readonly metaNames?: string;
  /** Comma-separated meta columns to leave out of the features. */
  readonly dropMeta?: string;
  /** Meta column written as the table's string id column instead of a feature ('' keeps it a feature). Default `id`. */
  readonly idColumn?: string;
  readonly overwrite?: boolean;
}

export interface FeaturizeRunResult {
  readonly out: string;
  readonly rows: number;
  readonly features: number;
  readonly idColumn: string | null;
  readonly recipe: FeatureRecipe;
  readonly workers: number;
  readonly seconds: number;
  readonly rowsPerSecond: number | null;
}

const list = (text: string | undefined): string[] | undefined =>
  text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/**
 * Meta column names: `--meta-names`, else the file's `meta_columns` root attribute (written by
 * `demo-data` and by h5py users who follow the layout), else the recipe's defaults.
 */
function metaNamesOf(h5: H5File, flag: string | undefined): string[] | undefined {
  const given = list(flag);
  if (given !== undefined) return given;
  const attribute = h5.attrs().meta_columns;
  return Array.isArray(attribute) && attribute.every((v) => typeof v === 'string') ? (attribute as string[]) : undefined;
}

async function loadRecipe(args: FeaturizeRunOptions, h5: H5File, resolvePath: (p: string) => string): Promise<FeatureRecipe> {
  if (args.recipeFile !== undefined) {
    if (args.metaNames !== undefined || args.dropMeta !== undefined) {
      throw new PipelineError('E_USAGE', '--recipe-file fixes every parameter; do not combine it with --meta-names or --drop-meta', {
        field: 'recipeFile',
      });
    }
    const path = resolvePath(args.recipeFile);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new PipelineError('E_NOT_FOUND', 'recipe file not found', { file: path, cause });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new PipelineError('E_INPUT', 'recipe file is not valid JSON', { file: path, cause });
    }
    // A run manifest (format 2) holds the recipe under `views.dwt.recipe` (older layouts: `features.recipe`
    // or `recipe`); a bare recipe works too. The table has every column of the recipe, also those a
    // run trained with `features.dropGroups` leaves out (its manifest lists the columns it kept).
    const doc = json as { views?: { dwt?: { recipe?: unknown } }; features?: { recipe?: unknown }; recipe?: unknown };
    const candidate = doc.views?.dwt?.recipe ?? doc.features?.recipe ?? doc.recipe ?? json;
    return parseRecipe(candidate, path);
  }
  const metaNames = metaNamesOf(h5, args.metaNames);
  const dropMeta = list(args.dropMeta);
  return createRecipe(args.recipe ?? 'dwt-combo', {
    ...(metaNames === undefined ? {} : { metaNames }),
    ...(dropMeta === undefined ? {} : { dropMeta }),
  });
}

/**
 * Moves the feature column `name` (a meta column passed through) into string row ids, so the table
 * carries an Arrow id column that readers align labels by, instead of an id as a float feature.
 */
function splitIds(names: readonly string[], features: Matrix, name: string): { names: string[]; features: Matrix; ids?: string[] } {
  const index = names.indexOf(name);
  if (name === '' || index < 0) return { names: [...names], features };
  const { rows, cols, data } = features;
  const ids = new Array<string>(rows);
  const out = new Float32Array(rows * (cols - 1));
  for (let i = 0; i < rows; i++) {
    const value = data[i * cols + index]!;
    ids[i] = Number.isInteger(value) ? String(value) : formatFloat32(value);
    out.set(data.subarray(i * cols, i * cols + index), i * (cols - 1));
    out.set(data.subarray(i * cols + index + 1, (i + 1) * cols), i * (cols - 1) + index);
  }
  return { names: names.filter((_, j) => j !== index), features: { rows, cols: cols - 1, data: out }, ids };
}

/**
 * Featurizes an HDF5 file with a feature recipe (streamed, multi-threaded) into an Arrow table whose
 * metadata records the recipe and the source; a meta column can become the table's id column.
 */
export async function featurizeRun(options: FeaturizeRunOptions, context: WorkflowContext = {}): Promise<FeaturizeRunResult> {
  const cwd = context.cwd ?? process.cwd();
  const { logger, onProgress, signal } = resolveContext(context);
  const resolvePath = (path: string) => resolve(cwd, path);
  const input = resolvePath(options.xH5);
  const out = resolvePath(options.out);
  const idColumn = options.idColumn ?? 'id';
  if (options.overwrite !== true && existsSync(out)) {
    throw new PipelineError('E_USAGE', 'output file already exists', { file: out, field: 'overwrite', hint: 'allow overwriting or choose another output file' });
  }
  const h5 = await openH5(input, { logger });
  try {
    const recipe = await loadRecipe(options, h5, resolvePath);
    const began = performance.now();
    const result = await featurizeH5(h5, {
      datasetKey: options.dataset ?? 'features',
      recipe,
      ...(options.chunkSize === undefined ? {} : { batchRows: options.chunkSize }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(signal === undefined ? {} : { signal }),
      logger,
      onProgress,
    });
    const seconds = (performance.now() - began) / 1000;
    const table = splitIds(result.names, result.features, idColumn);
    await writeArrowTable(
      out,
      {
        columns: table.names,
        matrix: table.features,
        ...(table.ids === undefined ? {} : { ids: table.ids, idColumn }),
        metadata: {
          'pipeline.recipe': JSON.stringify(result.recipe),
          'pipeline.source': JSON.stringify({ file: result.file, dataset: result.datasetKey, start: result.start }),
        },
      },
      { overwrite: options.overwrite === true },
    );
    const summary: FeaturizeRunResult = {
      out,
      rows: result.features.rows,
      features: table.names.length,
      idColumn: table.ids === undefined ? null : idColumn,
      recipe: result.recipe,
      workers: result.workers,
      seconds: Math.round(seconds * 1000) / 1000,
      rowsPerSecond: seconds > 0 ? Math.round(result.features.rows / seconds) : null,
    };
    logger.info('features written', { out, rows: summary.rows, features: summary.features, seconds: summary.seconds });
    return summary;
  } finally {
    h5.close();
  }
}
