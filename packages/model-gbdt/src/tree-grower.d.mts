/** Types of tree-grower.mjs (plain JavaScript shared by the calling thread and the workers). */
import type { KernelContext } from './hist-kernel.mjs';
import type { NodeRecord } from './tree-ensemble.js';

/** What the grower needs of a histogram engine (HistogramEngine, or a worker's lane engine). */
export interface GrowerEngine {
  readonly ctx: KernelContext;
  readonly nRows: number;
  readonly nFeatures: number;
  readonly slotCount: number;
  ensureSlots(slots: number): void;
  run(work: number): void;
}

/** What the grower needs of the bin mapper. */
export interface GrowerMapper {
  readonly thresholds: readonly Float64Array[];
  readonly nBinsNonMissing: Int32Array;
  readonly missingBin: number;
}

export interface GrowerOptions {
  readonly maxLeafNodes: number | null;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  readonly learningRate: number;
}

/** A split the grower chose for a node. */
export interface GrowerSplit {
  readonly gain: number;
  readonly feature: number;
  readonly bin: number;
  missingLeft: boolean;
  readonly sumGLeft: number;
  readonly sumHLeft: number;
  readonly countLeft: number;
  /** Categorical split: the bins (category codes, and the missing bin) that go left. */
  readonly catLeft?: Int32Array;
}

/** A node while its tree grows. */
export interface GrowNode {
  readonly record: NodeRecord;
  readonly index: number;
  readonly start: number;
  readonly count: number;
  readonly depth: number;
  readonly sumG: number;
  readonly sumH: number;
  /** Newton value −G/(H+λ) before shrinkage (0 at the root, as in scikit-learn). */
  readonly value: number;
  slot: number;
  split: GrowerSplit | undefined;
}

/** The categorical split search and partition (categorical-splits.ts). */
export interface CategoricalHook {
  /** Replaces the kernel's results of the categorical features of `child`; returns their left bitsets by feature. */
  splits(child: number, node: GrowNode): Map<number, Int32Array>;
  /** Stable partition of the node's samples by a category bitset; returns the left count. */
  partition(node: GrowNode, catLeft: Int32Array, feature: number): number;
}

export declare const MIN_HESSIAN_TO_SPLIT: number;
export declare const MIN_GAIN_TO_SPLIT: number;

/** Grows one regression tree on gradients/hessians, leaf-wise (best gain first), with scikit-learn's TreeGrower rules. */
export declare class TreeGrower {
  constructor(engine: GrowerEngine, mapper: GrowerMapper, hasMissing: Uint8Array, options: GrowerOptions, categorical?: CategoricalHook);
  /** Grows a tree and adds its leaf values to `raw[offset + row]`; returns the nodes, root first. */
  grow(gradients: Float32Array, hessians: Float32Array, raw: Float64Array, offset: number): NodeRecord[];
}

/** −G/(H + λ): scikit-learn's compute_node_value without bounds. */
export declare function nodeValue(sumG: number, sumH: number, l2: number): number;
