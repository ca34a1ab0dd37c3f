import type { Matrix } from '@pipeline/core';
import { instantiateKernel, pagesFor, type KernelWasm, type SharedMemory } from './hist-kernel.mjs';
import type { HistWorkerPool } from './hist-worker-pool.js';
import { predictRows, type PredictLane } from './predict-lane.mjs';
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

/** A tree ensemble laid out for the wasm `predict` kernel, with room for one chunk of rows per thread ("lane"). */
interface CompiledEnsemble {
  readonly wasm: KernelWasm;
  readonly memory: SharedMemory;
  readonly values: number;
  readonly roots: number;
  readonly depths: number;
  /** Per lane, the byte offsets of its chunk of feature rows and raw scores. */
  readonly lanes: ReadonlyArray<{ readonly x: number; readonly raw: number }>;
  readonly chunkRows: number;
}

const compiledEnsembles = new WeakMap<TreeEnsemble, CompiledEnsemble>();

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * Packs the ensemble's numeric trees into a wasm memory of their own (once per ensemble, kept
 * while the ensemble lives; again when more lanes are needed): nodes (a leaf becomes its own left
 * child: threshold +inf, feature 0, missing values left, so any number of extra steps stays on it),
 * leaf values, each tree's root offset and depth (the most steps a row takes), then per lane a
 * chunk of `cols` float32 features and raw scores.
 */
function compile(ensemble: TreeEnsemble, cols: number, nLanes: number): CompiledEnsemble {
  const cached = compiledEnsembles.get(ensemble);
  if (cached !== undefined && cached.lanes.length >= nLanes) return cached;
  const { treeStart, feature, threshold, missingLeft, left, value } = ensemble;
  const nNodes = feature.length;
  const nTrees = treeStart.length - 1;
  const K = ensemble.nTreesPerIteration;
  const chunkRows = Math.max(64, Math.floor(CHUNK_BYTES / (cols * 4 + K * 8)));
  const values = align16(nNodes * NODE_BYTES);
  const roots = align16(values + nNodes * 8);
  const depths = align16(roots + nTrees * 4);
  const lanes: Array<{ x: number; raw: number }> = [];
  let end = align16(depths + nTrees * 4);
  for (let l = 0; l < nLanes; l++) {
    const x = end;
    const raw = align16(x + chunkRows * cols * 4);
    end = align16(raw + chunkRows * K * 8);
    lanes.push({ x, raw });
  }
  const bytes = end;
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
  const compiled = { wasm: instantiateKernel(memory), memory, values, roots, depths, lanes, chunkRows };
  compiledEnsembles.set(ensemble, compiled);
  return compiled;
}

/** Row blocks per thread of a parallel prediction (so threads that start late still share the work). */
const BLOCKS_PER_THREAD = 8;

/**
 * Raw predictions (class-major: out[k * rows + i]) of the first `nTrees` trees of a numeric
 * ensemble, starting from `baseline`, with the wasm kernel: x goes left iff x <= threshold (as
 * float64), or x is NaN and the node sends missing values left; every row adds its trees' leaf
 * values in tree order, so the sums are the bits of a plain walk. With a worker `pool`, the
 * threads take row blocks (the calling thread from the front, the workers from the back), each
 * through a chunk of its own: the same bytes.
 */
export function predictRawCompiled(
  ensemble: TreeEnsemble,
  baseline: Float64Array,
  features: Matrix,
  nTrees: number,
  pool?: HistWorkerPool,
): Float64Array {
  const { rows, cols, data } = features;
  const K = ensemble.nTreesPerIteration;
  if (pool === undefined || pool.size === 0) {
    const c = compile(ensemble, cols, 1);
    const out = new Float64Array(K * rows);
    predictRows(lane(c, 0), data, out, rows, cols, K, nTrees, baseline, 0, rows);
    return out;
  }
  const c = compile(ensemble, cols, pool.size + 1);
  const xBuffer = new SharedArrayBuffer(rows * cols * 4);
  const x = new Float32Array(xBuffer);
  x.set(data.subarray(0, rows * cols));
  const outBuffer = new SharedArrayBuffer(K * rows * 8);
  const out = new Float64Array(outBuffer);
  const blockRows = Math.max(64, Math.ceil(rows / ((pool.size + 1) * BLOCKS_PER_THREAD) / 64) * 64);
  const { memory, values, roots, depths, chunkRows } = c;
  const common = { memory, values, roots, depths, chunkRows, rows, cols, nTreesPerIteration: K, nTrees, baseline, blockRows, x: xBuffer, out: outBuffer };
  pool.setupPredict(c.lanes.slice(1, pool.size + 1).map((chunk) => ({ ...common, lane: chunk })));
  const own = lane(c, 0);
  pool.runPredict(Math.ceil(rows / blockRows), (b0, b1) =>
    predictRows(own, x, out, rows, cols, K, nTrees, baseline, b0 * blockRows, Math.min(rows, b1 * blockRows)),
  );
  return Float64Array.from(out);
}

function lane(c: CompiledEnsemble, l: number): PredictLane {
  const { wasm, memory, values, roots, depths, chunkRows } = c;
  return { wasm, memory, values, roots, depths, chunkRows, x: c.lanes[l]!.x, raw: c.lanes[l]!.raw };
}
