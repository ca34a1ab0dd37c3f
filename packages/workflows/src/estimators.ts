import { PipelineError } from '@pipeline/core';
import { HIST_GRADIENT_BOOSTING_KIND, histGradientBoosting, type HistGradientBoostingArgs } from '@pipeline/model-gbdt';
import { LOGISTIC_REGRESSION_KIND, logisticRegression } from '@pipeline/model-linear';
import type { LstmOptions } from '@pipeline/model-lstm';
import type { CnnOptions } from '@pipeline/model-cnn';
import type { Cnn2dOptions } from '@pipeline/model-cnn2d';
import type { FoldEstimator } from '@pipeline/model-selection';
import type { CategoryEncoding } from '@pipeline/ingest';
import { IMPUTED_KIND, imputeMissing, type ImputeMissingArgs } from '@pipeline/stacking';
import { baseModelName, type BaseModelConfig, type TrainConfig, type ViewName } from './train-config.js';

/** A base model of the stack: its name, estimator spec and the view it reads. */
export interface PlannedBaseModel {
  readonly name: string;
  readonly spec: FoldEstimator;
  readonly input: ViewName;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The estimator spec of one configured base model. `image` gives the image view's size (the 2D CNN's
 * `height` and `width`, from `inputs.images`). The temporal models' packages (TensorFlow.js, a
 * second of start-up) are imported only when the config names them.
 */
export async function baseModelSpec(model: BaseModelConfig, image?: { readonly height: number; readonly width: number }): Promise<FoldEstimator> {
  switch (model.kind) {
    case 'hgb':
      return histGradientBoosting(stripUndefined(model.args) as HistGradientBoostingArgs);
    case 'lstm':
      return (await import('@pipeline/model-lstm')).lstmClassifier(stripUndefined(model.args) as LstmOptions);
    case 'cnn':
      return (await import('@pipeline/model-cnn')).cnnClassifier(stripUndefined(model.args) as CnnOptions);
    case 'cnn2d':
      if (image === undefined) throw new PipelineError('E_USAGE', 'the 2D CNN reads the image view but inputs.images is missing', { field: 'inputs.images', hint: 'add inputs.images with height and width' });
      return (await import('@pipeline/model-cnn2d')).cnn2dClassifier({ ...stripUndefined(model.args), height: image.height, width: image.width } as Cnn2dOptions);
    default:
      throw new PipelineError('E_USAGE', `unknown base model kind '${(model as { kind: string }).kind}'`, { field: 'baseModels[].kind', hint: 'use hgb, lstm, cnn or cnn2d' });
  }
}

/** The base models in their frozen order (the order of the stack's Z columns). */
export async function planBaseModels(config: TrainConfig): Promise<PlannedBaseModel[]> {
  const planned: PlannedBaseModel[] = [];
  for (const model of config.baseModels) planned.push({ name: baseModelName(model), spec: await baseModelSpec(model, config.inputs.images), input: model.view });
  return planned;
}

/** The logistic meta-learner of the config. */
export function metaSpec(config: TrainConfig) {
  return logisticRegression({ C: config.meta.args.C, maxIter: config.meta.args.maxIter });
}

/**
 * Estimators by kind and plain-JSON args, for executors that rebuild a fold task's estimator in
 * another thread or process (the task carries `kind` and `args`).
 */
export async function estimatorFromTask(kind: string, args: unknown): Promise<FoldEstimator> {
  switch (kind) {
    case HIST_GRADIENT_BOOSTING_KIND:
      return histGradientBoosting(args as HistGradientBoostingArgs);
    case 'lstm':
      return (await import('@pipeline/model-lstm')).lstmClassifier(args as LstmOptions);
    case 'cnn1d':
      return (await import('@pipeline/model-cnn')).cnnClassifier(args as CnnOptions);
    case 'cnn2d':
      return (await import('@pipeline/model-cnn2d')).cnn2dClassifier(args as Cnn2dOptions);
    case LOGISTIC_REGRESSION_KIND:
      return logisticRegression(args as Parameters<typeof logisticRegression>[0]);
    case IMPUTED_KIND: {
      const imputed = args as ImputeMissingArgs;
      return imputeMissing(await estimatorFromTask(imputed.estimator.kind, imputed.estimator.args), { strategy: imputed.strategy, columns: imputed.columns });
    }
    default:
      throw new PipelineError('E_INTERNAL', `no estimator factory for kind '${kind}'`);
  }
}

/**
 * Gives every GBDT on the tabular view the indices of the view's categorical columns as
 * `categoricalFeatures` (native categorical splits), unless its args already name them. A column
 * with more categories than the model's `maxBins` is an error naming it.
 */
export function withCategoricalFeatures(models: readonly PlannedBaseModel[], columns: readonly string[], encoding: CategoryEncoding): PlannedBaseModel[] {
  const indices = columns.map((name, k) => (name in encoding.columns ? k : -1)).filter((k) => k >= 0);
  if (indices.length === 0) return [...models];
  return models.map((m) => {
    if (m.input !== 'tabular' || m.spec.kind !== HIST_GRADIENT_BOOSTING_KIND) return m;
    const args = m.spec.args as HistGradientBoostingArgs;
    if (args.categoricalFeatures !== undefined) return m;
    const maxBins = args.maxBins ?? 255;
    for (const k of indices) {
      const name = columns[k]!;
      const n = encoding.columns[name]!.categories.length;
      if (n > maxBins) {
        throw new PipelineError('E_INPUT', `categorical column '${name}' has ${n} categories, more than the ${maxBins} bins of base model ${m.name}`, {
          field: name,
          hint: `merge rare categories, drop the column (--drop-cols ${name}) or read it as numbers (--numeric-cols ${name})`,
        });
      }
    }
    return { ...m, spec: histGradientBoosting({ ...args, categoricalFeatures: indices }) };
  });
}
