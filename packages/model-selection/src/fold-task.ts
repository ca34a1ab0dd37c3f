import { deriveSeed, sha256, type Dataset, type FitContext, type FittedClassifier, type Split, type TaskSpec } from '@pipeline/core';
import { canonicalJson, int32ToBytes } from './bytes.js';
import type { FoldPlan } from './resolve-folds.js';

/**
 * What cross-validation needs of an estimator: its kind and plain-JSON args (which identify the
 * work in a task) and `fit`. Every `EstimatorSpec` is one.
 */
export interface FoldEstimator {
  readonly kind: string;
  readonly args: object;
  fit(data: Dataset, context?: FitContext): Promise<FittedClassifier>;
}

/** Task type of an out-of-fold fit (train on a split's training rows, predict its test rows). */
export const FOLD_FIT_TASK = 'fold-fit';
/** Task type of a final refit on all rows. */
export const REFIT_TASK = 'refit';

/** The plain-JSON description of one fold fit or refit. */
export interface FoldTaskPayload {
  /** The model's name in the stack (e.g. `hgb_tabular`); keys the estimator in the environment. */
  readonly model: string;
  readonly kind: string;
  readonly args: unknown;
  /** Name of the input view (matrix) the model reads. */
  readonly view: string;
  /** Index of the split in the fold plan; -1 for a refit on all rows. */
  readonly split: number;
  /** Repeat and fold within the repeat; -1 for a refit. */
  readonly repeat: number;
  readonly fold: number;
  readonly nRows: number;
  /** sha256 of the training and test indices: pins exactly which rows the task uses. */
  readonly rowsDigest: string;
  /** Seed passed to `fit`: `deriveSeed(seed, model, 'fold', split)` or `deriveSeed(seed, model, 'refit')`. */
  readonly seed: number;
  /** Return the fitted model (for bagging or a refit) instead of disposing of it. */
  readonly keepModel: boolean;
}

export type FoldTask = TaskSpec<FoldTaskPayload>;

/** A model to cross-validate: its name, estimator and input view. */
export interface PlannedModel {
  readonly name: string;
  readonly estimator: FoldEstimator;
  readonly view: string;
}

/** One `fold-fit` task per model and split, model by model, in the given order. */
export function planFoldTasks(models: readonly PlannedModel[], plan: FoldPlan, nRows: number, seed: number, keepModels: boolean): FoldTask[] {
  const perRepeat = plan.splits.length / plan.repeats;
  const digests = plan.splits.map(splitDigest);
  const tasks: FoldTask[] = [];
  for (const model of models) {
    plan.splits.forEach((_split, k) => {
      const repeat = Math.floor(k / perRepeat);
      const fold = k % perRepeat;
      tasks.push({
        type: FOLD_FIT_TASK,
        id: plan.repeats === 1 ? `oof/${model.name}/fold-${fold}` : `oof/${model.name}/repeat-${repeat}/fold-${fold}`,
        payload: {
          model: model.name,
          kind: model.estimator.kind,
          args: model.estimator.args,
          view: model.view,
          split: k,
          repeat,
          fold,
          nRows,
          rowsDigest: digests[k]!,
          seed: deriveSeed(seed, model.name, 'fold', k),
          keepModel: keepModels,
        },
      });
    });
  }
  return tasks;
}

/** One `refit` task per model: fit on all rows, keep the model. */
export function planRefitTasks(models: readonly PlannedModel[], nRows: number, seed: number): FoldTask[] {
  return models.map((model) => ({
    type: REFIT_TASK,
    id: `refit/${model.name}`,
    payload: {
      model: model.name,
      kind: model.estimator.kind,
      args: model.estimator.args,
      view: model.view,
      split: -1,
      repeat: -1,
      fold: -1,
      nRows,
      rowsDigest: allRowsDigest(nRows),
      seed: deriveSeed(seed, model.name, 'refit'),
      keepModel: true,
    },
  }));
}

/** sha256 of a split's training then test indices. */
export function splitDigest(split: Split): string {
  return sha256(canonicalJson({ train: sha256(int32ToBytes(split.train)), test: sha256(int32ToBytes(split.test)) }));
}

export function allRowsDigest(nRows: number): string {
  return sha256(`all-rows:${nRows}`);
}

/** sha256 of the task's canonical JSON: a stored result is reused only for an identical task. */
export function taskFingerprint(task: FoldTask): string {
  return sha256(canonicalJson({ type: task.type, id: task.id, payload: task.payload }));
}
