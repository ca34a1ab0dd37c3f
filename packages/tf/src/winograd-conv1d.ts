import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ADD_BIAS, heapF32, heapOffset, RELU, scratch, simdKernels, type SimdKernels } from './simd-kernels.js';
import { tf } from './tf.js';

/**
 * Inference-only 1D convolution (stride 1, no dilation, `valid` or `same`) by Winograd minimal
 * filtering F(m, r), m = 9 − r, over the 8 points 0, ±1, ±2, ±½, ∞ (filter sizes r = 2..7): per
 * tile of m outputs, y = Aᵀ[(G·g) ⊙ (Bᵀ·d)], computed as 8 SIMD GEMMs [tiles × ci]·[ci × co] per
 * example, i.e. 8/(m·r) of the direct convolution's multiplications (F(6,3): 0.44, F(4,5): 0.40).
 * The filter transform G·g runs once per filter tensor (cached by its data id, in float64, rounded
 * once); the input and output transforms are SIMD kernels in simd-kernels.wat (the output one adds the
 * bias and applies relu, and can feed a following max-pooling by 2 or global average pooling without
 * writing the conv's output: `pool`). Every sum runs in a fixed order, so the same inputs give the same bits. The
 * result differs from the direct convolution by rounding only (within a few 1e-6 of the largest output,
 * tested against the `cpu` backend); training keeps the direct convolution (its gradients are unchanged).
 *
 * With one input channel (a first layer on a raw signal) the transforms would cost more than they save:
 * there, for 2..8 taps, a direct SIMD kernel keeps the filter in registers and sums in the direct GEMM's
 * order (the same bits as the training forward), with the same bias, relu and max-pooling epilogue.
 * @internal
 */
export const WINOGRAD_CONV1D = 'PipelineWinogradConv1D';

/** Points p_α of the finite rows (the 8th is ∞) and the scales s_α that make Bᵀ integer (G carries 1/s_α). */
const POINTS = [0, 1, -1, 2, -2, 0.5, -0.5] as const;
const SCALES = [4, 18, 18, 360, 360, 45 / 16, 45 / 16, 4] as const;
const ALPHAS = 8;

/** Scratch slots (simd-kernels.ts `scratch`; 0–3 are taken by the training kernels and the LSTM). */
const SLOT_FILTER = 4;
const SLOT_U = 5;
const SLOT_M = 6;
const SLOT_INPUT = 7;

type Info = tf.TensorInfo;

/**
 * What follows the conv inside the kernel: nothing (`none`, output [batch, outWidth, co]), a
 * `MaxPooling1D` of size and stride 2, `valid` (`max2`, output [batch, ⌊outWidth / 2⌋, co]; needs an
 * even m = 9 − r) or a `GlobalAveragePooling1D` (`mean`, output [batch, co]).
 */
export type WinogradPool = 'none' | 'max2' | 'mean';

/** Attributes of the {@link WINOGRAD_CONV1D} kernel. */
export interface WinogradConv1dAttrs {
  readonly pad: 'valid' | 'same';
  readonly relu: boolean;
  readonly pool?: WinogradPool;
}

/** Whether the Winograd kernel covers a conv of this filter size and channel counts (and pooling) on the current backend. */
export function winogradConv1dApplies(kernelSize: number, inChannels: number, outChannels: number, pool: WinogradPool = 'none'): boolean {
  if (outChannels % 4 !== 0) return false;
  if (inChannels === 1) {
    if (kernelSize < 2 || kernelSize > 8 || pool === 'mean') return false;
  } else {
    if (kernelSize < 2 || kernelSize > 7 || inChannels % 4 !== 0) return false;
    if (pool === 'max2' && (9 - kernelSize) % 2 !== 0) return false;
  }
  if (tf.getBackend() !== 'wasm' || tf.getKernel(WINOGRAD_CONV1D, 'wasm') === undefined) return false;
  return simdKernels(tf.backend() as BackendWasm) !== undefined;
}

/**
 * G·g for a filter [r, ci, co] (tfjs Conv1D layout): [8, ci, co], V[α] = (Σ_k p_α^k · g_k) / s_α for
 * the finite points, V[7] = g_{r−1} / s_7; float64 sums in order of k, one rounding to float32.
 */
export function winogradFilter(filter: Float32Array, r: number, ci: number, co: number): Float32Array {
  const size = ci * co;
  const out = new Float32Array(ALPHAS * size);
  for (let a = 0; a < ALPHAS; a++) {
    const s = SCALES[a]!;
    for (let e = 0; e < size; e++) {
      let v: number;
      if (a === ALPHAS - 1) v = filter[(r - 1) * size + e]!;
      else {
        const p = POINTS[a]!;
        v = 0;
        let power = 1;
        for (let k = 0; k < r; k++) {
          v += power * filter[k * size + e]!;
          power *= p;
        }
      }
      out[a * size + e] = v / s;
    }
  }
  return out;
}

/** Transformed filters by the data id of the filter tensor (weights change → new data id → new entry). */
const filterCache = new WeakMap<object, Float32Array>();

/** The forward conv; x [batch, width, ci], filter [r, ci, co], bias [co] → [batch, outWidth, co]. */
export function winogradConv1d(backend: BackendWasm, x: Info, filter: Info, bias: Info | undefined, attrs: WinogradConv1dAttrs): Info {
  const kernels = simdKernels(backend);
  const [batch, width, ci] = x.shape as [number, number, number];
  const [r, fci, co] = filter.shape as [number, number, number];
  if (kernels !== undefined && ci === 1 && fci === 1 && x.shape.length === 3 && filter.shape.length === 3 && r >= 2 && r <= 8 && co % 4 === 0 && attrs.pool !== 'mean') {
    return singleChannelConv(backend, kernels, x, filter, bias, attrs);
  }
  if (kernels === undefined || x.shape.length !== 3 || filter.shape.length !== 3 || fci !== ci || !(r >= 2 && r <= 7) || ci % 4 !== 0 || co % 4 !== 0) {
    throw new Error(`@pipeline/tf: ${WINOGRAD_CONV1D} does not cover x ${JSON.stringify(x.shape)}, filter ${JSON.stringify(filter.shape)}`);
  }
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || (bias !== undefined && (bias.dtype !== 'float32' || bias.shape[0] !== co))) {
    throw new Error(`@pipeline/tf: ${WINOGRAD_CONV1D} needs float32 inputs and a bias of ${co}`);
  }
  const m = 9 - r;
  const left = attrs.pad === 'same' ? Math.floor((r - 1) / 2) : 0;
  const paddedWidth = attrs.pad === 'same' ? width + r - 1 : width;
  const outWidth = paddedWidth - r + 1;
  const pool = attrs.pool ?? 'none';
  if (pool === 'max2' && m % 2 !== 0) throw new Error(`@pipeline/tf: ${WINOGRAD_CONV1D} pools by 2 only for odd filter sizes, got ${r}`);
  const rowsOut = pool === 'max2' ? Math.floor(Math.max(outWidth, 0) / 2) : Math.max(outWidth, 0);
  const out = backend.makeOutput(pool === 'mean' ? [batch, co] : [batch, rowsOut, co], 'float32');
  if (pool === 'mean') (backend.typedArrayFromHeap(out) as Float32Array).fill(outWidth <= 0 ? Number.NaN : 0);
  if (outWidth <= 0 || batch === 0) return out;
  const tiles = Math.ceil(outWidth / m);
  // tiles that read only rows of x itself (no padding needed): t·m + 8 ≤ width, and none with `same`
  const direct = attrs.pad === 'same' ? 0 : Math.min(tiles, Math.max(0, Math.floor((width - ALPHAS) / m) + 1));
  const rest = tiles - direct;
  const restRows = rest === 0 ? 0 : (rest - 1) * m + ALPHAS;

  let transformed = filterCache.get(filter.dataId);
  if (transformed === undefined) {
    transformed = winogradFilter(backend.typedArrayFromHeap(filter) as Float32Array, r, ci, co);
    filterCache.set(filter.dataId, transformed);
  }
  const v = scratch(backend, SLOT_FILTER, transformed.length * 4);
  const u = scratch(backend, SLOT_U, ALPHAS * tiles * ci * 4);
  const mp = scratch(backend, SLOT_M, ALPHAS * tiles * co * 4);
  const staged = rest === 0 ? 0 : scratch(backend, SLOT_INPUT, restRows * ci * 4);
  // views after the last allocation (growing the heap detaches them)
  heapF32(backend, v, transformed.length).set(transformed);
  const source = backend.typedArrayFromHeap(x) as Float32Array;
  const stage = rest === 0 ? undefined : heapF32(backend, staged, restRows * ci);
  const xp = heapOffset(backend, x);
  const y = heapOffset(backend, out);
  const biasPointer = bias === undefined ? 0 : heapOffset(backend, bias);
  const flags = (bias === undefined ? 0 : ADD_BIAS) | (attrs.relu ? RELU : 0);
  const uStride = tiles * ci * 4;
  const mStride = tiles * co * 4;
  const lastRows = outWidth - (tiles - 1) * m;
  for (let q = 0; q < batch; q++) {
    const xq = xp + q * width * ci * 4;
    if (direct > 0) kernels.winograd8_input(u, uStride, xq, direct, m, ci);
    if (stage !== undefined) {
      // rows from (direct·m − left) of the (virtually) padded input, zeros outside x
      const first = direct * m - left;
      stage.fill(0);
      const from = Math.max(first, 0);
      const to = Math.min(first + restRows, width);
      if (to > from) stage.set(source.subarray((q * width + from) * ci, (q * width + to) * ci), (from - first) * ci);
      kernels.winograd8_input(u + direct * ci * 4, uStride, staged, rest, m, ci);
    }
    for (let a = 0; a < ALPHAS; a++) {
      kernels.gemm(mp + a * mStride, co * 4, u + a * uStride, ci * 4, 4, v + a * ci * co * 4, co * 4, tiles, co, ci, 1, 0, 0, 0, 0);
    }
    if (pool === 'none') kernels.winograd8_output(y + q * outWidth * co * 4, mp, mStride, tiles, m, lastRows, co, biasPointer, flags);
    else if (pool === 'max2') kernels.winograd8_output_max2(y + q * rowsOut * co * 4, mp, mStride, tiles, m, lastRows, co, biasPointer, flags);
    else kernels.winograd8_output_sum(y + q * co * 4, mp, mStride, tiles, m, lastRows, co, biasPointer, flags);
  }
  if (pool === 'mean') {
    // f32 sum / width, rounded once (= the f32 division of the Mean kernel)
    const sums = backend.typedArrayFromHeap(out) as Float32Array;
    for (let k = 0; k < sums.length; k++) sums[k] = sums[k]! / outWidth;
  }
  return out;
}

/** ci = 1: the direct kernel with the filter in registers (see above). */
function singleChannelConv(backend: BackendWasm, kernels: SimdKernels, x: Info, filter: Info, bias: Info | undefined, attrs: WinogradConv1dAttrs): Info {
  const [batch, width] = x.shape as [number, number, number];
  const [r, , co] = filter.shape as [number, number, number];
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || (bias !== undefined && (bias.dtype !== 'float32' || bias.shape[0] !== co))) {
    throw new Error(`@pipeline/tf: ${WINOGRAD_CONV1D} needs float32 inputs and a bias of ${co}`);
  }
  const same = attrs.pad === 'same';
  const left = same ? Math.floor((r - 1) / 2) : 0;
  const paddedWidth = same ? width + r - 1 : width;
  const outWidth = Math.max(paddedWidth - r + 1, 0);
  const pool = attrs.pool === 'max2';
  const rowsOut = pool ? Math.floor(outWidth / 2) : outWidth;
  const out = backend.makeOutput([batch, rowsOut, co], 'float32');
  if (rowsOut === 0 || batch === 0) return out;
  const staged = same ? scratch(backend, SLOT_INPUT, paddedWidth * 4) : 0;
  const source = backend.typedArrayFromHeap(x) as Float32Array;
  const stage = same ? heapF32(backend, staged, paddedWidth) : undefined;
  const xp = heapOffset(backend, x);
  const y = heapOffset(backend, out);
  const w = heapOffset(backend, filter);
  const biasPointer = bias === undefined ? 0 : heapOffset(backend, bias);
  const flags = (bias === undefined ? 0 : ADD_BIAS) | (attrs.relu ? RELU : 0);
  const conv = kernels[`conv1_k${r}`];
  if (conv === undefined) throw new Error(`@pipeline/tf: no single-channel conv kernel for ${r} taps`);
  for (let q = 0; q < batch; q++) {
    let xq = xp + q * width * 4;
    if (stage !== undefined) {
      stage.fill(0);
      stage.set(source.subarray(q * width, (q + 1) * width), left);
      xq = staged;
    }
    conv(y + q * rowsOut * co * 4, xq, outWidth, co, w, biasPointer, flags, pool ? 1 : 0);
  }
  return out;
}

/** The kernel function registered as {@link WINOGRAD_CONV1D} on wasm. */
export const winogradConv1dKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter, bias } = inputs as { x: Info; filter: Info; bias?: Info };
  return winogradConv1d(backend as BackendWasm, x, filter, bias, attrs as unknown as WinogradConv1dAttrs);
};
