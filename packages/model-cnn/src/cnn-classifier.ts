import { PipelineError, registerLoader, type EstimatorSpec } from '@pipeline/core';
import { loadTemporalClassifier, temporalEstimator, tf, withBalancedClassWeights, type ClassWeightMode, type TemporalArgs, type TemporalClassifier, type TemporalModelDefinition } from '@pipeline/tf';

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
  /**
   * BatchNormalization after each convolution (which then has no bias), before its ReLU (momentum
   * 0.9, epsilon 1e-3). Keeps the activations scaled whatever the signal's amplitude, so a larger
   * learning rate trains in few epochs.
   */
  readonly batchNorm: boolean;
  /** Class weights in the loss: `balanced` (total / (classes · count), multiplied into sample weights) or `none`. */
  readonly classWeight: ClassWeightMode;
}

/**
 * The defaults (issue 20): the signal decimated to 125 Hz, three Conv1D(9)+BatchNorm+ReLU blocks of
 * 16/32/64 filters with 4× max pooling between them (receptive field 169 steps = 1.35 s, long
 * enough for delta and theta waves; the seed's was 23 samples = 92 ms), global average pooling,
 * softmax; balanced class weights; Adam at 2e-3, batches of 32, 12 epochs. 28,275 parameters and
 * about a tenth of the seed network's multiply-adds per row.
 */
export const CNN_DEFAULTS: Readonly<CnnArgs> = Object.freeze({
  epochs: 12,
  batchSize: 32,
  downsample: 2,
  maxTrainSamples: 0,
  predictBatchSize: 256,
  verbose: false,
  channels: 1,
  learningRate: 2e-3,
  validationFraction: 0,
  patience: 0,
  loadModel: null,
  loadOnly: false,
  pretrainedDisjoint: false,
  filters: Object.freeze([16, 32, 64]),
  kernelSizes: Object.freeze([9, 9, 9]),
  poolSize: 4,
  batchNorm: true,
  classWeight: 'balanced',
});

/**
 * The seed's architecture and budget before issue 20 (Conv1D(32,7) → pool 2 → Conv1D(64,5) → pool 2 →
 * Conv1D(128,3) → GAP → softmax on the full-rate signal, Adam 1e-3, batch 64, 20 epochs, no class
 * weights): `cnnClassifier(CNN_SEED_PRESET)` reproduces it.
 */
export const CNN_SEED_PRESET: Readonly<Partial<CnnArgs>> = Object.freeze({
  epochs: 20,
  batchSize: 64,
  downsample: 1,
  learningRate: 1e-3,
  filters: Object.freeze([32, 64, 128]),
  kernelSizes: Object.freeze([7, 5, 3]),
  poolSize: 2,
  batchNorm: false,
  classWeight: 'none',
});

/** Conv1D[+BatchNorm]+ReLU blocks with max pooling between them → global average pooling → Dense(classes, softmax). */
export const cnnDefinition: TemporalModelDefinition<CnnArgs> = {
  kind: CNN_KIND,
  build: ({ steps, channels, classes }, args) => {
    checkCnnLength(steps, args);
    const layers: tf.layers.Layer[] = [];
    args.filters.forEach((filters, k) => {
      const name = `conv${k + 1}`;
      layers.push(
        tf.layers.conv1d({
          name,
          ...(k === 0 ? { inputShape: [steps, channels] } : {}),
          filters,
          kernelSize: args.kernelSizes[k]!,
          activation: args.batchNorm ? 'linear' : 'relu',
          useBias: !args.batchNorm,
          kernelInitializer: 'zeros',
        }),
      );
      if (args.batchNorm) {
        layers.push(tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9, epsilon: 1e-3 }));
        layers.push(tf.layers.activation({ name: `${name}_relu`, activation: 'relu' }));
      }
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
  if (typeof resolved.batchNorm !== 'boolean') {
    throw new PipelineError('E_USAGE', `${CNN_KIND}: batchNorm must be true or false, got ${JSON.stringify(resolved.batchNorm)}`, { field: 'batchNorm' });
  }
  if (resolved.classWeight !== 'none' && resolved.classWeight !== 'balanced') {
    throw new PipelineError('E_USAGE', `${CNN_KIND}: classWeight must be 'none' or 'balanced', got ${JSON.stringify(resolved.classWeight)}`, {
      field: 'classWeight',
    });
  }
  if (!Number.isInteger(resolved.poolSize) || resolved.poolSize < 1) {
    throw new PipelineError('E_USAGE', `${CNN_KIND}: poolSize must be a positive integer, got ${resolved.poolSize}`, { field: 'poolSize' });
  }
  return { ...resolved, filters: [...resolved.filters], kernelSizes: [...resolved.kernelSizes] };
}

/**
 * The 1D CNN base model on the raw signal (rows × time·channels), standardized per channel on the
 * training rows, with balanced class weights by default (multiplied into the data's sample weights). With `loadModel` it starts from a pretrained model (fine-tuned for `epochs`), and
 * with `loadOnly` it uses that model as is, without training (logging a leakage warning unless
 * `pretrainedDisjoint` records that the model never saw the rows).
 */
export function cnnClassifier(args: CnnOptions = {}): EstimatorSpec<CnnArgs, TemporalClassifier> {
  const resolved = resolveCnnArgs(args);
  const spec = temporalEstimator(cnnDefinition, resolved, (overrides) => cnnClassifier({ ...args, ...overrides }));
  return { ...spec, fit: (data, context) => spec.fit(withBalancedClassWeights(data, resolved.classWeight), context) };
}

registerLoader(CNN_KIND, (artifact) => loadTemporalClassifier(CNN_KIND, artifact));
