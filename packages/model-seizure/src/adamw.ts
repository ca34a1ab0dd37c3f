import { PipelineError } from '@pipeline/core';
import { tf } from '@pipeline/tf';

/** AdamW hyper-parameters (PyTorch's defaults except the weight decay, which is given). */
export interface AdamWOptions {
  /** Decoupled weight decay λ: each step multiplies the weights by (1 − lr · λ). */
  readonly weightDecay: number;
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8. */
  readonly epsilon?: number;
}

/** The optimizer state as plain arrays (for checkpoints): moment estimates per variable, in order. */
export interface AdamWState {
  /** Updates applied so far (t). */
  readonly step: number;
  readonly m: readonly Float32Array[];
  readonly v: readonly Float32Array[];
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch's `torch.optim.AdamW`), written
 * out in tfjs ops so that its state can be checkpointed and restored exactly. One {@link apply} with
 * gradients g and learning rate η, for every variable p (t counts updates from 1):
 *
 *   p ← p · (1 − η λ)
 *   m ← β₁ m + (1 − β₁) g;   v ← β₂ v + (1 − β₂) g²
 *   p ← p − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * The decay applies to every variable given (PyTorch's default for one parameter group).
 */
export class AdamW {
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private t = 0;
  private m: tf.Tensor[];
  private v: tf.Tensor[];

  constructor(
    private readonly variables: readonly tf.Variable[],
    options: AdamWOptions,
  ) {
    this.weightDecay = options.weightDecay;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    if (!(this.weightDecay >= 0)) throw new PipelineError('E_USAGE', `weight decay must be >= 0, got ${this.weightDecay}`, { field: 'train.weightDecay' });
    this.m = variables.map((p) => tf.keep(tf.zerosLike(p)));
    this.v = variables.map((p) => tf.keep(tf.zerosLike(p)));
  }

  /** Updates applied so far. */
  get step(): number {
    return this.t;
  }

  /** One update with `gradients` (same order and shapes as the variables) at learning rate `lr`. */
  apply(gradients: readonly tf.Tensor[], lr: number): void {
    if (gradients.length !== this.variables.length) {
      throw new PipelineError('E_INTERNAL', `${gradients.length} gradients for ${this.variables.length} variables`);
    }
    this.t += 1;
    const correction1 = 1 - this.beta1 ** this.t;
    const correction2 = 1 - this.beta2 ** this.t;
    const decay = 1 - lr * this.weightDecay;
    tf.tidy(() => {
      this.variables.forEach((p, k) => {
        const g = gradients[k]!;
        const m = tf.add(tf.mul(this.m[k]!, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[k]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const denominator = tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon);
        const update = tf.div(tf.mul(m, lr / correction1), denominator);
        const decayed = decay === 1 ? p : tf.mul(p, decay);
        p.assign(tf.sub(decayed, update));
        this.m[k]!.dispose();
        this.v[k]!.dispose();
        this.m[k] = tf.keep(m);
        this.v[k] = tf.keep(v);
      });
    });
  }

  /** The state as plain arrays (copies). */
  getState(): AdamWState {
    return { step: this.t, m: this.m.map((t) => Float32Array.from(t.dataSync() as Float32Array)), v: this.v.map((t) => Float32Array.from(t.dataSync() as Float32Array)) };
  }

  /** Restores a state saved by {@link getState} (same variables, same order). */
  setState(state: AdamWState): void {
    if (state.m.length !== this.variables.length || state.v.length !== this.variables.length) {
      throw new PipelineError('E_INPUT', `the optimizer state has ${state.m.length} moments for ${this.variables.length} variables`, {
        field: 'optimizer',
        hint: 'the checkpoint belongs to another model',
      });
    }
    this.variables.forEach((p, k) => {
      const size = p.size;
      if (state.m[k]!.length !== size || state.v[k]!.length !== size) {
        throw new PipelineError('E_INPUT', `optimizer moment ${k} has ${state.m[k]!.length} values for a variable of ${size}`, { field: 'optimizer' });
      }
    });
    tf.dispose([...this.m, ...this.v]);
    this.m = this.variables.map((p, k) => tf.keep(tf.tensor(state.m[k]!, p.shape)));
    this.v = this.variables.map((p, k) => tf.keep(tf.tensor(state.v[k]!, p.shape)));
    this.t = state.step;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
    this.m = [];
    this.v = [];
  }
}
