import type { Argv } from 'yargs';
import type { PredictRunOptions } from '@pipeline/workflows';

/** The data options `predict` and `evaluate` share. */
export function runInputOptions(yargs: Argv): Argv {
  return yargs
    .option('run-dir', { type: 'string', demandOption: true, describe: 'A completed run folder' })
    .option('x-csv', { type: 'string', describe: 'Tabular CSV (when the run has a tabular base model)' })
    .option('x-h5', { type: 'string', describe: 'H5 file (when the run has wavelet or signal base models)' })
    .option('x-images', { type: 'string', describe: 'Image list CSV, id and path columns as in training (when the run has an image base model)' })
    .option('x-images-dir', { type: 'string', describe: "Image folder matched by the run's file name pattern (instead of --x-images)" })
    .option('h5-dataset-key', { type: 'string', describe: "Dataset key inside --x-h5 (default: the run's)" })
    .option('backend', { type: 'string', choices: ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], describe: 'TensorFlow.js backend for temporal models' })
    .option('id-col', { type: 'string', describe: "Id column of --x-csv (default: the run's)" })
    .option('chunk-size', { type: 'number', default: 2000, describe: 'Rows per featurization batch' });
}

/** The `predictRun` options of the shared flags. */
export function predictOptions(args: Record<string, unknown>): PredictRunOptions {
  const str = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
  const backend = str('backend') as PredictRunOptions['backend'];
  return {
    runDir: String(args.runDir),
    inputs: {
      ...(str('xCsv') === undefined ? {} : { table: { file: str('xCsv')!, ...(str('idCol') === undefined ? {} : { idCol: str('idCol')! }) } }),
      ...(str('xH5') === undefined ? {} : { signal: { file: str('xH5')!, ...(str('h5DatasetKey') === undefined ? {} : { datasetKey: str('h5DatasetKey')! }) } }),
      ...(str('xImages') === undefined && str('xImagesDir') === undefined
        ? {}
        : { images: { ...(str('xImages') === undefined ? {} : { file: str('xImages')! }), ...(str('xImagesDir') === undefined ? {} : { dir: str('xImagesDir')! }) } }),
    },
    chunkSize: Number(args.chunkSize ?? 2000),
    ...(backend === undefined ? {} : { backend }),
  };
}
