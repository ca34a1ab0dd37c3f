import { tf } from './tf.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Activations a `DilatedConv1D` applies after its bias (all but `tanh` fused into the conv kernel). */
export type DilatedConv1DActivation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'tanh';

export interface DilatedConv1DArgs extends LayerArgs {
  /** Number of output channels. */
  readonly filters: number;
  /** Taps of the (undilated) kernel. */
  readonly kernelSize: number;
  /** Spacing between taps (1 = an ordinary convolution). */
  readonly dilationRate: number;
  /** `valid` (no padding), `same` (output as long as the input, TF's split) or `causal` (left padding). Default `valid`. */
  readonly padding?: 'valid' | 'same' | 'causal';
  /** Default `linear`. */
  readonly activation?: DilatedConv1DActivation;
  /** Default true. */
  readonly useBias?: boolean;
  /** `glorotUniform` (default) or `zeros`; `initializeWeights` replaces either with seeded values. */
  readonly kernelInitializer?: 'glorotUniform' | 'zeros';
}

const FUSED = new Set<string>(['linear', 'relu', 'relu6', 'elu', 'sigmoid']);

/**
 * A 1D convolution with dilation > 1 that can be trained. tfjs-core has no gradient for dilated
 * `conv2d` on any backend (`dilation rates greater than 1 are not yet supported in gradients`), so
 * this layer computes the same output without a dilated kernel: it pads the sequence, folds time into
 * the batch by the dilation (phase p of each block of `d` steps becomes its own sequence), runs an
 * undilated convolution with bias and activation fused, and unfolds. Every step has gradients on every
 * backend. Input and output are [batch, time, channels]; the weights have Conv1D's shapes
 * (kernel [kernelSize, inChannels, filters], bias [filters]). Registered for (de)serialisation as
 * `DilatedConv1D`.
 */
export class DilatedConv1D extends tf.layers.Layer {
  static readonly className = 'DilatedConv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly dilationRate: number;
  readonly padding: 'valid' | 'same' | 'causal';
  readonly activation: DilatedConv1DActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: 'glorotUniform' | 'zeros';
  private kernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(args: DilatedConv1DArgs) {
    super(args);
    for (const [name, value] of [
      ['filters', args.filters],
      ['kernelSize', args.kernelSize],
      ['dilationRate', args.dilationRate],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`DilatedConv1D: ${name} must be a positive integer, got ${value}`);
    }
    const activation = args.activation ?? 'linear';
    if (activation !== 'tanh' && !FUSED.has(activation)) throw new Error(`DilatedConv1D: unsupported activation '${activation}'`);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.dilationRate = args.dilationRate;
    this.padding = args.padding ?? 'valid';
    this.activation = activation;
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (typeof channels !== 'number') throw new Error('DilatedConv1D: the channel dimension must be known');
    const initializer =
      this.kernelInitializer === 'zeros' ? tf.initializers.zeros() : tf.initializers.glorotUniform({});
    this.kernel = this.addWeight('kernel', [this.kernelSize, channels, this.filters], 'float32', initializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const steps = shape[1];
    const span = (this.kernelSize - 1) * this.dilationRate;
    const length = steps === null || steps === undefined ? null : this.padding === 'valid' ? steps - span : steps;
    return [shape[0] ?? null, length, this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [batch, steps, channels] = x.shape;
      const d = this.dilationRate;
      const span = (this.kernelSize - 1) * d;
      const [before, after] = this.padding === 'valid' ? [0, 0] : this.padding === 'causal' ? [span, 0] : [Math.floor(span / 2), span - Math.floor(span / 2)];
      const outLength = steps + before + after - span;
      if (outLength < 1) throw new Error(`DilatedConv1D: input of ${steps} steps is shorter than the kernel span ${span + 1}`);
      // Pad to a multiple of d, fold [B, L·d, C] → [B·d, L, C] (phase-major), convolve, unfold.
      const padded = before + steps + after;
      const folded = Math.ceil(padded / d);
      const extra = folded * d - padded;
      const kernel = this.kernel!.read() as tf.Tensor3D;
      const bias = this.bias?.read() as tf.Tensor1D | undefined;
      let h: tf.Tensor = before + after + extra > 0 ? tf.pad(x, [[0, 0], [before, after + extra], [0, 0]]) : x;
      h = tf.reshape(tf.transpose(tf.reshape(h, [batch, folded, d, channels]), [0, 2, 1, 3]), [batch * d, 1, folded, channels]);
      const fused = this.activation !== 'tanh';
      let y: tf.Tensor = tf.fused.conv2d({
        x: h as tf.Tensor4D,
        filter: tf.reshape(kernel, [1, ...kernel.shape]) as tf.Tensor4D,
        strides: 1,
        pad: 'valid',
        ...(bias === undefined ? {} : { bias }),
        activation: fused ? (this.activation as tf.fused.Activation) : 'linear',
      });
      const convLength = folded - this.kernelSize + 1;
      y = tf.reshape(tf.transpose(tf.reshape(y, [batch, d, convLength, this.filters]), [0, 2, 1, 3]), [batch, convLength * d, this.filters]);
      if (convLength * d !== outLength) y = tf.slice(y, [0, 0, 0], [batch, outLength, this.filters]);
      return fused ? y : tf.tanh(y);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      dilationRate: this.dilationRate,
      padding: this.padding,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
    };
  }
}

tf.serialization.registerClass(DilatedConv1D);

/** Factory in the style of `tf.layers.*`. */
export function dilatedConv1d(args: DilatedConv1DArgs): DilatedConv1D {
  return new DilatedConv1D(args);
}
