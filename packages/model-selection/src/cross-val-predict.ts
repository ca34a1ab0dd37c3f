import { countClasses, requireLabels, validateDataset, type Dataset, type FittedClassifier, type Matrix, type Splitter } from '@pipeline/core';
import { assembleOof } from './assemble-oof.js';
import { planFoldTasks, type FoldEstimator } from './fold-task.js';
import { resolveFolds, type FoldPlan } from './resolve-folds.js';
import type { FoldOutcome } from './run-fold-task.js';
import { runFoldTasks, type RunFoldTasksOptions } from './run-fold-tasks.js';

export interface CrossValPredictOptions extends RunFoldTasksOptions {
  /** Name of the model in task ids and derived seeds. Default: the estimator's kind. */
  readonly name?: string;
  /** Keep the fitted fold models (e.g. to bag them) instead of disposing of them. Default false. */
  readonly keepModels?: boolean;
  /** A predefined fold per row, for `predefinedSplit` (-1 = never tested). */
  readonly folds?: Int32Array;
  /** Check that no group is on both sides of a split when the data has groups. Default true. */
  readonly checkGroups?: boolean;
}

/** Timings and sizes of one fold fit. */
export interface FoldRecord {
  readonly model: string;
  readonly split: number;
  readonly repeat: number;
  readonly fold: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly fitMs: number;
  readonly predictMs: number;
  /** True when the result was taken from `completed` (resume) rather than computed now. */
  readonly reused: boolean;
}

export interface CrossValPrediction {
  /** Out-of-fold probabilities, rows × classes (class index order); the mean over repeats. */
  readonly proba: Matrix;
  readonly nClasses: number;
  readonly plan: FoldPlan;
  readonly folds: readonly FoldRecord[];
  /** The fold models by split index, when `keepModels`. */
  readonly models?: readonly FittedClassifier[];
}

/**
 * Out-of-fold `predictProba` for every row: one fold task per split (fit on the training rows,
 * predict the test rows), run through the executor with resume support. Refuses splitters that are
 * not partitions; with repeats, averages the repeats. Same seed → byte-identical probabilities.
 */
export async function crossValPredict(
  estimator: FoldEstimator,
  data: Dataset,
  splitter: Splitter,
  options: CrossValPredictOptions = {},
): Promise<CrossValPrediction> {
  validateDataset(data);
  const labels = requireLabels(data, 'crossValPredict');
  const nRows = data.features.rows;
  const seed = options.seed ?? 0;
  const name = options.name ?? estimator.kind;
  const plan = resolveFolds(
    splitter,
    {
      nRows,
      labels,
      ...(data.groups === undefined ? {} : { groups: data.groups }),
      ...(options.folds === undefined ? {} : { folds: options.folds }),
    },
    seed,
    { checkGroups: options.checkGroups ?? true },
  );
  const keepModels = options.keepModels ?? false;
  const tasks = planFoldTasks([{ name, estimator, view: 'features' }], plan, nRows, seed, keepModels);
  const outcomes = await runFoldTasks(
    tasks,
    {
      views: { features: data.features },
      labels,
      splits: plan.splits,
      estimators: { [name]: estimator },
      ...(data.sampleWeight === undefined ? {} : { sampleWeight: data.sampleWeight }),
      ...(data.groups === undefined ? {} : { groups: data.groups }),
      ...(data.classNames === undefined ? {} : { classNames: data.classNames }),
    },
    options,
  );
  const nClasses = countClasses(data);
  return {
    proba: assembleOof(outcomes, plan, nClasses),
    nClasses,
    plan,
    folds: outcomes.map(foldRecord),
    ...(keepModels ? { models: outcomes.map((outcome) => outcome.model!) } : {}),
  };
}

/** The timing record of a finished task. */
export function foldRecord({ result, reused }: FoldOutcome): FoldRecord {
  const { model, split, repeat, fold, trainRows, testRows, fitMs, predictMs } = result.output;
  return { model, split, repeat, fold, trainRows, testRows, fitMs, predictMs, reused };
}
