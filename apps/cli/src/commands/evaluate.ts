import type { CommandDefinition } from '../command.js';
import { predictOptions, runInputOptions } from '../predict/run-inputs.js';
import { formatScoresTable, renderTable } from '../train/summary.js';

export const evaluateCommand: CommandDefinition = {
  command: 'evaluate',
  describe: "Score a run: its saved OOF predictions (default), or new labelled data with the final models",
  examples: [
    ['$0 evaluate --run-dir runs/demo', 'OOF scores of every base model and the stack (no training, run unchanged)'],
    ['$0 evaluate --run-dir runs/demo --x-h5 holdout.h5 --y-csv y_holdout.csv', 'score held-out data with the final models'],
  ],
  builder: (yargs) => runInputOptions(yargs).option('y-csv', { type: 'string', describe: 'Labels of --x-csv/--x-h5' }),
  async run(args, runtime) {
    const { evaluateRun } = await import('@pipeline/workflows');
    const base = predictOptions(args);
    const yCsv = typeof args.yCsv === 'string' ? args.yCsv : undefined;
    const result = await evaluateRun({ ...base, ...(yCsv === undefined ? {} : { labels: { file: yCsv } }) }, runtime.context);
    if (runtime.json) {
      runtime.printJson(result);
      return;
    }
    if (result.source === 'oof') {
      runtime.print(`run: ${result.runDir} (saved OOF predictions, ${result.rows} rows)\n${formatScoresTable(result.oof)}`);
      return;
    }
    const s = result.stack;
    runtime.print(
      renderTable(
        ['model', 'accuracy', 'balanced acc', 'F1 macro', 'log loss'],
        [['stack', s.accuracy.toFixed(4), s.balancedAccuracy.toFixed(4), s.f1Macro.toFixed(4), s.logLoss.toFixed(4)]],
        `run: ${result.runDir}, ${result.rows} rows${result.inSample ? ' (IN-SAMPLE: the training data; optimistic)' : ''}`,
      ),
    );
  },
};
