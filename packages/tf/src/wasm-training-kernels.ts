import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv1dBackpropFilter, conv1dBackpropInput, conv1dForward, maxPoolGrad1d, reduceContiguous } from './simd-training-kernels.js';
import { tf } from './tf.js';
import { WINOGRAD_CONV1D, winogradConv1dKernel } from './winograd-conv1d.js';

/**
 * Training kernels for the tfjs `wasm` backend (4.22.0), built only from kernels the backend already
 * has (no native code):
 *
 * - `Conv2DBackpropFilter` is missing, so no Conv1D/Conv2D model can train on wasm. It is computed as
 *   one matrix product of a transposed im2col view of `x` with `dy`.
 * - `BatchMatMul` with `transposeA`/`transposeB` (every matmul gradient) is 10× slower natively than an
 *   explicit `Transpose` followed by the untransposed product, which is what this version does.
 * - `Conv2DBackpropInput` is slow natively; at stride 1 it is a forward `Conv2D` of `dy` with the
 *   flipped filter and complementary padding. Other strides use the native kernel.
 * - `MaxPoolGrad` is slow natively (≈ 30 ns per element); a plain loop over the wasm heap routes each
 *   output gradient to the first maximum of its window (the `cpu` backend's rule) in a few ns.
 * - `Identity` copies its input natively, and the engine clones (= Identity) every tensor it saves for
 *   the backward pass; tensors are immutable, so the copy shares the data with a reference count
 *   instead, as the cpu backend does.
 *
 * - `PipelineWinogradConv1D` (a new kernel name, inference only): Conv1D by Winograd minimal filtering,
 *   which `compileForward` runs outside training (winograd-conv1d.ts).
 *
 * Each is checked against the `cpu` backend in `test/wasm-training-kernels.test.ts` (the Winograd conv in
 * `test/winograd-conv1d.test.ts`).
 * @internal Exported for the package's tests; not part of the public API.
 */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'BatchMatMul',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'Identity',
  'Conv2D',
  'FusedConv2D',
  'Sum',
  'Mean',
  'PipelineWinogradConv1D',
] as const;

type Info = tf.TensorInfo;
type Attrs = tf.NamedAttrMap;

/** Calls another wasm kernel directly (no engine, no tape) and returns its single output. */
function call(backend: BackendWasm, kernel: tf.KernelFunc, inputs: Record<string, Info>, attrs: object = {}): Info {
  const out = kernel({ inputs, backend, attrs: attrs as Attrs });
  if (Array.isArray(out)) throw new Error('@pipeline/tf: expected a single-output kernel');
  return out;
}

/** Kernel functions of the wasm backend, looked up once at registration. */
interface Natives {
  readonly transpose: tf.KernelFunc;
  readonly reshape: tf.KernelFunc;
  readonly batchMatMul: tf.KernelFunc;
  readonly conv2d: tf.KernelFunc;
  readonly conv2dBackpropInput: tf.KernelFunc;
  readonly padV2: tf.KernelFunc;
  readonly reverse: tf.KernelFunc;
  readonly identity: tf.KernelFunc;
}

function lookupNatives(original: { batchMatMul: tf.KernelConfig; conv2dBackpropInput: tf.KernelConfig }): Natives {
  const get = (name: string): tf.KernelFunc => {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) throw new Error(`@pipeline/tf: the wasm backend has no '${name}' kernel`);
    return config.kernelFunc;
  };
  return {
    transpose: get('Transpose'),
    reshape: get('Reshape'),
    batchMatMul: original.batchMatMul.kernelFunc,
    conv2d: get('Conv2D'),
    conv2dBackpropInput: original.conv2dBackpropInput.kernelFunc,
    padV2: get('PadV2'),
    reverse: get('Reverse'),
    identity: get('Identity'),
  };
}

/** Swaps the last two axes. */
function transposeLast2(backend: BackendWasm, natives: Natives, x: Info): Info {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return call(backend, natives.transpose, { x }, { perm });
}

function batchMatMul(natives: Natives): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { a, b } = inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return natives.batchMatMul({ inputs, backend, ...(attrs === undefined ? {} : { attrs }) });
    }
    const a2 = transposeA ? transposeLast2(wasm, natives, a) : a;
    const b2 = transposeB ? transposeLast2(wasm, natives, b) : b;
    try {
      return call(wasm, natives.batchMatMul, { a: a2, b: b2 }, { transposeA: false, transposeB: false });
    } finally {
      if (a2 !== a) wasm.disposeData(a2.dataId);
      if (b2 !== b) wasm.disposeData(b2.dataId);
    }
  };
}

/** Conv geometry of a backprop kernel's attributes (dilation 1: tfjs has no dilated conv gradient). */
function convGeometry(
  inputShape: number[],
  filterShape: number[],
  attrs: { strides: [number, number] | number; pad: tf.Conv2DBackpropInputAttrs['pad']; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

function conv2dBackpropInput(natives: Natives): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const geometry = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const simd = conv1dBackpropInput(wasm, dy, filter, geometry);
    if (simd !== undefined) return simd;
    const info = convGeometry(geometry.inputShape, filter.shape, geometry);
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dataFormat !== 'channelsLast') {
      return natives.conv2dBackpropInput({ inputs, backend, ...(attrs === undefined ? {} : { attrs }) });
    }
    const kh = info.filterHeight;
    const kw = info.filterWidth;
    const { top, bottom, left, right } = info.padInfo;
    // dx = correlation of dy with the filter flipped in space and with in/out channels swapped.
    const flipped = call(wasm, natives.reverse, { x: filter }, { dims: [0, 1] });
    const swapped = call(wasm, natives.transpose, { x: flipped }, { perm: [0, 1, 3, 2] });
    wasm.disposeData(flipped.dataId);
    try {
      const padding = [
        [0, 0],
        [kh - 1 - top, kh - 1 - bottom],
        [kw - 1 - left, kw - 1 - right],
        [0, 0],
      ];
      return call(
        wasm,
        natives.conv2d,
        { x: dy, filter: swapped },
        { strides: [1, 1], pad: padding, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: geometry.dimRoundingMode },
      );
    } finally {
      wasm.disposeData(swapped.dataId);
    }
  };
}

function conv2dBackpropFilter(natives: Natives): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { x, dy } = inputs as { x: Info; dy: Info };
    const geometry = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const simd = conv1dBackpropFilter(wasm, x, dy, geometry);
    if (simd !== undefined) return simd;
    const info = convGeometry(x.shape, geometry.filterShape, geometry);
    if (info.dataFormat !== 'channelsLast') {
      throw new Error(`@pipeline/tf: wasm Conv2DBackpropFilter supports NHWC only, got ${geometry.dataFormat}`);
    }
    const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
    const { top, bottom, left, right } = info.padInfo;
    const batch = x.shape[0]!;
    const owned: Info[] = [];
    try {
      let padded = x;
      if (top !== 0 || bottom !== 0 || left !== 0 || right !== 0) {
        padded = call(wasm, natives.padV2, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
        owned.push(padded);
      }
      // xT: [ci, batch, H, W]: every filter tap reads contiguous runs of `ow` values from it.
      const xT = call(wasm, natives.transpose, { x: padded }, { perm: [3, 0, 1, 2] });
      owned.push(xT);
      // columns: [kh·kw·ci, batch·oh·ow], rows ordered (tap, ci) like the filter's [kh, kw, ci]; filled
      // by copying runs on the heap (strided slices + concat cost 4× more). One product over the whole
      // reduction: splitting it into blocks measured 2–10× slower (an XNNPACK operator per block).
      const columns = wasm.makeOutput([kh * kw * ci, batch * oh * ow], 'float32');
      owned.push(columns);
      const source = wasm.typedArrayFromHeap(xT) as Float32Array;
      const target = wasm.typedArrayFromHeap(columns) as Float32Array;
      const [, , height, width] = xT.shape as [number, number, number, number];
      const { strideHeight: sh, strideWidth: sw } = info;
      let offset = 0;
      for (let r = 0; r < kh; r++) {
        for (let c = 0; c < kw; c++) {
          for (let channel = 0; channel < ci; channel++) {
            for (let b = 0; b < batch; b++) {
              const plane = (channel * batch + b) * height;
              for (let y = 0; y < oh; y++, offset += ow) {
                const start = (plane + r + y * sh) * width + c;
                if (sw === 1) {
                  target.set(source.subarray(start, start + ow), offset);
                } else {
                  for (let k = 0; k < ow; k++) target[offset + k] = source[start + k * sw]!;
                }
              }
            }
          }
        }
      }
      const dy2 = call(wasm, natives.reshape, { x: dy }, { shape: [batch * oh * ow, co] });
      owned.push(dy2);
      const product = call(wasm, natives.batchMatMul, { a: columns, b: dy2 }, { transposeA: false, transposeB: false });
      owned.push(product);
      return call(wasm, natives.reshape, { x: product }, { shape: [kh, kw, ci, co] });
    } finally {
      for (const info of owned) wasm.disposeData(info.dataId);
    }
  };
}

/** Max-pool gradient by a direct loop on the heap: dy goes to the first maximum of each window. */
function maxPoolGrad(): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { dy, input } = inputs as { dy: Info; input: Info };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const simd = maxPoolGrad1d(wasm, dy, input, info);
    if (simd !== undefined) return simd;
    const out = wasm.makeOutput(input.shape, 'float32');
    // Views are taken after the allocation: growing the wasm memory detaches older views.
    const dx = wasm.typedArrayFromHeap(out) as Float32Array;
    const x = wasm.typedArrayFromHeap(input) as Float32Array;
    const g = wasm.typedArrayFromHeap(dy) as Float32Array;
    dx.fill(0);
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
    const { top, left } = info.padInfo;
    const disjoint = filterHeight === 1 && strideHeight === 1 && strideWidth === filterWidth && top === 0 && left === 0;
    if (disjoint && outHeight === inHeight && outWidth * filterWidth <= inWidth) {
      // Non-overlapping 1D windows (Conv1D pooling): one pass, first maximum wins.
      for (let b = 0; b < batchSize; b++) {
        for (let r = 0; r < inHeight; r++) {
          const row = (b * inHeight + r) * inWidth * channels;
          const outRow = (b * outHeight + r) * outWidth * channels;
          for (let yC = 0; yC < outWidth; yC++) {
            const start = row + yC * filterWidth * channels;
            const o = outRow + yC * channels;
            for (let d = 0; d < channels; d++) {
              let at = -1;
              let best = Number.NEGATIVE_INFINITY;
              for (let w = 0, p = start + d; w < filterWidth; w++, p += channels) {
                const v = x[p]!;
                if (v > best) {
                  best = v;
                  at = p;
                }
              }
              if (at >= 0) dx[at] = g[o + d]!;
            }
          }
        }
      }
      return out;
    }
    // Per output pixel, the window is scanned once for all channels (contiguous in NHWC).
    const best = new Float32Array(channels);
    const at = new Int32Array(channels);
    for (let b = 0; b < batchSize; b++) {
      const xBatch = b * inHeight * inWidth * channels;
      for (let yR = 0; yR < outHeight; yR++) {
        const r0 = yR * strideHeight - top;
        const rMin = Math.max(0, r0);
        const rMax = Math.min(inHeight, r0 + filterHeight);
        for (let yC = 0; yC < outWidth; yC++) {
          const c0 = yC * strideWidth - left;
          const cMin = Math.max(0, c0);
          const cMax = Math.min(inWidth, c0 + filterWidth);
          best.fill(Number.NEGATIVE_INFINITY);
          at.fill(-1);
          for (let r = rMin; r < rMax; r++) {
            for (let c = cMin; c < cMax; c++) {
              const base = xBatch + (r * inWidth + c) * channels;
              for (let d = 0; d < channels; d++) {
                const v = x[base + d]!;
                if (v > best[d]!) {
                  best[d] = v;
                  at[d] = base + d;
                }
              }
            }
          }
          const o = ((b * outHeight + yR) * outWidth + yC) * channels;
          for (let d = 0; d < channels; d++) {
            const p = at[d]!;
            if (p >= 0) dx[p] = dx[p]! + g[o + d]!;
          }
        }
      }
    }
    return out;
  };
}

/** Identity without a copy: the output shares the input's data (reference counted). */
function identityShared(natives: Natives): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: Info };
    if (x.dtype === 'string') return natives.identity({ inputs, backend, ...(attrs === undefined ? {} : { attrs }) });
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Forward Conv2D/FusedConv2D: the SIMD 1D path (linear or relu activation), else the native kernel. */
function convForward(native: tf.KernelFunc, fused: boolean): tf.KernelFunc {
  return (args) => {
    const wasm = args.backend as BackendWasm;
    const { x, filter, bias, preluActivationWeights } = args.inputs as { x: Info; filter: Info; bias?: Info; preluActivationWeights?: Info };
    const attrs = args.attrs as unknown as tf.Conv2DAttrs & { activation?: string };
    const activation = fused ? (attrs.activation ?? 'linear') : 'linear';
    if (preluActivationWeights === undefined && (activation === 'linear' || activation === 'relu')) {
      const simd = conv1dForward(wasm, x, filter, fused ? bias : undefined, activation === 'relu', attrs);
      if (simd !== undefined) return simd;
    }
    return native(args);
  };
}

/** Sum/Mean over contiguous axes with the SIMD reduction, else the native kernel. */
function reduction(native: tf.KernelFunc, mean: boolean): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    return reduceContiguous(args.backend as BackendWasm, x, axis, keepDims, mean) ?? native(args);
  };
}

let registered: { readonly backend: object; readonly names: readonly string[] } | undefined;

/**
 * Registers the training kernels on the `wasm` backend. Call after the backend is initialised
 * (`selectBackend` does); calling again is a no-op. Returns the kernel names registered or replaced.
 * Only `wasm` is touched, so `tensorflow` and `cpu` are unaffected.
 */
export function registerWasmTrainingKernels(): readonly string[] {
  const backend = tf.findBackend('wasm');
  if (backend === null) throw new Error('@pipeline/tf: initialise the wasm backend before registering its training kernels');
  if (registered?.backend === backend) return registered.names;
  const batchMatMulConfig = tf.getKernel('BatchMatMul', 'wasm');
  const inputConfig = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (registered === undefined) {
    const natives = lookupNatives({ batchMatMul: batchMatMulConfig, conv2dBackpropInput: inputConfig });
    const replace = (kernelName: string, kernelFunc: tf.KernelFunc, setupFunc?: tf.KernelSetupFunc) => {
      if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc === undefined ? {} : { setupFunc }) });
    };
    // The replaced natives keep their setup functions, so a re-initialised backend still wires them.
    replace('BatchMatMul', batchMatMul(natives), batchMatMulConfig.setupFunc);
    replace('Conv2DBackpropInput', conv2dBackpropInput(natives), inputConfig.setupFunc);
    replace('Conv2DBackpropFilter', conv2dBackpropFilter(natives));
    replace('MaxPoolGrad', maxPoolGrad(), tf.getKernel('MaxPoolGrad', 'wasm')?.setupFunc);
    replace('Identity', identityShared(natives), tf.getKernel('Identity', 'wasm')?.setupFunc);
    for (const [name, wrap] of [
      ['Conv2D', (k: tf.KernelFunc) => convForward(k, false)],
      ['FusedConv2D', (k: tf.KernelFunc) => convForward(k, true)],
      ['Sum', (k: tf.KernelFunc) => reduction(k, false)],
      ['Mean', (k: tf.KernelFunc) => reduction(k, true)],
    ] as const) {
      const config = tf.getKernel(name, 'wasm');
      if (config === undefined) throw new Error(`@pipeline/tf: the wasm backend has no '${name}' kernel`);
      replace(name, wrap(config.kernelFunc), config.setupFunc);
    }
    // inference only (compileForward without training): see winograd-conv1d.ts
    replace(WINOGRAD_CONV1D, winogradConv1dKernel);
  }
  registered = { backend, names: [...WASM_TRAINING_KERNELS] };
  return registered.names;
}
