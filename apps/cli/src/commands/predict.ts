import { argmaxRows } from '@pipeline/core';
import { writePredictionsCsv } from '@pipeline/ingest';
import type { CommandDefinition } from '../command.js';
import { checkRunInputs, loadRunModel, readRunViews } from '../predict/load-run.js';

export const predictCommand: CommandDefinition = {
  command: 'predict',
  describe: 'Predict with a completed run (never trains): writes id,pred,proba_0..k',
  examples: [
    ['$0 predict --run-dir runs/demo --x-h5 data/demo/X_test.h5 --x-csv data/demo/X_test.csv --out preds.csv', 'predict the demo test set'],
    ['$0 predict --run-dir runs/r1 --x-h5 X_test.h5 --out preds.csv --json', 'also print a JSON summary'],
  ],
  builder: (yargs) =>
    yargs
      .option('run-dir', { type: 'string', demandOption: true, describe: 'A completed run folder' })
      .option('x-csv', { type: 'string', describe: 'Tabular CSV (when the run has a tabular base model)' })
      .option('x-h5', { type: 'string', describe: 'H5 file (when the run has wavelet or signal base models)' })
      .option('h5-dataset-key', { type: 'string', describe: "Dataset key inside --x-h5 (default: the run's)" })
      .option('backend', { type: 'string', choices: ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], describe: 'TensorFlow.js backend for temporal models' })
      .option('id-col', { type: 'string', default: 'id', describe: 'Id column of --x-csv' })
      .option('out', { type: 'string', demandOption: true, describe: 'Predictions CSV to write (id,pred,proba_0..k)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace --out if it exists' })
      .option('chunk-size', { type: 'number', default: 2000, describe: 'Rows per featurization batch' }),
  async run(args, runtime) {
    const runDir = runtime.resolvePath(String(args.runDir));
    const { run, stack } = await loadRunModel(runDir, 'predict', typeof args.backend === 'string' ? args.backend : undefined, runtime.logger);
    const inputs = {
      ...(typeof args.xCsv === 'string' ? { xCsv: args.xCsv } : {}),
      ...(typeof args.xH5 === 'string' ? { xH5: args.xH5 } : {}),
      ...(typeof args.h5DatasetKey === 'string' ? { h5DatasetKey: args.h5DatasetKey } : {}),
      idCol: String(args.idCol),
      chunkSize: Number(args.chunkSize),
    };
    checkRunInputs(run.manifest, inputs, run.dir);
    const { views, ids, rows } = await readRunViews(run.manifest, inputs, runtime);
    const proba = await stack.predictProba(views, { signal: runtime.signal, logger: runtime.logger });
    const out = runtime.resolvePath(String(args.out));
    const classNames = [...run.manifest.classes.names];
    await writePredictionsCsv(out, { proba, ...(ids === undefined ? {} : { ids }), classNames }, { overwrite: args.overwrite === true });
    const pred = argmaxRows(proba);
    const counts = classNames.map((_, k) => pred.reduce((n, p) => n + (p === k ? 1 : 0), 0));
    stack.dispose();
    if (runtime.json) {
      runtime.printJson({ runDir: run.dir, out, rows, classes: classNames, predictedCounts: Object.fromEntries(classNames.map((c, k) => [c, counts[k]])) });
    } else {
      runtime.print(`wrote ${rows} predictions to ${out}\npredicted classes: ${classNames.map((c, k) => `${c}: ${counts[k]}`).join(', ')}`);
    }
  },
};
