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
/** The runner of tree jobs on a worker's lane: grows trees [k0, k1). */
export declare function createTreeLane(ctx: KernelContext, setup: TreeLaneSetup): (k0: number, k1: number) => void;
