import { createRng, deriveSeed, type Rng } from '@pipeline/core';
import { canonicalJson } from '../bytes.js';
import { ParzenEstimator, parzenDimension, type IntegerMassEntry, type KernelMemo, type ParzenDimension, type ParzenOptions } from './parzen-estimator.js';
import { randomParams, type Sampler, type SamplerContext } from './sampler.js';
import { isActive, type ParamValue, type Params } from './search-space.js';
import type { TrialRecord } from './trial-record.js';

/** Options of {@link tpeSampler}; the defaults are Optuna 5's `TPESampler` defaults. */
export interface TpeOptions {
  /** Random trials before TPE takes over (finished trials: complete or pruned). Default 10. */
  readonly nStartupTrials?: number;
  /** Candidates drawn from l(x) per proposal; the one maximising l(x)/g(x) wins. Default 24. */
  readonly nEiCandidates?: number;
  /** Size of the "good" group for n finished trials. Default min(⌈0.1·n⌉, 25). */
  readonly gamma?: (n: number) => number;
  /** Weight of the prior kernel. Default 1. */
  readonly priorWeight?: number;
  /** Default true. */
  readonly considerMagicClip?: boolean;
  /** Default false. */
  readonly considerEndpoints?: boolean;
  /**
   * Model the unconditional parameters jointly (one kernel index for all dimensions; Falkner et
   * al. 2018). Conditional parameters are always sampled one at a time from the trials in which
   * they were active. Default true (Optuna 5's default for one objective).
   */
  readonly multivariate?: boolean;
  /**
   * Count trials proposed but not yet visible (parallel search) as "bad" observations (constant
   * liar), so that parallel proposals spread out. Default true (Optuna 5's default).
   */
  readonly constantLiar?: boolean;
}

/** Optuna's default gamma: min(⌈0.1·n⌉, 25). */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

interface Observation {
  /** Position in the sampler's observation list. */
  readonly index: number;
  readonly number: number;
  /** Internal values per parameter index (log of log floats and log ints, choice index); NaN when inactive. */
  readonly row: Float64Array;
  readonly state: 'complete' | 'pruned';
  /** Lower is better (the score negated when maximising). */
  readonly loss: number;
  /** Folds reported (pruned trials rank by it first). */
  readonly steps: number;
}

/**
 * The Tree-structured Parzen Estimator (Bergstra et al., "Algorithms for Hyper-Parameter
 * Optimization", NeurIPS 2011), following Optuna 5's `TPESampler`: the first `nStartupTrials`
 * proposals are random; after that the finished trials are split into the best
 * γ(n) = min(⌈0.1·n⌉, 25) ("below", pruned trials ranked after complete ones by folds reached,
 * then running score) and the rest ("above", plus pending trials under the constant liar); a
 * Parzen estimator l(x) is fit to "below" and g(x) to "above" (observation weights ramping up with
 * recency beyond 25, a prior kernel of weight 1, magic-clipped bandwidths from neighbour gaps,
 * truncated normals in log space for log parameters, discretised for ints, smoothed one-hot for
 * choices); 24 candidates are drawn from l and the one with the largest log l − log g is proposed.
 *
 * Incremental: each finished trial is converted once to internal values, and complete trials are
 * kept sorted by loss; a proposal costs O(n log n) for the bandwidths plus O(candidates · n · d).
 */
export function tpeSampler(context: SamplerContext, options: TpeOptions = {}): Sampler {
  const nStartup = options.nStartupTrials ?? 10;
  const nCandidates = options.nEiCandidates ?? 24;
  const gamma = options.gamma ?? defaultGamma;
  const multivariate = options.multivariate ?? true;
  const constantLiar = options.constantLiar ?? true;
  const parzen: ParzenOptions = {
    priorWeight: options.priorWeight ?? 1,
    considerMagicClip: options.considerMagicClip ?? true,
    considerEndpoints: options.considerEndpoints ?? false,
  };
  if (!(Number.isInteger(nStartup) && nStartup >= 0)) throw new RangeError(`nStartupTrials must be an integer >= 0, got ${nStartup}`);
  if (!(Number.isInteger(nCandidates) && nCandidates >= 1)) throw new RangeError(`nEiCandidates must be an integer >= 1, got ${nCandidates}`);
  const { space, direction, seed } = context;
  const names = space.order;
  const dimensions: ParzenDimension[] = names.map((name) => parzenDimension(space.params[name]!));
  const choiceIndex = names.map((name) => {
    const spec = space.params[name]!;
    return spec.type === 'choice' ? new Map(spec.choices.map((choice, i) => [canonicalJson(choice), i])) : undefined;
  });
  const jointIndices = multivariate ? names.flatMap((name, i) => (space.params[name]!.when === undefined ? [i] : [])) : [];
  const singleIndices = names.map((_, i) => i).filter((i) => !jointIndices.includes(i));

  const observations: Observation[] = [];
  /**
   * Per joint numeric dimension: observation indices sorted by internal value (kept by insertion on
   * `tell`), so a proposal gets each group's sorted order in O(n) instead of sorting.
   */
  const sortedByDim: Array<number[] | undefined> = jointIndices.map((i) => (dimensions[i]!.kind === 'choice' ? undefined : []));
  /** Complete observations sorted by loss (ties: by number). */
  const completeByLoss: Observation[] = [];
  const pruned: Observation[] = [];
  let lastNumber = -1;

  const toRow = (params: Params): Float64Array => {
    const row = new Float64Array(names.length).fill(Number.NaN);
    names.forEach((name, i) => {
      if (!(name in params)) return;
      const value = params[name]!;
      const dimension = dimensions[i]!;
      if (dimension.kind === 'choice') {
        const index = choiceIndex[i]!.get(canonicalJson(value));
        if (index !== undefined) row[i] = index;
      } else if (typeof value === 'number') {
        // Log floats and log ints in log space: the Parzen estimator's internal values.
        row[i] = dimension.log ? Math.log(value) : value;
      }
    });
    return row;
  };

  const fromInternal = (i: number, internal: number): ParamValue => {
    const spec = space.params[names[i]!]!;
    const dimension = dimensions[i]!;
    if (spec.type === 'choice') return spec.choices[internal]!;
    if (dimension.kind === 'float') {
      const value = dimension.log ? Math.exp(internal) : internal;
      return Math.min(spec.high, Math.max(spec.low, value));
    }
    return internal;
  };

  const split = (): { below: Observation[]; above: Observation[] } => {
    const n = observations.length;
    let nBelow = Math.max(0, gamma(n));
    const below: Observation[] = completeByLoss.slice(0, Math.min(nBelow, completeByLoss.length));
    const above: Observation[] = completeByLoss.slice(below.length);
    nBelow -= below.length;
    if (pruned.length > 0) {
      const ranked = [...pruned].sort((a, b) => b.steps - a.steps || a.loss - b.loss || a.number - b.number);
      below.push(...ranked.slice(0, Math.min(nBelow, ranked.length)));
      above.push(...ranked.slice(Math.min(nBelow, ranked.length)));
    }
    // Both groups in number order (= observation order): a pass over the observations, no sort.
    const inBelow = new Uint8Array(n);
    for (const o of below) inBelow[o.index] = 1;
    const belowOrdered: Observation[] = [];
    const aboveOrdered: Observation[] = [];
    for (const o of observations) (inBelow[o.index] === 1 ? belowOrdered : aboveOrdered).push(o);
    return { below: belowOrdered, above: aboveOrdered };
  };

  /** Columns (internal values) of the rows active in every dimension of `indices`. */
  const columns = (rows: readonly Float64Array[], indices: readonly number[]): Float64Array[] => {
    const kept = rows.filter((row) => indices.every((i) => !Number.isNaN(row[i]!)));
    return indices.map((i) => {
      const column = new Float64Array(kept.length);
      for (let r = 0; r < kept.length; r++) column[r] = kept[r]![i]!;
      return column;
    });
  };

  /**
   * Sorted kernel orders of a group for the joint dimensions: the group's observations (kernels
   * 0..m−1 in number order) filtered from the global sorted lists, then the pending rows (kernels
   * m..) inserted. Undefined when some row lacks a joint parameter (columns would drop rows).
   */
  const jointOrders = (group: readonly Observation[], pendingRows: readonly Float64Array[]): Array<Int32Array | undefined> | undefined => {
    const kernelOf = new Int32Array(observations.length).fill(-1);
    group.forEach((o, k) => {
      kernelOf[o.index] = k;
    });
    return jointIndices.map((i, k) => {
      const sorted = sortedByDim[k];
      if (sorted === undefined) return undefined;
      const internal = (row: Float64Array): number => row[i]!;
      const order: number[] = [];
      const values: number[] = [];
      for (const index of sorted) {
        const kernel = kernelOf[index]!;
        if (kernel < 0) continue;
        order.push(kernel);
        values.push(internal(observations[index]!.row));
      }
      pendingRows.forEach((row, p) => {
        const value = internal(row);
        let lo = 0;
        let hi = values.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (values[mid]! <= value) lo = mid + 1;
          else hi = mid;
        }
        values.splice(lo, 0, value);
        order.splice(lo, 0, group.length + p);
      });
      return Int32Array.from(order);
    });
  };

  /**
   * Normalising terms of the joint dimensions' kernels by observation index, reused from one
   * proposal to the next while a kernel's bandwidth stays the same (see {@link KernelMemo}).
   */
  let memoSigmas: Float64Array[] = [];
  let memoLogSigmas: Float64Array[] = [];
  let memoLogMasses: Float64Array[] = [];
  const memoIntegerMasses = jointIndices.map((i) => (dimensions[i]!.kind === 'int' ? new Map<number, IntegerMassEntry>() : undefined));
  const memoFor = (group: readonly Observation[], pendingCount: number): KernelMemo => {
    if ((memoSigmas[0]?.length ?? 0) < observations.length) {
      const capacity = Math.max(64, 2 * observations.length);
      const grow = (old: Float64Array | undefined, fill: number): Float64Array => {
        const next = new Float64Array(capacity).fill(fill);
        if (old !== undefined) next.set(old);
        return next;
      };
      memoSigmas = jointIndices.map((_, k) => grow(memoSigmas[k], Number.NaN));
      memoLogSigmas = jointIndices.map((_, k) => grow(memoLogSigmas[k], 0));
      memoLogMasses = jointIndices.map((_, k) => grow(memoLogMasses[k], 0));
    }
    const slots = new Int32Array(group.length + pendingCount).fill(-1);
    group.forEach((o, k) => {
      slots[k] = o.index;
    });
    return { slots, sigmas: memoSigmas, logSigmas: memoLogSigmas, logMasses: memoLogMasses, integerMasses: memoIntegerMasses };
  };

  const propose = (
    indices: readonly number[],
    belowRows: readonly Float64Array[],
    aboveRows: readonly Float64Array[],
    rng: Rng,
    belowOrders?: Array<Int32Array | undefined>,
    aboveOrders?: Array<Int32Array | undefined>,
    belowMemo?: KernelMemo,
    aboveMemo?: KernelMemo,
  ): Float64Array => {
    const dims = indices.map((i) => dimensions[i]!);
    const lower = new ParzenEstimator(dims, columns(belowRows, indices), parzen, belowOrders, belowMemo);
    const upper = new ParzenEstimator(dims, columns(aboveRows, indices), parzen, aboveOrders, aboveMemo);
    const candidates = lower.sample(rng, nCandidates);
    const logL = lower.logPdf(candidates);
    const logG = upper.logPdf(candidates);
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < nCandidates; c++) {
      const value = logL[c]! - logG[c]!;
      if (value > bestValue || (c === 0 && Number.isNaN(bestValue))) {
        bestValue = value;
        best = c;
      }
    }
    return Float64Array.from(candidates, (column) => column[best]!);
  };

  return {
    name: 'tpe',
    tell(trial: TrialRecord): void {
      if (trial.number <= lastNumber) throw new RangeError(`tpeSampler.tell: trial ${trial.number} after trial ${lastNumber} (tell in increasing number order)`);
      lastNumber = trial.number;
      if (trial.state === 'failed') return;
      if (trial.state === 'complete' && (trial.score === null || Number.isNaN(trial.score))) return;
      const score = trial.score ?? 0;
      const loss = trial.score === null ? 0 : direction === 'maximize' ? -score : score;
      const observation: Observation = {
        number: trial.number,
        index: observations.length,
        row: toRow(trial.params),
        state: trial.state,
        loss: Number.isNaN(loss) ? Infinity : loss,
        steps: trial.score === null ? -1 : trial.foldScores.length,
      };
      observations.push(observation);
      jointIndices.forEach((i, k) => {
        const sorted = sortedByDim[k];
        if (sorted === undefined) return;
        const value = observation.row[i]!;
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (observations[sorted[mid]!]!.row[i]! <= value) lo = mid + 1;
          else hi = mid;
        }
        sorted.splice(lo, 0, observation.index);
      });
      if (observation.state === 'pruned') {
        pruned.push(observation);
        return;
      }
      // Insert after every equal loss: ties keep trial order, as Python's stable sort does.
      let lo = 0;
      let hi = completeByLoss.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (completeByLoss[mid]!.loss <= observation.loss) lo = mid + 1;
        else hi = mid;
      }
      completeByLoss.splice(lo, 0, observation);
    },
    ask(number: number, pending: readonly Params[]): Params {
      const rng = createRng(deriveSeed(seed, 'tpe', number));
      if (observations.length < nStartup) return randomParams(space, rng);
      const { below, above } = split();
      const belowRows = below.map((o) => o.row);
      const aboveRows = above.map((o) => o.row);
      const pendingRows = constantLiar ? pending.map(toRow) : [];
      aboveRows.push(...pendingRows);
      const params: Record<string, ParamValue> = {};
      if (jointIndices.length > 0) {
        const complete = [...belowRows, ...aboveRows].every((row) => jointIndices.every((i) => !Number.isNaN(row[i]!)));
        const chosen = complete
          ? propose(jointIndices, belowRows, aboveRows, rng, jointOrders(below, []), jointOrders(above, pendingRows), memoFor(below, 0), memoFor(above, pendingRows.length))
          : propose(jointIndices, belowRows, aboveRows, rng);
        jointIndices.forEach((i, k) => {
          params[names[i]!] = fromInternal(i, chosen[k]!);
        });
      }
      for (const i of singleIndices) {
        const name = names[i]!;
        if (!isActive(space, name, params)) continue;
        const chosen = propose([i], belowRows, aboveRows, rng);
        params[name] = fromInternal(i, chosen[0]!);
      }
      // Space order in the output, whatever order the groups were sampled in.
      const ordered: Record<string, ParamValue> = {};
      for (const name of names) if (name in params) ordered[name] = params[name]!;
      return ordered;
    },
  };
}
