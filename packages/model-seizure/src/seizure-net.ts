import { PipelineError } from '@pipeline/core';
import { DilatedConv1D, initializeWeights, tf } from '@pipeline/tf';
import { RepeatSteps } from './repeat-steps.js';
import { ResidualDilatedConv1D } from './residual-dilated-conv1d.js';

/** Architecture of the seizure network (plain JSON; stored in every checkpoint's config). */
export interface SeizureNetArgs {
  /** Input channels (19 for the 10-20 montage of the challenge data). */
  readonly channels: number;
  /** Samples per window (15,360 = 60 s at 256 Hz in production). Must be a multiple of `pool`. */
  readonly samples: number;
  /** Feature maps of the stem and of every temporal block. */
  readonly filters: number;
  /** Kernel of the stem convolution (odd; `same` padding). */
  readonly stemKernel: number;
  /**
   * Max-pooling factor after the stem: the temporal blocks run at `samples / pool` steps and the
   * head's logits are repeated `pool` times, so the output keeps one probability per input sample.
   * 1 = no pooling.
   */
  readonly pool: number;
  /** Kernel of every dilated block. */
  readonly kernelSize: number;
  /**
   * Dilation of each temporal block, in order (one residual `x + relu(conv(x))` block each).
   * Receptive field in input samples: `stemKernel + pool · (kernelSize − 1) · Σ dilations` (about).
   */
  readonly dilations: readonly number[];
}

/** Defaults: 32 filters, stem 7, pool 4, six residual blocks with dilations 1…32 (≈ 2 s receptive field at 256 Hz). */
export const SEIZURE_NET_DEFAULTS: Readonly<SeizureNetArgs> = Object.freeze({
  channels: 19,
  samples: 15360,
  filters: 32,
  stemKernel: 7,
  pool: 4,
  kernelSize: 3,
  dilations: Object.freeze([1, 2, 4, 8, 16, 32]),
});

/** Checks the architecture fields; throws `E_USAGE` naming the field. */
export function validateSeizureNetArgs(args: SeizureNetArgs): void {
  const positive = (value: number, field: string) => {
    if (!Number.isInteger(value) || value < 1) {
      throw new PipelineError('E_USAGE', `expected a positive integer, got ${value}`, { field: `model.${field}` });
    }
  };
  positive(args.channels, 'channels');
  positive(args.samples, 'samples');
  positive(args.filters, 'filters');
  positive(args.stemKernel, 'stemKernel');
  positive(args.pool, 'pool');
  positive(args.kernelSize, 'kernelSize');
  if (args.dilations.length === 0) throw new PipelineError('E_USAGE', 'expected at least one dilation', { field: 'model.dilations' });
  args.dilations.forEach((d, k) => positive(d, `dilations.${k}`));
  if (args.samples % args.pool !== 0) {
    throw new PipelineError('E_USAGE', `samples (${args.samples}) must be a multiple of pool (${args.pool})`, { field: 'model.pool' });
  }
}

/** Receptive field of the network in input samples. */
export function receptiveField(args: SeizureNetArgs): number {
  return args.stemKernel + args.pool - 1 + args.pool * (args.kernelSize - 1) * args.dilations.reduce((a, b) => a + b, 0);
}

/**
 * Builds the seizure network for input [samples, channels] (channels last, as tfjs's Conv1D wants)
 * with output [samples]: per-sample seizure probabilities.
 *
 * Conv1D(stem, relu, same) → MaxPool(pool) → residual DilatedConv1D blocks (relu, same) →
 * Dense(1, sigmoid) per step → RepeatSteps(pool) → Flatten.
 *
 * Every layer has an explicit name and the weights come from `initializeWeights(model, seed)`, so
 * the same seed gives the same bytes. The model is a plain tfjs `Sequential` (custom layers
 * registered on import), saved and loaded with `@pipeline/tf`'s model IO.
 */
export function buildSeizureNet(args: SeizureNetArgs, seed: number): tf.Sequential {
  validateSeizureNetArgs(args);
  const model = (() => {
    const layers: tf.layers.Layer[] = [
      tf.layers.conv1d({
        name: 'stem',
        inputShape: [args.samples, args.channels],
        filters: args.filters,
        kernelSize: args.stemKernel,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: 'zeros',
      }),
    ];
    if (args.pool > 1) layers.push(tf.layers.maxPooling1d({ name: 'pool', poolSize: args.pool, strides: args.pool, padding: 'valid' }));
    args.dilations.forEach((dilationRate, k) => {
      layers.push(
        new ResidualDilatedConv1D({
          name: `block${k + 1}`,
          filters: args.filters,
          kernelSize: args.kernelSize,
          dilationRate,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: 'zeros',
        }),
      );
    });
    layers.push(tf.layers.dense({ name: 'head', units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' }));
    if (args.pool > 1) layers.push(new RepeatSteps({ name: 'upsample', factor: args.pool }));
    layers.push(tf.layers.flatten({ name: 'output' }));
    return tf.sequential({ name: 'seizure_net', layers });
  })();
  initializeWeights(model, seed);
  return model;
}

/** The network's forward pass as logits [batch, samples] (sigmoid of them = the model's output). */
export type SeizureForward = (x: tf.Tensor3D) => tf.Tensor2D;

/**
 * Compiles a network built by {@link buildSeizureNet} (or loaded from its files) into a forward
 * function returning **logits**: the same maths as `model.predict` before the head's sigmoid, with
 * fused conv/matmul kernels (bias and relu inside the kernel). Training uses the logits for a
 * numerically stable binary cross-entropy. Weights are read at call time.
 */
export function seizureForward(model: tf.Sequential): SeizureForward {
  const steps = model.layers.map((layer): ((x: tf.Tensor) => tf.Tensor) => {
    const name = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const weights = () => layer.trainableWeights.map((w) => w.read());
    switch (name) {
      case 'Conv1D': {
        if (config.padding !== 'same' && config.padding !== 'valid') break;
        const padding = config.padding;
        const activation = config.activation as tf.fused.Activation;
        return (x) => {
          const [kernel, bias] = weights() as [tf.Tensor3D, tf.Tensor1D];
          const [batch, length, channels] = x.shape as [number, number, number];
          const y = tf.fused.conv2d({
            x: tf.reshape(x, [batch, 1, length, channels]) as tf.Tensor4D,
            filter: tf.reshape(kernel, [1, ...kernel.shape]) as tf.Tensor4D,
            strides: 1,
            pad: padding,
            bias,
            activation,
          });
          return tf.reshape(y, [batch, y.shape[2], y.shape[3]]);
        };
      }
      case 'MaxPooling1D': {
        const size = Number((config.poolSize as number[])[0]);
        return (x) => {
          const [batch, length, channels] = x.shape as [number, number, number];
          const pooled = tf.maxPool(tf.reshape(x, [batch, 1, length, channels]) as tf.Tensor4D, [1, size], [1, size], 'valid');
          return tf.reshape(pooled, [batch, pooled.shape[2], channels]);
        };
      }
      case 'Dense':
        return (x) => {
          const [kernel, bias] = weights() as [tf.Tensor2D, tf.Tensor1D];
          const [batch, length, channels] = x.shape as [number, number, number];
          const y = tf.fused.matMul({ a: tf.reshape(x, [batch * length, channels]) as tf.Tensor2D, b: kernel, bias });
          return tf.reshape(y, [batch, length, kernel.shape[1]]);
        };
      case 'Flatten':
        return (x) => tf.reshape(x, [x.shape[0]!, -1]);
      default:
        if (layer instanceof RepeatSteps || layer instanceof DilatedConv1D) return (x) => layer.apply(x) as tf.Tensor;
    }
    throw new PipelineError('E_INPUT', `the seizure network has an unsupported layer ${layer.name} (${name})`, { field: 'modelTopology' });
  });
  const head = model.layers.findIndex((layer) => layer.getClassName() === 'Dense');
  if (head < 0 || (model.layers[head]!.getConfig() as Record<string, unknown>).activation !== 'sigmoid') {
    throw new PipelineError('E_INPUT', 'the seizure network must have a Dense head with sigmoid activation', { field: 'modelTopology' });
  }
  return (x) => tf.tidy(() => steps.reduce((h, step) => step(h), x as tf.Tensor) as tf.Tensor2D);
}

/** Per-sample seizure probabilities [batch, samples] from logits. */
export function seizureProbabilities(forward: SeizureForward, x: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => tf.sigmoid(forward(x)));
}

/** Trainable parameters of the network {@link buildSeizureNet} builds for `args` (no tfjs needed). */
export function parameterCount(args: SeizureNetArgs): number {
  const stem = args.stemKernel * args.channels * args.filters + args.filters;
  const block = args.kernelSize * args.filters * args.filters + args.filters;
  return stem + args.dilations.length * block + args.filters + 1;
}

/** Number of trainable parameters of a model. */
export function countParameters(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((total, w) => total + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}
