import { tf } from '@pipeline/tf';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface RepeatStepsArgs extends LayerArgs {
  /** How many times each time step is repeated (≥ 1). */
  readonly factor: number;
}

/**
 * Nearest-neighbour upsampling in time: [batch, steps, channels] → [batch, steps · factor, channels],
 * each step repeated `factor` times (Keras's `UpSampling1D`, which tfjs-layers lacks). Built from
 * reshape + tile, so it has gradients on every backend. Registered for (de)serialisation as
 * `RepeatSteps`.
 */
export class RepeatSteps extends tf.layers.Layer {
  static readonly className = 'RepeatSteps';
  readonly factor: number;

  constructor(args: RepeatStepsArgs) {
    super(args);
    if (!Number.isInteger(args.factor) || args.factor < 1) throw new Error(`RepeatSteps: factor must be a positive integer, got ${args.factor}`);
    this.factor = args.factor;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const steps = shape[1];
    return [shape[0] ?? null, steps === null || steps === undefined ? null : steps * this.factor, shape[2] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      if (this.factor === 1) return tf.clone(x);
      const [batch, steps, channels] = x.shape;
      return tf.reshape(tf.tile(tf.reshape(x, [batch, steps, 1, channels]), [1, 1, this.factor, 1]), [batch, steps * this.factor, channels]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}

tf.serialization.registerClass(RepeatSteps);
