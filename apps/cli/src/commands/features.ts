import { availableParallelism } from 'node:os';
import type { RecipeName } from '@pipeline/features';

let recipeNames: readonly string[] = [];
import type { FeaturizeRunOptions } from '@pipeline/workflows';
import type { CommandDefinition } from '../command.js';

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
  async prepare() {
    recipeNames = (await import('@pipeline/features')).RECIPE_NAMES;
  },
  builder: (yargs) =>
    yargs
      .option('x-h5', { type: 'string', demandOption: true, describe: 'HDF5 file with rows of meta + signal columns' })
      .option('out', { type: 'string', demandOption: true, describe: 'Arrow IPC file to write (.arrow / Feather v2)' })
      .option('recipe', { type: 'string', choices: [...recipeNames], default: 'dwt-combo', describe: 'Feature recipe' })
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
  async run(args, runtime) {
    const { featurizeRun } = await import('@pipeline/workflows');
    const str = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
    const num = (key: string) => (typeof args[key] === 'number' ? (args[key] as number) : undefined);
    const options: FeaturizeRunOptions = {
      xH5: String(args.xH5),
      out: String(args.out),
      recipe: String(args.recipe) as RecipeName,
      dataset: String(args.dataset),
      idColumn: String(args.idColumn),
      overwrite: args.overwrite === true,
      ...(str('recipeFile') === undefined ? {} : { recipeFile: str('recipeFile')! }),
      ...(num('chunkSize') === undefined ? {} : { chunkSize: num('chunkSize')! }),
      ...(num('workers') === undefined ? {} : { workers: num('workers')! }),
      ...(str('metaNames') === undefined ? {} : { metaNames: str('metaNames')! }),
      ...(str('dropMeta') === undefined ? {} : { dropMeta: str('dropMeta')! }),
    };
    const summary = await featurizeRun(options, runtime.context);
    if (runtime.json) runtime.printJson(summary);
    else {
      runtime.print(
        `${summary.out}: ${summary.rows} rows × ${summary.features} features${summary.idColumn === null ? '' : ` + ${summary.idColumn}`} (${summary.recipe.name} v${summary.recipe.version}), ` +
          `${summary.seconds} s on ${summary.workers === 0 ? 'the main thread' : `${summary.workers} workers`}`,
      );
    }
  },
};
