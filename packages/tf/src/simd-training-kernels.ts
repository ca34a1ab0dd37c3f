import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ACCUMULATE, ADD_BIAS, heapF32, heapOffset, RELU, scratch, simdKernels, type SimdKernels } from './simd-kernels.js';
import { tf } from './tf.js';

/**
 * 1D convolution kernels (`Conv2D`/`FusedConv2D` forward, `Conv2DBackpropFilter`,
 * `Conv2DBackpropInput` on NHWC tensors with height 1 and filter height 1, i.e. every Conv1D) and
 * reductions on the wasm heap with this package's SIMD GEMM (simd-kernels.wat): no im2col copies (the
 * rows of a 1D im2col matrix overlap in memory: row t starts at input position t·stride), no packing,
 * no per-batch allocation (padded copies go to reused scratch areas). Any kernel size, stride,
 * dilation (forward), padding, channel count and batch; anything else returns `undefined` and the
 * caller runs the previous kernel.
 */

type Info = tf.TensorInfo;

/** Scratch slots (simd-kernels.ts `scratch`). */
const SLOT_PADDED = 0;
const SLOT_FILTER = 1;

/** Rows of the reduction processed per GEMM call: keeps the A and B panels in the L1/L2 caches. */
const PANEL = 128;

interface Geometry {
  readonly batch: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly outWidth: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly left: number;
  readonly right: number;
}

/** The 1D geometry of a conv's attributes, or undefined when it is not a 1D NHWC conv. */
function geometry1d(
  xShape: number[],
  filterShape: number[],
  attrs: { strides: [number, number] | number; pad: tf.Conv2DAttrs['pad']; dataFormat: 'NHWC' | 'NCHW'; dilations?: [number, number] | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
): Geometry | undefined {
  if (attrs.dataFormat !== 'NHWC' || xShape.length !== 4 || filterShape.length !== 4) return undefined;
  if (xShape[1] !== 1 || filterShape[0] !== 1) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.outHeight !== 1 || info.padInfo.top !== 0 || info.padInfo.bottom !== 0 || info.outWidth < 1) return undefined;
  const { left, right } = info.padInfo;
  if (left < 0 || right < 0) return undefined;
  return {
    batch: info.batchSize,
    width: info.inWidth,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    outWidth: info.outWidth,
    kernel: info.filterWidth,
    stride: info.strideWidth,
    dilation: info.dilationWidth,
    left,
    right,
  };
}

function kernelsOf(backend: BackendWasm, ...infos: Info[]): SimdKernels | undefined {
  if (infos.some((info) => info.dtype !== 'float32')) return undefined;
  return simdKernels(backend);
}

/**
 * x, zero-padded in time to [batch, left + width + right, ci] in a scratch area (or x itself without
 * padding). Returns the byte offset and the padded width.
 */
function paddedInput(backend: BackendWasm, x: Info, g: Geometry): { pointer: number; width: number } {
  const { batch, width, inChannels: ci, left, right } = g;
  if (left === 0 && right === 0) return { pointer: heapOffset(backend, x), width };
  const padded = width + left + right;
  const pointer = scratch(backend, SLOT_PADDED, batch * padded * ci * 4);
  const target = heapF32(backend, pointer, batch * padded * ci);
  const source = backend.typedArrayFromHeap(x) as Float32Array;
  for (let b = 0; b < batch; b++) {
    const row = b * padded * ci;
    target.fill(0, row, row + left * ci);
    target.set(source.subarray(b * width * ci, (b + 1) * width * ci), row + left * ci);
    target.fill(0, row + (left + width) * ci, row + padded * ci);
  }
  return { pointer, width: padded };
}

/** Forward conv (optionally fused bias + relu); undefined when not covered. */
export function conv1dForward(backend: BackendWasm, x: Info, filter: Info, bias: Info | undefined, relu: boolean, attrs: tf.Conv2DAttrs): Info | undefined {
  const g = geometry1d(x.shape, filter.shape, attrs);
  if (g === undefined) return undefined;
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== g.outChannels)) return undefined;
  const kernels = kernelsOf(backend, x, filter, ...(bias === undefined ? [] : [bias]));
  if (kernels === undefined) return undefined;
  const { batch, inChannels: ci, outChannels: co, outWidth: ow, kernel: k, stride: s, dilation: d } = g;
  const out = backend.makeOutput([batch, 1, ow, co], 'float32');
  const input = paddedInput(backend, x, g);
  const y = heapOffset(backend, out);
  const w = heapOffset(backend, filter);
  const b = bias === undefined ? 0 : heapOffset(backend, bias);
  const epilogue = (bias === undefined ? 0 : ADD_BIAS) | (relu ? RELU : 0);
  for (let q = 0; q < batch; q++) {
    const xq = input.pointer + q * input.width * ci * 4;
    const yq = y + q * ow * co * 4;
    if (d === 1) {
      // y_q = X_q · W with X_q's row t = the k·ci inputs from position t·s (overlapping rows).
      kernels.gemm(yq, co * 4, xq, s * ci * 4, 4, w, co * 4, ow, co, k * ci, 1, 0, 0, b, epilogue);
    } else {
      for (let tap = 0; tap < k; tap++) {
        const flags = (tap === 0 ? 0 : ACCUMULATE) | (tap === k - 1 ? epilogue : 0);
        kernels.gemm(yq, co * 4, xq + tap * d * ci * 4, s * ci * 4, 4, w + tap * ci * co * 4, co * 4, ow, co, ci, 1, 0, 0, b, flags);
      }
    }
  }
  return out;
}

/** dW = Σ_b X_bᵀ · dy_b (im2col rows read in place); undefined when not covered. */
export function conv1dBackpropFilter(backend: BackendWasm, x: Info, dy: Info, attrs: tf.Conv2DBackpropFilterAttrs): Info | undefined {
  const g = geometry1d(x.shape, attrs.filterShape, attrs);
  if (g === undefined || g.dilation !== 1) return undefined;
  if (dy.shape[0] !== g.batch || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) return undefined;
  const kernels = kernelsOf(backend, x, dy);
  if (kernels === undefined) return undefined;
  const { batch, inChannels: ci, outChannels: co, outWidth: ow, kernel: k, stride: s } = g;
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  const input = paddedInput(backend, x, g);
  const dw = heapOffset(backend, out);
  const gradient = heapOffset(backend, dy);
  let flags = 0;
  for (let q = 0; q < batch; q++) {
    for (let t0 = 0; t0 < ow; t0 += PANEL) {
      const rows = Math.min(PANEL, ow - t0);
      const a = input.pointer + (q * input.width + t0 * s) * ci * 4;
      const b = gradient + (q * ow + t0) * co * 4;
      kernels.gemm(dw, co * 4, a, 4, s * ci * 4, b, co * 4, k * ci, co, rows, 1, 0, 0, 0, flags);
      flags = ACCUMULATE;
    }
  }
  return out;
}

/** dx: per tap, dx_b[t·s + tap] += dy_b[t] · W_tapᵀ; undefined when not covered. */
export function conv1dBackpropInput(backend: BackendWasm, dy: Info, filter: Info, attrs: tf.Conv2DBackpropInputAttrs): Info | undefined {
  const g = geometry1d(attrs.inputShape, filter.shape, attrs);
  if (g === undefined || g.dilation !== 1) return undefined;
  if (dy.shape[0] !== g.batch || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) return undefined;
  const kernels = kernelsOf(backend, dy, filter);
  if (kernels === undefined) return undefined;
  const { batch, width, inChannels: ci, outChannels: co, outWidth: ow, kernel: k, stride: s, left, right } = g;
  const out = backend.makeOutput(attrs.inputShape, 'float32');
  // Wᵀ per tap: [k, co, ci] (small), then every product reads rows of B contiguously.
  const transposed = scratch(backend, SLOT_FILTER, k * co * ci * 4);
  const padded = width + left + right;
  const direct = left === 0 && right === 0;
  const target = direct ? heapOffset(backend, out) : scratch(backend, SLOT_PADDED, batch * padded * ci * 4);
  {
    const wt = heapF32(backend, transposed, k * co * ci);
    const w = backend.typedArrayFromHeap(filter) as Float32Array;
    for (let tap = 0; tap < k; tap++) {
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) wt[(tap * co + o) * ci + c] = w[(tap * ci + c) * co + o]!;
      }
    }
    heapF32(backend, target, batch * padded * ci).fill(0);
  }
  const gradient = heapOffset(backend, dy);
  for (let q = 0; q < batch; q++) {
    const dyq = gradient + q * ow * co * 4;
    const dxq = target + q * padded * ci * 4;
    for (let tap = 0; tap < k; tap++) {
      kernels.gemm(dxq + tap * ci * 4, s * ci * 4, dyq, co * 4, 4, transposed + tap * co * ci * 4, ci * 4, ow, ci, co, 1, 0, 0, 0, ACCUMULATE);
    }
  }
  if (!direct) {
    const source = heapF32(backend, target, batch * padded * ci);
    const dx = backend.typedArrayFromHeap(out) as Float32Array;
    for (let q = 0; q < batch; q++) {
      const from = (q * padded + left) * ci;
      dx.set(source.subarray(from, from + width * ci), q * width * ci);
    }
  }
  return out;
}

/**
 * Sum or mean over a contiguous run of axes (x viewed as [outer, rows, inner]); undefined when the
 * axes are not contiguous or the dtype is not float32.
 */
export function reduceContiguous(backend: BackendWasm, x: Info, axis: number | number[], keepDims: boolean, mean: boolean): Info | undefined {
  if (x.dtype !== 'float32' || x.shape.length === 0) return undefined;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (axes.length === 0) return undefined;
  for (let k = 1; k < axes.length; k++) if (axes[k] !== axes[k - 1]! + 1) return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  const size = (from: number, to: number) => x.shape.slice(from, to).reduce((a, b) => a * b, 1);
  const outer = size(0, first);
  const rows = size(first, last + 1);
  const inner = size(last + 1, x.shape.length);
  const shape = keepDims ? x.shape.map((n, i) => (i >= first && i <= last ? 1 : n)) : x.shape.filter((_, i) => i < first || i > last);
  const out = backend.makeOutput(shape, 'float32');
  kernels.reduce_middle(heapOffset(backend, out), heapOffset(backend, x), outer, rows, inner, mean ? rows : 1);
  return out;
}

/**
 * Max-pool gradient over disjoint 1D windows with channels % 4 = 0 (the Conv1D pooling case) with the
 * SIMD kernel; undefined otherwise.
 */
export function maxPoolGrad1d(
  backend: BackendWasm,
  dy: Info,
  input: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | undefined {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const disjoint = filterHeight === 1 && strideHeight === 1 && strideWidth === filterWidth && top === 0 && left === 0;
  if (!disjoint || outHeight !== inHeight || outWidth * filterWidth > inWidth || channels % 4 !== 0) return undefined;
  if (dy.dtype !== 'float32' || input.dtype !== 'float32') return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const out = backend.makeOutput(input.shape, 'float32');
  if (outWidth * filterWidth < inWidth) (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  kernels.max_pool_grad_1d(heapOffset(backend, out), heapOffset(backend, input), heapOffset(backend, dy), batchSize * inHeight, inWidth, outWidth, filterWidth, channels);
  return out;
}
