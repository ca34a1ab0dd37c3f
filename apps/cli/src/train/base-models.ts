import type { FoldEstimator } from '@pipeline/model-selection';
import { histGradientBoosting } from '@pipeline/model-gbdt';
import { lstmClassifier, type LstmOptions } from '@pipeline/model-lstm';
import { cnnClassifier, type CnnOptions } from '@pipeline/model-cnn';
import type { TrainOptions } from './options.js';

/** The input views a base model can read. */
export type ViewName = 'tabular' | 'dwt' | 'signal';

/** A base model of the stack as the CLI builds it: name, spec and the view it reads. */
export interface PlannedBaseModel {
  readonly name: string;
  readonly spec: FoldEstimator;
  readonly input: ViewName;
}

/** HGB hyper-parameters from the `--hgb-*` flags. */
export function hgbArgs(o: TrainOptions) {
  return {
    maxIter: o.hgbMaxIter,
    learningRate: o.hgbLearningRate,
    maxLeafNodes: o.hgbMaxLeafNodes,
    maxDepth: o.hgbMaxDepth ?? null,
    minSamplesLeaf: o.hgbMinSamplesLeaf,
    l2Regularization: o.hgbL2,
    maxBins: o.hgbMaxBins,
    earlyStopping: o.hgbEarlyStopping,
    ...(o.hgbThreads === undefined ? {} : { nThreads: o.hgbThreads }),
  };
}

/**
 * The base models in their frozen order (the order of the stack's Z columns): HGB (on the CSV, or on
 * wavelet features with --hgb-fe), then the temporal models.
 */
export function planBaseModels(o: TrainOptions): PlannedBaseModel[] {
  const models: PlannedBaseModel[] = [];
  if (o.withHgb) {
    models.push({
      name: o.hgbFe ? 'hgb_fe' : 'hgb_tabular',
      spec: histGradientBoosting(hgbArgs(o)),
      input: o.hgbFe ? 'dwt' : 'tabular',
    });
  }
  if (o.withLstm) models.push({ name: 'lstm', spec: lstmClassifier(o.lstm as LstmOptions), input: 'signal' });
  if (o.withCnn) models.push({ name: 'cnn', spec: cnnClassifier(o.cnn as CnnOptions), input: 'signal' });
  return models;
}
