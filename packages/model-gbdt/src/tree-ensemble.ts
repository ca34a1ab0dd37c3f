import type { Matrix } from '@pipeline/core';
import type { HistWorkerPool } from './hist-worker-pool.js';
import { predictRawCompiled } from './tree-predictor.js';

/**
 * All trees of a fitted model in flat arrays (no object per node). Tree t (iteration
 * floor(t / nTreesPerIteration), class t % nTreesPerIteration) owns nodes
 * treeStart[t] .. treeStart[t + 1] - 1, its root first. An internal node sends x to `left[node]`
 * when x <= threshold (or x is NaN and missingLeft), else to `left[node] + 1`. Leaves have
 * feature -1 and hold `value` (learning rate included).
 */
export interface TreeEnsemble {
  readonly nTreesPerIteration: number;
  readonly treeStart: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** Bin threshold of the split (x goes left iff bin <= binThreshold, or NaN bin and missingLeft). */
  readonly binThreshold: Uint8Array;
  readonly missingLeft: Uint8Array;
  /** Absolute index of the left child; the right child follows it. */
  readonly left: Int32Array;
  readonly value: Float64Array;
  /** Loss reduction of the split: GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ); 0 for leaves. */
  readonly gain: Float64Array;
  /** Training samples that reached the node. */
  readonly count: Int32Array;
  /**
   * Categorical splits (when some feature is categorical): per node 8 words, the bitset of the
   * category codes that go left; NaN and codes training never saw follow `missingLeft`.
   * `isCategoricalNode[node]` is 1 for such nodes.
   */
  readonly catLeft?: Int32Array;
  readonly isCategoricalNode?: Uint8Array;
  /** Per feature, 8 words: the category codes seen in training (see BinMapper.categorical). */
  readonly knownCategories?: Int32Array;
}

/** One node as the grower emits it. */
export interface NodeRecord {
  feature: number;
  threshold: number;
  binThreshold: number;
  missingLeft: boolean;
  /** Index of the left child within the tree (right = left + 1). */
  left: number;
  value: number;
  gain: number;
  count: number;
  /** Categorical split: bitset (8 words) of the category codes (and missing bin) that go left. */
  catLeft?: Int32Array;
}

/** Collects trees as they are grown; `build()` packs them into a {@link TreeEnsemble}. */
export class TreeEnsembleBuilder {
  private readonly starts: number[] = [0];
  private readonly nodes: NodeRecord[] = [];

  constructor(
    readonly nTreesPerIteration: number,
    private readonly knownCategories?: Int32Array,
  ) {}

  get nTrees(): number {
    return this.starts.length - 1;
  }

  /** Appends one tree (root first, children after their parent, each left child followed by its right). */
  addTree(nodes: readonly NodeRecord[]): void {
    for (const node of nodes) this.nodes.push(node);
    this.starts.push(this.nodes.length);
  }

  /** Drops trees beyond the first `nTrees` (used to keep whole iterations only). */
  truncate(nTrees: number): void {
    this.starts.length = nTrees + 1;
    this.nodes.length = this.starts[nTrees]!;
  }

  build(): TreeEnsemble {
    const n = this.nodes.length;
    const ensemble = {
      nTreesPerIteration: this.nTreesPerIteration,
      treeStart: Int32Array.from(this.starts),
      feature: new Int32Array(n),
      threshold: new Float64Array(n),
      binThreshold: new Uint8Array(n),
      missingLeft: new Uint8Array(n),
      left: new Int32Array(n),
      value: new Float64Array(n),
      gain: new Float64Array(n),
      count: new Int32Array(n),
    };
    const categorical = this.knownCategories !== undefined;
    const catLeft = categorical ? new Int32Array(n * 8) : undefined;
    const isCategoricalNode = categorical ? new Uint8Array(n) : undefined;
    for (let t = 0; t < this.starts.length - 1; t++) {
      const start = this.starts[t]!;
      for (let j = start; j < this.starts[t + 1]!; j++) {
        const node = this.nodes[j]!;
        ensemble.feature[j] = node.feature;
        ensemble.threshold[j] = node.threshold;
        ensemble.binThreshold[j] = node.binThreshold;
        ensemble.missingLeft[j] = node.missingLeft ? 1 : 0;
        ensemble.left[j] = node.feature < 0 ? -1 : start + node.left;
        ensemble.value[j] = node.value;
        ensemble.gain[j] = node.gain;
        ensemble.count[j] = node.count;
        if (node.catLeft !== undefined) {
          catLeft!.set(node.catLeft, j * 8);
          isCategoricalNode![j] = 1;
        }
      }
    }
    if (!categorical) return ensemble;
    return { ...ensemble, catLeft: catLeft!, isCategoricalNode: isCategoricalNode!, knownCategories: this.knownCategories! };
  }
}

/**
 * Raw predictions (class-major: raw[k * rows + i]) of the first `nIter` iterations on raw
 * features, starting from `baseline`: numeric trees with the wasm kernel (tree-predictor.ts),
 * categorical ones with a JavaScript walk.
 */
export function predictRaw(ensemble: TreeEnsemble, baseline: Float64Array, features: Matrix, nIter: number, pool?: HistWorkerPool): Float64Array {
  const K = ensemble.nTreesPerIteration;
  const nTrees = nIter * K;
  if (ensemble.catLeft === undefined) return predictRawCompiled(ensemble, baseline, features, nTrees, pool);
  const rows = features.rows;
  const raw = new Float64Array(K * rows);
  for (let k = 0; k < K; k++) raw.fill(baseline[k]!, k * rows, (k + 1) * rows);
  return predictRawCategorical(ensemble, raw, features, nTrees);
}

/** {@link predictRaw} with categorical nodes (scikit-learn's predictor: unknown codes follow the missing side). */
function predictRawCategorical(ensemble: TreeEnsemble, raw: Float64Array, features: Matrix, nTrees: number): Float64Array {
  const { rows, cols, data } = features;
  const K = ensemble.nTreesPerIteration;
  const { treeStart, feature, threshold, missingLeft, left, value } = ensemble;
  const catLeft = ensemble.catLeft!;
  const isCat = ensemble.isCategoricalNode!;
  const known = ensemble.knownCategories!;
  for (let t = 0; t < nTrees; t++) {
    const root = treeStart[t]!;
    const offset = (t % K) * rows;
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      let node = root;
      let f = feature[node]!;
      while (f >= 0) {
        const x = data[base + f]!;
        let goLeft: boolean;
        if (isCat[node] === 1) {
          const code = x >= 0 && x < 256 && Number.isInteger(x) ? x : -1;
          if (code < 0 || ((known[f * 8 + (code >>> 5)]! >>> (code & 31)) & 1) === 0) goLeft = missingLeft[node] === 1;
          else goLeft = ((catLeft[node * 8 + (code >>> 5)]! >>> (code & 31)) & 1) === 1;
        } else {
          goLeft = x <= threshold[node]! || (x !== x && missingLeft[node] === 1);
        }
        node = goLeft ? left[node]! : left[node]! + 1;
        f = feature[node]!;
      }
      raw[offset + i]! += value[node]!;
    }
  }
  return raw;
}

/**
 * Adds one freshly grown tree to raw predictions of binned data (column-major, `rows` per
 * column): the validation rows during early stopping.
 */
export function addTreeBinned(
  nodes: readonly NodeRecord[],
  bins: Uint8Array,
  rows: number,
  missingBin: number,
  raw: Float64Array,
  offset: number,
): void {
  for (let i = 0; i < rows; i++) {
    let node = nodes[0]!;
    while (node.feature >= 0) {
      const b = bins[node.feature * rows + i]!;
      const goLeft =
        node.catLeft !== undefined
          ? b === missingBin
            ? node.missingLeft
            : ((node.catLeft[b >>> 5]! >>> (b & 31)) & 1) === 1
          : b === missingBin
            ? node.missingLeft
            : b <= node.binThreshold;
      node = nodes[goLeft ? node.left : node.left + 1]!;
    }
    raw[offset + i]! += node.value;
  }
}
