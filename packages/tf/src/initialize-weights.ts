import { createRng, deriveSeed, type Rng } from '@pipeline/core';
import { tf } from './tf.js';

/**
 * Sets every kernel, recurrent kernel and bias of a model from `seed`, with Keras's default
 * initializers computed in JS from core's xoshiro128** generator:
 *
 * - `…/kernel`: Glorot uniform, limit √(6 / (fanIn + fanOut)) with Keras's fan rule (the receptive
 *   field multiplies both fans of a convolution kernel);
 * - `…/recurrent_kernel`: orthogonal (QR of a standard normal matrix, signs fixed by diag(R));
 * - `…/bias`: zeros, and ones on the forget gate of an LSTM with `unitForgetBias` (Keras's default).
 *
 * Other weights keep the values their layer gave them. The values depend only on the seed, the
 * layer's position and the weight's role (never on tfjs's auto-numbered layer names or on the
 * backend), so the same seed gives byte-identical initial weights everywhere. Build layers with
 * `kernelInitializer: 'zeros'` (and `recurrentInitializer: 'zeros'`) to skip tfjs's own random
 * initialization, whose Orthogonal initializer prints a warning to the console for large matrices.
 */
export function initializeWeights(model: tf.LayersModel, seed: number): void {
  model.layers.forEach((layer, position) => {
    const config = layer.getConfig() as Record<string, unknown>;
    for (const weight of layer.weights) {
      const role = weight.originalName.split('/').pop() ?? '';
      const shape = weight.shape as number[];
      const rng = createRng(deriveSeed(seed, 'initialize-weights', position, role));
      let values: Float32Array | undefined;
      if (role === 'kernel') values = glorotUniform(shape, rng);
      else if (role === 'recurrent_kernel') values = orthogonal(shape, rng);
      else if (role === 'bias') {
        values = new Float32Array(sizeOf(shape));
        if (layer.getClassName() === 'LSTM' && config.unitForgetBias !== false) {
          const units = Number(config.units);
          values.fill(1, units, 2 * units);
        }
      }
      if (values !== undefined) {
        const tensor = tf.tensor(values, shape);
        weight.write(tensor);
        tensor.dispose();
      }
    }
  });
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function glorotUniform(shape: readonly number[], rng: Rng): Float32Array {
  let fanIn: number;
  let fanOut: number;
  if (shape.length === 1) {
    fanIn = fanOut = shape[0]!;
  } else if (shape.length === 2) {
    fanIn = shape[0]!;
    fanOut = shape[1]!;
  } else {
    const receptive = sizeOf(shape.slice(0, -2));
    fanIn = shape[shape.length - 2]! * receptive;
    fanOut = shape[shape.length - 1]! * receptive;
  }
  const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  return out;
}

/** Keras's orthogonal initializer for a [rows, cols] matrix (rows of the result orthonormal if rows ≤ cols). */
function orthogonal(shape: readonly number[], rng: Rng): Float32Array {
  const cols = shape[shape.length - 1]!;
  const rows = sizeOf(shape) / cols;
  // QR of a tall n × m normal matrix (n ≥ m) by modified Gram–Schmidt, in float64.
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  const a = Array.from({ length: m }, () => Float64Array.from({ length: n }, () => rng.normal()));
  for (let j = 0; j < m; j++) {
    const v = a[j]!;
    for (let k = 0; k < j; k++) {
      const q = a[k]!;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i]! * v[i]!;
      for (let i = 0; i < n; i++) v[i] = v[i]! - dot * q[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    // R's diagonal is `norm` > 0 here, so Q needs no sign correction.
    for (let i = 0; i < n; i++) v[i] = v[i]! / norm;
  }
  // Column j of Q is a[j] (length n). rows ≥ cols: result = Q (rows × cols); else Qᵀ.
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = rows >= cols ? a[c]![r]! : a[r]![c]!;
  }
  return out;
}
