import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { lstmBackwardWasm, lstmForwardWasm, releaseLstmTrace, stackedWeights, takeLstmTrace, wasmLstmKernels } from './lstm-sequence-wasm.js';
import { tf } from './tf.js';

/**
 * The last hidden state of an LSTM over a whole sequence, as ONE differentiable op.
 *
 * tfjs-layers runs an LSTM as a dozen kernels per timestep, each recorded on the gradient tape (about
 * 35,000 kernel calls for one training step at T = 250). Here each timestep is one product
 * `[h_{t-1}, x_t, 1] · [U; W; b]` and one sigmoid on the backend, plus a fused elementwise loop in JS;
 * the backward pass (BPTT) is written out by hand: one `dz · Uᵀ` product per timestep, then one large
 * product for all weight gradients. Without a gradient tape (inference) nothing is kept per step.
 * The maths is Keras's LSTM (gate order i, f, c, o; recurrent activation sigmoid, activation tanh,
 * zero initial state), checked against `tf.layers.lstm` in `test/lstm-sequence.test.ts`.
 *
 * @param x        [batch, time, inputDim]
 * @param kernel   [inputDim, 4·units]
 * @param recurrentKernel [units, 4·units]
 * @param bias     [4·units]
 * @returns        h_T, [batch, units]
 * @internal Exported for the package's tests; not part of the public API.
 */
export function lstmLastState(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const shape = shapeOf(x, kernel, recurrentKernel, bias);
  const wasm = wasmLstmKernels();
  if (wasm !== undefined) {
    if (!tf.engine().isTapeOn()) {
      const weights = stackedWeights(shape, kernel.dataSync() as Float32Array, recurrentKernel.dataSync() as Float32Array, bias.dataSync() as Float32Array);
      return tf.tensor2d(lstmForwardWasm(wasm, shape, x.dataSync() as Float32Array, weights, undefined), [shape.batch, shape.units]);
    }
    return lstmOpWasm(x, kernel, recurrentKernel, bias) as tf.Tensor2D;
  }
  if (!tf.engine().isTapeOn()) {
    const weights = scaledWeights(shape, kernel, recurrentKernel, bias);
    try {
      return tf.tensor2d(runForward(shape, x.dataSync() as Float32Array, weights, undefined), [shape.batch, shape.units]);
    } finally {
      weights.dispose();
    }
  }
  return lstmOp(x, kernel, recurrentKernel, bias) as tf.Tensor2D;
}

interface Shape {
  readonly batch: number;
  readonly steps: number;
  readonly inputDim: number;
  readonly units: number;
  /** 4 · units */
  readonly width: number;
  /** units + inputDim + 1: the row [h_{t-1}, x_t, 1] */
  readonly augmentedWidth: number;
}

/** What the backward pass needs, time-major: a [T, B, U+D+1], gates [T, B, 4U], cells and tanh(cells) [T, B, U]. */
interface Trace {
  readonly augmented: Float32Array;
  readonly gates: Float32Array;
  readonly cells: Float32Array;
  readonly tanhCells: Float32Array;
}

function shapeOf(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrent: tf.Tensor2D, bias: tf.Tensor1D): Shape {
  const [batch, steps, inputDim] = x.shape;
  const units = recurrent.shape[0];
  const width = 4 * units;
  if (kernel.shape[0] !== inputDim || kernel.shape[1] !== width || recurrent.shape[1] !== width || bias.shape[0] !== width) {
    throw new Error(
      `lstmLastState: shapes do not match (x ${x.shape}, kernel ${kernel.shape}, recurrent ${recurrent.shape}, bias ${bias.shape})`,
    );
  }
  return { batch, steps, inputDim, units, width, augmentedWidth: units + inputDim + 1 };
}

/**
 * [U; W; b] with the candidate columns scaled by 2, so that one sigmoid gives every gate:
 * tanh(z) = 2σ(2z) − 1.
 */
function scaledWeights(shape: Shape, kernel: tf.Tensor2D, recurrent: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const stacked = tf.concat([recurrent, kernel, tf.reshape(bias, [1, shape.width])], 0);
    const scale = new Float32Array(shape.width).fill(1);
    scale.fill(2, 2 * shape.units, 3 * shape.units);
    return tf.mul(stacked, tf.tensor1d(scale)) as tf.Tensor2D;
  });
}

/** Runs the recurrence; fills `trace` if given (training) and returns h_T. */
function runForward(shape: Shape, inputs: Float32Array, weights: tf.Tensor2D, trace: Trace | undefined): Float32Array {
  const { batch, steps, units, width, augmentedWidth } = shape;
  const cellSize = batch * units;
  const blockSize = batch * augmentedWidth;
  // Without a trace, one step's worth of scratch is reused (cells are updated in place).
  const augmented = trace?.augmented ?? new Float32Array(2 * blockSize);
  const gates = trace?.gates ?? new Float32Array(0);
  const cells = trace?.cells ?? new Float32Array(cellSize);
  const tanhCells = trace?.tanhCells ?? new Float32Array(0);
  const last = new Float32Array(cellSize);
  for (let t = 0; t < steps; t++) {
    const aBase = trace === undefined ? (t % 2) * blockSize : t * blockSize;
    const nextBase = trace === undefined ? ((t + 1) % 2) * blockSize : (t + 1) * blockSize;
    writeInputs(augmented, aBase, inputs, shape, t);
    if (t === 0) clearHidden(augmented, aBase, batch, units, augmentedWidth);
    const hidden = t + 1 < steps ? augmented : last;
    const hiddenBase = t + 1 < steps ? nextBase : 0;
    const hiddenStride = t + 1 < steps ? augmentedWidth : units;
    withSigmoidOfProduct(augmented.subarray(aBase, aBase + blockSize), [batch, augmentedWidth], weights, (activated) => {
      if (trace === undefined) {
        cellInference(activated, batch, units, cells, t === 0, hidden, hiddenBase, hiddenStride);
      } else {
        const here = t * cellSize;
        cellForward(activated, batch, units, cells, t === 0 ? -1 : here - cellSize, here, tanhCells, gates, t * batch * width, hidden, hiddenBase, hiddenStride);
      }
    });
  }
  return last;
}

/** Writes x_t and the constant 1 into rows of the augmented block. */
function writeInputs(augmented: Float32Array, base: number, inputs: Float32Array, shape: Shape, t: number): void {
  const { batch, steps, inputDim, units, augmentedWidth } = shape;
  for (let b = 0; b < batch; b++) {
    const row = base + b * augmentedWidth + units;
    const source = (b * steps + t) * inputDim;
    for (let d = 0; d < inputDim; d++) augmented[row + d] = inputs[source + d]!;
    augmented[row + inputDim] = 1;
  }
}

function clearHidden(augmented: Float32Array, base: number, batch: number, units: number, augmentedWidth: number): void {
  for (let b = 0; b < batch; b++) augmented.fill(0, base + b * augmentedWidth, base + b * augmentedWidth + units);
}

/**
 * One timestep's elementwise part, hot: gates from the sigmoids, c = f·c' + i·g, h = o·tanh(c).
 * `previousCell` < 0 means a zero initial cell; h of row b goes to hidden[hiddenBase + b·hiddenStride + j].
 */
function cellForward(
  activated: Float32Array,
  batch: number,
  units: number,
  cells: Float32Array,
  previousCell: number,
  cellBase: number,
  tanhCells: Float32Array,
  gates: Float32Array,
  gateBase: number,
  hidden: Float32Array,
  hiddenBase: number,
  hiddenStride: number,
): void {
  const width = 4 * units;
  for (let b = 0; b < batch; b++) {
    const s = b * width;
    const gRow = gateBase + s;
    const hRow = hiddenBase + b * hiddenStride;
    const cRow = cellBase + b * units;
    const pRow = previousCell + b * units;
    for (let j = 0; j < units; j++) {
      const i = activated[s + j]!;
      const f = activated[s + units + j]!;
      const g = 2 * activated[s + 2 * units + j]! - 1;
      const o = activated[s + 3 * units + j]!;
      const c = (previousCell < 0 ? 0 : f * cells[pRow + j]!) + i * g;
      const tc = Math.tanh(c);
      gates[gRow + j] = i;
      gates[gRow + units + j] = f;
      gates[gRow + 2 * units + j] = g;
      gates[gRow + 3 * units + j] = o;
      cells[cRow + j] = c;
      tanhCells[cRow + j] = tc;
      hidden[hRow + j] = o * tc;
    }
  }
}

/** The same step without recording anything: cells are updated in place (inference). */
function cellInference(
  activated: Float32Array,
  batch: number,
  units: number,
  cells: Float32Array,
  first: boolean,
  hidden: Float32Array,
  hiddenBase: number,
  hiddenStride: number,
): void {
  const width = 4 * units;
  for (let b = 0; b < batch; b++) {
    const s = b * width;
    const hRow = hiddenBase + b * hiddenStride;
    const cRow = b * units;
    for (let j = 0; j < units; j++) {
      const g = 2 * activated[s + 2 * units + j]! - 1;
      const c = (first ? 0 : activated[s + units + j]! * cells[cRow + j]!) + activated[s + j]! * g;
      cells[cRow + j] = c;
      hidden[hRow + j] = activated[s + 3 * units + j]! * Math.tanh(c);
    }
  }
}

/**
 * One timestep of BPTT, hot: from dh (into h_t) and dc (carried), writes dz [B, 4U] at dzBase and
 * updates dc in place to the gradient into c_{t-1}.
 */
function cellBackward(
  batch: number,
  units: number,
  gates: Float32Array,
  gateBase: number,
  cells: Float32Array,
  previousCell: number,
  tanhCells: Float32Array,
  cellBase: number,
  dh: Float32Array,
  dc: Float32Array,
  dz: Float32Array,
  dzBase: number,
): void {
  const width = 4 * units;
  for (let b = 0; b < batch; b++) {
    const gRow = gateBase + b * width;
    const zRow = dzBase + b * width;
    const cRow = cellBase + b * units;
    const pRow = previousCell + b * units;
    const kRow = b * units;
    for (let j = 0; j < units; j++) {
      const i = gates[gRow + j]!;
      const f = gates[gRow + units + j]!;
      const g = gates[gRow + 2 * units + j]!;
      const o = gates[gRow + 3 * units + j]!;
      const tc = tanhCells[cRow + j]!;
      const previous = previousCell < 0 ? 0 : cells[pRow + j]!;
      const dhk = dh[kRow + j]!;
      const dck = dc[kRow + j]! + dhk * o * (1 - tc * tc);
      dc[kRow + j] = dck * f;
      dz[zRow + j] = dck * g * i * (1 - i);
      dz[zRow + units + j] = dck * previous * f * (1 - f);
      dz[zRow + 2 * units + j] = dck * i * (1 - g * g);
      dz[zRow + 3 * units + j] = dhk * tc * o * (1 - o);
    }
  }
}

const lstmOpWasm = tf.customGrad((...args: unknown[]) => {
  const [x, kernel, recurrent, bias] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const shape = shapeOf(x, kernel, recurrent, bias);
  const { batch, units } = shape;
  const wasm = wasmLstmKernels()!;
  // On the wasm heap, reused across batches (≈ 14 MB at B = 32, T = 250, U = 64); given back after the
  // backward pass (a block whose backward never runs is taken back by a later forward pass).
  const trace = takeLstmTrace(wasm, shape);
  const kernelValues = kernel.dataSync() as Float32Array;
  const recurrentValues = recurrent.dataSync() as Float32Array;
  const weights = stackedWeights(shape, kernelValues, recurrentValues, bias.dataSync() as Float32Array);
  const value = tf.tensor2d(lstmForwardWasm(wasm, shape, x.dataSync() as Float32Array, weights, trace), [batch, units]);
  const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
    const dh = (Array.isArray(dy) ? dy[0]! : dy).dataSync() as Float32Array;
    let grads: [Float32Array, Float32Array, Float32Array, Float32Array];
    try {
      grads = lstmBackwardWasm(wasmLstmKernels() ?? wasm, shape, trace, dh, kernelValues, recurrentValues);
    } finally {
      releaseLstmTrace(trace);
    }
    const [dx, dKernel, dRecurrent, dBias] = grads;
    return [tf.tensor3d(dx, x.shape), tf.tensor2d(dKernel, kernel.shape), tf.tensor2d(dRecurrent, recurrent.shape), tf.tensor1d(dBias)];
  };
  return { value, gradFunc };
});

const lstmOp = tf.customGrad((...args: unknown[]) => {
  const [x, kernel, recurrent, bias] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const shape = shapeOf(x, kernel, recurrent, bias);
  const { batch, steps, inputDim, units, width, augmentedWidth } = shape;
  const cellSize = batch * units;
  const trace: Trace = {
    augmented: new Float32Array(steps * batch * augmentedWidth),
    gates: new Float32Array(steps * batch * width),
    cells: new Float32Array(steps * cellSize),
    tanhCells: new Float32Array(steps * cellSize),
  };
  const weights = scaledWeights(shape, kernel, recurrent, bias);
  const last = runForward(shape, x.dataSync() as Float32Array, weights, trace);
  weights.dispose();
  const value = tf.tensor2d(last, [batch, units]);

  const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
    const dh = Float32Array.from((Array.isArray(dy) ? dy[0]! : dy).dataSync() as Float32Array);
    const dc = new Float32Array(cellSize);
    const dz = new Float32Array(steps * batch * width); // time-major, like trace.augmented
    const recurrentT = tf.transpose(recurrent);
    for (let t = steps - 1; t >= 0; t--) {
      const gateBase = t * batch * width;
      cellBackward(batch, units, trace.gates, gateBase, trace.cells, t === 0 ? -1 : (t - 1) * cellSize, trace.tanhCells, t * cellSize, dh, dc, dz, gateBase);
      if (t > 0) dh.set(product(dz.subarray(gateBase, gateBase + batch * width), [batch, width], recurrentT));
    }
    recurrentT.dispose();
    return tf.tidy(() => {
      const dzMatrix = tf.tensor2d(dz, [steps * batch, width]);
      // d[U; W; b] = aᵀ · dz over every (t, b), split back into the three weights.
      const dAugmented = tf.matMul(tf.tensor2d(trace.augmented, [steps * batch, augmentedWidth]), dzMatrix, true, false);
      const [dRecurrent, dKernel, dBias] = tf.split(dAugmented, [units, inputDim, 1], 0) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      // dx, time-major [T, B, D] → [B, T, D].
      const dxTimeMajor = tf.reshape(tf.matMul(dzMatrix, kernel, false, true), [steps, batch, inputDim]);
      return [tf.transpose(dxTimeMajor, [1, 0, 2]), dKernel, dRecurrent, tf.reshape(dBias, [width])];
    });
  };
  return { value, gradFunc };
});

/**
 * Calls `use` with σ(a · b) for a small JS matrix `a` and a tensor `b`. On wasm the values are read
 * in place from the heap (no copy, no garbage); elsewhere through dataSync.
 */
function withSigmoidOfProduct(a: Float32Array, shape: [number, number], b: tf.Tensor2D, use: (values: Float32Array) => void): void {
  const left = tf.tensor2d(a, shape);
  const activated = tf.fused.matMul({ a: left, b, activation: 'sigmoid' });
  try {
    use(readInPlace(activated));
  } finally {
    left.dispose();
    activated.dispose();
  }
}

/** A tensor's values without copying where the backend allows (valid until the next allocation). */
function readInPlace(tensor: tf.Tensor): Float32Array {
  const backend = tf.backend() as Partial<BackendWasm>;
  if (tf.getBackend() === 'wasm' && backend.typedArrayFromHeap !== undefined) return backend.typedArrayFromHeap(tensor) as Float32Array;
  return tensor.dataSync() as Float32Array;
}

/** a · b for a small JS matrix `a` and a tensor `b`, read back synchronously. */
function product(a: Float32Array, shape: [number, number], b: tf.Tensor2D): Float32Array {
  const left = tf.tensor2d(a, shape);
  const result = tf.matMul(left, b);
  const out = result.dataSync() as Float32Array;
  left.dispose();
  result.dispose();
  return out;
}
