import { performance } from 'node:perf_hooks';
import {
  PipelineError,
  throwIfAborted,
  type Dataset,
  type FitContext,
  type FittedClassifier,
  type Matrix,
  type Split,
  type TaskResult,
} from '@pipeline/core';
import { float32ToBytes } from './bytes.js';
import { gatherDataset, gatherRows } from './gather-rows.js';
import { allRowsDigest, splitDigest, taskFingerprint, type FoldEstimator, type FoldTask } from './fold-task.js';

/**
 * The data a fold task runs against. Every view and per-row array shares the row order; tasks only
 * refer to it by view name and split index, so the same environment can be shipped once to a worker.
 */
export interface FoldEnvironment {
  /** Input matrices by view name (e.g. `tabular`, `signal`). */
  readonly views: Readonly<Record<string, Matrix>>;
  readonly labels: Int32Array;
  readonly sampleWeight?: Float64Array;
  readonly groups?: Int32Array;
  readonly classNames?: readonly string[];
  /** The fold plan's splits, indexed by `FoldTaskPayload.split`. */
  readonly splits: readonly Split[];
  /** Estimators by model name. */
  readonly estimators: Readonly<Record<string, FoldEstimator>>;
}

/** The plain-JSON part of a fold task's result. */
export interface FoldTaskOutput {
  readonly model: string;
  readonly split: number;
  readonly repeat: number;
  readonly fold: number;
  /** The fitted model's classes: the columns of the `proba` blob. */
  readonly classes: readonly number[];
  readonly trainRows: number;
  readonly testRows: number;
  readonly fitMs: number;
  readonly predictMs: number;
  /** `taskFingerprint(task)`: ties the stored result to the exact task. */
  readonly fingerprint: string;
}

/** Blobs: `proba`, the test rows' probabilities (testRows × classes, float32 little-endian); none for a refit. */
export type FoldTaskResult = TaskResult<FoldTaskOutput>;

/** A finished task: its serializable result, plus the live model when the task kept it. */
export interface FoldOutcome {
  readonly task: FoldTask;
  readonly result: FoldTaskResult;
  readonly model?: FittedClassifier;
  /** True when the result came from a store of completed tasks instead of being computed. */
  readonly reused: boolean;
}

/**
 * Runs one fold task in this process: fits the estimator on the split's training rows of the view,
 * predicts its test rows, and times both. The model is disposed of unless the task keeps it.
 */
export async function runFoldTask(task: FoldTask, env: FoldEnvironment, context: FitContext = {}): Promise<FoldOutcome> {
  const started = performance.now();
  throwIfAborted(context.signal, `task ${task.id}`);
  const { payload } = task;
  const estimator = env.estimators[payload.model];
  if (estimator === undefined || estimator.kind !== payload.kind) {
    throw new PipelineError('E_STATE', `task ${task.id} needs a '${payload.kind}' estimator named '${payload.model}', which the environment lacks`, {
      field: 'estimators',
    });
  }
  const view = env.views[payload.view];
  if (view === undefined) {
    throw new PipelineError('E_INPUT', `task ${task.id} reads view '${payload.view}', which the data does not have`, {
      field: payload.view,
      hint: `available views: ${Object.keys(env.views).join(', ')}`,
    });
  }
  if (view.rows !== payload.nRows || env.labels.length !== payload.nRows) {
    throw new PipelineError('E_STATE', `task ${task.id} was planned for ${payload.nRows} rows but view '${payload.view}' has ${view.rows}`);
  }
  const split = payload.split >= 0 ? env.splits[payload.split] : undefined;
  const digest = split === undefined ? allRowsDigest(payload.nRows) : splitDigest(split);
  if ((payload.split >= 0 && split === undefined) || digest !== payload.rowsDigest) {
    throw new PipelineError('E_STATE', `task ${task.id} was planned for other rows than split ${payload.split} of this environment`);
  }
  const all: Dataset = {
    features: view,
    labels: env.labels,
    ...(env.sampleWeight === undefined ? {} : { sampleWeight: env.sampleWeight }),
    ...(env.groups === undefined ? {} : { groups: env.groups }),
    ...(env.classNames === undefined ? {} : { classNames: env.classNames }),
  };
  const train = split === undefined ? all : gatherDataset(all, split.train);
  const fitContext: FitContext = {
    seed: payload.seed,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(context.logger === undefined ? {} : { logger: context.logger }),
    ...(context.onProgress === undefined ? {} : { onProgress: context.onProgress }),
  };
  const fitStart = performance.now();
  const model = await estimator.fit(train, fitContext);
  const fitMs = performance.now() - fitStart;
  let predictMs = 0;
  let blobs: Record<string, Uint8Array> | undefined;
  try {
    if (split !== undefined && split.test.length > 0) {
      const test = gatherRows(view, split.test);
      const predictStart = performance.now();
      const proba = await model.predictProba(test, fitContext);
      predictMs = performance.now() - predictStart;
      if (proba.rows !== split.test.length || proba.cols !== model.classes.length) {
        throw new PipelineError(
          'E_INTERNAL',
          `model '${payload.model}' (${payload.kind}) returned ${proba.rows} × ${proba.cols} probabilities for ${split.test.length} rows and ${model.classes.length} classes`,
        );
      }
      blobs = { proba: float32ToBytes(proba.data) };
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  if (!payload.keepModel) model.dispose();
  const output: FoldTaskOutput = {
    model: payload.model,
    split: payload.split,
    repeat: payload.repeat,
    fold: payload.fold,
    classes: [...model.classes],
    trainRows: train.features.rows,
    testRows: split?.test.length ?? 0,
    fitMs,
    predictMs,
    fingerprint: taskFingerprint(task),
  };
  return {
    task,
    result: { id: task.id, output, ...(blobs === undefined ? {} : { blobs }), durationMs: performance.now() - started },
    ...(payload.keepModel ? { model } : {}),
    reused: false,
  };
}
