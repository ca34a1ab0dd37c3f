import { tf } from '@pipeline/tf';

/**
 * Mean binary cross-entropy on logits with an optional positive-class weight (PyTorch's
 * `BCEWithLogitsLoss(pos_weight=…)`), over every element:
 *
 *   ℓ(z, y) = −[w · y · log σ(z) + (1 − y) · log(1 − σ(z))]
 *           = (1 − y) · z + (1 + (w − 1) · y) · (log(1 + e^−|z|) + max(−z, 0))
 *
 * (the second form never overflows). `positiveWeight` 1 is the plain loss.
 */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor, labels: tf.Tensor, positiveWeight = 1): tf.Scalar {
  return tf.tidy(() => {
    const softplusNegAbs = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))), tf.relu(tf.neg(logits)));
    const background = tf.mul(tf.sub(1, labels), logits);
    const weight = positiveWeight === 1 ? tf.onesLike(labels) : tf.add(1, tf.mul(positiveWeight - 1, labels));
    return tf.mean(tf.add(background, tf.mul(weight, softplusNegAbs))) as tf.Scalar;
  });
}
