import { tf } from '@pipeline/tf';

/**
 * Global-norm gradient clipping (TensorFlow's `clip_by_global_norm`, PyTorch's
 * `clip_grad_norm_`): with N = √(Σ‖gᵢ‖²), every gradient is multiplied by `min(1, maxNorm / (N·(1 + 1e-6) + 1e-6))`,
 * so the clipped global norm is at most `maxNorm` (PyTorch's `maxNorm / (N + 1e-6)` coefficient, with a
 * relative margin of 1e-6 so that float32 rounding of the scaled values stays below the limit). Returns the clipped gradients (new tensors) and the
 * norm before clipping. A non-finite norm is returned as is and the gradients are left unscaled (the
 * caller decides to skip the step).
 */
export function clipByGlobalNorm(gradients: readonly tf.Tensor[], maxNorm: number): { gradients: tf.Tensor[]; norm: number } {
  const squared = tf.tidy(() => tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt(squared.dataSync()[0]!);
  squared.dispose();
  if (!Number.isFinite(norm) || !(maxNorm > 0) || norm <= maxNorm) return { gradients: gradients.map((g) => tf.clone(g)), norm };
  const scale = maxNorm / (norm * (1 + 1e-6) + 1e-6);
  return { gradients: gradients.map((g) => tf.mul(g, scale)), norm };
}

/** Global L2 norm of a list of tensors, computed in float64 from their values. */
export function globalNorm(tensors: readonly tf.Tensor[]): number {
  let sum = 0;
  for (const t of tensors) {
    const values = t.dataSync();
    for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  }
  return Math.sqrt(sum);
}
