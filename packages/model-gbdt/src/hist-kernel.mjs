// The hot loops of the histogram GBDT, as a plain ES module so the very same code runs on the main
// thread (imported by the TypeScript sources) and inside worker_threads (imported by
// hist-worker.mjs, which cannot load TypeScript). Everything works on flat typed arrays that may
// live in SharedArrayBuffers; nothing here allocates per sample.
//
// Layouts (see the package README):
//   bins      Uint8Array, column-major: bin of (row i, feature f) at f * nRows + i
//   idx       Int32Array, the sample partition: every tree node owns a contiguous range
//   og, oh    Float32Array, gradients / hessians of the node being built, in partition order
//   hist      Float64Array of slots: slot s, feature f, bin b -> [sumG, sumH, count] at
//             s * slotSize + f * HIST_FEATURE_STRIDE + b * 3
//   results   Float64Array: best split of child c (0/1) on feature f at (c * nFeatures + f) * RESULT_STRIDE:
//             [gain, bin, missingGoesLeft, sumGLeft, sumHLeft, countLeft]
//   job       Float64Array of JOB_* parameters describing one step of tree growth.

/** Float64 values per feature in a histogram slot: 256 bins x {sumG, sumH, count}. */
export const HIST_FEATURE_STRIDE = 768;
/** Float64 values per (child, feature) split result. */
export const RESULT_STRIDE = 6;

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
export const JOB_LENGTH = JOB_CHILD0 + 2 * JOB_CHILD_STRIDE;

/**
 * Runs the current job for features [f0, f1): builds the histogram of one node, derives its
 * sibling by subtraction, and finds the best split of each requested child on each feature.
 * Features are independent, so any partition of [0, nFeatures) across threads gives the same
 * bytes.
 */
export function runFeatureRange(ctx, f0, f1) {
  const { job, hist, nFeatures } = ctx;
  const slotSize = nFeatures * HIST_FEATURE_STRIDE;
  // Job values are float64: convert to int32 so index arithmetic stays in integer registers.
  const buildSlot = job[JOB_BUILD_SLOT] | 0;
  if (buildSlot >= 0) {
    const base = buildSlot * slotSize;
    hist.fill(0, base + f0 * HIST_FEATURE_STRIDE, base + f1 * HIST_FEATURE_STRIDE);
    const start = job[JOB_BUILD_START] | 0;
    const count = job[JOB_BUILD_COUNT] | 0;
    if (job[JOB_BUILD_IDENTITY] === 1) {
      buildIdentity(hist, base, ctx.bins, ctx.nRows, f0, f1, count, ctx.og, ctx.oh);
    } else {
      buildGather(hist, base, ctx.bins, ctx.nRows, f0, f1, ctx.idx, start, count, ctx.og, ctx.oh);
    }
    const target = job[JOB_SUB_TARGET] | 0;
    if (target >= 0) {
      subtract(hist, target * slotSize + f0 * HIST_FEATURE_STRIDE, base + f0 * HIST_FEATURE_STRIDE, (f1 - f0) * HIST_FEATURE_STRIDE);
    }
  }
  const msl = job[JOB_MIN_SAMPLES_LEAF] | 0;
  const minHessian = job[JOB_MIN_HESSIAN];
  const l2 = job[JOB_L2];
  const minGain = job[JOB_MIN_GAIN];
  for (let c = 0; c < 2; c++) {
    const p = JOB_CHILD0 + c * JOB_CHILD_STRIDE;
    const slot = job[p] | 0;
    if (slot < 0) continue;
    const sumG = job[p + 1];
    const sumH = job[p + 2];
    const count = job[p + 3] | 0;
    const lossCurrent = job[p + 4];
    for (let f = f0; f < f1; f++) {
      findSplit(
        hist,
        slot * slotSize + f * HIST_FEATURE_STRIDE,
        ctx.nBinsNonMissing[f],
        ctx.hasMissing[f],
        sumG,
        sumH,
        count,
        lossCurrent,
        msl,
        minHessian,
        l2,
        minGain,
        ctx.results,
        (c * nFeatures + f) * RESULT_STRIDE,
      );
    }
  }
}

/** Histograms of the node whose samples are idx[start .. start+count), two features per pass. */
function buildGather(hist, base, bins, nRows, f0, f1, idx, start, count, og, oh) {
  let f = f0;
  for (; f + 1 < f1; f += 2) {
    const c0 = f * nRows;
    const c1 = c0 + nRows;
    const h0 = base + f * HIST_FEATURE_STRIDE;
    const h1 = h0 + HIST_FEATURE_STRIDE;
    for (let i = 0; i < count; i++) {
      const r = idx[start + i];
      const g = og[i];
      const h = oh[i];
      const b0 = h0 + bins[c0 + r] * 3;
      const b1 = h1 + bins[c1 + r] * 3;
      hist[b0] += g;
      hist[b0 + 1] += h;
      hist[b0 + 2] += 1;
      hist[b1] += g;
      hist[b1 + 1] += h;
      hist[b1 + 2] += 1;
    }
  }
  if (f < f1) {
    const c0 = f * nRows;
    const h0 = base + f * HIST_FEATURE_STRIDE;
    for (let i = 0; i < count; i++) {
      const b0 = h0 + bins[c0 + idx[start + i]] * 3;
      hist[b0] += og[i];
      hist[b0 + 1] += oh[i];
      hist[b0 + 2] += 1;
    }
  }
}

/** Same as buildGather for the root, whose samples are 0 .. count-1 in order. */
function buildIdentity(hist, base, bins, nRows, f0, f1, count, og, oh) {
  let f = f0;
  for (; f + 1 < f1; f += 2) {
    const c0 = f * nRows;
    const c1 = c0 + nRows;
    const h0 = base + f * HIST_FEATURE_STRIDE;
    const h1 = h0 + HIST_FEATURE_STRIDE;
    for (let i = 0; i < count; i++) {
      const g = og[i];
      const h = oh[i];
      const b0 = h0 + bins[c0 + i] * 3;
      const b1 = h1 + bins[c1 + i] * 3;
      hist[b0] += g;
      hist[b0 + 1] += h;
      hist[b0 + 2] += 1;
      hist[b1] += g;
      hist[b1 + 1] += h;
      hist[b1 + 2] += 1;
    }
  }
  if (f < f1) {
    const c0 = f * nRows;
    const h0 = base + f * HIST_FEATURE_STRIDE;
    for (let i = 0; i < count; i++) {
      const b0 = h0 + bins[c0 + i] * 3;
      hist[b0] += og[i];
      hist[b0 + 1] += oh[i];
      hist[b0 + 2] += 1;
    }
  }
}

/** hist[target ..] -= hist[source ..] over `length` values: the sibling by subtraction. */
function subtract(hist, target, source, length) {
  for (let j = 0; j < length; j++) hist[target + j] -= hist[source + j];
}

/**
 * Best split of one feature of one node, with scikit-learn's rules (splitting.pyx): scan bins left
 * to right (missing values go right; with missing values the scan includes the "split on NaN"
 * bin), then, if the feature has missing values, right to left (missing values go left); a
 * candidate needs min_samples_leaf samples and min_hessian_to_split hessian on both sides; the
 * first candidate of highest gain wins if its gain exceeds min_gain_to_split (and -1). gain =
 * lossCurrent + GL²/(HL+λ) + GR²/(HR+λ), lossCurrent = sumG · value(node) (0 at the root).
 * Empty bins are skipped: they repeat the previous candidate, which never wins a strict
 * comparison. Since counts and hessians only grow along a scan, the checks that fail at the start
 * of a scan (`continue`) and at its end (`break`) bound one contiguous range of candidates.
 */
function findSplit(hist, base, nbnm, hasMissing, sumG, sumH, count, lossCurrent, msl, minHessian, l2, minGain, out, o) {
  const lambda = l2 + 1e-15;
  out[o] = -Infinity; // best score so far
  out[o + 1] = -1;
  scanLeftToRight(hist, base, nbnm - 1 + hasMissing, sumG, sumH, count, msl, minHessian, lambda, out, o);
  if (hasMissing === 1) scanRightToLeft(hist, base, nbnm, sumG, sumH, count, msl, minHessian, lambda, out, o);
  let gain = -1;
  if (out[o + 1] >= 0) {
    const gl = out[o + 3];
    const gr = sumG - gl;
    const hr = sumH - out[o + 4];
    const g = lossCurrent - gl * (-gl / (out[o + 4] + lambda)) - gr * (-gr / (hr + lambda));
    if (g > -1 && g > minGain) gain = g;
  }
  out[o] = gain;
}

// The two scans are separate functions: one function with both loops compiles to a slower first loop.
function scanLeftToRight(hist, base, end, sumG, sumH, count, msl, minHessian, lambda, out, o) {
  let bestScore = out[o];
  let bestBin = -1;
  let bestGL = 0;
  let bestHL = 0;
  let bestNL = 0;
  let gl = 0;
  let hl = 0;
  let nl = 0;
  for (let b = 0; b < end; b++) {
    const e = base + b * 3;
    const c = hist[e + 2];
    if (c === 0) continue;
    nl += c;
    gl += hist[e];
    hl += hist[e + 1];
    if (nl < msl) continue;
    if (count - nl < msl) break;
    if (hl < minHessian) continue;
    const hr = sumH - hl;
    if (hr < minHessian) break;
    const gr = sumG - gl;
    const score = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda);
    if (score > bestScore) {
      bestScore = score;
      bestBin = b;
      bestGL = gl;
      bestHL = hl;
      bestNL = nl;
    }
  }
  if (bestBin >= 0) {
    out[o] = bestScore;
    out[o + 1] = bestBin;
    out[o + 2] = 0;
    out[o + 3] = bestGL;
    out[o + 4] = bestHL;
    out[o + 5] = bestNL;
  }
}

function scanRightToLeft(hist, base, nbnm, sumG, sumH, count, msl, minHessian, lambda, out, o) {
  let bestScore = out[o];
  let bestBin = -1;
  let bestGL = 0;
  let bestHL = 0;
  let bestNL = 0;
  let gr = 0;
  let hr = 0;
  let nr = 0;
  for (let b = nbnm - 2; b >= 0; b--) {
    const e = base + (b + 1) * 3;
    const c = hist[e + 2];
    if (c === 0) continue;
    nr += c;
    gr += hist[e];
    hr += hist[e + 1];
    if (nr < msl) continue;
    if (count - nr < msl) break;
    if (hr < minHessian) continue;
    const hl = sumH - hr;
    if (hl < minHessian) break;
    const gl = sumG - gr;
    const score = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda);
    if (score > bestScore) {
      bestScore = score;
      bestBin = b;
      bestGL = gl;
      bestHL = hl;
      bestNL = count - nr;
    }
  }
  if (bestBin >= 0) {
    out[o] = bestScore;
    out[o + 1] = bestBin;
    out[o + 2] = 1;
    out[o + 3] = bestGL;
    out[o + 4] = bestHL;
    out[o + 5] = bestNL;
  }
}

// ---- worker coordination (shared by the pool on the main thread and hist-worker.mjs) ----

/** Int32 slots of the control block. */
export const CTL_GENERATION = 0; // bumped by the main thread for every command
export const CTL_COMMAND = 1;
export const CTL_NEXT_CHUNK = 2; // work-stealing counter over feature chunks
export const CTL_DONE = 3; // workers that finished the current command
export const CTL_CHUNK_SIZE = 4;
export const CTL_FAILED = 5; // a worker's kernel threw
export const CTL_LENGTH = 8;

export const COMMAND_RUN = 1;
export const COMMAND_SETUP = 2;
export const COMMAND_EXIT = 3;

/** Spins before sleeping in Atomics.wait: a job lasts tens of microseconds to milliseconds. */
export const SPIN_LIMIT = 20000;

/** Takes feature chunks from the shared counter until none are left. */
export function runChunks(ctx, ctl) {
  const chunk = ctl[CTL_CHUNK_SIZE];
  const n = ctx.nFeatures;
  for (;;) {
    const f0 = Atomics.add(ctl, CTL_NEXT_CHUNK, chunk);
    if (f0 >= n) return;
    runFeatureRange(ctx, f0, Math.min(n, f0 + chunk));
  }
}

/** Builds the typed-array views a kernel context needs from the shared buffers. */
export function contextFromBuffers(buffers) {
  return {
    nRows: buffers.nRows,
    nFeatures: buffers.nFeatures,
    bins: new Uint8Array(buffers.bins),
    idx: new Int32Array(buffers.idx),
    og: new Float32Array(buffers.og),
    oh: new Float32Array(buffers.oh),
    hist: new Float64Array(buffers.hist),
    results: new Float64Array(buffers.results),
    job: new Float64Array(buffers.job),
    nBinsNonMissing: new Int32Array(buffers.nBinsNonMissing),
    hasMissing: new Uint8Array(buffers.hasMissing),
  };
}
