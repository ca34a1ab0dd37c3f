// Whole trees on a worker thread. For 3+ classes the K trees of one boosting iteration are
// independent given that iteration's gradients, so the calling thread and the workers can each
// grow whole trees at once (hist-worker-pool.ts `runTrees`): a worker claims tree k, grows it with
// the same grower (tree-grower.mjs) on a lane of its own — a shared WebAssembly.Memory laid out like
// the fit's (a copy of the binned data; its own partition, gradients and histogram slots) — adds
// the tree's leaf values to the shared raw scores of class k (in the softmax's memory), and writes the tree's nodes to the
// shared output. A tree's bytes depend only on its gradients and the binned data, never on which
// thread grew it, so the model is the same on any number of threads.
//
// Output: per tree k, at k * treeStride (treeStride = 1 + maxNodes * NODE_STRIDE float64 values):
// the node count, then per node [feature, threshold, binThreshold, missingLeft, left, value, gain, count].
import { runFeatureRange, pagesFor } from './hist-kernel.mjs';
import { softmaxLane } from './softmax-gradients.mjs';
import { TreeGrower } from './tree-grower.mjs';

/** Float64 values per node in the output. */
export const NODE_STRIDE = 8;

/** Float64 values per tree in the output of a fit whose trees have at most `maxNodes` nodes. */
export function treeStride(maxNodes) {
  return 1 + maxNodes * NODE_STRIDE;
}

/** Upper bound of the nodes of one tree: 2 * leaves - 1, a leaf holding at least minSamplesLeaf rows. */
export function maxTreeNodes(nRows, maxLeafNodes, minSamplesLeaf) {
  const leaves = Math.max(1, Math.min(maxLeafNodes ?? nRows, Math.floor(nRows / Math.max(1, minSamplesLeaf))));
  return 2 * leaves - 1;
}

/** Writes tree `k`'s nodes to `output`. */
export function writeTree(output, stride, k, records) {
  const base = k * stride;
  if (records.length * NODE_STRIDE + 1 > stride) throw new Error(`tree ${k} has ${records.length} nodes, more than the output holds`);
  output[base] = records.length;
  for (let j = 0; j < records.length; j++) {
    const r = records[j];
    const o = base + 1 + j * NODE_STRIDE;
    output[o] = r.feature;
    output[o + 1] = r.threshold;
    output[o + 2] = r.binThreshold;
    output[o + 3] = r.missingLeft ? 1 : 0;
    output[o + 4] = r.left;
    output[o + 5] = r.value;
    output[o + 6] = r.gain;
    output[o + 7] = r.count;
  }
}

/** Reads tree `k`'s nodes back (the same values as the grower's records). */
export function readTree(output, stride, k) {
  const base = k * stride;
  const n = output[base];
  const records = new Array(n);
  for (let j = 0; j < n; j++) {
    const o = base + 1 + j * NODE_STRIDE;
    records[j] = {
      feature: output[o],
      threshold: output[o + 1],
      binThreshold: output[o + 2],
      missingLeft: output[o + 3] === 1,
      left: output[o + 4],
      value: output[o + 5],
      gain: output[o + 6],
      count: output[o + 7],
    };
  }
  return records;
}

/**
 * A histogram engine on a lane's own memory that runs every job on its thread (the grower's
 * engine interface; HistogramEngine's serial path).
 */
export class LaneEngine {
  constructor(ctx, slots) {
    this.ctx = ctx;
    this.nRows = ctx.nRows;
    this.nFeatures = ctx.nFeatures;
    this.slotCount = slots;
  }

  run() {
    runFeatureRange(this.ctx, 0, this.nFeatures);
  }

  /** Grows the lane's histogram storage like HistogramEngine.ensureSlots (in place; the views stay valid). */
  ensureSlots(slots) {
    if (slots <= this.slotCount) return;
    const next = Math.max(slots, this.slotCount * 2);
    const { layout, memory } = this.ctx;
    const bytes = layout.hist + next * layout.slotBytes;
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(pagesFor(bytes) - have / 65536);
    this.slotCount = next;
  }
}

/** Rows [block * blockRows, ...) of an iteration's gradients: the unit of a gradient job. */
export function blockRange(block, blockRows, nRows) {
  return [block * blockRows, Math.min(nRows, (block + 1) * blockRows)];
}

/**
 * Rows per block of a gradient job over `nRows` rows (a multiple of 64, about 32 blocks: small
 * enough that the threads finish together, large enough that claiming costs nothing).
 */
export function gradientBlockRows(nRows) {
  return Math.max(64, Math.ceil(nRows / 32 / 64) * 64);
}

/**
 * A worker's tree lane: `ctx` is the kernel context on the lane's memory; `setup` holds the
 * softmax's shared memory and layout (labels, weights, raw scores, gradients; softmax-gradients.mjs)
 * with this worker's thread number there, the shared tree output (a SharedArrayBuffer), the bin
 * mapper's thresholds and the grower's options. Returns the range runners of tree jobs (trees
 * [k0, k1)) and gradient jobs (row blocks [b0, b1)).
 */
export function createTreeLane(ctx, setup) {
  const { nRows, nTrees, slots, stride, blockRows } = setup;
  const softmax = softmaxLane(setup.softmax.memory, setup.softmax.layout, setup.thread);
  const { gradients, hessians, raw } = softmax;
  const output = new Float64Array(setup.output);
  const grower = new TreeGrower(new LaneEngine(ctx, slots), setup.mapper, setup.hasMissing, setup.options);
  return {
    growTrees(k0, k1) {
      for (let k = k0; k < k1; k++) {
        if (k >= nTrees) throw new Error(`tree ${k} of ${nTrees}`);
        const records = grower.grow(gradients.subarray(k * nRows, (k + 1) * nRows), hessians.subarray(k * nRows, (k + 1) * nRows), raw, k * nRows);
        writeTree(output, stride, k, records);
      }
    },
    gradients(b0, b1) {
      const [r0] = blockRange(b0, blockRows, nRows);
      const [, r1] = blockRange(b1 - 1, blockRows, nRows);
      softmax.run(r0, r1);
    },
  };
}
