import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { PipelineError, type Matrix } from '@pipeline/core';
import { RECIPE_NAMES, createRecipe, featurizeH5, parseRecipe, type FeatureRecipe } from '@pipeline/features';
import { formatFloat32, openH5, writeArrowTable, type H5File } from '@pipeline/ingest';
import type { CommandDefinition } from '../command.js';

interface FeaturesArgs {
  xH5: string;
  out: string;
  recipe: string;
  recipeFile?: string;
  dataset: string;
  chunkSize?: number;
  workers?: number;
  metaNames?: string;
  dropMeta?: string;
  idColumn: string;
  overwrite: boolean;
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

async function loadRecipe(args: FeaturesArgs, h5: H5File, resolvePath: (p: string) => string): Promise<FeatureRecipe> {
  if (args.recipeFile !== undefined) {
    if (args.metaNames !== undefined || args.dropMeta !== undefined) {
      throw new PipelineError('E_USAGE', '--recipe-file fixes every parameter; do not combine it with --meta-names or --drop-meta', {
        field: 'recipe-file',
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
    // A run manifest holds the recipe under `features.recipe` or `recipe`; a bare recipe works too.
    const candidate = (json as { features?: { recipe?: unknown }; recipe?: unknown }).features?.recipe ?? (json as { recipe?: unknown }).recipe ?? json;
    return parseRecipe(candidate, path);
  }
  const metaNames = metaNamesOf(h5, args.metaNames);
  const dropMeta = list(args.dropMeta);
  return createRecipe(args.recipe, {
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

export const featuresCommand: CommandDefinition = {
  command: 'features',
  describe: 'Featurize an HDF5 file with a feature recipe (streamed, multi-threaded) into an Arrow table',
  examples: [
    ['$0 features --x-h5 data/X_train.h5 --out features.arrow', 'dwt-combo features of every row, all cores'],
    [
      '$0 features --x-h5 X.h5 --out f.arrow --drop-meta id,fold,subset --chunk-size 2000 --workers 2',
      'leave id-like meta columns out; 2000-row batches on 2 worker threads',
    ],
    ['$0 features --x-h5 X_test.h5 --out test.arrow --recipe-file runs/r1/manifest.json', 'rebuild the exact features of a run'],
  ],
  builder: (yargs) =>
    yargs
      .option('x-h5', { type: 'string', demandOption: true, describe: 'HDF5 file with rows of meta + signal columns' })
      .option('out', { type: 'string', demandOption: true, describe: 'Arrow IPC file to write (.arrow / Feather v2)' })
      .option('recipe', { type: 'string', choices: [...RECIPE_NAMES], default: 'dwt-combo', describe: 'Feature recipe' })
      .option('recipe-file', { type: 'string', describe: 'JSON recipe (or a run manifest holding one): rebuilds exactly those features' })
      .option('dataset', { type: 'string', default: 'features', describe: 'Dataset key inside the HDF5 file' })
      .option('chunk-size', { type: 'number', describe: 'Rows per batch (default ≈1000, whole HDF5 chunks)' })
      .option('workers', { type: 'number', describe: `Worker threads (default: cores = ${availableParallelism()}; 0 = main thread)` })
      .option('meta-names', { type: 'string', describe: "Comma-separated meta column names (default: the file's meta_columns attribute, else meta_0…)" })
      .option('drop-meta', { type: 'string', describe: 'Comma-separated meta columns to leave out of the features, e.g. id,fold,subset' })
      .option('id-column', {
        type: 'string',
        default: 'id',
        describe: "Meta column written as the table's string id column instead of a feature ('' keeps it a feature)",
      })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace --out if it exists' }),
  async run(rawArgs, runtime) {
    const args = rawArgs as unknown as FeaturesArgs;
    const input = runtime.resolvePath(args.xH5);
    const out = runtime.resolvePath(args.out);
    if (!args.overwrite && existsSync(out)) {
      throw new PipelineError('E_USAGE', 'output file already exists', { file: out, hint: 'pass --overwrite or choose another --out' });
    }
    const h5 = await openH5(input, { logger: runtime.logger });
    try {
      const recipe = await loadRecipe(args, h5, runtime.resolvePath);
      const began = performance.now();
      const result = await featurizeH5(h5, {
        datasetKey: args.dataset,
        recipe,
        ...(args.chunkSize === undefined ? {} : { batchRows: args.chunkSize }),
        ...(args.workers === undefined ? {} : { workers: args.workers }),
        signal: runtime.signal,
        logger: runtime.logger,
        onProgress: runtime.onProgress,
      });
      const seconds = (performance.now() - began) / 1000;
      const table = splitIds(result.names, result.features, args.idColumn);
      await writeArrowTable(
        out,
        {
          columns: table.names,
          matrix: table.features,
          ...(table.ids === undefined ? {} : { ids: table.ids, idColumn: args.idColumn }),
          metadata: {
            'pipeline.recipe': JSON.stringify(result.recipe),
            'pipeline.source': JSON.stringify({ file: result.file, dataset: result.datasetKey, start: result.start }),
          },
        },
        { overwrite: args.overwrite },
      );
      const summary = {
        out,
        rows: result.features.rows,
        features: table.names.length,
        idColumn: table.ids === undefined ? null : args.idColumn,
        recipe: result.recipe,
        workers: result.workers,
        seconds: Math.round(seconds * 1000) / 1000,
        rowsPerSecond: seconds > 0 ? Math.round(result.features.rows / seconds) : null,
      };
      runtime.logger.info('features written', { out, rows: summary.rows, features: summary.features, seconds: summary.seconds });
      if (runtime.json) runtime.printJson(summary);
      else {
        runtime.print(
          `${out}: ${summary.rows} rows × ${summary.features} features${table.ids === undefined ? '' : ` + ${args.idColumn}`} (${result.recipe.name} v${result.recipe.version}), ` +
            `${summary.seconds} s on ${summary.workers === 0 ? 'the main thread' : `${summary.workers} workers`}`,
        );
      }
    } finally {
      h5.close();
    }
  },
};
