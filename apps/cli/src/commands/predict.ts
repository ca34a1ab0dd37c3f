import { argmaxRows } from '@pipeline/core';
import { writePredictionsCsv } from '@pipeline/ingest';
import type { CommandDefinition } from '../command.js';
import { predictWithRun, runInputOptions } from '../predict/load-run.js';

export const predictCommand: CommandDefinition = {
  command: 'predict',
  describe: 'Predict with a completed run (never trains): writes id,pred,proba_0..k',
  examples: [
    ['$0 predict --run-dir runs/demo --x-h5 data/demo/X_test.h5 --x-csv data/demo/X_test.csv --out preds.csv', 'predict the demo test set'],
    ['$0 predict --run-dir runs/r1 --x-h5 X_test.h5 --out preds.csv --json', 'also print a JSON summary'],
  ],
  builder: (yargs) =>
    runInputOptions(yargs)
      .option('out', { type: 'string', demandOption: true, describe: 'Predictions CSV to write (id,pred,proba_0..k)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace --out if it exists' }),
  async run(args, runtime) {
    const { run, proba, ids, rows } = await predictWithRun(args, runtime, 'predict');
    const out = runtime.resolvePath(String(args.out));
    const classNames = [...run.manifest.classes.names];
    await writePredictionsCsv(out, { proba, ...(ids === undefined ? {} : { ids }), classNames }, { overwrite: args.overwrite === true });
    const pred = argmaxRows(proba);
    const counts = classNames.map((_, k) => pred.reduce((n, p) => n + (p === k ? 1 : 0), 0));
    if (runtime.json) {
      runtime.printJson({ runDir: run.dir, out, rows, classes: classNames, predictedCounts: Object.fromEntries(classNames.map((c, k) => [c, counts[k]])) });
    } else {
      runtime.print(`wrote ${rows} predictions to ${out}\npredicted classes: ${classNames.map((c, k) => `${c}: ${counts[k]}`).join(', ')}`);
    }
  },
};
