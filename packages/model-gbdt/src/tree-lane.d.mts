/** Types of tree-lane.mjs (whole trees of a multiclass iteration on a worker thread). */
import type { KernelContext, SharedMemory } from './hist-kernel.mjs';
import type { SoftmaxLayout } from './softmax-gradients.mjs';
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
  /** The softmax's shared memory and its layout: labels, weights, raw scores, gradients, hessians. */
  readonly softmax: { readonly memory: SharedMemory; readonly layout: SoftmaxLayout };
  /** This worker's thread number in the softmax's scratch (worker w: w + 1; set by the pool). */
  readonly thread: number;
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
