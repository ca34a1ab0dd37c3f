import type { CommandDefinition } from '../command.js';
import { predictOptions, runInputOptions } from '../predict/run-inputs.js';

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
    const { predictRun } = await import('@pipeline/workflows');
    const result = await predictRun({ ...predictOptions(args), out: String(args.out), overwrite: args.overwrite === true }, runtime.context);
    if (runtime.json) {
      runtime.printJson({ runDir: result.runDir, out: result.out, rows: result.rows, classes: result.classNames, predictedCounts: result.predictedCounts });
    } else {
      runtime.print(`wrote ${result.rows} predictions to ${result.out}\npredicted classes: ${result.classNames.map((c) => `${c}: ${result.predictedCounts[c]}`).join(', ')}`);
    }
  },
};
