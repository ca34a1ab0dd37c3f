import { PipelineError, registerLoader, type EstimatorSpec } from '@pipeline/core';
import { loadTemporalClassifier, temporalEstimator, tf, type TemporalArgs, type TemporalClassifier, type TemporalModelDefinition } from '@pipeline/tf';

/** Registry key of the 1D CNN base model's artifacts. */
export const CNN_KIND = 'cnn1d';

/** Arguments of {@link cnnClassifier} (plain JSON). */
export interface CnnArgs extends TemporalArgs {
  /** Output channels of each Conv1D block. */
  readonly filters: readonly number[];
  /** Kernel size of each Conv1D block (same length as `filters`). */
  readonly kernelSizes: readonly number[];
  /** Max-pooling size between blocks (not after the last). */
  readonly poolSize: number;
}

/** The seed's defaults: Conv1D(32,7) → pool → Conv1D(64,5) → pool → Conv1D(128,3) → GAP → softmax. */
export const CNN_DEFAULTS: Readonly<CnnArgs> = Object.freeze({
  epochs: 20,
  batchSize: 64,
  downsample: 1,
  maxTrainSamples: 0,
  predictBatchSize: 4096,
  verbose: false,
  channels: 1,
  learningRate: 1e-3,
  validationFraction: 0,
  patience: 0,
  loadModel: null,
  loadOnly: false,
  pretrainedDisjoint: false,
  filters: Object.freeze([32, 64, 128]),
  kernelSizes: Object.freeze([7, 5, 3]),
  poolSize: 2,
});

/** Conv1D(relu)/MaxPool blocks → global average pooling → Dense(classes, softmax). */
export const cnnDefinition: TemporalModelDefinition<CnnArgs> = {
  kind: CNN_KIND,
  build: ({ steps, channels, classes }, args) => {
    checkCnnLength(steps, args);
    const layers: tf.layers.Layer[] = [];
    args.filters.forEach((filters, k) => {
      layers.push(
        tf.layers.conv1d({
          name: `conv${k + 1}`,
          ...(k === 0 ? { inputShape: [steps, channels] } : {}),
          filters,
          kernelSize: args.kernelSizes[k]!,
          activation: 'relu',
          kernelInitializer: 'zeros',
        }),
      );
      if (k < args.filters.length - 1) layers.push(tf.layers.maxPooling1d({ name: `pool${k + 1}`, poolSize: args.poolSize }));
    });
    layers.push(tf.layers.globalAveragePooling1d({ name: 'gap' }));
    layers.push(tf.layers.dense({ name: 'output', units: classes, activation: 'softmax', kernelInitializer: 'zeros' }));
    return tf.sequential({ name: 'cnn1d_classifier', layers });
  },
};

/** Refuses a signal too short for the convolution/pooling stack. */
function checkCnnLength(steps: number, args: CnnArgs): void {
  let length = steps;
  args.kernelSizes.forEach((size, k) => {
    length = length - size + 1;
    if (length < 1) {
      throw new PipelineError('E_USAGE', `${CNN_KIND}: a signal of ${steps} steps is too short for conv block ${k + 1} (kernel ${size})`, {
        field: 'downsample',
        hint: 'use a smaller downsample factor or smaller kernels',
      });
    }
    if (k < args.kernelSizes.length - 1) length = Math.floor(length / args.poolSize);
  });
}

/** Arguments as callers pass them: any subset; `undefined` means "not given" (CLI flags left unset). */
export type CnnOptions = { readonly [K in keyof CnnArgs]?: CnnArgs[K] | undefined };

/** Resolves arguments over the defaults and checks the architecture fields. */
export function resolveCnnArgs(args: CnnOptions = {}): CnnArgs {
  const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Partial<CnnArgs>;
  const resolved: CnnArgs = { ...CNN_DEFAULTS, ...defined };
  const positive = (values: readonly number[]) => values.length > 0 && values.every((v) => Number.isInteger(v) && v >= 1);
  if (!positive(resolved.filters) || !positive(resolved.kernelSizes) || resolved.filters.length !== resolved.kernelSizes.length) {
    throw new PipelineError('E_USAGE', `${CNN_KIND}: filters and kernelSizes must be non-empty lists of positive integers of equal length`, {
      field: 'filters',
    });
  }
  if (!Number.isInteger(resolved.poolSize) || resolved.poolSize < 1) {
    throw new PipelineError('E_USAGE', `${CNN_KIND}: poolSize must be a positive integer, got ${resolved.poolSize}`, { field: 'poolSize' });
  }
  return { ...resolved, filters: [...resolved.filters], kernelSizes: [...resolved.kernelSizes] };
}

/**
 * The 1D CNN base model on the raw signal (rows × time·channels), standardized per channel on the
 * training rows. With `loadModel` it starts from a pretrained model (fine-tuned for `epochs`), and
 * with `loadOnly` it uses that model as is, without training (logging a leakage warning unless
 * `pretrainedDisjoint` records that the model never saw the rows).
 */
export function cnnClassifier(args: CnnOptions = {}): EstimatorSpec<CnnArgs, TemporalClassifier> {
  return temporalEstimator(cnnDefinition, resolveCnnArgs(args), (overrides) => cnnClassifier({ ...args, ...overrides }));
}

registerLoader(CNN_KIND, (artifact) => loadTemporalClassifier(CNN_KIND, artifact));
