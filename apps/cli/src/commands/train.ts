import type { CommandDefinition } from '../command.js';
import { resolveDemo } from '../train/demo.js';
import { readTrainOptions, trainBuilder } from '../train/options.js';
import { formatScoresTable, formatTimingTable } from '../train/summary.js';
import { train } from '../train/train-run.js';

export const trainCommand: CommandDefinition = {
  command: 'train',
  describe: 'Train the stack (OOF base models → logistic meta-learner → refit) into a run folder',
  examples: [
    ['$0 train --demo', 'train on the demo data (generated into data/demo if absent)'],
    ['$0 train --x-h5 X_train.h5 --y-csv y_train.csv --hgb-fe --splits 5', 'HGB on wavelet features of the H5 signal'],
    ['$0 train --x-csv X.csv --y-csv y.csv --group-col subject --class-weights-auto', 'tabular HGB, group-aware folds, class weights'],
    ['$0 train --run-dir runs/r1 --resume …same flags…', 'continue an interrupted run from its completed folds'],
  ],
  builder: trainBuilder,
  async run(args, runtime) {
    let options = readTrainOptions(args);
    if (options.demo) options = await resolveDemo(options, args.hgbFe !== undefined, runtime);
    const result = await train(options, runtime.argv, runtime);
    if (runtime.json) {
      runtime.printJson(result);
      return;
    }
    runtime.print(`run: ${result.runDir}\nbase models: ${result.baseModels.join(', ')} (${result.nRows} rows, classes ${result.classes.join(', ')})\n`);
    runtime.print(formatScoresTable(result.oof));
    if (result.folds !== undefined) runtime.print(formatTimingTable(result.folds));
    const t = result.timings;
    const s = (key: string) => ((t[key] ?? 0) / 1000).toFixed(2);
    runtime.print(`time: read ${s('readMs')} s, featurize ${s('featurizeMs')} s, OOF ${s('oofMs')} s, meta ${s('metaMs')} s, refit ${s('refitMs')} s, total ${s('totalMs')} s`);
  },
};

