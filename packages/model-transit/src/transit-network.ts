import { tf } from '@pipeline/tf';
import { TRANSIT_CLASSES, TRANSIT_FEATURE_COLUMNS } from './transit-data.js';

/** The architecture fields of the arguments (see `TransitCnnArgs`). */
export interface TransitNetworkArgs {
  readonly convFilters: readonly number[];
  readonly kernelSizes: readonly number[];
  readonly poolSize: number;
  readonly featureUnits: readonly [number, number];
  readonly headUnits: readonly [number, number];
  readonly dropout: number;
}

/** Layer names of the network (also the names in `model.json`). */
export const LAYER = Object.freeze({
  curve: 'curve',
  features: 'features',
  conv: (k: number) => `conv${k + 1}`,
  pool: (k: number) => `pool${k + 1}`,
  gap: 'gap',
  feature1: 'features_dense1',
  featureDropout: 'features_dropout',
  feature2: 'features_dense2',
  merge: 'merge',
  head1: 'head_dense1',
  headDropout: 'head_dropout',
  head2: 'head_dense2',
  label: 'label',
  period: 'period_out',
  depth: 'depth_out',
});

/**
 * The seed's network as a tfjs functional model (what is saved and loaded):
 *
 * curve (points × 1) → Conv1D(32, 7, relu) → MaxPool(2) → Conv1D(64, 5, relu) → MaxPool(2) →
 * Conv1D(128, 3, relu) → GlobalAvgPool ─┐
 * features (6) → Dense(64, relu) → Dropout → Dense(32, relu) ─┴→ concat → Dense(128, relu) → Dropout →
 * Dense(64, relu) → `label` Dense(3, softmax), `period_out` Dense(1), `depth_out` Dense(1).
 *
 * Kernels are built with `'zeros'` initializers: the caller sets them with `initializeWeights(seed)`.
 */
export function buildTransitNetwork(points: number, args: TransitNetworkArgs): tf.LayersModel {
  const curve = tf.input({ shape: [points, 1], name: LAYER.curve });
  const features = tf.input({ shape: [TRANSIT_FEATURE_COLUMNS.length], name: LAYER.features });
  let x: tf.SymbolicTensor = curve;
  args.convFilters.forEach((filters, k) => {
    x = tf.layers
      .conv1d({ name: LAYER.conv(k), filters, kernelSize: args.kernelSizes[k]!, activation: 'relu', kernelInitializer: 'zeros' })
      .apply(x) as tf.SymbolicTensor;
    if (k < args.convFilters.length - 1) x = tf.layers.maxPooling1d({ name: LAYER.pool(k), poolSize: args.poolSize }).apply(x) as tf.SymbolicTensor;
  });
  const pooled = tf.layers.globalAveragePooling1d({ name: LAYER.gap }).apply(x) as tf.SymbolicTensor;
  let f = tf.layers.dense({ name: LAYER.feature1, units: args.featureUnits[0], activation: 'relu', kernelInitializer: 'zeros' }).apply(features) as tf.SymbolicTensor;
  f = tf.layers.dropout({ name: LAYER.featureDropout, rate: args.dropout }).apply(f) as tf.SymbolicTensor;
  f = tf.layers.dense({ name: LAYER.feature2, units: args.featureUnits[1], activation: 'relu', kernelInitializer: 'zeros' }).apply(f) as tf.SymbolicTensor;
  let h = tf.layers.concatenate({ name: LAYER.merge }).apply([pooled, f]) as tf.SymbolicTensor;
  h = tf.layers.dense({ name: LAYER.head1, units: args.headUnits[0], activation: 'relu', kernelInitializer: 'zeros' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dropout({ name: LAYER.headDropout, rate: args.dropout }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ name: LAYER.head2, units: args.headUnits[1], activation: 'relu', kernelInitializer: 'zeros' }).apply(h) as tf.SymbolicTensor;
  const label = tf.layers.dense({ name: LAYER.label, units: TRANSIT_CLASSES.length, activation: 'softmax', kernelInitializer: 'zeros' }).apply(h) as tf.SymbolicTensor;
  const period = tf.layers.dense({ name: LAYER.period, units: 1, kernelInitializer: 'zeros' }).apply(h) as tf.SymbolicTensor;
  const depth = tf.layers.dense({ name: LAYER.depth, units: 1, kernelInitializer: 'zeros' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ name: 'transit_cnn', inputs: [curve, features], outputs: [label, period, depth] });
}

/** The three heads of one forward pass. */
export interface TransitOutputs {
  /** rows × 3, before the softmax. */
  readonly logits: tf.Tensor2D;
  /** rows × 1, the standardized log10 period. */
  readonly period: tf.Tensor2D;
  /** rows × 1, the standardized log10(1 + depth). */
  readonly depth: tf.Tensor2D;
}

/** Dropout masks of one training batch (0 or 1 / (1 − rate)), rows × units of the layer before. */
export interface DropoutMasks {
  readonly features: tf.Tensor2D;
  readonly head: tf.Tensor2D;
}

/**
 * The network's forward pass with fused kernels (one kernel per Conv1D/Dense with its bias and
 * activation), reading the model's weights at call time so one function serves a whole training.
 * Equal to `model.predict` (tested); in training, dropout multiplies by the caller's seeded masks
 * (tfjs's own dropout draws from an unseeded generator).
 */
export function transitForward(model: tf.LayersModel, args: TransitNetworkArgs) {
  const weights = (name: string) => model.getLayer(name).trainableWeights.map((w) => w.read());
  const dense = (x: tf.Tensor2D, name: string, activation: tf.fused.Activation) => {
    const [kernel, bias] = weights(name) as [tf.Tensor2D, tf.Tensor1D];
    return tf.fused.matMul({ a: x, b: kernel, bias, activation }) as tf.Tensor2D;
  };
  return (curve: tf.Tensor3D, features: tf.Tensor2D, masks?: DropoutMasks): TransitOutputs => {
    let x: tf.Tensor3D = curve;
    args.convFilters.forEach((_, k) => {
      const [kernel, bias] = weights(LAYER.conv(k)) as [tf.Tensor3D, tf.Tensor1D];
      const [batch, steps, channels] = x.shape;
      const y = tf.fused.conv2d({
        x: tf.reshape(x, [batch, 1, steps, channels]) as tf.Tensor4D,
        filter: tf.reshape(kernel, [1, ...kernel.shape]) as tf.Tensor4D,
        strides: [1, 1],
        pad: 'valid',
        bias,
        activation: 'relu',
      });
      if (k < args.convFilters.length - 1) {
        const pooled = tf.maxPool(y, [1, args.poolSize], [1, args.poolSize], 'valid');
        x = tf.reshape(pooled, [batch, pooled.shape[2], pooled.shape[3]]);
      } else {
        x = tf.reshape(y, [batch, y.shape[2], y.shape[3]]);
      }
    });
    const pooled = tf.mean(x, 1) as tf.Tensor2D;
    let f = dense(features, LAYER.feature1, 'relu');
    if (masks !== undefined) f = tf.mul(f, masks.features) as tf.Tensor2D;
    f = dense(f, LAYER.feature2, 'relu');
    let h = dense(tf.concat([pooled, f], 1) as tf.Tensor2D, LAYER.head1, 'relu');
    if (masks !== undefined) h = tf.mul(h, masks.head) as tf.Tensor2D;
    h = dense(h, LAYER.head2, 'relu');
    return { logits: dense(h, LAYER.label, 'linear'), period: dense(h, LAYER.period, 'linear'), depth: dense(h, LAYER.depth, 'linear') };
  };
}

export type TransitForward = ReturnType<typeof transitForward>;

/** Weighted losses of a batch: categorical cross-entropy + w·MSE(period) + w·MSE(depth), each a batch mean. */
export interface TransitLosses {
  readonly total: tf.Scalar;
  readonly label: tf.Scalar;
  readonly period: tf.Scalar;
  readonly depth: tf.Scalar;
}

/** Weights of the three losses in the total. The seed's 1, 0.5, 0.5. */
export interface LossWeights {
  readonly label: number;
  readonly period: number;
  readonly depth: number;
}

/**
 * The training objective: `label`·CE(onehot, softmax(logits)) + `period`·MSE + `depth`·MSE, every term
 * the mean over the batch's rows (Keras's per-output losses and `loss_weights`).
 */
export function transitLosses(outputs: TransitOutputs, onehot: tf.Tensor2D, periodTarget: tf.Tensor2D, depthTarget: tf.Tensor2D, weights: LossWeights): TransitLosses {
  const label = tf.mean(tf.losses.softmaxCrossEntropy(onehot, outputs.logits, undefined, 0, tf.Reduction.NONE)) as tf.Scalar;
  const period = tf.mean(tf.square(tf.sub(outputs.period, periodTarget))) as tf.Scalar;
  const depth = tf.mean(tf.square(tf.sub(outputs.depth, depthTarget))) as tf.Scalar;
  const total = tf.addN([tf.mul(label, weights.label), tf.mul(period, weights.period), tf.mul(depth, weights.depth)]) as tf.Scalar;
  return { total, label, period, depth };
}
