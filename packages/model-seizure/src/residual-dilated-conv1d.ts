import { DilatedConv1D, tf, type DilatedConv1DArgs } from '@pipeline/tf';

/** DilatedConv1D's constructor without its static `className` literal type, so a subclass can name itself. */
const DilatedBase: new (args: DilatedConv1DArgs) => DilatedConv1D = DilatedConv1D;

/**
 * A residual temporal block: `x + DilatedConv1D(x)` (the convolution with its activation, `same`
 * padding, as many filters as input channels). Residual connections keep a deep dilated stack
 * trainable, and as one layer they fit in a `Sequential`. Weights are the convolution's (kernel
 * [kernelSize, channels, filters], bias). Registered for (de)serialisation as `ResidualDilatedConv1D`.
 */
export class ResidualDilatedConv1D extends DilatedBase {
  static readonly className = 'ResidualDilatedConv1D';

  constructor(args: DilatedConv1DArgs) {
    super({ ...args, padding: 'same' });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape[shape.length - 1] !== this.filters) {
      throw new Error(`ResidualDilatedConv1D: input channels (${String(shape[shape.length - 1])}) must equal filters (${this.filters})`);
    }
    super.build(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
    return tf.tidy(() => tf.add(x, super.call(x)));
  }
}

tf.serialization.registerClass(ResidualDilatedConv1D as unknown as tf.serialization.SerializableConstructor<ResidualDilatedConv1D>);
