import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAlloc, heapF32, heapFree, scratch, simdKernels, type SimdKernels } from './simd-kernels.js';
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

/**
 * What the backward pass needs, on the wasm heap (byte offsets), time-major: the GEMM rows a
 * [T, B, U+D+1], the activated gates [T, B, 4U] (i, f, g, o), cells and tanh(cells) [T, B, U]. The
 * forward pass writes them in place (the gate product lands in `gates`, h goes straight into the next
 * step's rows) and the backward pass reads them in place, so nothing is copied per step or per batch.
 * Take one with `takeLstmTrace`, give it back with `releaseLstmTrace`.
 */
export interface LstmTrace {
  readonly block: TraceBlock;
  /** The block's generation when taken: a trace whose block was reclaimed since is refused. */
  readonly generation: number;
  readonly augmented: number;
  readonly gates: number;
  readonly cells: number;
  readonly tanhCells: number;
}

interface TraceBlock {
  readonly backend: BackendWasm;
  readonly pointer: number;
  readonly bytes: number;
  generation: number;
  busy: boolean;
  taken: number;
}

/** Heap blocks of traces, reused across batches (≈ 14 MB each at B = 32, T = 250, U = 64). */
const traceBlocks: TraceBlock[] = [];
/** Forward passes that may await their backward pass at once (one per LSTM layer of a model). */
const MAX_BUSY_TRACES = 16;
/** Idle blocks kept for the next batches. */
const MAX_IDLE_TRACES = 4;
let traceClock = 0;

/** A trace for one forward pass with a gradient tape; reuses an idle block of the pool when one is large enough. */
export function takeLstmTrace(wasm: { backend: BackendWasm }, shape: LstmShape): LstmTrace {
  const { backend } = wasm;
  const { batch, steps, units, width, augmentedWidth } = shape;
  const rows = steps * batch;
  const bytes = 4 * rows * (augmentedWidth + width + 2 * units);
  for (let k = traceBlocks.length - 1; k >= 0; k--) if (traceBlocks[k]!.backend !== backend) traceBlocks.splice(k, 1);
  let block = traceBlocks.filter((b) => !b.busy && b.bytes >= bytes).sort((a, b) => a.bytes - b.bytes)[0];
  if (block === undefined) {
    const busy = traceBlocks.filter((b) => b.busy);
    if (busy.length >= MAX_BUSY_TRACES) {
      // a forward pass whose backward never ran: its block is taken back (its trace is then refused)
      const oldest = busy.sort((a, b) => a.taken - b.taken)[0]!;
      oldest.busy = false;
      oldest.generation++;
    }
    const idle = traceBlocks.filter((b) => !b.busy);
    const small = idle.find((b) => b.bytes < bytes);
    if (small !== undefined || idle.length >= MAX_IDLE_TRACES) {
      const drop = small ?? idle[0]!;
      heapFree(backend, drop.pointer);
      traceBlocks.splice(traceBlocks.indexOf(drop), 1);
    }
    block = traceBlocks.find((b) => !b.busy && b.bytes >= bytes);
    if (block === undefined) {
      block = { backend, pointer: heapAlloc(backend, bytes), bytes, generation: 0, busy: false, taken: 0 };
      traceBlocks.push(block);
    }
  }
  block.busy = true;
  block.generation++;
  block.taken = ++traceClock;
  const augmented = block.pointer;
  const gates = augmented + 4 * rows * augmentedWidth;
  const cells = gates + 4 * rows * width;
  const tanhCells = cells + 4 * rows * units;
  return { block, generation: block.generation, augmented, gates, cells, tanhCells };
}

/** Gives a trace's block back to the pool (after its backward pass). */
export function releaseLstmTrace(trace: LstmTrace): void {
  if (trace.block.generation === trace.generation) trace.block.busy = false;
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
  // scratch: [U; W; b] and h_T; without a trace also the rows of every step, one gate block, two cell
  // blocks (alternating) and one tanh block
  const scratchSize = wSize + cSize + (trace === undefined ? steps * aSize + zSize + 3 * cSize : 0);
  const base = scratch(backend, SLOT_FORWARD, scratchSize * 4);
  const wPtr = base;
  const hPtr = base + wSize * 4;
  const own = hPtr + cSize * 4;
  const augPtr = trace?.augmented ?? own;
  const zPtr = trace?.gates ?? own + steps * aSize * 4;
  const zStep = trace === undefined ? 0 : zSize * 4;
  const cellAt = trace === undefined ? (t: number) => zPtr + zSize * 4 + (t % 2) * cSize * 4 : (t: number) => trace.cells + t * cSize * 4;
  const tanhAt = trace === undefined ? () => zPtr + zSize * 4 + 2 * cSize * 4 : (t: number) => trace.tanhCells + t * cSize * 4;
  // views after the last allocation (growing the heap detaches them)
  const heap = heapF32(backend, 0, (backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length >>> 2);
  heap.set(weights, wPtr >>> 2);
  // [h, x_t, 1] rows of every step: h of step 0 is zero, later ones are written by the cell
  const aug0 = augPtr >>> 2;
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const row = aug0 + t * aSize + b * augmentedWidth;
      if (t === 0) heap.fill(0, row, row + units);
      const source = (b * steps + t) * inputDim;
      for (let d = 0; d < inputDim; d++) heap[row + units + d] = inputs[source + d]!;
      heap[row + units + inputDim] = 1;
    }
  }
  for (let t = 0; t < steps; t++) {
    const zt = zPtr + t * zStep;
    kernels.gemm(zt, width * 4, augPtr + t * aSize * 4, augmentedWidth * 4, 4, wPtr, width * 4, batch, width, augmentedWidth, 1, 0, 0, 0, 0);
    const final = t === steps - 1;
    // h goes straight into the next step's [h, x, 1] rows (or h_T)
    const hOut = final ? hPtr : augPtr + (t + 1) * aSize * 4;
    const hStride = final ? units : augmentedWidth;
    if (simdCell) {
      kernels.lstm_cell_forward(zt, cellAt(t === 0 ? 0 : t - 1), cellAt(t), tanhAt(t), hOut, hStride * 4, batch, units, t === 0 ? 1 : 0);
      continue;
    }
    // the same step in JS (units % 4 ≠ 0): activated gates back into z, like the SIMD kernel
    const z0 = zt >>> 2;
    const c0 = cellAt(t) >>> 2;
    const p0 = cellAt(t === 0 ? 0 : t - 1) >>> 2;
    const tc0 = tanhAt(t) >>> 2;
    const h0 = hOut >>> 2;
    for (let b = 0; b < batch; b++) {
      const s = z0 + b * width;
      for (let j = 0; j < units; j++) {
        const i = sigmoid(heap[s + j]!);
        const f = sigmoid(heap[s + units + j]!);
        const g = Math.tanh(heap[s + 2 * units + j]!);
        const o = sigmoid(heap[s + 3 * units + j]!);
        const c = (t === 0 ? 0 : f * heap[p0 + b * units + j]!) + i * g;
        const tc = Math.tanh(c);
        heap[s + j] = i;
        heap[s + units + j] = f;
        heap[s + 2 * units + j] = g;
        heap[s + 3 * units + j] = o;
        heap[c0 + b * units + j] = c;
        heap[tc0 + b * units + j] = tc;
        heap[h0 + b * hStride + j] = o * tc;
      }
    }
  }
  return heap.slice(hPtr >>> 2, (hPtr >>> 2) + cSize);
}

/**
 * BPTT from dh_T: returns [dx (B, T, D), dKernel (D, 4U), dRecurrent (U, 4U), dBias (4U)] as arrays.
 * The trace is read in place and its gates are overwritten by dz (the trace is spent).
 */
export function lstmBackwardWasm(
  wasm: { backend: BackendWasm; kernels: SimdKernels },
  shape: LstmShape,
  trace: LstmTrace,
  dhLast: Float32Array,
  kernel: Float32Array,
  recurrent: Float32Array,
): [Float32Array, Float32Array, Float32Array, Float32Array] {
  const { backend, kernels } = wasm;
  if (trace.block.generation !== trace.generation || trace.block.backend !== backend) {
    throw new Error(`@pipeline/tf: the LSTM trace of this forward pass was reused (more than ${MAX_BUSY_TRACES} LSTM forward passes awaited their backward pass)`);
  }
  const { batch, steps, inputDim, units, width, augmentedWidth } = shape;
  const rows = steps * batch;
  const simdCell = units % 4 === 0;
  const sizes = {
    uT: width * units,
    wT: width * inputDim,
    dh: batch * units,
    dc: batch * units,
    dAug: augmentedWidth * width,
    dx: rows * inputDim,
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
  const dh = view('dh');
  dh.set(dhLast);
  const dc = view('dc');
  dc.fill(0);
  // dz of step t overwrites the gates of step t (each element is read before it is written)
  const dzPtr = trace.gates;
  const all = simdCell ? undefined : heapF32(backend, 0, (backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length >>> 2);
  for (let t = steps - 1; t >= 0; t--) {
    const gateAt = trace.gates + t * batch * width * 4;
    const cellAt = trace.cells + t * batch * units * 4;
    const previousAt = t === 0 ? cellAt : cellAt - batch * units * 4;
    const tanhAt = trace.tanhCells + t * batch * units * 4;
    if (simdCell) {
      kernels.lstm_cell_backward(gateAt, previousAt, tanhAt, ptr('dh'), ptr('dc'), gateAt, batch, units, t === 0 ? 1 : 0);
    } else {
      const g0 = gateAt >>> 2;
      const p0 = previousAt >>> 2;
      const tc0 = tanhAt >>> 2;
      for (let b = 0; b < batch; b++) {
        const gRow = g0 + b * width;
        const kRow = b * units;
        for (let j = 0; j < units; j++) {
          const i = all![gRow + j]!;
          const f = all![gRow + units + j]!;
          const g = all![gRow + 2 * units + j]!;
          const o = all![gRow + 3 * units + j]!;
          const tc = all![tc0 + kRow + j]!;
          const previous = t === 0 ? 0 : all![p0 + kRow + j]!;
          const dhk = dh[kRow + j]!;
          const dck = dc[kRow + j]! + dhk * o * (1 - tc * tc);
          dc[kRow + j] = dck * f;
          all![gRow + j] = dck * g * i * (1 - i);
          all![gRow + units + j] = dck * previous * f * (1 - f);
          all![gRow + 2 * units + j] = dck * i * (1 - g * g);
          all![gRow + 3 * units + j] = dhk * tc * o * (1 - o);
        }
      }
    }
    if (t > 0) kernels.gemm(ptr('dh'), units * 4, gateAt, width * 4, 4, ptr('uT'), units * 4, batch, units, width, 1, 0, 0, 0, 0);
  }
  // d[U; W; b] = Σ_{t,b} a_{t,b}ᵀ dz_{t,b}, in panels of rows.
  for (let r0 = 0; r0 < rows; r0 += PANEL) {
    const count = Math.min(PANEL, rows - r0);
    kernels.gemm(ptr('dAug'), width * 4, trace.augmented + r0 * augmentedWidth * 4, 4, augmentedWidth * 4, dzPtr + r0 * width * 4, width * 4, augmentedWidth, width, count, 1, 0, 0, 0, r0 === 0 ? 0 : 1);
  }
  // dx_t = dz_t · Wᵀ, time-major, then [B, T, D].
  kernels.gemm(ptr('dx'), inputDim * 4, dzPtr, width * 4, 4, ptr('wT'), inputDim * 4, rows, inputDim, width, 1, 0, 0, 0, 0);
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
