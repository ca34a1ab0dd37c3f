import type { CommandDefinition } from '../command.js';
import { predictOptions, runInputOptions } from '../predict/run-inputs.js';

export const predictCommand: CommandDefinition = {
  command: 'predict',
  describe: 'Predict with a completed run (never trains): writes id,pred,proba_0..k',
  examples: [
    ['$0 predict --run-dir runs/demo --x-h5 data/demo/X_test.h5 --x-csv data/demo/X_test.csv --out preds.csv', 'predict the demo test set'],
    ['$0 predict --run-dir runs/r1 --x-h5 X_test.h5 --out preds.csv --json', 'also print a JSON summary'],
    ['$0 predict --run-dir runs/r1 --x-h5 X_test.h5 --store-in-run test', 'keep them in the run (runs export r1 --what test)'],
  ],
  builder: (yargs) =>
    runInputOptions(yargs)
      .option('out', { type: 'string', describe: 'Predictions CSV to write (id,pred,proba_0..k); needed unless --store-in-run' })
      .option('store-in-run', { type: 'string', describe: 'Also keep the predictions in the run as predictions/<name>.arrow (e.g. test), for `runs export --what test`' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace --out (and stored predictions of that name) if they exist' })
      .check((argv) => {
        if (typeof argv.out !== 'string' && typeof argv.storeInRun !== 'string') throw new Error('predict needs --out FILE or --store-in-run NAME');
        return true;
      }),
  async run(args, runtime) {
    const { predictRun } = await import('@pipeline/workflows');
    const result = await predictRun(
      {
        ...predictOptions(args),
        ...(typeof args.out === 'string' ? { out: args.out } : {}),
        ...(typeof args.storeInRun === 'string' ? { storeInRun: args.storeInRun } : {}),
        overwrite: args.overwrite === true,
      },
      runtime.context,
    );
    if (runtime.json) {
      runtime.printJson({ runDir: result.runDir, out: result.out, stored: result.stored, rows: result.rows, classes: result.classNames, predictedCounts: result.predictedCounts });
    } else {
      const where = [result.out, result.stored].filter((f) => f !== undefined).join(' and ');
      runtime.print(`wrote ${result.rows} predictions to ${where}\npredicted classes: ${result.classNames.map((c) => `${c}: ${result.predictedCounts[c]}`).join(', ')}`);
    }
  },
};
