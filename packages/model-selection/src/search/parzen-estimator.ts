import type { Rng } from '@pipeline/core';
import { LOG_SQRT_2PI, logGaussMass, sampleTruncatedNormal } from './normal-math.js';
import type { ParamSpec } from './search-space.js';

/**
 * One dimension of a Parzen estimator. Numeric values live in the "internal" space: log(value) for
 * log parameters, the value itself otherwise; an int's kernel is a discretised truncated normal on
 * [low − ½, high + ½] (log of those bounds for a log int), as in Bergstra et al. (2011) and Optuna.
 * A choice's internal value is the index of the choice.
 */
export interface ParzenDimension {
  readonly kind: 'float' | 'int' | 'choice';
  readonly log: boolean;
  /** Internal (adapted) bounds of a numeric dimension. */
  readonly low: number;
  readonly high: number;
  /** Raw integer bounds (int only). */
  readonly intLow: number;
  readonly intHigh: number;
  /** Number of choices (choice only). */
  readonly nChoices: number;
}

/** The dimension of a parameter spec. */
export function parzenDimension(spec: ParamSpec): ParzenDimension {
  switch (spec.type) {
    case 'uniform':
      return { kind: 'float', log: false, low: spec.low, high: spec.high, intLow: 0, intHigh: 0, nChoices: 0 };
    case 'log-uniform':
      return { kind: 'float', log: true, low: Math.log(spec.low), high: Math.log(spec.high), intLow: 0, intHigh: 0, nChoices: 0 };
    case 'int': {
      const log = spec.log === true;
      const low = spec.low - 0.5;
      const high = spec.high + 0.5;
      return { kind: 'int', log, low: log ? Math.log(low) : low, high: log ? Math.log(high) : high, intLow: spec.low, intHigh: spec.high, nChoices: 0 };
    }
    case 'choice':
      return { kind: 'choice', log: false, low: 0, high: 0, intLow: 0, intHigh: 0, nChoices: spec.choices.length };
  }
}

/** What the estimator is built with (Optuna's `_ParzenEstimatorParameters`). */
export interface ParzenOptions {
  /** Weight of the prior kernel (before normalisation). Default 1. */
  readonly priorWeight: number;
  /** Clip bandwidths from below at range / min(100, 1 + kernels) ("magic clip"). Default true. */
  readonly considerMagicClip: boolean;
  /** Let the outermost observations' bandwidths reach to the bounds. Default false. */
  readonly considerEndpoints: boolean;
}

/**
 * Optuna's default observation weights: 1 each up to 25 observations; beyond that the 25 most
 * recent weigh 1 and the older ones ramp linearly from 1/n up to 1 (observations in trial order).
 */
export function defaultWeights(n: number, out: Float64Array = new Float64Array(n)): Float64Array {
  if (n < 25) {
    out.fill(1, 0, n);
    return out;
  }
  const rampLength = n - 25;
  const start = 1 / n;
  for (let i = 0; i < rampLength; i++) out[i] = rampLength === 1 ? start : start + ((1 - start) * i) / (rampLength - 1);
  out.fill(1, rampLength, n);
  return out;
}

/**
 * Bandwidths of kernels centred on `mus` (internal space, bounds `low`/`high`): each is the larger
 * gap to its sorted neighbours (the bounds count as neighbours; without `considerEndpoints` the
 * outermost kernels use their inner gap only), clipped to [minSigma, high − low] with minSigma =
 * (high − low) / min(100, n + 2) under the magic clip (n + 1 kernels with the prior).
 */
export function kernelSigmas(mus: Float64Array, low: number, high: number, options: ParzenOptions, order?: Int32Array): Float64Array {
  const n = mus.length;
  const sigmas = new Float64Array(n);
  if (n === 0) return sigmas;
  let sorted: Float64Array;
  // Position of each observation in sorted order; equal values take consecutive positions.
  const positions = new Int32Array(n);
  if (order !== undefined) {
    sorted = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      sorted[p] = mus[order[p]!]!;
      positions[order[p]!] = p;
    }
  } else {
    sorted = Float64Array.from(mus).sort();
    const taken = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const value = mus[i]!;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < value) lo = mid + 1;
        else hi = mid;
      }
      positions[i] = lo + taken[lo]!;
      taken[lo]!++;
    }
  }
  const range = high - low;
  const minSigma = options.considerMagicClip ? range / Math.min(100, n + 2) : 1e-12;
  const at = (p: number): number => (p < 0 ? low : p >= n ? high : sorted[p]!);
  for (let i = 0; i < n; i++) {
    const p = positions[i]!;
    let sigma: number;
    if (!options.considerEndpoints && n >= 2 && p === 0) sigma = at(1) - at(0);
    else if (!options.considerEndpoints && n >= 2 && p === n - 1) sigma = at(n - 1) - at(n - 2);
    else sigma = Math.max(at(p) - at(p - 1), at(p + 1) - at(p));
    sigmas[i] = Math.min(range, Math.max(minSigma, sigma));
  }
  return sigmas;
}

/**
 * Work buffers shared by every estimator (logPdf is synchronous, so one caller uses them at a
 * time): a proposal at 1,000 trials would otherwise allocate and zero megabytes per call.
 */
const scratchBuffers: Float64Array[] = [];
/** Shared buffer number `index`, at least `length` values long (contents undefined). */
function scratch(index: number, length: number): Float64Array {
  let buffer = scratchBuffers[index];
  if (buffer === undefined || buffer.length < length) {
    buffer = new Float64Array(Math.max(length, 2 * (buffer?.length ?? 0)));
    scratchBuffers[index] = buffer;
  }
  return buffer;
}

interface NumericKernels {
  readonly mus: Float64Array;
  readonly sigmas: Float64Array;
  readonly invSigmas: Float64Array;
  readonly logSigmas: Float64Array;
  /** log of each kernel's mass inside [low, high]. */
  readonly logMass: Float64Array;
}

interface ChoiceKernels {
  /** The observed choice of each kernel; -1 for the prior kernel. */
  readonly observed: Int32Array;
  /** log P(observed choice) and log P(any other choice) of an observation kernel. */
  readonly logObserved: number;
  readonly logOther: number;
  /** log(1 / k): the prior kernel is uniform. */
  readonly logUniform: number;
}

/**
 * Per-kernel normalising terms remembered between estimators built on overlapping observations
 * (a sampler builds two per proposal, mostly on the same observations as the last proposal). A
 * term is reused only when the kernel's bandwidth is bitwise the one it was computed with, so the
 * estimator is the same with or without a memo.
 */
export interface KernelMemo {
  /** Memo slot of each observation kernel (e.g. its observation's index); −1 for none. */
  readonly slots: Int32Array;
  /** Per dimension of the estimator, per slot: the bandwidth of the stored terms (NaN: none). */
  readonly sigmas: readonly Float64Array[];
  /** Per dimension, per slot: log σ. */
  readonly logSigmas: readonly Float64Array[];
  /** Per dimension, per slot: log of the kernel's mass inside the bounds. */
  readonly logMasses: readonly Float64Array[];
  /**
   * Per integer dimension: by integer value, per slot, the bandwidth (NaN: none) and the log mass
   * of that integer's interval. Filled by the estimator; arrays at least as long as `sigmas[d]`.
   */
  readonly integerMasses: ReadonlyArray<Map<number, IntegerMassEntry> | undefined>;
}

/** Per-slot masses of one integer value (see {@link KernelMemo}). */
export interface IntegerMassEntry {
  readonly sigmas: Float64Array;
  readonly logMasses: Float64Array;
}

/** The memo entry of integer `value` in dimension `d`, created or grown to the memo's capacity. */
function memoEntry(memo: KernelMemo, d: number, value: number): IntegerMassEntry | undefined {
  const map = memo.integerMasses[d];
  const capacity = memo.sigmas[d]?.length ?? 0;
  if (map === undefined) return undefined;
  let entry = map.get(value);
  if (entry === undefined || entry.sigmas.length < capacity) {
    const sigmas = new Float64Array(capacity).fill(Number.NaN);
    const logMasses = new Float64Array(capacity);
    if (entry !== undefined) {
      sigmas.set(entry.sigmas);
      logMasses.set(entry.logMasses);
    }
    entry = { sigmas, logMasses };
    map.set(value, entry);
  }
  return entry;
}

/**
 * A Parzen estimator (mixture of product kernels: truncated normals for numeric dimensions, a
 * smoothed one-hot for choices, plus one prior kernel per dimension centred on the range with the
 * whole range as bandwidth) over observations given column-wise in internal space.
 */
export class ParzenEstimator {
  readonly kernels: number;
  private readonly cumulativeWeights: Float64Array;
  private readonly logWeights: Float64Array;
  /** log weight plus every dimension's per-kernel normalising terms. */
  private readonly constant: Float64Array;
  private readonly numeric: Array<NumericKernels | undefined>;
  private readonly choices: Array<ChoiceKernels | undefined>;

  /**
   * @param dimensions the dimensions
   * @param columns one column of n observations per dimension (internal values)
   * @param options prior weight, magic clip, endpoints
   * @param orders per numeric dimension, the kernels in increasing order of value (saves a sort)
   * @param memo normalising terms kept from earlier estimators (read and updated)
   */
  constructor(
    private readonly dimensions: readonly ParzenDimension[],
    columns: readonly Float64Array[],
    options: ParzenOptions,
    orders?: ReadonlyArray<Int32Array | undefined>,
    private readonly memo?: KernelMemo,
  ) {
    const n = columns[0]?.length ?? 0;
    this.kernels = n + 1;
    const weights = new Float64Array(n + 1);
    if (n === 0) weights[0] = 1;
    else {
      defaultWeights(n, weights);
      weights[n] = options.priorWeight;
    }
    let total = 0;
    for (let i = 0; i <= n; i++) total += weights[i]!;
    this.logWeights = new Float64Array(n + 1);
    this.cumulativeWeights = new Float64Array(n + 1);
    let running = 0;
    for (let i = 0; i <= n; i++) {
      const w = weights[i]! / total;
      this.logWeights[i] = Math.log(w);
      running += w;
      this.cumulativeWeights[i] = running;
    }
    this.constant = Float64Array.from(this.logWeights);
    this.numeric = [];
    this.choices = [];
    dimensions.forEach((dimension, d) => {
      const column = columns[d]!;
      if (dimension.kind === 'choice') {
        const k = dimension.nChoices;
        const observed = new Int32Array(n + 1);
        for (let i = 0; i < n; i++) observed[i] = column[i]!;
        observed[n] = -1;
        const base = n === 0 ? 1 / k : options.priorWeight / (n + 1);
        const rowSum = base * k + 1;
        this.choices.push({ observed, logObserved: Math.log((base + 1) / rowSum), logOther: Math.log(base / rowSum), logUniform: Math.log(1 / k) });
        this.numeric.push(undefined);
        return;
      }
      const sigmas0 = kernelSigmas(column, dimension.low, dimension.high, options, orders?.[d]);
      const mus = new Float64Array(n + 1);
      const sigmas = new Float64Array(n + 1);
      mus.set(column);
      sigmas.set(sigmas0);
      mus[n] = 0.5 * (dimension.low + dimension.high);
      sigmas[n] = dimension.high - dimension.low;
      const invSigmas = new Float64Array(n + 1);
      const logSigmas = new Float64Array(n + 1);
      const logMass = new Float64Array(n + 1);
      const memoSigmas = memo?.sigmas[d];
      const memoLogSigmas = memo?.logSigmas[d];
      const memoLogMasses = memo?.logMasses[d];
      for (let i = 0; i <= n; i++) {
        const sigma = sigmas[i]!;
        invSigmas[i] = 1 / sigma;
        const slot = i < n && memo !== undefined ? memo.slots[i]! : -1;
        if (slot >= 0 && memoSigmas![slot] === sigma) {
          logSigmas[i] = memoLogSigmas![slot]!;
          logMass[i] = memoLogMasses![slot]!;
        } else {
          logSigmas[i] = Math.log(sigma);
          logMass[i] = logGaussMass((dimension.low - mus[i]!) / sigma, (dimension.high - mus[i]!) / sigma);
          if (slot >= 0) {
            memoSigmas![slot] = sigma;
            memoLogSigmas![slot] = logSigmas[i]!;
            memoLogMasses![slot] = logMass[i]!;
          }
        }
        // A float's density carries −log σ − log √(2π) − log mass; an int's mass only − log mass.
        this.constant[i] = this.constant[i]! - logMass[i]! - (dimension.kind === 'float' ? logSigmas[i]! + LOG_SQRT_2PI : 0);
      }
      this.numeric.push({ mus, sigmas, invSigmas, logSigmas, logMass });
      this.choices.push(undefined);
    });
  }

  /**
   * `count` draws: a kernel by weight, then each dimension from that kernel. Returns one column per
   * dimension: internal value for floats, the rounded integer for ints, the choice index for choices.
   */
  sample(rng: Rng, count: number): Float64Array[] {
    const out = this.dimensions.map(() => new Float64Array(count));
    const n = this.kernels;
    for (let c = 0; c < count; c++) {
      const u = rng.uniform();
      let kernel = 0;
      while (kernel < n - 1 && this.cumulativeWeights[kernel]! <= u) kernel++;
      this.dimensions.forEach((dimension, d) => {
        const column = out[d]!;
        if (dimension.kind === 'choice') {
          const kernels = this.choices[d]!;
          const observed = kernels.observed[kernel]!;
          const k = dimension.nChoices;
          if (observed < 0) {
            column[c] = Math.min(k - 1, Math.floor(rng.uniform() * k));
            return;
          }
          // P(observed) = exp(logObserved), the rest share the remainder equally.
          const v = rng.uniform();
          const pObserved = Math.exp(kernels.logObserved);
          if (v < pObserved || k === 1) column[c] = observed;
          else {
            const other = Math.min(k - 2, Math.floor(((v - pObserved) / (1 - pObserved)) * (k - 1)));
            column[c] = other >= observed ? other + 1 : other;
          }
          return;
        }
        const kernels = this.numeric[d]!;
        const x = sampleTruncatedNormal(rng, kernels.mus[kernel]!, kernels.sigmas[kernel]!, dimension.low, dimension.high);
        if (dimension.kind === 'float') column[c] = x;
        else {
          const raw = dimension.log ? Math.exp(x) : x;
          column[c] = Math.min(dimension.intHigh, Math.max(dimension.intLow, dimension.intLow + Math.round(raw - dimension.intLow)));
        }
      });
    }
    return out;
  }

  /** log density (mass for ints and choices) of each candidate (columns as returned by {@link sample}). */
  logPdf(candidates: readonly Float64Array[]): Float64Array {
    const count = candidates[0]?.length ?? 0;
    const n = this.kernels;
    // acc[c * n + i]: log of kernel i's weighted density at candidate c.
    const acc = scratch(2, count * n);
    for (let c = 0; c < count; c++) acc.set(this.constant, c * n);
    const intDims: number[] = [];
    for (let d = 0; d < this.dimensions.length; d++) {
      const dimension = this.dimensions[d]!;
      const column = candidates[d]!;
      if (dimension.kind === 'choice') {
        const kernels = this.choices[d]!;
        const observed = kernels.observed;
        for (let c = 0; c < count; c++) {
          const value = column[c]!;
          const base = c * n;
          for (let i = 0; i < n; i++) {
            const o = observed[i]!;
            acc[base + i]! += o < 0 ? kernels.logUniform : o === value ? kernels.logObserved : kernels.logOther;
          }
        }
        continue;
      }
      const { mus, invSigmas } = this.numeric[d]!;
      if (dimension.kind === 'float') {
        for (let c = 0; c < count; c++) {
          const value = column[c]!;
          const base = c * n;
          for (let i = 0; i < n; i++) {
            const z = (value - mus[i]!) * invSigmas[i]!;
            acc[base + i]! -= 0.5 * z * z;
          }
        }
        continue;
      }
      intDims.push(d);
    }
    if (intDims.length > 0) this.addIntegerMasses(candidates, intDims, acc, count);
    const result = new Float64Array(count);
    for (let c = 0; c < count; c++) {
      const base = c * n;
      let max = -Infinity;
      for (let i = 0; i < n; i++) if (acc[base + i]! > max) max = acc[base + i]!;
      if (max === -Infinity) {
        result[c] = -Infinity;
        continue;
      }
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const d = acc[base + i]! - max;
        // exp(d) is exactly 0 below −745.2: skipping those terms changes no bit.
        if (d > -746) sum += Math.exp(d);
      }
      result[c] = max + Math.log(sum);
    }
    return result;
  }

  /**
   * Adds the integer dimensions' log masses. Exact for every kernel that can matter: the kernel
   * with the best partial sum gets its masses first, giving a lower bound on the candidate's best
   * kernel; a kernel whose partial sum (an upper bound, masses being <= 0) is 36 nats below it
   * weighs < e^−36 (2e-16) of the mixture and is dropped without computing its masses. A mass is
   * computed once per (dimension, integer, kernel) within a call, and with a memo once per
   * (dimension, integer, observation, bandwidth) across estimators: later proposals mostly meet the
   * same integers on the same kernels.
   */
  private addIntegerMasses(candidates: readonly Float64Array[], intDims: readonly number[], acc: Float64Array, count: number): void {
    const n = this.kernels;
    const dims = intDims.length;
    const memo = this.memo;
    // masses[(k·count + s)·n + i]: kernel i's mass for the s-th distinct value of dimension k (NaN:
    // not computed yet); slot[k·count + c]: candidate c's distinct value in dimension k.
    const masses = scratch(0, dims * count * n);
    const slot = new Int32Array(dims * count);
    const lefts = new Float64Array(dims * count);
    const rights = new Float64Array(dims * count);
    const entries: Array<IntegerMassEntry | undefined> = [];
    const mus: Float64Array[] = [];
    const sigmas: Float64Array[] = [];
    const invSigmas: Float64Array[] = [];
    for (let k = 0; k < dims; k++) {
      const d = intDims[k]!;
      const dimension = this.dimensions[d]!;
      const kernels = this.numeric[d]!;
      mus.push(kernels.mus);
      sigmas.push(kernels.sigmas);
      invSigmas.push(kernels.invSigmas);
      const column = candidates[d]!;
      const values: number[] = [];
      for (let c = 0; c < count; c++) {
        const value = column[c]!;
        let s = values.indexOf(value);
        if (s < 0) {
          s = values.length;
          values.push(value);
          masses.fill(Number.NaN, (k * count + s) * n, (k * count + s + 1) * n);
          const at = k * count + s;
          lefts[at] = dimension.log ? Math.log(value - 0.5) : value - 0.5;
          rights[at] = dimension.log ? Math.log(value + 0.5) : value + 0.5;
          entries[at] = memo === undefined ? undefined : memoEntry(memo, d, value);
        }
        slot[k * count + c] = s;
      }
    }
    const observationKernels = memo === undefined ? 0 : memo.slots.length;
    const massAt = (k: number, c: number, i: number): number => {
      const at = k * count + slot[k * count + c]!;
      const offset = at * n + i;
      let mass = masses[offset]!;
      if (mass === mass) return mass;
      const entry = entries[at];
      const memoSlot = entry !== undefined && i < observationKernels ? memo!.slots[i]! : -1;
      const sigma = sigmas[k]![i]!;
      if (memoSlot >= 0 && entry!.sigmas[memoSlot] === sigma) mass = entry!.logMasses[memoSlot]!;
      else {
        const mu = mus[k]![i]!;
        const inv = invSigmas[k]![i]!;
        mass = logGaussMass((lefts[at]! - mu) * inv, (rights[at]! - mu) * inv);
        if (memoSlot >= 0) {
          entry!.sigmas[memoSlot] = sigma;
          entry!.logMasses[memoSlot] = mass;
        }
      }
      masses[offset] = mass;
      return mass;
    };
    for (let c = 0; c < count; c++) {
      const base = c * n;
      let best = 0;
      for (let i = 1; i < n; i++) if (acc[base + i]! > acc[base + best]!) best = i;
      let bound = acc[base + best]!;
      for (let k = 0; k < dims; k++) bound += massAt(k, c, best);
      const threshold = bound - 36;
      for (let i = 0; i < n; i++) {
        let value = acc[base + i]!;
        // Masses are <= 0: once a kernel is below the threshold it stays there.
        for (let k = 0; k < dims && value >= threshold; k++) value += massAt(k, c, i);
        acc[base + i] = value >= threshold ? value : -Infinity;
      }
    }
  }
}
