import { lstmLastState } from './lstm-sequence.js';
import { tf } from './tf.js';
import { WINOGRAD_CONV1D, winogradConv1dApplies, type WinogradPool } from './winograd-conv1d.js';

/** A model's forward pass as a function of one input batch. */
export type ForwardFunction = (x: tf.Tensor, options?: { readonly training?: boolean }) => tf.Tensor;

export interface CompileForwardOptions {
  /**
   * Return the logits of a final softmax `Dense` layer instead of its probabilities (for a fused,
   * numerically stable softmax cross-entropy). Throws if the last layer is not a softmax `Dense`.
   */
  readonly logits?: boolean;
}

type Config = Record<string, unknown>;
type Step = (x: tf.Tensor, training: boolean) => tf.Tensor;

const FUSABLE = new Set(['linear', 'relu', 'relu6', 'elu', 'sigmoid']);

/**
 * Compiles a `Sequential` model into a forward function that computes the same maths as
 * `model.apply` with fewer, fused kernels: `Conv1D` and `Dense` run as one fused kernel with bias and
 * activation, `LSTM` runs as {@link lstmLastState} (one op for the whole sequence instead of a dozen
 * taped kernels per timestep), pooling layers call the pooling kernel directly. Any other layer, or a
 * configuration the fast path does not cover (dropout, dilation, masking, stateful RNNs, …), runs
 * through its own `apply`, so the result is always the model's function. The weights are read at
 * call time, so one compiled function serves a whole training run.
 * @internal Exported for the package's tests; not part of the public API.
 */
export function compileForward(model: tf.Sequential, options: CompileForwardOptions = {}): ForwardFunction {
  if (!(model instanceof tf.Sequential)) throw new Error('compileForward: only Sequential models are supported');
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const steps: Step[] = [];
  for (let k = 0; k < layers.length; k++) {
    const layer = layers[k]!;
    // Conv1D (linear) → BatchNormalization [→ relu] [→ pooling]: outside training one conv with the
    // normalization folded into its filter and bias (see compileConvBatchNorm)
    const folded = compileConvBatchNorm(layers, k);
    if (folded !== undefined) {
      steps.push(folded.step);
      k += folded.layers - 1;
      continue;
    }
    const next = layers[k + 1];
    // Conv1D + a pooling that the inference conv can absorb: one step (see compileConv1d)
    const pool = next === undefined || layer.getClassName() !== 'Conv1D' ? 'none' : fusablePool(next);
    if (pool !== 'none') {
      const conv = compileLayer(layer, false);
      const pooling = compileLayer(next!, false);
      steps.push(compileConv1d(layer.getConfig() as Config, () => layer.trainableWeights.map((w) => w.read()), pool, (x, training) => pooling(conv(x, training), training)) ?? ((x, training) => pooling(conv(x, training), training)));
      k++;
    } else {
      steps.push(compileLayer(layer, options.logits === true && k === layers.length - 1));
    }
  }
  if (options.logits === true) {
    const last = layers[layers.length - 1];
    if (last === undefined || last.getClassName() !== 'Dense' || (last.getConfig() as Config).activation !== 'softmax') {
      throw new Error('compileForward: `logits` needs a model that ends in a Dense layer with softmax activation');
    }
  }
  return (x, callOptions = {}) => {
    const training = callOptions.training ?? false;
    return tf.tidy(() => steps.reduce((h, step) => step(h, training), x));
  };
}

function compileLayer(layer: tf.layers.Layer, logits: boolean): Step {
  const config = layer.getConfig() as Config;
  const fallback: Step = (x, training) => layer.apply(x, { training }) as tf.Tensor;
  const weights = () => layer.trainableWeights.map((w) => w.read());
  switch (layer.getClassName()) {
    case 'Conv1D':
      return compileConv1d(config, weights) ?? fallback;
    case 'Dense':
      return compileDense(config, weights, logits) ?? fallback;
    case 'LSTM':
      return compileLstm(config, weights) ?? fallback;
    case 'MaxPooling1D':
    case 'AveragePooling1D': {
      const size = first(config.poolSize);
      const stride = first(config.strides) ?? size;
      const padding = config.padding;
      if (size === undefined || stride === undefined || (padding !== 'valid' && padding !== 'same')) return fallback;
      const pool = layer.getClassName() === 'MaxPooling1D' ? tf.maxPool : tf.avgPool;
      return (x) => {
        const [batch, , channels] = x.shape as [number, number, number];
        const pooled = pool(tf.reshape(x, [batch, 1, x.shape[1]!, channels]) as tf.Tensor4D, [1, size], [1, stride], padding);
        return tf.reshape(pooled, [batch, pooled.shape[2], channels]);
      };
    }
    case 'GlobalAveragePooling1D':
      return (x) => tf.mean(x, 1);
    case 'GlobalMaxPooling1D':
      return (x) => tf.max(x, 1);
    case 'Flatten':
      return (x) => tf.reshape(x, [x.shape[0]!, -1]);
    case 'Dropout':
    case 'SpatialDropout1D':
    case 'GaussianNoise':
    case 'GaussianDropout':
      return (x, training) => (training ? fallback(x, training) : x);
    default:
      return fallback;
  }
}

/** Whether a layer is a relu activation layer. */
function isRelu(layer: tf.layers.Layer | undefined): boolean {
  if (layer === undefined) return false;
  const config = layer.getConfig() as Config;
  if (layer.getClassName() === 'Activation') return config.activation === 'relu';
  return layer.getClassName() === 'ReLU' && config.maxValue == null;
}

interface BatchNormVariables {
  readonly gamma?: { read(): tf.Tensor };
  readonly beta?: { read(): tf.Tensor };
  readonly movingMean?: { read(): tf.Tensor };
  readonly movingVariance?: { read(): tf.Tensor };
}

/**
 * Conv1D (linear activation) → BatchNormalization over the channels [→ relu] [→ a pooling the conv can
 * absorb], compiled as one step: in training the layers run one by one (batch statistics, moving
 * averages); outside training the normalization is an affine map per channel, s = γ / √(var + ε),
 * folded into the conv (filter · s, bias (b − mean)·s + β), so the conv kernel applies it with the relu
 * and the pooling in its output pass. Undefined when the layers at `k` are not such a block.
 */
function compileConvBatchNorm(layers: tf.layers.Layer[], k: number): { step: Step; layers: number } | undefined {
  const conv = layers[k];
  const bn = layers[k + 1];
  if (conv?.getClassName() !== 'Conv1D' || bn?.getClassName() !== 'BatchNormalization') return undefined;
  const convConfig = conv.getConfig() as Config;
  const bnConfig = bn.getConfig() as Config;
  const axis = bnConfig.axis;
  if (convConfig.activation !== 'linear' || !(axis === -1 || axis === 2)) return undefined;
  const variables = bn as unknown as BatchNormVariables;
  if (variables.movingMean === undefined || variables.movingVariance === undefined) return undefined;
  const epsilon = Number(bnConfig.epsilon ?? 1e-3);
  const relu = isRelu(layers[k + 2]);
  const poolLayer = layers[k + (relu ? 3 : 2)];
  const pool = poolLayer === undefined ? 'none' : fusablePool(poolLayer);
  const count = 2 + (relu ? 1 : 0) + (pool === 'none' ? 0 : 1);
  const group = layers.slice(k, k + count).map((layer) => compileLayer(layer, false));
  const unfused: Step = (x, training) => group.reduce((h, step) => step(h, training), x);
  const foldedWeights = () => {
    const [kernel, bias] = conv.trainableWeights.map((w) => w.read()) as [tf.Tensor3D, tf.Tensor1D | undefined];
    const variance = variables.movingVariance!.read();
    const inverse = tf.div(1, tf.sqrt(tf.add(variance, epsilon)));
    const scale = variables.gamma === undefined ? inverse : tf.mul(variables.gamma.read(), inverse);
    const mean = variables.movingMean!.read();
    let shift = tf.mul(bias === undefined ? tf.neg(mean) : tf.sub(bias, mean), scale);
    if (variables.beta !== undefined) shift = tf.add(shift, variables.beta.read());
    return [tf.mul(kernel, scale), shift];
  };
  const config = { ...convConfig, activation: relu ? 'relu' : 'linear', useBias: true };
  const plain = compileConv1d(config, foldedWeights);
  if (plain === undefined) return undefined;
  const pooling = pool === 'none' ? undefined : compileLayer(poolLayer!, false);
  const folded = pooling === undefined ? plain : compileConv1d(config, foldedWeights, pool, (x, training) => pooling(plain(x, training), training));
  if (folded === undefined) return undefined;
  return { step: (x, training) => (training ? unfused(x, training) : folded(x, false)), layers: count };
}

/** The pooling after a Conv1D that the Winograd inference kernel can compute in its output pass. */
function fusablePool(layer: tf.layers.Layer): WinogradPool {
  const config = layer.getConfig() as Config;
  const channelsLast = config.dataFormat === undefined || config.dataFormat === 'channelsLast';
  if (!channelsLast) return 'none';
  if (layer.getClassName() === 'GlobalAveragePooling1D') return 'mean';
  if (layer.getClassName() === 'MaxPooling1D' && first(config.poolSize) === 2 && (first(config.strides) ?? 2) === 2 && config.padding === 'valid') return 'max2';
  return 'none';
}

/**
 * A Conv1D step: `tf.fused.conv2d` (bias and activation in the kernel); outside training, on wasm, the
 * Winograd kernel (winograd-conv1d.ts) where it applies, which also absorbs a following pooling layer
 * (`pool`; `unfused` then runs the conv and the pooling when the Winograd kernel does not apply).
 */
function compileConv1d(config: Config, weights: () => tf.Tensor[], pool: WinogradPool = 'none', unfused?: Step): Step | undefined {
  const stride = first(config.strides);
  const dilation = first(config.dilationRate);
  const padding = config.padding;
  const activation = config.activation as string;
  const channelsLast = config.dataFormat === undefined || config.dataFormat === 'channelsLast';
  if (stride === undefined || dilation !== 1 || (padding !== 'valid' && padding !== 'same') || !channelsLast) {
    return undefined;
  }
  if (!FUSABLE.has(activation)) return undefined;
  const useBias = config.useBias !== false;
  return (x, training) => {
    const [kernel, bias] = weights() as [tf.Tensor3D, tf.Tensor1D | undefined];
    const [batch, steps, channels] = x.shape as [number, number, number];
    if (!training && stride === 1 && (activation === 'relu' || activation === 'linear') && winogradConv1dApplies(kernel.shape[0], channels, kernel.shape[2], pool)) {
      // inference: Winograd minimal filtering (fewer multiplications; no gradient, none needed here)
      const inputs = { x, filter: kernel, ...(useBias && bias !== undefined ? { bias } : {}) };
      return tf.engine().runKernel(WINOGRAD_CONV1D, inputs, { pad: padding, relu: activation === 'relu', pool }) as tf.Tensor;
    }
    if (unfused !== undefined) return unfused(x, training);
    const y = tf.fused.conv2d({
      x: tf.reshape(x, [batch, 1, steps, channels]) as tf.Tensor4D,
      filter: tf.reshape(kernel, [1, ...kernel.shape]) as tf.Tensor4D,
      strides: [1, stride],
      pad: padding,
      ...(useBias && bias !== undefined ? { bias } : {}),
      activation: activation as tf.fused.Activation,
    });
    return tf.reshape(y, [batch, y.shape[2], y.shape[3]]);
  };
}

function compileDense(config: Config, weights: () => tf.Tensor[], logits: boolean): Step | undefined {
  const activation = config.activation as string;
  const useBias = config.useBias !== false;
  const softmax = activation === 'softmax';
  if (!softmax && !FUSABLE.has(activation)) return undefined;
  return (x) => {
    const [kernel, bias] = weights() as [tf.Tensor2D, tf.Tensor1D | undefined];
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, x.shape[x.rank - 1]!]) as tf.Tensor2D);
    let y: tf.Tensor = tf.fused.matMul({
      a: flat,
      b: kernel,
      ...(useBias && bias !== undefined ? { bias } : {}),
      activation: softmax ? 'linear' : (activation as tf.fused.Activation),
    });
    if (softmax && !logits) y = tf.softmax(y);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), y.shape[1]!]);
  };
}

function compileLstm(config: Config, weights: () => tf.Tensor[]): Step | undefined {
  const supported =
    config.activation === 'tanh' &&
    config.recurrentActivation === 'sigmoid' &&
    config.useBias !== false &&
    config.returnSequences !== true &&
    config.returnState !== true &&
    config.goBackwards !== true &&
    config.stateful !== true &&
    !(Number(config.dropout ?? 0) > 0) &&
    !(Number(config.recurrentDropout ?? 0) > 0);
  if (!supported) return undefined;
  return (x) => {
    const [kernel, recurrent, bias] = weights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    return lstmLastState(x as tf.Tensor3D, kernel, recurrent, bias);
  };
}

function first(value: unknown): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'number' ? v : undefined;
}
