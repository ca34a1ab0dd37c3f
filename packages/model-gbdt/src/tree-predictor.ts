import type { Matrix } from '@pipeline/core';
import { instantiateKernel, pagesFor, type KernelWasm, type SharedMemory } from './hist-kernel.mjs';
import type { TreeEnsemble } from './tree-ensemble.js';

/** WebAssembly.Memory (the project's TypeScript lib settings do not declare the WebAssembly namespace). */
const WasmMemory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => SharedMemory };
  }
).WebAssembly.Memory;

/** Bytes of one compiled node: f64 threshold, i32 feature, i32 left-child offset | missingLeft. */
const NODE_BYTES = 16;
/** About this many bytes of feature rows and raw scores are copied into the kernel's memory per call. */
const CHUNK_BYTES = 1 << 22;

/** A tree ensemble laid out for the wasm `predict` kernel, with room for one chunk of rows. */
interface CompiledEnsemble {
  readonly wasm: KernelWasm;
  readonly memory: SharedMemory;
  readonly values: number;
  readonly roots: number;
  readonly depths: number;
  readonly x: number;
  readonly raw: number;
  readonly chunkRows: number;
}

const compiledEnsembles = new WeakMap<TreeEnsemble, CompiledEnsemble>();

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * Packs the ensemble's numeric trees into a wasm memory of their own (once per ensemble, kept
 * while the ensemble lives): nodes (a leaf becomes its own left child: threshold +inf, feature 0,
 * missing values left, so any number of extra steps stays on it), leaf values, each tree's root
 * offset and depth (the most steps a row takes), then a chunk of `cols` float32 features and raw
 * scores.
 */
function compile(ensemble: TreeEnsemble, cols: number): CompiledEnsemble {
  const cached = compiledEnsembles.get(ensemble);
  if (cached !== undefined) return cached;
  const { treeStart, feature, threshold, missingLeft, left, value } = ensemble;
  const nNodes = feature.length;
  const nTrees = treeStart.length - 1;
  const K = ensemble.nTreesPerIteration;
  const chunkRows = Math.max(64, Math.floor(CHUNK_BYTES / (cols * 4 + K * 8)));
  const values = align16(nNodes * NODE_BYTES);
  const roots = align16(values + nNodes * 8);
  const depths = align16(roots + nTrees * 4);
  const x = align16(depths + nTrees * 4);
  const raw = align16(x + chunkRows * cols * 4);
  const bytes = raw + chunkRows * K * 8;
  const pages = pagesFor(bytes);
  const memory = new WasmMemory({ initial: pages, maximum: pages, shared: true });
  const buffer = memory.buffer;
  const nodeF64 = new Float64Array(buffer, 0, 2 * nNodes);
  const nodeI32 = new Int32Array(buffer, 0, 4 * nNodes);
  const leafValue = new Float64Array(buffer, values, nNodes);
  for (let j = 0; j < nNodes; j++) {
    const f = feature[j]!;
    if (f < 0) {
      nodeF64[2 * j] = Infinity;
      nodeI32[4 * j + 2] = 0;
      nodeI32[4 * j + 3] = j * NODE_BYTES + 1;
      leafValue[j] = value[j]!;
    } else {
      nodeF64[2 * j] = threshold[j]!;
      nodeI32[4 * j + 2] = f;
      nodeI32[4 * j + 3] = left[j]! * NODE_BYTES + (missingLeft[j] === 1 ? 1 : 0);
    }
  }
  const rootOffsets = new Int32Array(buffer, roots, nTrees);
  const treeDepths = new Int32Array(buffer, depths, nTrees);
  const depth = new Int32Array(nNodes);
  for (let t = 0; t < nTrees; t++) {
    rootOffsets[t] = treeStart[t]! * NODE_BYTES;
    // Children follow their parent in the arrays.
    let deepest = 0;
    for (let j = treeStart[t]!; j < treeStart[t + 1]!; j++) {
      if (feature[j]! < 0) deepest = Math.max(deepest, depth[j]!);
      else depth[left[j]!] = depth[left[j]! + 1] = depth[j]! + 1;
    }
    treeDepths[t] = deepest;
  }
  const compiled = { wasm: instantiateKernel(memory), memory, values, roots, depths, x, raw, chunkRows };
  compiledEnsembles.set(ensemble, compiled);
  return compiled;
}

/**
 * Raw predictions (class-major: out[k * rows + i]) of the first `nTrees` trees of a numeric
 * ensemble, starting from `baseline`, with the wasm kernel: x goes left iff x <= threshold (as
 * float64), or x is NaN and the node sends missing values left; every row adds its trees' leaf
 * values in tree order, so the sums are the bits of a plain walk.
 */
export function predictRawCompiled(ensemble: TreeEnsemble, baseline: Float64Array, features: Matrix, nTrees: number): Float64Array {
  const { rows, cols, data } = features;
  const K = ensemble.nTreesPerIteration;
  const out = new Float64Array(K * rows);
  const c = compile(ensemble, cols);
  const buffer = c.memory.buffer;
  for (let r0 = 0; r0 < rows; r0 += c.chunkRows) {
    const n = Math.min(c.chunkRows, rows - r0);
    new Float32Array(buffer, c.x, n * cols).set(data.subarray(r0 * cols, (r0 + n) * cols));
    const raw = new Float64Array(buffer, c.raw, K * n);
    for (let k = 0; k < K; k++) raw.fill(baseline[k]!, k * n, (k + 1) * n);
    c.wasm.predict(0, c.values, c.roots, c.depths, nTrees, K, c.x, n, cols, c.raw);
    for (let k = 0; k < K; k++) out.set(raw.subarray(k * n, (k + 1) * n), k * rows + r0);
  }
  return out;
}
