import { basename } from 'node:path';
import { PipelineError } from '@pipeline/core';
import { flagsToOptimizeOptions, optFlagsGiven } from '../train/optimize-options.js';
import { formatTrialsTable } from '../train/optimize-summary.js';
import type { CommandDefinition } from '../command.js';
import { loadConfigModule } from '../train/config-module.js';
import { releaseEarlyThreads, startEarlyFeaturize, startEarlyFoldWorkers, takeEarlyFeaturize, takeEarlyFoldWorkers } from '../train/early-threads.js';
import { flagsToConfig, trainBuilder } from '../train/options.js';
import { formatScoresTable, formatTimingTable } from '../train/summary.js';

export const trainCommand: CommandDefinition = {
  command: 'train',
  describe: 'Train the stack (OOF base models → logistic meta-learner → refit) into a run folder',
  examples: [
    ['$0 train --demo', 'train on the demo data (generated into data/demo if absent)'],
    ['$0 train --config run.yaml --hgb-max-iter 300', 'train from a config file; flags override it'],
    ['$0 train --x-h5 X_train.h5 --y-csv y_train.csv --hgb-fe --splits 5', 'HGB on wavelet features of the H5 signal'],
    ['$0 train --x-h5 X.h5 --h5-ids row --y-csv y.csv --groups-csv patients.csv --group-col patient --hgb-fe', 'H5 ids by row position, group folds from another CSV'],
    ['$0 train --x-csv X.csv --y-csv y.csv --group-col subject --class-weights-auto', 'tabular HGB, group-aware folds, class weights'],
    ['$0 train --run-dir runs/r1 --resume …same flags…', 'continue an interrupted run from its completed folds'],
    ['$0 train --config runs/r1/config.json --run-dir runs/r1-again', 'retrain a run from its stored config (same bytes)'],
    ['$0 train --demo --optimize --opt-targets hgb meta --opt-trials 30 --opt-pruner median', 'search HGB and meta-learner params (TPE), then train the best config'],
    ['$0 train --demo --queue redis://10.0.0.5:6379 --queue-storage /mnt/shared/pipeline', 'fold tasks on `pipeline worker` machines'],
    ['$0 train --demo --optimize --opt-parallel 2 --queue redis://10.0.0.5:6379', 'search trials whose fold tasks run on `pipeline worker` machines'],
  ],
  async prepare(argv) {
    // The featurize threads first: they load their modules while this thread loads the schema and the workflows.
    await startEarlyFeaturize(argv);
    await loadConfigModule();
    // Then the fold pool, whose threads load the GBDT while the run reads the inputs.
    await startEarlyFoldWorkers(argv);
  },
  release: releaseEarlyThreads,
  builder: trainBuilder,
  async run(args, runtime) {
    const { readConfigValue, prepareDemo, trainConfigToYaml, parseTrainConfig, trainRun, optimizeRun, absoluteInputs, localParallelExecutor } = await import('@pipeline/workflows');
    const { deltasOfRun } = await import('@pipeline/runs');
    const fileConfig = typeof args.config === 'string' ? await readConfigValue(runtime.resolvePath(args.config)) : {};
    let demoInputs: Record<string, unknown> | undefined;
    if (args.demo === true) {
      const demo = await prepareDemo({ dir: String(args.demoDir), n: Number(args.demoN) }, runtime.context);
      demoInputs = demo.inputs as Record<string, unknown>;
      if (args.hgbFe === undefined && !Array.isArray((fileConfig as { baseModels?: unknown }).baseModels)) args = { ...args, hgbFe: true };
    }
    const config = parseTrainConfig(flagsToConfig(args, fileConfig, demoInputs), typeof args.config === 'string' ? runtime.resolvePath(args.config) : 'config');
    if (args.printConfig === true) {
      const resolved = absoluteInputs(config, runtime.cwd);
      if (runtime.json) runtime.printJson(resolved);
      else runtime.io.stdout(trainConfigToYaml(resolved));
      return;
    }
    const workers = typeof args.workers === 'number' ? args.workers : undefined;
    if (typeof args.queue === 'string' && workers !== undefined) {
      throw new PipelineError('E_USAGE', '--workers and --queue exclude each other', { field: 'queue', hint: 'queue workers set their own --concurrency' });
    }
    const queue =
      typeof args.queue === 'string'
        ? (await import('@pipeline/queue')).bullmqExecutor({
            connection: args.queue,
            storageDir: runtime.resolvePath(typeof args.queueStorage === 'string' ? args.queueStorage : `${String(args.runsRoot ?? 'runs')}/queue-env`),
            ...(typeof args.queueName === 'string' ? { queueName: args.queueName } : {}),
            ...(typeof args.runDir === 'string' ? { runLabel: basename(args.runDir) } : {}),
            ...(config.backend === undefined ? {} : { backend: config.backend }),
          })
        : undefined;
    // --workers 1 keeps the folds in this process (as its help says); N > 1 is a pool of N worker threads.
    const local =
      workers === undefined
        ? undefined
        : workers === 1
          ? (await import('@pipeline/model-selection')).sequentialExecutor
          : localParallelExecutor({ workers, ...(config.backend === undefined ? {} : { backend: config.backend }) });
    // What trainRun and optimizeRun share: the run folder, resume, the argv recorded in the manifest, the executor.
    const runOptions = {
      ...runtime.context,
      ...(typeof args.runDir === 'string' ? { runDir: args.runDir } : {}),
      runsRoot: String(args.runsRoot ?? 'runs'),
      resume: args.resume === true,
      argv: runtime.argv,
      ...(queue === undefined ? {} : { executor: queue }),
      ...(local === undefined ? {} : { executor: local }),
    };
    const given = optFlagsGiven(args);
    if (args.optimize !== true && given.length > 0) {
      throw new PipelineError('E_USAGE', `${given.join(', ')} need${given.length > 1 ? '' : 's'} --optimize`, { field: given[0]!, hint: 'add --optimize, or drop the --opt-* flags' });
    }
    if (args.optimize === true) {
      const options = flagsToOptimizeOptions(args, config.baseModels.map((m) => m.kind));
      const searched = await optimizeRun(config, options, runOptions);
      if (runtime.json) {
        const { final, ...rest } = searched;
        const { config: _config, folds: _folds, ...finalRest } = final;
        runtime.printJson({ ...rest, final: finalRest });
        return;
      }
      runtime.print(formatTrialsTable(searched));
      runtime.print(`run: ${searched.runDir} (trained with the best params; opt/ holds the search)\n`);
      runtime.print(formatScoresTable(searched.final.oof));
      return;
    }
    const featurizeWorkers = takeEarlyFeaturize();
    const foldWorkers = takeEarlyFoldWorkers();
    const result = await trainRun(config, { ...runOptions, ...(featurizeWorkers === undefined ? {} : { featurizeWorkers }), ...(foldWorkers === undefined ? {} : { foldWorkers }) });
    if (runtime.json) {
      const { config: _config, folds, ...rest } = result;
      runtime.printJson({ ...rest, ...(args.timing === true ? { folds } : {}) });
      return;
    }
    runtime.print(`run: ${result.runDir}\nbase models: ${result.baseModels.join(', ')} (${result.nRows} rows, classes ${result.classes.join(', ')})\n`);
    runtime.print(formatScoresTable(result.oof));
    if (args.timing === true) runtime.print(formatTimingTable(result.folds));
    const t = result.timings;
    const s = (key: string) => ((t[key] ?? 0) / 1000).toFixed(2);
    runtime.print(`time: read ${s('readMs')} s, featurize ${s('featurizeMs')} s, OOF ${s('oofMs')} s, meta ${s('metaMs')} s, refit ${s('refitMs')} s, total ${s('totalMs')} s`);
    // The delta matters more than the score: against the previous and the best earlier run of the root.
    const deltas = await deltasOfRun(result.runDir);
    const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;
    if (deltas?.previous !== undefined) runtime.print(`${deltas.metric} ${deltas.score.toFixed(4)}: ${sign(deltas.previous.delta)} vs the previous run ${deltas.previous.id}`);
    if (deltas?.best !== undefined) runtime.print(`${deltas.metric} ${deltas.score.toFixed(4)}: ${sign(deltas.best.delta)} vs the best run ${deltas.best.id} (${deltas.best.score.toFixed(4)})`);
  },
};
