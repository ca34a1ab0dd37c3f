import { BITSET_WORDS, inBitset, type BinMapper } from './bin-mapper.js';
import { HIST_FEATURE_BYTES, RESULT_STRIDE } from './hist-kernel.mjs';
import type { HistogramEngine } from './histogram-engine.js';
import { MIN_GAIN_TO_SPLIT, MIN_HESSIAN_TO_SPLIT, nodeValue, type CategoricalHook, type GrowNode, type GrowerOptions } from './tree-grower.mjs';

/** scikit-learn's MIN_CAT_SUPPORT: a category needs this much hessian (in sample units) to be sorted, and smooths its ratio. */
const MIN_CAT_SUPPORT = 10;

/**
 * The tree grower's categorical part (calling thread only): scikit-learn's categorical split search
 * and the partition of a categorical split, on the engine's histograms and partition.
 */
export function categoricalSplits(engine: HistogramEngine, mapper: BinMapper, hasMissing: Uint8Array, options: GrowerOptions): CategoricalHook {
  return {
    splits: (child, node) => searchCategorical(engine, mapper, hasMissing, options, child, node),
    partition: (node, catLeft, feature) => partitionCategorical(engine, node, catLeft, feature),
  };
}

/**
 * scikit-learn's categorical split search (splitting.pyx `_find_best_bin_to_split_category`) on
 * the node's histogram, for every categorical feature: categories (and the missing bin, as one
 * more category) with hessian support ≥ 10 samples are sorted by G / (H + 10); the left child
 * takes a prefix of that order, scanned from both ends up to half of the categories. Overwrites
 * the kernel's (numeric) result of the feature; returns the left bitsets by feature.
 */
function searchCategorical(
  engine: HistogramEngine,
  mapper: BinMapper,
  hasMissing: Uint8Array,
  options: GrowerOptions,
  child: number,
  node: GrowNode,
): Map<number, Int32Array> {
  const ctx = engine.ctx;
  const { results, nFeatures, layout } = ctx;
  const { isCategorical } = mapper.categorical!;
  const missingBin = mapper.missingBin;
  const msl = options.minSamplesLeaf;
  const l2 = options.l2Regularization;
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
    const nb = mapper.nBinsNonMissing[f]!;
    for (let b = 0; b < nb; b++) consider(b);
    if (hasMissing[f] === 1) consider(missingBin);
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
    results[o + 2] = hasMissing[f] === 1 && inBitset(bitset, 0, missingBin) ? 1 : 0;
    results[o + 3] = bestG;
    results[o + 4] = bestH;
    results[o + 5] = bestCount;
    out.set(f, bitset);
  }
  return out;
}

/** Stable partition by a category bitset: samples whose bin is in `catLeft` first. */
function partitionCategorical(engine: HistogramEngine, node: GrowNode, catLeft: Int32Array, feature: number): number {
  const { idx, bins } = engine.ctx;
  const column = feature * engine.nRows;
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
