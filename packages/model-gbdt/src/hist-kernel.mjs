// The kernel of the histogram GBDT, as a plain ES module so the very same code runs on the main
// thread (imported by the TypeScript sources) and inside worker_threads (imported by
// hist-worker.mjs, which cannot load TypeScript). The inner loops are WebAssembly
// (hist-kernel.wat, embedded by hist-kernel-wasm.mjs); this file dispatches one job over a range of
// features. Everything lives in one shared WebAssembly.Memory per fit; nothing is allocated per
// sample.
//
// Memory layout (byte offsets from memoryLayout, all 16-byte aligned):
//   job       float64[JOB_LENGTH]: the parameters of the current job (JOB_* below)
//   results   float64: best split of child c (0/1) on feature f at (c * nFeatures + f) * RESULT_STRIDE:
//             [gain, bin, missingGoesLeft, sumGLeft, sumHLeft, countLeft]
//   nbnm      int32[nFeatures]: bins used by non-missing values
//   missing   uint8[nFeatures]: 1 if the feature has NaN in the training rows
//   idx       int32[nRows]: the sample partition; every tree node owns a contiguous range
//   buffer    int32[nRows]: scratch of the partition
//   g, h      float32[nRows]: gradients / hessians of the tree being grown, by row
//   ogh       float32[2 * nRows]: (gradient, hessian) pairs of the node being built, in partition order
//   bins      uint8[nFeatures * nRows], column-major: bin of (row i, feature f) at f * nRows + i
//   hist      slots of nFeatures * 256 entries of {sumG, sumH, count} (3 x float64 = 24 bytes)
import { CTL_CHUNK_SIZE, CTL_DONE, CTL_FAILED } from './hist-control.mjs';
import { HIST_KERNEL_WASM } from './hist-kernel-wasm.mjs';

const wasmModule = new WebAssembly.Module(Buffer.from(HIST_KERNEL_WASM, 'base64'));

/** Bytes per feature in a histogram slot: 256 bins x {sumG, sumH, count} float64. */
export const HIST_FEATURE_BYTES = 6144;
/** Float64 values per (child, feature) split result. */
export const RESULT_STRIDE = 6;
const PAGE = 65536;
/** Features whose histograms are built and scanned together (the wasm builds four per pass over the samples). */
const FEATURE_GROUP = 4;

export const JOB_BUILD_SLOT = 0; // slot to build by brute force, -1: none
export const JOB_BUILD_START = 1; // partition range of the node to build
export const JOB_BUILD_COUNT = 2;
export const JOB_BUILD_IDENTITY = 3; // 1 when idx[start + i] === i (the root): no gather
export const JOB_SUB_TARGET = 4; // slot that becomes parent - built (in place), -1: none
export const JOB_MIN_SAMPLES_LEAF = 5;
export const JOB_MIN_HESSIAN = 6;
export const JOB_L2 = 7;
export const JOB_MIN_GAIN = 8;
export const JOB_CHILD0 = 9; // per child: [slot (-1: do not search), sumG, sumH, count, lossCurrent]
export const JOB_CHILD_STRIDE = 5;
/** 1: the split scans may skip candidates below a bound from other features (no categorical features). */
export const JOB_PRUNE = JOB_CHILD0 + 2 * JOB_CHILD_STRIDE;
/** The bin of NaN (maxBins): histograms are zeroed and subtracted up to it for features with NaN. */
export const JOB_MISSING_BIN = JOB_PRUNE + 1;
/** Output of the wasm `root` step: ΣG and ΣH of the tree's gradients. */
export const JOB_ROOT_SUMS = JOB_MISSING_BIN + 1;
export const JOB_LENGTH = JOB_ROOT_SUMS + 2;

const align = (bytes) => Math.ceil(bytes / 16) * 16;

/** Byte offsets of every region for a fit of nRows x nFeatures with `slots` histogram slots. */
export function memoryLayout(nRows, nFeatures, slots) {
  const job = 0;
  const results = align(job + JOB_LENGTH * 8);
  const nbnm = align(results + 2 * nFeatures * RESULT_STRIDE * 8);
  const missing = align(nbnm + nFeatures * 4);
  const idx = align(missing + nFeatures);
  const buffer = align(idx + nRows * 4);
  const g = align(buffer + nRows * 4);
  const h = align(g + nRows * 4);
  const ogh = align(h + nRows * 4);
  const bins = align(ogh + nRows * 8);
  const hist = align(bins + nRows * nFeatures);
  const slotBytes = nFeatures * HIST_FEATURE_BYTES;
  return { job, results, nbnm, missing, idx, buffer, g, h, ogh, bins, hist, slotBytes, bytes: hist + slots * slotBytes };
}

/** Pages of wasm memory for `bytes` bytes. */
export function pagesFor(bytes) {
  return Math.max(1, Math.ceil(bytes / PAGE));
}

/**
 * Runs the current job for features [f0, f1): builds the histogram of one node, derives its
 * sibling by subtraction, and finds the best split of each requested child on each feature.
 * Features are independent, so any partition of [0, nFeatures) across threads gives the same
 * bytes.
 */
export function runFeatureRange(ctx, f0, f1, bounds = [-Infinity, -Infinity]) {
  const { job, wasm, layout } = ctx;
  const nFeatures = ctx.nFeatures;
  // Job values are float64: convert to int32 so index arithmetic stays in integer registers.
  const buildSlot = job[JOB_BUILD_SLOT] | 0;
  const base = layout.hist + buildSlot * layout.slotBytes;
  const start = job[JOB_BUILD_START] | 0;
  const count = job[JOB_BUILD_COUNT] | 0;
  const identity = job[JOB_BUILD_IDENTITY] === 1;
  const target = job[JOB_SUB_TARGET] | 0;
  const targetBase = layout.hist + target * layout.slotBytes;
  const msl = job[JOB_MIN_SAMPLES_LEAF];
  const minHessian = job[JOB_MIN_HESSIAN];
  const l2 = job[JOB_L2];
  const minGain = job[JOB_MIN_GAIN];
  const { nBinsNonMissing, hasMissing } = ctx;
  // Bounds: per child, the best split score this thread has seen on other features of this job.
  // A feature's scan computes exactly only the candidates that may reach it (see find_split): the
  // others cannot be the node's best split, whose score is at least that of every feature's best
  // (score = gain - lossCurrent, the same for all features of a child). So a losing feature's
  // result may be a lower candidate than its own best (and differ between thread counts), the
  // winner's never is: the split chosen, and so the model, is the same bytes. Off when categorical
  // features exist (their numeric scan is replaced afterwards by the categorical search).
  const prune = job[JOB_PRUNE] === 1;
  const missingBin = job[JOB_MISSING_BIN] | 0;
  // One group of FEATURE_GROUP features at a time: zero, build, subtract and scan its histograms
  // while they are in L1/L2 (a whole slot, nFeatures x 6 KiB, does not fit in L2: zeroing, building
  // and scanning it in separate passes fetched it from memory three times). Features are
  // independent, so the order changes no byte.
  for (let g0 = f0; g0 < f1; g0 += FEATURE_GROUP) {
    const g1 = Math.min(f1, g0 + FEATURE_GROUP);
    if (buildSlot >= 0) {
      wasm.clear(base, layout.nbnm, layout.missing, missingBin, g0, g1);
      if (identity) wasm.build_identity(base, layout.bins, ctx.nRows, g0, g1, count, layout.ogh);
      else wasm.build_gather(base, layout.bins, ctx.nRows, g0, g1, layout.idx + start * 4, count, layout.ogh);
      if (target >= 0) wasm.subtract(targetBase, base, layout.nbnm, layout.missing, missingBin, g0, g1);
    }
    for (let c = 0; c < 2; c++) {
      const p = JOB_CHILD0 + c * JOB_CHILD_STRIDE;
      const slot = job[p] | 0;
      if (slot < 0) continue;
      const sumG = job[p + 1];
      const sumH = job[p + 2];
      const childCount = job[p + 3];
      const lossCurrent = job[p + 4];
      const slotBase = layout.hist + slot * layout.slotBytes;
      for (let f = g0; f < g1; f++) {
        // scikit-learn's rules (splitting.pyx), see hist-kernel.wat: scan bins left to right
        // (missing values go right), then, if the feature has NaN, right to left (they go left).
        const best = wasm.find_split(
          slotBase + f * HIST_FEATURE_BYTES,
          nBinsNonMissing[f],
          hasMissing[f],
          sumG,
          sumH,
          childCount,
          lossCurrent,
          msl,
          minHessian,
          l2,
          minGain,
          layout.results + (c * nFeatures + f) * RESULT_STRIDE * 8,
          prune ? bounds[c] : -Infinity,
        );
        if (best > bounds[c]) bounds[c] = best;
      }
    }
  }
}

// ---- worker coordination (shared by the pool on the main thread and hist-worker.mjs) ----

export {
  CTL_GENERATION,
  CTL_COMMAND,
  CTL_DONE,
  CTL_CHUNK_SIZE,
  CTL_FAILED,
  CTL_DEAD,
  CTL_DEAD_CODE,
  CTL_LENGTH,
  CTL_JOB_KIND,
  JOB_KIND_FEATURES,
  JOB_KIND_TREES,
  JOB_KIND_GRADIENTS,
  JOB_KIND_PREDICT,
  CTL_CLAIM_OFFSET,
  CTL_BYTES,
  nextCommandWord,
  COMMAND_RUN,
  COMMAND_SETUP,
  COMMAND_EXIT,
  SPIN_LIMIT,
  WAIT_SLICE_MS,
} from './hist-control.mjs';

const FIELD_MASK = 0xfffffn; // 20 bits: a fit's memory (≤ 2 GiB, 6 KiB per feature per slot) holds fewer features

/**
 * The claim word of a new job: (sequence number mod 2^24) << 40 | end << 20 | next, where features
 * [next, end) are not claimed yet. The calling thread claims chunks from the front, the workers
 * from the back, so each feature's histograms stay on the core that built them the last time
 * (only the features where the two meet change hands), instead of crossing to the other core's
 * cache at every job half of the time. Which thread runs a feature changes no byte.
 */
export function claimWord(sequence, nFeatures) {
  return (BigInt(sequence & 0xffffff) << 40n) | (BigInt(nFeatures) << 20n);
}

/**
 * Takes chunks of job `sequence` from the claim word (from the back of the unclaimed range when
 * `fromBack`) until none are left (or the job is over), runs them with `runRange(u0, u1, bounds)`
 * (units: features, e.g. `runFeatureRange`, or trees) and adds their units to CTL_DONE. A chunk
 * that throws still counts as done, with CTL_FAILED set and the chunks nobody took counted too, so
 * the calling thread never waits for them.
 */
export function runChunks(runRange, ctl, claim, sequence, fromBack = false) {
  const tag = BigInt(sequence & 0xffffff) << 40n;
  const bounds = [-Infinity, -Infinity]; // split-score bounds of this thread over its chunks of the job
  for (;;) {
    const current = Atomics.load(claim, 0);
    if ((current >> 40n) << 40n !== tag) return;
    const next = Number(current & FIELD_MASK);
    const end = Number((current >> 20n) & FIELD_MASK);
    if (next >= end) return;
    // Read after the tag check: the job cannot end (nor its chunk size change) while features are unclaimed.
    const size = Atomics.load(ctl, CTL_CHUNK_SIZE);
    const f0 = fromBack ? Math.max(next, end - size) : next;
    const f1 = fromBack ? end : Math.min(end, next + size);
    const claimed = fromBack ? tag | (BigInt(f0) << 20n) | BigInt(next) : tag | (BigInt(end) << 20n) | BigInt(f1);
    if (Atomics.compareExchange(claim, 0, current, claimed) !== current) continue;
    try {
      runRange(f0, f1, bounds);
    } catch (error) {
      Atomics.store(ctl, CTL_FAILED, 1);
      finishChunk(ctl, f1 - f0 + drainClaims(claim, tag));
      throw error;
    }
    finishChunk(ctl, f1 - f0);
  }
}

function finishChunk(ctl, features) {
  Atomics.add(ctl, CTL_DONE, features);
  Atomics.notify(ctl, CTL_DONE);
}

/** Claims every feature nobody took yet (after a failure) and returns how many that was. */
function drainClaims(claim, tag) {
  for (;;) {
    const current = Atomics.load(claim, 0);
    if ((current >> 40n) << 40n !== tag) return 0;
    const next = Number(current & FIELD_MASK);
    const end = Number((current >> 20n) & FIELD_MASK);
    if (next >= end) return 0;
    if (Atomics.compareExchange(claim, 0, current, tag | (BigInt(end) << 20n) | BigInt(end)) === current) return end - next;
  }
}

/** The kernel's exports, instantiated on a shared WebAssembly.Memory (tree-predictor.ts uses `predict`). */
export function instantiateKernel(memory) {
  return new WebAssembly.Instance(wasmModule, { env: { memory } }).exports;
}

/**
 * A kernel context on a fit's shared memory: a wasm instance on it plus typed-array views of the
 * regions JavaScript reads and writes (everything below the histograms, so views stay valid when
 * the memory grows for more slots).
 */
export function contextFromBuffers(buffers) {
  const { memory, nRows, nFeatures, layout } = buffers;
  const buffer = memory.buffer;
  const wasm = instantiateKernel(memory);
  return {
    nRows,
    nFeatures,
    layout,
    memory,
    wasm,
    job: new Float64Array(buffer, layout.job, JOB_LENGTH),
    results: new Float64Array(buffer, layout.results, 2 * nFeatures * RESULT_STRIDE),
    nBinsNonMissing: new Int32Array(buffer, layout.nbnm, nFeatures),
    hasMissing: new Uint8Array(buffer, layout.missing, nFeatures),
    idx: new Int32Array(buffer, layout.idx, nRows),
    g: new Float32Array(buffer, layout.g, nRows),
    h: new Float32Array(buffer, layout.h, nRows),
    ogh: new Float32Array(buffer, layout.ogh, 2 * nRows),
    bins: new Uint8Array(buffer, layout.bins, nRows * nFeatures),
  };
}
