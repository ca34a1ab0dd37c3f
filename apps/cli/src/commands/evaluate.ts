import { PipelineError } from '@pipeline/core';
import { RunDirectory } from '@pipeline/runs';
import type { CommandDefinition } from '../command.js';
import { readRunOof } from '../analyze/oof.js';
import { predictWithRun, runInputOptions } from '../predict/load-run.js';
import { readAlignedLabels, fingerprint } from '../train/data.js';
import { scoreProba, scoreWithFolds, type Scores } from '../train/scores.js';
import { formatScoresTable, renderTable } from '../train/summary.js';

export const evaluateCommand: CommandDefinition = {
  command: 'evaluate',
  describe: "Score a run: its saved OOF predictions (default), or new labelled data with the final models",
  examples: [
    ['$0 evaluate --run-dir runs/demo', 'OOF scores of every base model and the stack (no training, run unchanged)'],
    ['$0 evaluate --run-dir runs/demo --x-h5 holdout.h5 --y-csv y_holdout.csv', 'score held-out data with the final models'],
  ],
  builder: (yargs) =>
    runInputOptions(yargs)
      .option('y-csv', { type: 'string', describe: 'Labels of --x-csv/--x-h5' }),
  async run(args, runtime) {
    const runDir = runtime.resolvePath(String(args.runDir));
    const hasData = typeof args.xCsv === 'string' || typeof args.xH5 === 'string';
    if (!hasData) {
      if (typeof args.yCsv === 'string') {
        throw new PipelineError('E_USAGE', '--y-csv needs --x-csv and/or --x-h5 (the data to score)', { field: '--y-csv' });
      }
      const run = await RunDirectory.openCompleted(runDir, 'evaluate');
      const oof = await readRunOof(run);
      const k = oof.classNames.length;
      const scores = {
        ...Object.fromEntries(Object.entries(oof.base).map(([name, proba]) => [name, scoreWithFolds(oof.labels, proba, k, oof.foldOf)])),
        stack: scoreWithFolds(oof.labels, oof.stack, k, oof.foldOf),
      };
      if (runtime.json) runtime.printJson({ runDir: run.dir, source: 'oof', rows: oof.labels.length, oof: scores });
      else runtime.print(`run: ${run.dir} (saved OOF predictions, ${oof.labels.length} rows)\n${formatScoresTable(scores)}`);
      return;
    }
    if (typeof args.yCsv !== 'string') {
      throw new PipelineError('E_USAGE', 'evaluating new data needs its labels: pass --y-csv', { field: '--y-csv' });
    }
    const { run, proba, ids, rows, files } = await predictWithRun(args, runtime, 'evaluate');
    const labels = await readAlignedLabels(runtime.resolvePath(args.yCsv), ids, rows, run.manifest.classes.names);
    const k = run.manifest.classes.names.length;
    const scores: Scores = scoreProba(labels.labels, proba, k);
    // Same bytes as the training inputs → the final models saw these rows: say so.
    const trained = new Set(run.manifest.inputs.map((i) => i.sha256));
    const prints = await Promise.all([...files, labels.file].map((f) => fingerprint(f, 'evaluate')));
    const inSample = prints.some((p) => trained.has(p.sha256));
    if (inSample) {
      runtime.logger.warn('these are the training data: the final models were fitted on them, so this in-sample evaluation is optimistic; the OOF scores (`pipeline evaluate --run-dir …`) are the honest estimate');
    }
    if (runtime.json) runtime.printJson({ runDir: run.dir, source: 'data', rows, inSample, stack: scores });
    else {
      runtime.print(
        renderTable(
          ['model', 'accuracy', 'balanced acc', 'F1 macro', 'log loss'],
          [['stack', scores.accuracy.toFixed(4), scores.balancedAccuracy.toFixed(4), scores.f1Macro.toFixed(4), scores.logLoss.toFixed(4)]],
          `run: ${run.dir}, ${rows} rows${inSample ? ' (IN-SAMPLE: the training data; optimistic)' : ''}`,
        ),
      );
    }
  },
};
