import { resolve } from 'node:path';
import { PipelineError, resolveContext } from '@pipeline/core';
import { fingerprintFile } from '@pipeline/runs';
import { readAlignedColumn } from './inputs/aligned-column.js';
import { openCompletedRun, predictRun, type PredictRunOptions } from './predict-run.js';
import { scoreProba, scoreWithFolds, type ScoreSummary, type Scores } from './scores.js';
import type { WorkflowContext } from './workflow-context.js';

export interface EvaluateRunOptions extends Partial<Omit<PredictRunOptions, 'out' | 'overwrite'>> {
  readonly runDir: string;
  /** Labels of the new data (`inputs` given): a CSV aligned by id like the training labels. */
  readonly labels?: { readonly file: string; readonly column?: string; readonly idCol?: string };
}

/** Scores of the saved OOF predictions (no data given), or of new labelled data with the final models. */
export type EvaluateRunResult =
  | { readonly runDir: string; readonly source: 'oof'; readonly rows: number; readonly oof: Record<string, ScoreSummary> }
  | { readonly runDir: string; readonly source: 'data'; readonly rows: number; readonly inSample: boolean; readonly stack: Scores };

/**
 * Scores a run without training: its saved OOF predictions (every base model and the stack, per
 * fold), or new labelled data predicted with the final stack. Data identical to the training
 * inputs is flagged `inSample` (the final models saw it; the OOF scores are the honest estimate).
 */
export async function evaluateRun(options: EvaluateRunOptions, context: WorkflowContext = {}): Promise<EvaluateRunResult> {
  const cwd = context.cwd ?? process.cwd();
  const { logger } = resolveContext(context);
  const inputs = options.inputs ?? {};
  const hasData = inputs.table !== undefined || inputs.signal !== undefined;
  if (!hasData) {
    if (options.labels !== undefined) {
      throw new PipelineError('E_USAGE', 'labels need data to score', { field: 'labels', hint: 'give inputs.table and/or inputs.signal with the labels, or neither for the OOF scores' });
    }
    const run = await openCompletedRun(options.runDir, 'evaluate', cwd);
    const oof = await run.oof();
    const k = oof.classNames.length;
    const scores: Record<string, ScoreSummary> = {
      ...Object.fromEntries(Object.entries(oof.base).map(([name, proba]) => [name, scoreWithFolds(oof.labels, proba, k, oof.foldOf)])),
      stack: scoreWithFolds(oof.labels, oof.stack, k, oof.foldOf),
    };
    return { runDir: run.dir, source: 'oof', rows: oof.labels.length, oof: scores };
  }
  if (options.labels === undefined) {
    throw new PipelineError('E_USAGE', 'evaluating new data needs its labels', { field: 'labels', hint: 'give the labels CSV of the data' });
  }
  const predicted = await predictRun({ ...options, inputs }, context);
  const run = await openCompletedRun(options.runDir, 'evaluate', cwd);
  const classNames = predicted.classNames;
  const labels = await readAlignedColumn(resolve(cwd, options.labels.file), {
    column: options.labels.column,
    idCol: options.labels.idCol,
    ids: predicted.ids,
    rows: predicted.rows,
    classNames,
    field: 'labels',
  });
  const stack = scoreProba(labels.labels, predicted.proba, classNames.length);
  const trained = new Set(run.manifest.inputs.map((i) => i.sha256));
  const prints = await Promise.all([...predicted.files, labels.file].map((f) => fingerprintFile(f, 'evaluate')));
  const inSample = prints.some((p) => trained.has(p.sha256));
  if (inSample) {
    logger.warn('these are the training data: the final models were fitted on them, so this in-sample evaluation is optimistic; the OOF scores are the honest estimate');
  }
  return { runDir: run.dir, source: 'data', rows: predicted.rows, inSample, stack };
}
