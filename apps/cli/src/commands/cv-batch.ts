import { PipelineError } from '@pipeline/core';
import type { CommandDefinition } from '../command.js';
import { renderTable } from '../train/summary.js';

export const cvBatchCommand: CommandDefinition = {
  command: 'cv-batch',
  describe: 'Fold-column cross-validation per sub-database on spectrogram images (2D CNN, HGB): combined CSVs, {method}_cv_summary.json, index.json',
  examples: [
    ['$0 cv-batch --config batch.yaml', 'every sub-database and method of the config'],
    ['$0 cv-batch --config batch.yaml --subdbs 1 2 5 --overwrite', 'three sub-databases, rebuilding combined CSVs and results'],
    ['$0 cv-batch --demo demo-batch --methods hgb', 'write a tiny generated batch (images, labels, splits, batch.yaml) to demo-batch and run it'],
  ],
  builder: (yargs) =>
    yargs
      .option('config', { type: 'string', describe: 'Batch config (YAML or JSON; paths relative to it). See the @pipeline/workflows README' })
      .option('subdbs', { type: 'array', describe: 'Run these sub-databases only (numbers from the config\'s subdbs)' })
      .option('methods', { type: 'array', describe: 'Override the config\'s methods: cnn2d, hgb' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Rebuild combined CSVs and results even when no input changed' })
      .option('demo', { type: 'string', describe: 'Write a generated demo batch to this (new or empty) folder and run it' }),
  async run(args, runtime) {
    const { cvBatch, readCvBatchConfig, writeDemoBatch, CV_BATCH_METHODS, FOLD_METRICS } = await import('@pipeline/workflows');
    const { formatMeanStd } = await import('@pipeline/metrics');
    if ((args.config === undefined) === (args.demo === undefined)) {
      throw new PipelineError('E_USAGE', 'pass exactly one of --config and --demo', { field: '--config', hint: 'pipeline cv-batch --config batch.yaml, or --demo DIR to try it' });
    }
    const numbers = (value: unknown, field: string): number[] | undefined => {
      if (value === undefined) return undefined;
      const list = (value as unknown[]).flatMap((v) => String(v).split(',')).filter((v) => v.trim() !== '');
      const bad = list.find((v) => !/^\d+$/.test(v.trim()));
      if (bad !== undefined) throw new PipelineError('E_USAGE', `${field} holds '${bad}', not a sub-database number`, { field, hint: 'e.g. --subdbs 1 2 5' });
      return list.map(Number);
    };
    const subdbs = numbers(args.subdbs, '--subdbs');
    let methods: Array<(typeof CV_BATCH_METHODS)[number]> | undefined;
    if (args.methods !== undefined) {
      methods = (args.methods as unknown[]).flatMap((v) => String(v).split(',')).map((v) => {
        const method = CV_BATCH_METHODS.find((m) => m === v.trim());
        if (method === undefined) throw new PipelineError('E_USAGE', `--methods holds '${v}', not one of ${CV_BATCH_METHODS.join(', ')}`, { field: '--methods' });
        return method;
      });
    }
    let configPath = typeof args.config === 'string' ? runtime.resolvePath(args.config) : undefined;
    if (typeof args.demo === 'string') {
      const demo = await writeDemoBatch(runtime.resolvePath(args.demo));
      runtime.context.logger?.info(`demo batch written: ${demo.images} images, config ${demo.config}`);
      configPath = demo.config;
    }
    const config = await readCvBatchConfig(configPath!);
    const result = await cvBatch(methods === undefined ? config : { ...config, methods }, {
      ...runtime.context,
      overwrite: args.overwrite === true,
      ...(subdbs === undefined ? {} : { subdbs }),
    });
    if (runtime.json) return runtime.printJson(result);
    const rows: string[][] = [];
    for (const subdb of result.subdbs) {
      for (const [method, entry] of Object.entries(subdb.summaries)) {
        const cell = (name: (typeof FOLD_METRICS)[number]) => {
          const s = entry.summary.summary[name];
          return s === null ? 'n/a' : formatMeanStd(s, 3);
        };
        rows.push([`subdb${subdb.subdb}`, method, String(entry.summary.folds.length), cell('accuracy'), cell('balancedAccuracy'), cell('f1'), cell('auroc'), entry.reused ? 'reused' : 'new']);
      }
    }
    runtime.print(renderTable(['subdb', 'method', 'folds', 'accuracy', 'balanced acc', 'F1', 'AUROC', 'results'], rows, `cv-batch ${config.out}`));
    runtime.print(`index: ${result.index}`);
  },
};
