/** Types of tree-lane.mjs (whole trees of a multiclass iteration on a worker thread). */
import type { KernelContext } from './hist-kernel.mjs';
import type { GrowerMapper, GrowerOptions } from './tree-grower.mjs';
import type { NodeRecord } from './tree-ensemble.js';

/** What a worker needs to grow whole trees: posted once per fit with its lane's memory. */
export interface TreeLaneSetup {
  readonly nRows: number;
  readonly nTrees: number;
  /** Histogram slots the lane's memory holds now. */
  readonly slots: number;
  /** Float64 values per tree in `output` ({@link treeStride}). */
  readonly stride: number;
  /** Rows per block of a gradient job ({@link gradientBlockRows}). */
  readonly blockRows: number;
  /** int32[nRows]: class positions. */
  readonly y: SharedArrayBuffer;
  /** float64[nRows], or undefined for unit weights. */
  readonly weights: SharedArrayBuffer | undefined;
  /** Softmax scratch: float64[nTrees × nRows], float64[nRows] and float64[nRows]. */
  readonly exps: SharedArrayBuffer;
  readonly max: SharedArrayBuffer;
  readonly sum: SharedArrayBuffer;
  /** float32[nTrees × nRows] each, class-major. */
  readonly gradients: SharedArrayBuffer;
  readonly hessians: SharedArrayBuffer;
  /** float64[nTrees × nRows]: raw scores, class-major. */
  readonly raw: SharedArrayBuffer;
  /** float64[nTrees × stride]: the trees the workers grew. */
  readonly output: SharedArrayBuffer;
  readonly mapper: GrowerMapper;
  readonly hasMissing: Uint8Array;
  readonly options: GrowerOptions;
}

export declare const NODE_STRIDE: number;
export declare function treeStride(maxNodes: number): number;
export declare function maxTreeNodes(nRows: number, maxLeafNodes: number | null, minSamplesLeaf: number): number;
export declare function writeTree(output: Float64Array, stride: number, k: number, records: readonly NodeRecord[]): void;
export declare function readTree(output: Float64Array, stride: number, k: number): NodeRecord[];
export declare function blockRange(block: number, blockRows: number, nRows: number): [number, number];
export declare function gradientBlockRows(nRows: number): number;
/** The runners of a worker's lane: tree jobs (trees [k0, k1)) and gradient jobs (row blocks [b0, b1)). */
export declare function createTreeLane(
  ctx: KernelContext,
  setup: TreeLaneSetup,
): { growTrees(k0: number, k1: number): void; gradients(b0: number, b1: number): void };
