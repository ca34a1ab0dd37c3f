import {
  PipelineError,
  argmaxRows,
  artifactFile,
  checkArtifact,
  checkFeatureCount,
  matrix,
  type FitContext,
  type FittedClassifier,
  type Matrix,
  type ModelArtifact,
} from '@pipeline/core';
import type { BinMapper } from './bin-mapper.js';
import { resolveArgs, type HistGradientBoostingArgs } from './hist-gradient-boosting-args.js';
import { acquireWorkerPool, releaseWorkerPool, takeIdleWorkerPool, type HistWorkerPool } from './hist-worker-pool.js';
import { probabilities } from './log-loss.js';
import { predictRaw, type TreeEnsemble } from './tree-ensemble.js';

/** Registry key of this model's artifacts. */
export const HIST_GRADIENT_BOOSTING_KIND = 'hist-gradient-boosting';
/** Artifact format written by this version. */
export const HIST_GRADIENT_BOOSTING_FORMAT = 1;

/**
 * Row × tree steps of a prediction above which `predictProba` shares the rows with an idle worker
 * pool (one a fit left, about 25 ms of work on one thread), and above which it starts a pool for
 * it (about 0.4 s of work: starting the threads costs tens of milliseconds).
 */
const PREDICT_IDLE_POOL_WORK = 2 ** 22;
const PREDICT_NEW_POOL_WORK = 2 ** 26;

/** Everything a fitted model is made of (what the artifact stores). */
export interface FittedHistGradientBoostingState {
  readonly args: HistGradientBoostingArgs;
  /** Class indices (labels of the training data), ascending. */
  readonly classes: readonly number[];
  readonly nFeatures: number;
  readonly featureNames?: readonly string[];
  /** Raw prediction before any tree: one value (binary) or one per class. */
  readonly baseline: Float64Array;
  readonly ensemble: TreeEnsemble;
  /** Boosting iterations kept. */
  readonly nIter: number;
  readonly binMapper: BinMapper;
  /** −loss after 0..nIter iterations on the training rows (early stopping only). */
  readonly trainScore: readonly number[];
  /** −loss after 0..nIter iterations on the validation rows (early stopping with validation only). */
  readonly validationScore: readonly number[];
}

/** A fitted histogram gradient-boosting classifier. Immutable; predictions are deterministic. */
export class FittedHistGradientBoosting implements FittedClassifier {
  readonly kind = HIST_GRADIENT_BOOSTING_KIND;
  readonly classes: readonly number[];
  readonly nFeatures: number;
  readonly nIter: number;
  readonly state: FittedHistGradientBoostingState;
  private disposed = false;

  constructor(state: FittedHistGradientBoostingState) {
    this.state = state;
    this.classes = state.classes;
    this.nFeatures = state.nFeatures;
    this.nIter = state.nIter;
  }

  /** Raw scores (class-major: raw[k * rows + i]; one row of scores for binary models). */
  decisionFunction(features: Matrix): Float64Array {
    this.check(features);
    return predictRaw(this.state.ensemble, this.state.baseline, features, this.nIter);
  }

  /**
   * Class probabilities (rows × classes). Large batches of a model fitted with `nThreads` > 1 share
   * their rows with the worker threads (an idle pool, or a new one for very large batches): the
   * same bytes as on one thread.
   */
  async predictProba(features: Matrix, context?: FitContext): Promise<Matrix> {
    this.check(features);
    const pool = await this.predictionPool(features.rows);
    context?.logger?.debug('hist-gradient-boosting predict', { rows: features.rows, threads: pool === undefined ? 1 : pool.size + 1 });
    let raw: Float64Array;
    try {
      raw = predictRaw(this.state.ensemble, this.state.baseline, features, this.nIter, pool);
    } finally {
      if (pool !== undefined) releaseWorkerPool(pool);
    }
    const k = this.classes.length;
    return matrix(features.rows, k, probabilities(raw, features.rows, k, new Float32Array(features.rows * k)));
  }

  async predict(features: Matrix, context?: FitContext): Promise<Int32Array> {
    const positions = argmaxRows(await this.predictProba(features, context));
    return positions.map((p) => this.classes[p]!);
  }

  async toArtifact(): Promise<ModelArtifact> {
    const s = this.state;
    const e = s.ensemble;
    const nNodes = e.feature.length;
    const nTrees = e.treeStart.length - 1;
    const trees = packArrays([e.threshold, e.value, e.gain, e.feature, e.left, e.count, e.treeStart, e.binThreshold, e.missingLeft]);
    const thresholds = packArrays(s.binMapper.thresholds);
    const categorical = s.binMapper.categorical;
    const catFile =
      categorical === undefined || e.catLeft === undefined
        ? undefined
        : packArrays([categorical.isCategorical, categorical.known, e.isCategoricalNode!, e.catLeft]);
    return {
      kind: HIST_GRADIENT_BOOSTING_KIND,
      formatVersion: HIST_GRADIENT_BOOSTING_FORMAT,
      args: { ...s.args },
      state: {
        classes: [...s.classes],
        nFeatures: s.nFeatures,
        ...(s.featureNames === undefined ? {} : { featureNames: [...s.featureNames] }),
        baseline: Array.from(s.baseline),
        nIter: s.nIter,
        nTreesPerIteration: e.nTreesPerIteration,
        nTrees,
        nNodes,
        maxBins: s.binMapper.maxBins,
        nBinsNonMissing: Array.from(s.binMapper.nBinsNonMissing),
        trainScore: [...s.trainScore],
        validationScore: [...s.validationScore],
        endianness: 'LE',
      },
      files: [
        { path: 'trees.bin', data: trees },
        { path: 'bin-thresholds.bin', data: thresholds },
        // Categorical splits (only when some feature is categorical): per-feature flags and seen
        // codes, per-node flags and left bitsets (8 words each).
        ...(catFile === undefined ? [] : [{ path: 'categorical.bin', data: catFile }]),
      ],
    };
  }

  dispose(): void {
    this.disposed = true;
  }

  /** Worker threads for a prediction of `rows` rows, or none (see PREDICT_IDLE_POOL_WORK). */
  private async predictionPool(rows: number): Promise<HistWorkerPool | undefined> {
    const { ensemble } = this.state;
    const threads = resolveArgs(this.state.args).nThreads;
    const work = rows * this.nIter * ensemble.nTreesPerIteration;
    if (threads < 2 || ensemble.catLeft !== undefined || work < PREDICT_IDLE_POOL_WORK) return undefined;
    const idle = takeIdleWorkerPool(threads - 1);
    if (idle !== undefined || work < PREDICT_NEW_POOL_WORK) return idle;
    // Threads that cannot start only cost the parallelism: the calling thread predicts alone.
    return acquireWorkerPool(threads - 1).catch(() => undefined);
  }

  private check(features: Matrix): void {
    if (this.disposed) throw new PipelineError('E_STATE', 'this hist-gradient-boosting model has been disposed');
    checkFeatureCount('hist-gradient-boosting', this.nFeatures, features);
  }
}

/** Rebuilds a fitted model from its artifact (registered with core's loader registry). */
export async function loadHistGradientBoosting(artifact: ModelArtifact): Promise<FittedHistGradientBoosting> {
  checkArtifact(artifact, HIST_GRADIENT_BOOSTING_KIND, [HIST_GRADIENT_BOOSTING_FORMAT]);
  const state = artifact.state as {
    classes: number[];
    nFeatures: number;
    featureNames?: string[];
    baseline: number[];
    nIter: number;
    nTreesPerIteration: number;
    nTrees: number;
    nNodes: number;
    maxBins: number;
    nBinsNonMissing: number[];
    trainScore: number[];
    validationScore: number[];
    endianness: string;
  };
  if (state.endianness !== 'LE' || new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new PipelineError('E_INPUT', 'hist-gradient-boosting artifacts are little-endian and so must be the machine', {
      field: 'state.endianness',
    });
  }
  const N = state.nNodes;
  const T = state.nTrees;
  const [threshold, value, gain, feature, left, count, treeStart, binThreshold, missingLeft] = unpackArrays(artifactFile(artifact, 'trees.bin'), [
    [Float64Array, N],
    [Float64Array, N],
    [Float64Array, N],
    [Int32Array, N],
    [Int32Array, N],
    [Int32Array, N],
    [Int32Array, T + 1],
    [Uint8Array, N],
    [Uint8Array, N],
  ]) as [Float64Array, Float64Array, Float64Array, Int32Array, Int32Array, Int32Array, Int32Array, Uint8Array, Uint8Array];
  const nbnm = Int32Array.from(state.nBinsNonMissing);
  const thresholds = unpackArrays(
    artifactFile(artifact, 'bin-thresholds.bin'),
    Array.from(nbnm, (b) => [Float64Array, b - 1] as const),
  ) as Float64Array[];
  const hasCategorical = artifact.files.some((file) => file.path === 'categorical.bin');
  let categorical: { isCategorical: Uint8Array; known: Int32Array; isCategoricalNode: Uint8Array; catLeft: Int32Array } | undefined;
  if (hasCategorical) {
    const F = state.nFeatures;
    const [isCategorical, known, isCategoricalNode, catLeft] = unpackArrays(artifactFile(artifact, 'categorical.bin'), [
      [Uint8Array, F],
      [Int32Array, F * 8],
      [Uint8Array, N],
      [Int32Array, N * 8],
    ]) as [Uint8Array, Int32Array, Uint8Array, Int32Array];
    categorical = { isCategorical, known, isCategoricalNode, catLeft };
  }
  return new FittedHistGradientBoosting({
    args: artifact.args as HistGradientBoostingArgs,
    classes: state.classes,
    nFeatures: state.nFeatures,
    ...(state.featureNames === undefined ? {} : { featureNames: state.featureNames }),
    baseline: Float64Array.from(state.baseline),
    ensemble: {
      nTreesPerIteration: state.nTreesPerIteration,
      treeStart,
      feature,
      threshold,
      binThreshold,
      missingLeft,
      left,
      value,
      gain,
      count,
      ...(categorical === undefined ? {} : { catLeft: categorical.catLeft, isCategoricalNode: categorical.isCategoricalNode, knownCategories: categorical.known }),
    },
    nIter: state.nIter,
    binMapper: {
      maxBins: state.maxBins,
      missingBin: state.maxBins,
      thresholds,
      nBinsNonMissing: nbnm,
      ...(categorical === undefined ? {} : { categorical: { isCategorical: categorical.isCategorical, known: categorical.known } }),
    },
    trainScore: state.trainScore,
    validationScore: state.validationScore,
  });
}

type TypedArray = Float64Array | Int32Array | Uint8Array;
type TypedArrayConstructor = Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

/** Concatenates typed arrays, each starting at a multiple of 8 bytes. */
function packArrays(arrays: readonly TypedArray[]): Uint8Array {
  let bytes = 0;
  for (const a of arrays) bytes += align8(a.byteLength);
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += align8(a.byteLength);
  }
  return out;
}

function unpackArrays(data: Uint8Array, layout: ReadonlyArray<readonly [TypedArrayConstructor, number]>): TypedArray[] {
  let bytes = 0;
  for (const [type, length] of layout) bytes += align8(type.BYTES_PER_ELEMENT * length);
  if (bytes !== data.byteLength) {
    throw new PipelineError('E_INPUT', `hist-gradient-boosting artifact file has ${data.byteLength} bytes, expected ${bytes}`, {
      hint: 'the model folder is corrupt or was written by another version; re-save the model',
    });
  }
  const copy = data.slice(); // aligned, owned
  const out: TypedArray[] = [];
  let offset = 0;
  for (const [type, length] of layout) {
    out.push(new type(copy.buffer, offset, length));
    offset += align8(type.BYTES_PER_ELEMENT * length);
  }
  return out;
}

function align8(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}
