// The leaf-wise tree grower, as a plain ES module so the very same code grows trees on the calling
// thread (imported by the TypeScript sources) and inside a worker thread (hist-worker.mjs grows
// whole trees of a multiclass iteration, see tree-lane.mjs). scikit-learn's TreeGrower rules: a
// node with fewer than 2 * minSamplesLeaf samples or less than 1e-3 hessian is a leaf; growth
// stops at maxLeafNodes leaves or maxDepth; a node with no positive gain split is a leaf.
// Histograms: the smaller child is built from its samples, the larger one is the parent minus the
// smaller (in the parent's slot). Categorical split search and partition are TypeScript
// (categorical-splits.ts) and plug in through `categorical`; fits with categorical features never
// grow trees on a worker.
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

/** scikit-learn's defaults that are not exposed as HistGradientBoostingClassifier parameters. */
export const MIN_HESSIAN_TO_SPLIT = 1e-3;
export const MIN_GAIN_TO_SPLIT = 0;

export class TreeGrower {
  /**
   * @param engine the histogram engine (HistogramEngine, or a worker's lane engine)
   * @param mapper { thresholds, nBinsNonMissing, missingBin } of the bin mapper
   * @param hasMissing per feature, 1 if it has NaN in the training rows
   * @param options maxLeafNodes, maxDepth, minSamplesLeaf, l2Regularization, learningRate
   * @param categorical the categorical split search and partition, or undefined
   */
  constructor(engine, mapper, hasMissing, options, categorical) {
    this.engine = engine;
    this.mapper = mapper;
    this.hasMissing = hasMissing;
    this.options = options;
    this.categorical = categorical;
    const job = engine.ctx.job;
    job[JOB_MIN_SAMPLES_LEAF] = options.minSamplesLeaf;
    job[JOB_MIN_HESSIAN] = MIN_HESSIAN_TO_SPLIT;
    job[JOB_L2] = options.l2Regularization;
    job[JOB_MIN_GAIN] = MIN_GAIN_TO_SPLIT;
    job[JOB_PRUNE] = categorical === undefined ? 1 : 0;
    job[JOB_MISSING_BIN] = mapper.missingBin;
  }

  /**
   * Grows a tree on `gradients`/`hessians` (one per training row) and adds its leaf values to
   * `raw[offset + row]`. Returns the nodes, root first.
   */
  grow(gradients, hessians, raw, offset) {
    const { engine, options } = this;
    const n = engine.nRows;
    const msl = options.minSamplesLeaf;
    let ctx = engine.ctx;
    ctx.g.set(gradients);
    ctx.h.set(hessians);
    // idx = 0..n-1, ordered pairs, and ΣG, ΣH (float64, row order) in one wasm pass.
    const { layout } = ctx;
    ctx.wasm.root(layout.idx, layout.g, layout.h, layout.ogh, n, layout.job + JOB_ROOT_SUMS * 8);
    const sumG = ctx.job[JOB_ROOT_SUMS];
    const sumH = ctx.job[JOB_ROOT_SUMS + 1];

    const records = [];
    const leaves = [];
    const heap = [];
    const freeSlots = [];
    let slotsUsed = 0;
    const takeSlot = () => {
      const free = freeSlots.pop();
      if (free !== undefined) return free;
      if (slotsUsed >= engine.slotCount) engine.ensureSlots(slotsUsed + 1);
      return slotsUsed++;
    };
    const release = (node) => {
      if (node.slot >= 0) freeSlots.push(node.slot);
      node.slot = -1;
    };
    const makeNode = (start, count, depth, g, h, value) => {
      const record = { feature: -1, threshold: 0, binThreshold: 0, missingLeft: false, left: -1, value, gain: 0, count };
      records.push(record);
      return { record, index: records.length - 1, start, count, depth, sumG: g, sumH: h, value, slot: -1, split: undefined };
    };
    const finalize = (node) => {
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
      const split = node.split;
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
          split.bin === this.mapper.nBinsNonMissing[split.feature] - 1 ? Infinity : this.mapper.thresholds[split.feature][split.bin];
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
        while (heap.length > 0) finalize(heap.pop());
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
      const { job } = ctx;
      ctx.wasm.gather(ctx.layout.ogh, ctx.layout.idx + small.start * 4, small.count, ctx.layout.g, ctx.layout.h);
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
      for (let i = leaf.start; i < leaf.start + leaf.count; i++) raw[offset + idx[i]] += value;
    }
    return records;
  }

  requestSplit(child, node) {
    const job = this.engine.ctx.job;
    const p = JOB_CHILD0 + child * JOB_CHILD_STRIDE;
    job[p] = node.slot;
    job[p + 1] = node.sumG;
    job[p + 2] = node.sumH;
    job[p + 3] = node.count;
    job[p + 4] = node.sumG * node.value;
  }

  /** Best split over features (first feature on ties); a node without a positive gain becomes a leaf. */
  acceptSplit(child, node, heap, finalize) {
    const { results, nFeatures } = this.engine.ctx;
    const catLeft = this.categorical === undefined ? undefined : this.categorical.splits(child, node);
    let best = child * nFeatures * RESULT_STRIDE;
    for (let f = 1; f < nFeatures; f++) {
      const o = (child * nFeatures + f) * RESULT_STRIDE;
      if (results[o] > results[best]) best = o;
    }
    const gain = results[best];
    if (!(gain > 0)) {
      finalize(node);
      return;
    }
    const feature = best / RESULT_STRIDE - child * nFeatures;
    const left = catLeft === undefined ? undefined : catLeft.get(feature);
    node.split = {
      gain,
      feature,
      ...(left === undefined ? {} : { catLeft: left }),
      bin: results[best + 1],
      missingLeft: results[best + 2] === 1,
      sumGLeft: results[best + 3],
      sumHLeft: results[best + 4],
      countLeft: results[best + 5],
    };
    heap.push(node);
  }

  /** Stable in-place partition of the node's samples: left child first, then right (wasm; the categorical hook for a categorical split). */
  partition(node, split) {
    if (split.catLeft !== undefined) return this.categorical.partition(node, split.catLeft, split.feature);
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
}

/** −G/(H + λ): scikit-learn's compute_node_value without bounds. */
export function nodeValue(sumG, sumH, l2) {
  return -sumG / (sumH + l2 + 1e-15);
}

/** Removes and returns the node of highest gain (the earliest pushed on ties). */
function popBest(heap) {
  let best = 0;
  for (let j = 1; j < heap.length; j++) if (heap[j].split.gain > heap[best].split.gain) best = j;
  return heap.splice(best, 1)[0];
}
