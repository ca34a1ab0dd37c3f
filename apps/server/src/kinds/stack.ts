/**
 * The `stack` model kind: the stacking pipeline of `@pipeline/workflows` on a tabular CSV with a
 * `label` column. `options` is a partial training config of the workflows schema (seed, baseModels,
 * meta, cv, imbalance, …); the inputs are always set by the server from the stored dataset (a client
 * never names a file). Extra server options: `dropCols` (columns that are not features) and `idCol`.
 * The run folder is written to `<artifactDir>/run` and its OOF report (charts) to `<artifactDir>/report.html`;
 * predictions reload the run with `predictRun`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineError } from '@pipeline/core';
import { analyzeRun, parseTrainConfig, predictRun, trainRun, type TrainConfigInput } from '@pipeline/workflows';
import type { ModelKind, PredictRow } from '../model-kinds.js';

/** The stored options: the client's partial config plus the server's table options. */
export interface StackKindOptions {
  readonly config: Record<string, unknown>;
  readonly dropCols: readonly string[];
  readonly idCol?: string;
}

const PLACEHOLDER = '/dataset.csv';

function configFor(options: StackKindOptions, file: string, seed?: number): TrainConfigInput {
  return {
    ...(seed === undefined ? {} : { seed }),
    ...options.config,
    inputs: { table: { file, labelCol: 'label', dropCols: [...options.dropCols], ...(options.idCol === undefined ? {} : { idCol: options.idCol }) } },
  } as TrainConfigInput;
}

function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const modelKind: ModelKind<StackKindOptions> = {
  kind: 'stack',
  datasetKinds: ['tabular', 'transit'],
  validateOptions(input) {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new PipelineError('E_USAGE', 'options must be an object (a partial training config)', { field: 'options' });
    }
    const { inputs, dropCols, idCol, ...config } = input as Record<string, unknown>;
    if (inputs !== undefined) {
      throw new PipelineError('E_USAGE', 'inputs are set by the server from the dataset; remove them', { field: 'inputs' });
    }
    if (dropCols !== undefined && (!Array.isArray(dropCols) || dropCols.some((c) => typeof c !== 'string' || c === ''))) {
      throw new PipelineError('E_USAGE', 'dropCols must be a list of column names', { field: 'dropCols' });
    }
    if (idCol !== undefined && (typeof idCol !== 'string' || idCol === '')) {
      throw new PipelineError('E_USAGE', 'idCol must be a column name', { field: 'idCol' });
    }
    const options: StackKindOptions = { config, dropCols: (dropCols as string[] | undefined) ?? [], ...(idCol === undefined ? {} : { idCol: idCol as string }) };
    parseTrainConfig(configFor(options, PLACEHOLDER)); // throws E_USAGE naming the field path
    return options;
  },
  async train(job, context) {
    const runDir = join(job.artifactDir, 'run');
    const result = await trainRun(configFor(job.options, job.datasetFile, typeof job.options.config.seed === 'number' ? undefined : job.seed), {
      runDir,
      logger: context.logger,
      signal: context.signal,
      onProgress: (event) =>
        context.onProgress({ stage: event.stage, current: event.current, total: event.total, ...(event.label === undefined ? {} : { label: event.label }) }),
    });
    const stack = result.oof.stack;
    const metrics: Record<string, number> = {};
    if (stack !== undefined) {
      for (const key of ['accuracy', 'balancedAccuracy', 'f1Macro', 'logLoss'] as const) {
        const value = (stack as unknown as Record<string, unknown>)[key];
        if (typeof value === 'number') metrics[key] = value;
        const mean = (stack.foldMean as unknown as Record<string, unknown>)[key];
        const std = (stack.foldStd as unknown as Record<string, unknown>)[key];
        if (typeof mean === 'number') metrics[`${key}FoldMean`] = mean;
        if (typeof std === 'number') metrics[`${key}FoldStd`] = std;
      }
    }
    metrics.rows = result.nRows;
    try {
      await analyzeRun({ runDir, html: join(job.artifactDir, 'report.html') }, { logger: context.logger, signal: context.signal });
    } catch (error) {
      context.logger.warn('the run report could not be written', { error: error instanceof Error ? error.message : String(error) });
    }
    return { metrics, artifactDir: job.artifactDir, epochsCompleted: 0, classes: result.classes };
  },
  async predict(artifactDir, rows, context) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((name) => name !== 'label');
    const dir = await mkdtemp(join(tmpdir(), 'pipeline-predict-'));
    try {
      const file = join(dir, 'rows.csv');
      const lines = [columns.map(csvField).join(','), ...rows.map((row: PredictRow) => columns.map((name) => csvField(row[name])).join(','))];
      await writeFile(file, `${lines.join('\n')}\n`);
      const result = await predictRun(
        { runDir: join(artifactDir, 'run'), inputs: { table: { file } } },
        { ...(context?.logger === undefined ? {} : { logger: context.logger }), ...(context?.signal === undefined ? {} : { signal: context.signal }) },
      );
      const { proba, classNames } = result;
      const probabilities: number[][] = [];
      const classes: string[] = [];
      for (let r = 0; r < proba.rows; r++) {
        const row = Array.from(proba.data.subarray(r * proba.cols, (r + 1) * proba.cols));
        probabilities.push(row);
        classes.push(classNames[row.indexOf(Math.max(...row))] ?? String(row.indexOf(Math.max(...row))));
      }
      return { classNames, classes, probabilities };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
