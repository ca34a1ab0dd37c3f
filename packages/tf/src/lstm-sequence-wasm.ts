import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, scratch, simdKernels, type SimdKernels } from './simd-kernels.js';
import { tf } from './tf.js';

/**
 * The LSTM recurrence of `lstmLastState` on the wasm heap: every timestep's gate product
 * `[h_{t-1}, x_t, 1] · [U; W; b]` is one call of the SIMD GEMM (simd-kernels.wat) on reused scratch
 * areas (no tensor, no allocation per step), the activations and the cell update are one JS loop
 * reading the products in place. BPTT likewise: one GEMM `dz_t · Uᵀ` per step, then one GEMM for all
 * weight gradients and one for dx. Keras's maths (gates i, f, c, o; σ = 1 / (1 + e^(−z)), tanh).
 */

/** Scratch slots (simd-kernels.ts); the conv kernels use 0 and 1. */
const SLOT_FORWARD = 2;
const SLOT_BACKWARD = 3;
const PANEL = 128;

export interface LstmShape {
  readonly batch: number;
  readonly steps: number;
  readonly inputDim: number;
  readonly units: number;
  /** 4 · units */
  readonly width: number;
  /** units + inputDim + 1: the row [h_{t-1}, x_t, 1] */
  readonly augmentedWidth: number;
}

/** What the backward pass needs, time-major: a [T, B, U+D+1], gates [T, B, 4U] (i, f, g, o), cells and tanh(cells) [T, B, U]. */
export interface LstmTrace {
  readonly augmented: Float32Array;
  readonly gates: Float32Array;
  readonly cells: Float32Array;
  readonly tanhCells: Float32Array;
}

/** The SIMD kernels when the active backend is wasm and they are available, else undefined. */
export function wasmLstmKernels(): { backend: BackendWasm; kernels: SimdKernels } | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as BackendWasm;
  const kernels = simdKernels(backend);
  return kernels === undefined ? undefined : { backend, kernels };
}

/** [U; W; b] rows (augmentedWidth × width), unscaled. */
export function stackedWeights(shape: LstmShape, kernel: Float32Array, recurrent: Float32Array, bias: Float32Array): Float32Array {
  const { units, inputDim, width, augmentedWidth } = shape;
  const out = new Float32Array(augmentedWidth * width);
  out.set(recurrent, 0);
  out.set(kernel, units * width);
  out.set(bias, (units + inputDim) * width);
  return out;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Runs the recurrence; fills `trace` if given (training) and returns h_T [B, U]. */
export function lstmForwardWasm(
  wasm: { backend: BackendWasm; kernels: SimdKernels },
  shape: LstmShape,
  inputs: Float32Array,
  weights: Float32Array,
  trace: LstmTrace | undefined,
): Float32Array {
  const { backend, kernels } = wasm;
  const { batch, steps, inputDim, units, width, augmentedWidth } = shape;
  const wSize = augmentedWidth * width;
  const aSize = batch * augmentedWidth;
  const zSize = batch * width;
  const cSize = batch * units;
  const simdCell = units % 4 === 0;
  const total = wSize + aSize + zSize + 4 * cSize;
  const base = scratch(backend, SLOT_FORWARD, total * 4);
  const wPtr = base;
  const aPtr = base + wSize * 4;
  const zPtr = aPtr + aSize * 4;
  const cPtr = [zPtr + zSize * 4, zPtr + (zSize + cSize) * 4];
  const tPtr = zPtr + (zSize + 2 * cSize) * 4;
  const heap = heapF32(backend, base, total);
  heap.set(weights, 0);
  const aug = heap.subarray(wSize, wSize + aSize);
  const z = heap.subarray(wSize + aSize, wSize + aSize + zSize);
  const cellViews = [heap.subarray(wSize + aSize + zSize, wSize + aSize + zSize + cSize), heap.subarray(wSize + aSize + zSize + cSize, wSize + aSize + zSize + 2 * cSize)];
  const tanhView = heap.subarray(wSize + aSize + zSize + 2 * cSize, wSize + aSize + zSize + 3 * cSize);
  const hPtr = tPtr + cSize * 4;
  const hView = heap.subarray(wSize + aSize + zSize + 3 * cSize, total);
  const cells = new Float32Array(cSize);
  const last = new Float32Array(cSize);
  for (let b = 0; b < batch; b++) aug.fill(0, b * augmentedWidth, b * augmentedWidth + units);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const row = b * augmentedWidth + units;
      const source = (b * steps + t) * inputDim;
      for (let d = 0; d < inputDim; d++) aug[row + d] = inputs[source + d]!;
      aug[row + inputDim] = 1;
    }
    kernels.gemm(zPtr, width * 4, aPtr, augmentedWidth * 4, 4, wPtr, width * 4, batch, width, augmentedWidth, 1, 0, 0, 0, 0);
    if (trace !== undefined) trace.augmented.set(aug, t * aSize);
    const final = t === steps - 1;
    if (simdCell) {
      // h goes straight into the next step's [h, x, 1] rows (or h_T)
      const cur = t % 2;
      kernels.lstm_cell_forward(zPtr, cPtr[1 - cur]!, cPtr[cur]!, tPtr, final ? hPtr : aPtr, final ? units * 4 : augmentedWidth * 4, batch, units, t === 0 ? 1 : 0);
      if (final) last.set(hView);
      if (trace !== undefined) {
        trace.gates.set(z, t * zSize);
        trace.cells.set(cellViews[cur]!, t * cSize);
        trace.tanhCells.set(tanhView, t * cSize);
      }
      continue;
    }
    const gateBase = t * zSize;
    const cellBase = t * cSize;
    for (let b = 0; b < batch; b++) {
      const s = b * width;
      const hRow = final ? b * units : b * augmentedWidth;
      const cRow = b * units;
      for (let j = 0; j < units; j++) {
        const i = sigmoid(z[s + j]!);
        const f = sigmoid(z[s + units + j]!);
        const g = Math.tanh(z[s + 2 * units + j]!);
        const o = sigmoid(z[s + 3 * units + j]!);
        const c = (t === 0 ? 0 : f * cells[cRow + j]!) + i * g;
        const tc = Math.tanh(c);
        cells[cRow + j] = c;
        const h = o * tc;
        if (final) last[hRow + j] = h;
        else aug[hRow + j] = h;
        if (trace !== undefined) {
          const gRow = gateBase + s;
          trace.gates[gRow + j] = i;
          trace.gates[gRow + units + j] = f;
          trace.gates[gRow + 2 * units + j] = g;
          trace.gates[gRow + 3 * units + j] = o;
          trace.cells[cellBase + cRow + j] = c;
          trace.tanhCells[cellBase + cRow + j] = tc;
        }
      }
    }
  }
  return last;
}

/** BPTT from dh_T: returns [dx (B, T, D), dKernel (D, 4U), dRecurrent (U, 4U), dBias (4U)] as arrays. */
export function lstmBackwardWasm(
  wasm: { backend: BackendWasm; kernels: SimdKernels },
  shape: LstmShape,
  trace: LstmTrace,
  dhLast: Float32Array,
  kernel: Float32Array,
  recurrent: Float32Array,
): [Float32Array, Float32Array, Float32Array, Float32Array] {
  const { backend, kernels } = wasm;
  const { batch, steps, inputDim, units, width, augmentedWidth } = shape;
  const rows = steps * batch;
  const simdCell = units % 4 === 0;
  const sizes = {
    uT: width * units,
    wT: width * inputDim,
    dz: rows * width,
    aug: rows * augmentedWidth,
    dh: batch * units,
    dc: batch * units,
    dAug: augmentedWidth * width,
    dx: rows * inputDim,
    gates: simdCell ? rows * width : 0,
    cells: simdCell ? rows * units : 0,
    tanhCells: simdCell ? rows * units : 0,
  };
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  const base = scratch(backend, SLOT_BACKWARD, total * 4);
  let offset = 0;
  const at: Record<keyof typeof sizes, number> = {} as never;
  for (const key of Object.keys(sizes) as (keyof typeof sizes)[]) {
    at[key] = offset;
    offset += sizes[key];
  }
  const heap = heapF32(backend, base, total);
  const view = (key: keyof typeof sizes) => heap.subarray(at[key], at[key] + sizes[key]);
  const ptr = (key: keyof typeof sizes) => base + at[key] * 4;
  const uT = view('uT');
  for (let j = 0; j < units; j++) for (let p = 0; p < width; p++) uT[p * units + j] = recurrent[j * width + p]!;
  const wT = view('wT');
  for (let d = 0; d < inputDim; d++) for (let p = 0; p < width; p++) wT[p * inputDim + d] = kernel[d * width + p]!;
  view('aug').set(trace.augmented);
  const dz = view('dz');
  const dh = view('dh');
  dh.set(dhLast);
  const dc = view('dc');
  dc.fill(0);
  if (simdCell) {
    view('gates').set(trace.gates);
    view('cells').set(trace.cells);
    view('tanhCells').set(trace.tanhCells);
  }
  for (let t = steps - 1; t >= 0; t--) {
    const gateBase = t * batch * width;
    const cellBase = t * batch * units;
    const previousBase = cellBase - batch * units;
    if (simdCell) {
      kernels.lstm_cell_backward(
        ptr('gates') + gateBase * 4,
        ptr('cells') + Math.max(0, previousBase) * 4,
        ptr('tanhCells') + cellBase * 4,
        ptr('dh'),
        ptr('dc'),
        ptr('dz') + gateBase * 4,
        batch,
        units,
        t === 0 ? 1 : 0,
      );
    } else {
      for (let b = 0; b < batch; b++) {
        const gRow = gateBase + b * width;
        const kRow = b * units;
        for (let j = 0; j < units; j++) {
          const i = trace.gates[gRow + j]!;
          const f = trace.gates[gRow + units + j]!;
          const g = trace.gates[gRow + 2 * units + j]!;
          const o = trace.gates[gRow + 3 * units + j]!;
          const tc = trace.tanhCells[cellBase + kRow + j]!;
          const previous = t === 0 ? 0 : trace.cells[previousBase + kRow + j]!;
          const dhk = dh[kRow + j]!;
          const dck = dc[kRow + j]! + dhk * o * (1 - tc * tc);
          dc[kRow + j] = dck * f;
          dz[gRow + j] = dck * g * i * (1 - i);
          dz[gRow + units + j] = dck * previous * f * (1 - f);
          dz[gRow + 2 * units + j] = dck * i * (1 - g * g);
          dz[gRow + 3 * units + j] = dhk * tc * o * (1 - o);
        }
      }
    }
    if (t > 0) kernels.gemm(ptr('dh'), units * 4, ptr('dz') + gateBase * 4, width * 4, 4, ptr('uT'), units * 4, batch, units, width, 1, 0, 0, 0, 0);
  }
  // d[U; W; b] = Σ_{t,b} a_{t,b}ᵀ dz_{t,b}, in panels of rows.
  for (let r0 = 0; r0 < rows; r0 += PANEL) {
    const count = Math.min(PANEL, rows - r0);
    kernels.gemm(ptr('dAug'), width * 4, ptr('aug') + r0 * augmentedWidth * 4, 4, augmentedWidth * 4, ptr('dz') + r0 * width * 4, width * 4, augmentedWidth, width, count, 1, 0, 0, 0, r0 === 0 ? 0 : 1);
  }
  // dx_t = dz_t · Wᵀ, time-major, then [B, T, D].
  kernels.gemm(ptr('dx'), inputDim * 4, ptr('dz'), width * 4, 4, ptr('wT'), inputDim * 4, rows, inputDim, width, 1, 0, 0, 0, 0);
  const dAug = view('dAug');
  const dxTime = view('dx');
  const dx = new Float32Array(rows * inputDim);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const from = (t * batch + b) * inputDim;
      dx.set(dxTime.subarray(from, from + inputDim), (b * steps + t) * inputDim);
    }
  }
  const dRecurrent = dAug.slice(0, units * width);
  const dKernel = dAug.slice(units * width, (units + inputDim) * width);
  const dBias = dAug.slice((units + inputDim) * width, (units + inputDim + 1) * width);
  return [dx, dKernel, dRecurrent, dBias];
}
