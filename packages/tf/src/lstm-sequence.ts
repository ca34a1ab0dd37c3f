import { tf } from './tf.js';

/**
 * The last hidden state of an LSTM over a whole sequence, as ONE differentiable op.
 *
 * tfjs-layers runs an LSTM as a dozen kernels per timestep, each recorded on the gradient tape (about
 * 35,000 kernel calls for one training step at T = 250). Here the input projection of all timesteps is
 * one matrix product, each timestep is one `h · U` product plus a fused elementwise loop in JS, and the
 * backward pass (BPTT) is written out by hand: one `dz · Uᵀ` product per timestep, then three large
 * products for the weight gradients. The maths is Keras's LSTM (gate order i, f, c, o; recurrent
 * activation sigmoid, activation tanh, zero initial state), checked against `tf.layers.lstm` in
 * `test/lstm-sequence.test.ts`.
 *
 * @param x        [batch, time, inputDim]
 * @param kernel   [inputDim, 4·units]
 * @param recurrentKernel [units, 4·units]
 * @param bias     [4·units]
 * @returns        h_T, [batch, units]
 */
export function lstmLastState(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return lstmOp(x, kernel, recurrentKernel, bias) as tf.Tensor2D;
}

const lstmOp = tf.customGrad((...args: unknown[]) => {
  const [x, kernel, recurrent, bias] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const [batch, steps, inputDim] = x.shape;
  const units = recurrent.shape[0];
  const width = 4 * units;
  if (kernel.shape[0] !== inputDim || kernel.shape[1] !== width || recurrent.shape[1] !== width || bias.shape[0] !== width) {
    throw new Error(
      `lstmLastState: shapes do not match (x ${x.shape}, kernel ${kernel.shape}, recurrent ${recurrent.shape}, bias ${bias.shape})`,
    );
  }
  // Each step multiplies a = [h_{t-1}, x_t, 1] by [U; W; b], so z comes out of ONE product. The
  // candidate columns are scaled by 2 so that one sigmoid gives every gate: tanh(z) = 2σ(2z) − 1.
  const augmentedWidth = units + inputDim + 1;
  const scaledWeights = tf.tidy(() => {
    const stacked = tf.concat([recurrent, kernel, tf.reshape(bias, [1, width])], 0);
    const scale = new Float32Array(width).fill(1);
    scale.fill(2, 2 * units, 3 * units);
    return tf.mul(stacked, tf.tensor1d(scale)) as tf.Tensor2D;
  });
  const inputs = x.dataSync() as Float32Array;
  const cellSize = batch * units;
  // Saved for the backward pass, time-major: a [T, B, U+D+1], gates [T, B, 4U] (after activation),
  // cells and tanh(cells) [T, B, U].
  const augmented = new Float32Array(steps * batch * augmentedWidth);
  const gates = new Float32Array(steps * batch * width);
  const cells = new Float32Array(steps * cellSize);
  const tanhCells = new Float32Array(steps * cellSize);
  const last = new Float32Array(cellSize);
  for (let t = 0; t < steps; t++) {
    const aBase = t * batch * augmentedWidth;
    for (let b = 0; b < batch; b++) {
      const row = aBase + b * augmentedWidth;
      for (let d = 0; d < inputDim; d++) augmented[row + units + d] = inputs[(b * steps + t) * inputDim + d]!;
      augmented[row + units + inputDim] = 1;
    }
    const activated = sigmoidOfProduct(augmented.subarray(aBase, aBase + batch * augmentedWidth), [batch, augmentedWidth], scaledWeights);
    const gateBase = t * batch * width;
    const cellBase = t * cellSize;
    const nextBase = aBase + batch * augmentedWidth;
    for (let b = 0; b < batch; b++) {
      const sRow = b * width;
      const gRow = gateBase + sRow;
      for (let j = 0; j < units; j++) {
        const i = activated[sRow + j]!;
        const f = activated[sRow + units + j]!;
        const g = 2 * activated[sRow + 2 * units + j]! - 1;
        const o = activated[sRow + 3 * units + j]!;
        const k = b * units + j;
        const previousCell = t === 0 ? 0 : cells[cellBase - cellSize + k]!;
        const c = f * previousCell + i * g;
        const tc = Math.tanh(c);
        const h = o * tc;
        gates[gRow + j] = i;
        gates[gRow + units + j] = f;
        gates[gRow + 2 * units + j] = g;
        gates[gRow + 3 * units + j] = o;
        cells[cellBase + k] = c;
        tanhCells[cellBase + k] = tc;
        if (t + 1 < steps) augmented[nextBase + b * augmentedWidth + j] = h;
        else last[k] = h;
      }
    }
  }
  scaledWeights.dispose();
  const value = tf.tensor2d(last, [batch, units]);

  const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
    const upstream = (Array.isArray(dy) ? dy[0]! : dy).dataSync() as Float32Array;
    const recurrentT = tf.transpose(recurrent);
    // dz for every step, time-major [T, B, 4U] like `augmented`.
    const dz = new Float32Array(steps * batch * width);
    const dh = Float32Array.from(upstream);
    const dc = new Float32Array(cellSize);
    for (let t = steps - 1; t >= 0; t--) {
      const gateBase = t * batch * width;
      const cellBase = t * cellSize;
      for (let b = 0; b < batch; b++) {
        const gRow = gateBase + b * width;
        for (let j = 0; j < units; j++) {
          const k = b * units + j;
          const i = gates[gRow + j]!;
          const f = gates[gRow + units + j]!;
          const g = gates[gRow + 2 * units + j]!;
          const o = gates[gRow + 3 * units + j]!;
          const tc = tanhCells[cellBase + k]!;
          const previousCell = t === 0 ? 0 : cells[cellBase - cellSize + k]!;
          const dhk = dh[k]!;
          const dck = dc[k]! + dhk * o * (1 - tc * tc);
          dc[k] = dck * f;
          dz[gRow + j] = dck * g * i * (1 - i);
          dz[gRow + units + j] = dck * previousCell * f * (1 - f);
          dz[gRow + 2 * units + j] = dck * i * (1 - g * g);
          dz[gRow + 3 * units + j] = dhk * tc * o * (1 - o);
        }
      }
      if (t > 0) dh.set(product(dz.subarray(gateBase, gateBase + batch * width), [batch, width], recurrentT));
    }
    recurrentT.dispose();
    return tf.tidy(() => {
      const dzMatrix = tf.tensor2d(dz, [steps * batch, width]);
      // d[U; W; b] = aᵀ · dz over every (t, b), split back into the three weights.
      const dAugmented = tf.matMul(tf.tensor2d(augmented, [steps * batch, augmentedWidth]), dzMatrix, true, false);
      const [dRecurrent, dKernel, dBias] = tf.split(dAugmented, [units, inputDim, 1], 0) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      // dx, time-major [T, B, D] → [B, T, D].
      const dxTimeMajor = tf.reshape(tf.matMul(dzMatrix, kernel, false, true), [steps, batch, inputDim]);
      return [tf.transpose(dxTimeMajor, [1, 0, 2]), dKernel, dRecurrent, tf.reshape(dBias, [width])];
    });
  };
  return { value, gradFunc };
});

/** σ(a · b) for a small JS matrix `a` and a tensor `b`, read back synchronously. */
function sigmoidOfProduct(a: Float32Array, shape: [number, number], b: tf.Tensor2D): Float32Array {
  const left = tf.tensor2d(a, shape);
  const z = tf.matMul(left, b);
  const activated = tf.sigmoid(z);
  const out = activated.dataSync() as Float32Array;
  left.dispose();
  z.dispose();
  activated.dispose();
  return out;
}

/** a · b for a small JS matrix `a` and a tensor `b`, read back synchronously. */
function product(a: Float32Array, shape: [number, number], b: tf.Tensor2D): Float32Array {
  const left = tf.tensor2d(a, shape);
  const product = tf.matMul(left, b);
  const out = product.dataSync() as Float32Array;
  left.dispose();
  product.dispose();
  return out;
}
