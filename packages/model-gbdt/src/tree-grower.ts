import {
  JOB_BUILD_COUNT,
  JOB_BUILD_IDENTITY,
  JOB_BUILD_SLOT,
  JOB_BUILD_START,
  JOB_CHILD0,
  JOB_CHILD_STRIDE,
  JOB_L2,
  JOB_MIN_GAIN,
  JOB_MIN_HESSIAN,
  JOB_MIN_SAMPLES_LEAF,
  JOB_MISSING_BIN,
  JOB_PRUNE,
  JOB_ROOT_SUMS,
  JOB_SUB_TARGET,
  RESULT_STRIDE,
} from './hist-kernel.mjs';
import { BITSET_WORDS, inBitset, type BinMapper } from './bin-mapper.js';
import { HIST_FEATURE_BYTES } from './hist-kernel.mjs';
import type { HistogramEngine } from './histogram-engine.js';
import type { NodeRecord } from './tree-ensemble.js';

/** scikit-learn's defaults that are not exposed as HistGradientBoostingClassifier parameters. */
const MIN_HESSIAN_TO_SPLIT = 1e-3;
const MIN_GAIN_TO_SPLIT = 0;

export interface GrowerOptions {
  readonly maxLeafNodes: number | null;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  readonly learningRate: number;
}

interface Split {
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

/** scikit-learn's MIN_CAT_SUPPORT: a category needs this much hessian (in sample units) to be sorted, and smooths its ratio. */
const MIN_CAT_SUPPORT = 10;

interface GrowNode {
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
  split: Split | undefined;
}

/**
 * Grows one regression tree on gradients/hessians, leaf-wise (best gain first), with
 * scikit-learn's TreeGrower rules: a node with fewer than 2 * minSamplesLeaf samples or less than
 * 1e-3 hessian is a leaf; growth stops at maxLeafNodes leaves or maxDepth; a node with no positive
 * gain split is a leaf. Histograms: the smaller child is built from its samples, the larger one is
 * the parent minus the smaller (in the parent's slot).
 */
export class TreeGrower {
  constructor(
    private readonly engine: HistogramEngine,
    private readonly mapper: BinMapper,
    private readonly hasMissing: Uint8Array,
    private readonly options: GrowerOptions,
  ) {
    const job = engine.ctx.job;
    job[JOB_MIN_SAMPLES_LEAF] = options.minSamplesLeaf;
    job[JOB_MIN_HESSIAN] = MIN_HESSIAN_TO_SPLIT;
    job[JOB_L2] = options.l2Regularization;
    job[JOB_MIN_GAIN] = MIN_GAIN_TO_SPLIT;
    job[JOB_PRUNE] = mapper.categorical === undefined ? 1 : 0;
    job[JOB_MISSING_BIN] = mapper.missingBin;
  }

  /**
   * Grows a tree on `gradients`/`hessians` (one per training row) and adds its leaf values to
   * `raw[offset + row]`. Returns the nodes, root first.
   */
  grow(gradients: Float32Array, hessians: Float32Array, raw: Float64Array, offset: number): NodeRecord[] {
    const { engine, options } = this;
    const n = engine.nRows;
    const msl = options.minSamplesLeaf;
    let ctx = engine.ctx;
    ctx.g.set(gradients);
    ctx.h.set(hessians);
    // idx = 0..n-1, ordered pairs, and ΣG, ΣH (float64, row order) in one wasm pass.
    const { layout } = ctx;
    ctx.wasm.root(layout.idx, layout.g, layout.h, layout.ogh, n, layout.job + JOB_ROOT_SUMS * 8);
    const sumG = ctx.job[JOB_ROOT_SUMS]!;
    const sumH = ctx.job[JOB_ROOT_SUMS + 1]!;

    const records: NodeRecord[] = [];
    const leaves: GrowNode[] = [];
    const heap: GrowNode[] = [];
    const freeSlots: number[] = [];
    let slotsUsed = 0;
    const takeSlot = (): number => {
      const free = freeSlots.pop();
      if (free !== undefined) return free;
      if (slotsUsed >= engine.slotCount) engine.ensureSlots(slotsUsed + 1);
      return slotsUsed++;
    };
    const release = (node: GrowNode) => {
      if (node.slot >= 0) freeSlots.push(node.slot);
      node.slot = -1;
    };
    const makeNode = (start: number, count: number, depth: number, g: number, h: number, value: number): GrowNode => {
      const record: NodeRecord = { feature: -1, threshold: 0, binThreshold: 0, missingLeft: false, left: -1, value, gain: 0, count };
      records.push(record);
      return { record, index: records.length - 1, start, count, depth, sumG: g, sumH: h, value, slot: -1, split: undefined };
    };
    const finalize = (node: GrowNode) => {
      release(node);
      leaves.push(node);
    };

    const root = makeNode(0, n, 0, sumG, sumH, 0);
    if (n < 2 * msl || sumH < MIN_HESSIAN_TO_SPLIT) {
      finalize(root);
    } else {
      root.slot = takeSlot();
      ctx = engine.ctx;
      const job = ctx.job;
      job[JOB_BUILD_SLOT] = root.slot;
      job[JOB_BUILD_START] = 0;
      job[JOB_BUILD_COUNT] = n;
      job[JOB_BUILD_IDENTITY] = 1;
      job[JOB_SUB_TARGET] = -1;
      this.requestSplit(0, root);
      job[JOB_CHILD0 + JOB_CHILD_STRIDE] = -1;
      engine.run((n + 768) * engine.nFeatures);
      this.acceptSplit(0, root, heap, finalize);
    }

    while (heap.length > 0) {
      const node = popBest(heap);
      const split = node.split!;
      const countLeft = this.partition(node, split);
      const countRight = node.count - countLeft;
      const l2 = options.l2Regularization;
      const sumGRight = node.sumG - split.sumGLeft;
      const sumHRight = node.sumH - split.sumHLeft;
      const depth = node.depth + 1;
      const left = makeNode(node.start, countLeft, depth, split.sumGLeft, split.sumHLeft, nodeValue(split.sumGLeft, split.sumHLeft, l2));
      const right = makeNode(node.start + countLeft, countRight, depth, sumGRight, sumHRight, nodeValue(sumGRight, sumHRight, l2));
      if (this.hasMissing[split.feature] === 0) split.missingLeft = countLeft > countRight;
      const record = node.record;
      record.feature = split.feature;
      record.binThreshold = split.bin;
      if (split.catLeft !== undefined) {
        record.threshold = Number.NaN;
        record.catLeft = split.catLeft;
      } else {
        record.threshold =
          split.bin === this.mapper.nBinsNonMissing[split.feature]! - 1 ? Infinity : this.mapper.thresholds[split.feature]![split.bin]!;
      }
      record.missingLeft = split.missingLeft;
      record.left = left.index;
      const lambda = l2 + 1e-15;
      record.gain =
        (split.sumGLeft * split.sumGLeft) / (split.sumHLeft + lambda) +
        (sumGRight * sumGRight) / (sumHRight + lambda) -
        (node.sumG * node.sumG) / (node.sumH + lambda);

      const nLeaves = leaves.length + heap.length + 2;
      if (options.maxLeafNodes !== null && nLeaves === options.maxLeafNodes) {
        finalize(left);
        finalize(right);
        while (heap.length > 0) finalize(heap.pop()!);
        release(node);
        continue;
      }
      if (options.maxDepth !== null && depth === options.maxDepth) {
        finalize(left);
        finalize(right);
        release(node);
        continue;
      }
      const splitLeft = left.count >= 2 * msl;
      const splitRight = right.count >= 2 * msl;
      if (!splitLeft && !splitRight) {
        finalize(left);
        finalize(right);
        release(node);
        continue;
      }
      // Build the smaller child, derive the larger one in the parent's slot.
      const small = left.count < right.count ? left : right;
      const large = small === left ? right : left;
      small.slot = takeSlot();
      large.slot = node.slot;
      node.slot = -1;
      ctx = engine.ctx;
      const { job, layout } = ctx;
      ctx.wasm.gather(layout.ogh, layout.idx + small.start * 4, small.count, layout.g, layout.h);
      job[JOB_BUILD_SLOT] = small.slot;
      job[JOB_BUILD_START] = small.start;
      job[JOB_BUILD_COUNT] = small.count;
      job[JOB_BUILD_IDENTITY] = 0;
      job[JOB_SUB_TARGET] = large.slot;
      if (splitLeft) this.requestSplit(0, left);
      else job[JOB_CHILD0] = -1;
      if (splitRight) this.requestSplit(1, right);
      else job[JOB_CHILD0 + JOB_CHILD_STRIDE] = -1;
      engine.run((small.count + 768) * engine.nFeatures);
      if (splitLeft) this.acceptSplit(0, left, heap, finalize);
      else finalize(left);
      if (splitRight) this.acceptSplit(1, right, heap, finalize);
      else finalize(right);
    }

    const { idx } = engine.ctx;
    for (const leaf of leaves) {
      const value = leaf.value * options.learningRate;
      leaf.record.value = value;
      for (let i = leaf.start; i < leaf.start + leaf.count; i++) raw[offset + idx[i]!]! += value;
    }
    return records;
  }

  private requestSplit(child: number, node: GrowNode): void {
    const job = this.engine.ctx.job;
    const p = JOB_CHILD0 + child * JOB_CHILD_STRIDE;
    job[p] = node.slot;
    job[p + 1] = node.sumG;
    job[p + 2] = node.sumH;
    job[p + 3] = node.count;
    job[p + 4] = node.sumG * node.value;
  }

  /** Best split over features (first feature on ties); a node without a positive gain becomes a leaf. */
  private acceptSplit(child: number, node: GrowNode, heap: GrowNode[], finalize: (node: GrowNode) => void): void {
    const { results, nFeatures } = this.engine.ctx;
    const catLeft = this.mapper.categorical === undefined ? undefined : this.categoricalSplits(child, node);
    let best = child * nFeatures * RESULT_STRIDE;
    for (let f = 1; f < nFeatures; f++) {
      const o = (child * nFeatures + f) * RESULT_STRIDE;
      if (results[o]! > results[best]!) best = o;
    }
    const gain = results[best]!;
    if (!(gain > 0)) {
      finalize(node);
      return;
    }
    const feature = best / RESULT_STRIDE - child * nFeatures;
    const left = catLeft?.get(feature);
    node.split = {
      gain,
      feature,
      ...(left === undefined ? {} : { catLeft: left }),
      bin: results[best + 1]!,
      missingLeft: results[best + 2] === 1,
      sumGLeft: results[best + 3]!,
      sumHLeft: results[best + 4]!,
      countLeft: results[best + 5]!,
    };
    heap.push(node);
  }

  /**
   * scikit-learn's categorical split search (splitting.pyx `_find_best_bin_to_split_category`) on
   * the node's histogram, for every categorical feature: categories (and the missing bin, as one
   * more category) with hessian support ≥ 10 samples are sorted by G / (H + 10); the left child
   * takes a prefix of that order, scanned from both ends up to half of the categories. Overwrites
   * the kernel's (numeric) result of the feature; returns the left bitsets by feature.
   */
  private categoricalSplits(child: number, node: GrowNode): Map<number, Int32Array> {
    const ctx = this.engine.ctx;
    const { results, nFeatures, layout } = ctx;
    const { isCategorical } = this.mapper.categorical!;
    const missingBin = this.mapper.missingBin;
    const msl = this.options.minSamplesLeaf;
    const l2 = this.options.l2Regularization;
    const out = new Map<number, Int32Array>();
    const { sumG, sumH, count } = node;
    const lossCurrent = sumG * node.value;
    const support = count / sumH;
    const slotBase = layout.hist + node.slot * layout.slotBytes;
    for (let f = 0; f < nFeatures; f++) {
      if (isCategorical[f] !== 1) continue;
      const o = (child * nFeatures + f) * RESULT_STRIDE;
      results[o] = -1;
      const hist = new Float64Array(ctx.memory.buffer, slotBase + f * HIST_FEATURE_BYTES, 3 * 256);
      const used: number[] = [];
      const value: number[] = [];
      const consider = (bin: number) => {
        const h = hist[3 * bin + 1]!;
        if (h * support >= MIN_CAT_SUPPORT) {
          used.push(bin);
          value.push(hist[3 * bin]! / (h + MIN_CAT_SUPPORT));
        }
      };
      const nb = this.mapper.nBinsNonMissing[f]!;
      for (let b = 0; b < nb; b++) consider(b);
      if (this.hasMissing[f] === 1) consider(missingBin);
      const n = used.length;
      if (n <= 1) continue;
      const order = used.map((_, k) => k).sort((a, b) => value[a]! - value[b]! || a - b);
      let bestGain = -1;
      let bestEnd = -1;
      let bestDirection = 0;
      let bestG = 0;
      let bestH = 0;
      let bestCount = 0;
      for (const direction of [1, -1]) {
        const middle = direction === 1 ? (n + 1) >> 1 : ((n + 1) >> 1) - 1;
        let gl = 0;
        let hl = 0;
        let cl = 0;
        for (let i = 0; i < middle; i++) {
          const sorted = direction === 1 ? i : n - 1 - i;
          const bin = used[order[sorted]!]!;
          cl += hist[3 * bin + 2]!;
          hl += hist[3 * bin + 1]!;
          gl += hist[3 * bin]!;
          const cr = count - cl;
          const hr = sumH - hl;
          const gr = sumG - gl;
          if (cl < msl || hl < MIN_HESSIAN_TO_SPLIT) continue;
          if (cr < msl || hr < MIN_HESSIAN_TO_SPLIT) break;
          const gain = lossCurrent - gl * nodeValue(gl, hl, l2) - gr * nodeValue(gr, hr, l2);
          if (gain > bestGain && gain > MIN_GAIN_TO_SPLIT) {
            bestGain = gain;
            bestEnd = sorted;
            bestDirection = direction;
            bestG = gl;
            bestH = hl;
            bestCount = cl;
          }
        }
      }
      if (bestDirection === 0) continue;
      const bitset = new Int32Array(BITSET_WORDS);
      const from = bestDirection === 1 ? 0 : bestEnd;
      const to = bestDirection === 1 ? bestEnd : n - 1;
      for (let s = from; s <= to; s++) {
        const bin = used[order[s]!]!;
        bitset[bin >>> 5]! |= 1 << (bin & 31);
      }
      results[o] = bestGain;
      results[o + 1] = 0;
      results[o + 2] = this.hasMissing[f] === 1 && inBitset(bitset, 0, missingBin) ? 1 : 0;
      results[o + 3] = bestG;
      results[o + 4] = bestH;
      results[o + 5] = bestCount;
      out.set(f, bitset);
    }
    return out;
  }

  /** Stable in-place partition of the node's samples: left child first, then right (wasm; JS for a categorical split). */
  private partition(node: GrowNode, split: Split): number {
    if (split.catLeft !== undefined) return this.partitionCategorical(node, split.catLeft, split.feature);
    const { wasm, layout } = this.engine.ctx;
    return wasm.partition(
      layout.idx + node.start * 4,
      node.count,
      layout.bins + split.feature * this.engine.nRows,
      split.bin,
      this.mapper.missingBin,
      split.missingLeft ? 1 : 0,
      layout.buffer,
    );
  }

  /** Stable partition by a category bitset: samples whose bin is in `catLeft` first. */
  private partitionCategorical(node: GrowNode, catLeft: Int32Array, feature: number): number {
    const { idx, bins } = this.engine.ctx;
    const column = feature * this.engine.nRows;
    const right = new Int32Array(node.count);
    let nl = 0;
    let nr = 0;
    const end = node.start + node.count;
    for (let i = node.start; i < end; i++) {
      const row = idx[i]!;
      if (inBitset(catLeft, 0, bins[column + row]!)) idx[node.start + nl++] = row;
      else right[nr++] = row;
    }
    idx.set(right.subarray(0, nr), node.start + nl);
    return nl;
  }
}

/** −G/(H + λ): scikit-learn's compute_node_value without bounds. */
function nodeValue(sumG: number, sumH: number, l2: number): number {
  return -sumG / (sumH + l2 + 1e-15);
}

/** Removes and returns the node of highest gain (the earliest pushed on ties). */
function popBest(heap: GrowNode[]): GrowNode {
  let best = 0;
  for (let j = 1; j < heap.length; j++) if (heap[j]!.split!.gain > heap[best]!.split!.gain) best = j;
  return heap.splice(best, 1)[0]!;
}
