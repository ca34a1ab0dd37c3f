import {
  PipelineError,
  deriveSeed,
  requireLabels,
  resolveContext,
  throwIfAborted,
  validateDataset,
  type Dataset,
  type EstimatorSpec,
  type FitContext,
  type Logger,
} from '@pipeline/core';
import { binColumns, fitBinMapper } from './bin-mapper.js';
import { FittedHistGradientBoosting, HIST_GRADIENT_BOOSTING_KIND } from './fitted-hist-gradient-boosting.js';
import { resolveArgs, type HistGradientBoostingArgs, type ResolvedHistGradientBoostingArgs } from './hist-gradient-boosting-args.js';
import { acquireWorkerPool, releaseWorkerPool, type HistWorkerPool } from './hist-worker-pool.js';
import { HistogramEngine } from './histogram-engine.js';
import { IterationGrower, type IterationGrowerStats } from './iteration-grower.js';
import { baselinePrediction, meanLogLoss } from './log-loss.js';
import { stratifiedHoldout } from './stratified-holdout.js';
import { TreeEnsembleBuilder, addTreeBinned } from './tree-ensemble.js';
import { categoricalSplits } from './categorical-splits.js';
import { TreeGrower } from './tree-grower.mjs';

/**
 * Below this many training cells (rows × features) worker threads cost more than they save.
 * @internal Exported for the package's tests; not part of the public API.
 */
export const PARALLEL_MIN_CELLS = 100_000;
/**
 * Multiclass fits with at most this many features grow whole trees on the worker threads (the
 * trees of an iteration at once) instead of sharing each node's features between the threads.
 */
const TREE_PARALLEL_MAX_FEATURES = 32;

/** What `fit` accepts besides the core FitContext. */
export interface HistGradientBoostingFitContext extends FitContext {
  /**
   * Rows to early-stop on instead of a held-out part of the training data (same columns, labels
   * among the training classes). With `earlyStopping: 'auto'`, giving one turns early stopping on.
   */
  readonly validation?: Dataset;
}

export interface HistGradientBoostingSpec extends EstimatorSpec<HistGradientBoostingArgs, FittedHistGradientBoosting> {
  with(overrides: Partial<HistGradientBoostingArgs>): HistGradientBoostingSpec;
  fit(data: Dataset, context?: HistGradientBoostingFitContext): Promise<FittedHistGradientBoosting>;
}

/**
 * A histogram gradient-boosting classifier with scikit-learn's HistGradientBoostingClassifier
 * semantics (binary or multinomial log loss). Arguments are checked now; `fit` returns a new
 * fitted model.
 */
export function histGradientBoosting(args: HistGradientBoostingArgs = {}): HistGradientBoostingSpec {
  resolveArgs(args);
  const frozen = Object.freeze({ ...args });
  return {
    kind: HIST_GRADIENT_BOOSTING_KIND,
    args: frozen,
    with: (overrides) => histGradientBoosting({ ...frozen, ...overrides }),
    fit: (data, context) => fitWithPoolLease(frozen, data, context),
  };
}

/** A fit whose worker pool (if it starts one) is released whatever happens. */
async function fitWithPoolLease(
  args: HistGradientBoostingArgs,
  data: Dataset,
  context: HistGradientBoostingFitContext | undefined,
): Promise<FittedHistGradientBoosting> {
  const lease = new PoolLease();
  try {
    return await fitHistGradientBoosting(args, data, context, lease);
  } finally {
    lease.release();
  }
}

async function fitHistGradientBoosting(
  args: HistGradientBoostingArgs,
  data: Dataset,
  context: HistGradientBoostingFitContext = {},
  lease: PoolLease,
): Promise<FittedHistGradientBoosting> {
  const options = resolveArgs(args);
  const { seed, signal, logger, onProgress } = resolveContext(context);
  throwIfAborted(signal, 'hist-gradient-boosting fit');
  validateDataset(data);
  const labels = requireLabels(data, 'hist-gradient-boosting fit');
  const { features } = data;
  if (features.rows === 0 || features.cols === 0) {
    throw new PipelineError('E_INPUT', `cannot fit on ${features.rows} rows × ${features.cols} features`, { field: 'features' });
  }

  // Classes present in the training labels, as positions 0..K-1.
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0) {
      throw new PipelineError('E_INPUT', `labels must be class indices 0, 1, ..., got ${c}`, { field: 'labels' });
    }
  }
  if (classes.length < 2) {
    throw new PipelineError('E_INPUT', `the training labels hold ${classes.length} class; a classifier needs at least 2`, {
      field: 'labels',
      hint: 'check the label column, or the split that produced this training set',
    });
  }
  const position = new Map(classes.map((c, k) => [c, k]));
  const y = Int32Array.from(labels, (c) => position.get(c)!);
  const nClasses = classes.length;
  const weights = sampleWeights(data, y, classes, options);

  // Validation rows for early stopping.
  const validation = context.validation;
  const nAll = features.rows;
  const earlyStopping = options.earlyStopping === 'auto' ? validation !== undefined || nAll > 10000 : options.earlyStopping;
  let trainRows: Int32Array | undefined;
  let valRows: Int32Array | undefined;
  if (earlyStopping && validation === undefined && options.validationFraction !== null) {
    const split = stratifiedHoldout(y, nClasses, options.validationFraction, deriveSeed(seed, 'hist-gradient-boosting', 'validation'));
    trainRows = split.train;
    valRows = split.test;
  }
  const pick = <T extends Int32Array | Float64Array>(array: T, rows: Int32Array | undefined): T =>
    rows === undefined ? array : new (array.constructor as new (values: number[]) => T)(Array.from(rows, (i) => array[i]!));
  const yTrain = pick(y, trainRows);
  const wTrain = weights === undefined ? undefined : pick(weights, trainRows);
  const n = yTrain.length;
  const nFeatures = features.cols;

  let yVal: Int32Array | undefined;
  let wVal: Float64Array | undefined;
  let valBins: Uint8Array | undefined;
  let nVal = 0;
  if (earlyStopping && validation !== undefined) {
    validateDataset(validation, 'validation');
    const vLabels = requireLabels(validation, 'early stopping on the validation set');
    if (validation.features.cols !== nFeatures) {
      throw new PipelineError('E_SCHEMA', `the validation set has ${validation.features.cols} features, the training set ${nFeatures}`, {
        field: 'validation.features',
      });
    }
    yVal = Int32Array.from(vLabels, (c) => {
      const k = position.get(c);
      if (k === undefined) {
        throw new PipelineError('E_INPUT', `validation label ${c} is not among the training classes ${classes.join(', ')}`, {
          field: 'validation.labels',
        });
      }
      return k;
    });
    wVal = sampleWeights(validation, yVal, classes, options);
    nVal = validation.features.rows;
  } else if (valRows !== undefined) {
    yVal = pick(y, valRows);
    wVal = weights === undefined ? undefined : pick(weights, valRows);
    nVal = valRows.length;
  }

  // The input is checked: start the worker threads now, they load while this thread bins the data.
  const nTrees = nClasses === 2 ? 1 : nClasses;
  // How a second thread helps: whole trees of an iteration at once on narrow multiclass data, where a
  // node's features are too few to share; a node's features otherwise.
  const parallelTrees = nTrees >= 2 && nFeatures <= TREE_PARALLEL_MAX_FEATURES && options.categoricalFeatures.length === 0;
  const threads =
    n * nFeatures >= PARALLEL_MIN_CELLS ? Math.min(options.nThreads, parallelTrees ? nTrees : Math.ceil(nFeatures / 2)) : 1;
  if (threads > 1) lease.start(threads - 1, logger);

  // Binning (thresholds from the training rows only).
  const mapper = fitBinMapper(features, options.maxBins, deriveSeed(seed, 'hist-gradient-boosting', 'binning'), trainRows, options.categoricalFeatures);
  if (earlyStopping && validation !== undefined) {
    valBins = binColumns(validation.features, mapper, new Uint8Array(nVal * nFeatures));
  } else if (valRows !== undefined) {
    valBins = binColumns(features, mapper, new Uint8Array(nVal * nFeatures), valRows);
  }

  const baseline = baselinePrediction(yTrain, wTrain, nClasses);
  const raw = new Float64Array(nTrees * n);
  for (let k = 0; k < nTrees; k++) raw.fill(baseline[k]!, k * n, (k + 1) * n);
  const rawVal = new Float64Array(nTrees * nVal);
  for (let k = 0; k < nTrees; k++) rawVal.fill(baseline[k]!, k * nVal, (k + 1) * nVal);


  const trainScore: number[] = [];
  const validationScore: number[] = [];
  const builder = new TreeEnsembleBuilder(nTrees, mapper.categorical?.known);
  let nIter = 0;
  let stats: IterationGrowerStats | undefined;
  const pool = await lease.take();
  try {
    // At most one histogram per splittable leaf plus the one being built.
    const maxSlots = options.maxLeafNodes === null ? Math.ceil(n / (2 * options.minSamplesLeaf)) + 2 : options.maxLeafNodes + 1;
    const treesOnWorkers = parallelTrees && pool !== undefined;
    const engine = new HistogramEngine(n, nFeatures, Math.min(maxSlots, 64), maxSlots, treesOnWorkers ? undefined : pool);
    const bins = binColumns(features, mapper, engine.ctx.bins, trainRows);
    const hasMissing = new Uint8Array(nFeatures);
    for (let f = 0; f < nFeatures; f++) hasMissing[f] = bins.subarray(f * n, (f + 1) * n).includes(mapper.missingBin) ? 1 : 0;
    engine.start(mapper.nBinsNonMissing, hasMissing);
    const categorical = mapper.categorical === undefined ? undefined : categoricalSplits(engine, mapper, hasMissing, options);
    const grower = new TreeGrower(engine, mapper, hasMissing, options, categorical);
    const iterations = treesOnWorkers
      ? IterationGrower.withWorkers(grower, engine, mapper, hasMissing, options, yTrain, wTrain, nTrees, raw, pool)
      : IterationGrower.serial(grower, yTrain, wTrain, nTrees, raw);
    stats = iterations.stats;
    const rawTrain = iterations.raw;
    logger.debug('hist-gradient-boosting fit', {
      rows: n,
      features: nFeatures,
      classes: nClasses,
      threads: pool === undefined ? 1 : pool.size + 1,
      parallel: pool === undefined ? 'none' : treesOnWorkers ? 'trees' : 'features',
      earlyStopping,
      validationRows: nVal,
    });
    const score = () => {
      trainScore.push(-meanLogLoss(yTrain, rawTrain, wTrain, nTrees));
      if (yVal !== undefined) validationScore.push(-meanLogLoss(yVal, rawVal, wVal, nTrees));
      return yVal !== undefined ? validationScore : trainScore;
    };
    if (earlyStopping) score();
    for (let iteration = 0; iteration < options.maxIter; iteration++) {
      // Let abort signals and timers run between iterations; the work inside one is synchronous.
      await new Promise<void>((resolve) => setImmediate(resolve));
      throwIfAborted(signal, 'hist-gradient-boosting fit');
      const trees = iterations.iterate();
      for (let k = 0; k < nTrees; k++) {
        builder.addTree(trees[k]!);
        if (valBins !== undefined) addTreeBinned(trees[k]!, valBins, nVal, mapper.missingBin, rawVal, k * nVal);
      }
      nIter = iteration + 1;
      onProgress({ stage: 'boost', current: nIter, total: options.maxIter });
      if (earlyStopping && shouldStop(score(), options.nIterNoChange, options.tol)) break;
    }
  } finally {
    lease.release();
  }
  logger.debug('hist-gradient-boosting fitted', {
    iterations: nIter,
    trees: builder.nTrees,
    parallelIterations: stats?.parallelIterations ?? 0,
    workerTrees: stats?.workerTrees ?? 0,
  });

  return new FittedHistGradientBoosting({
    args,
    classes,
    nFeatures,
    ...(data.featureNames === undefined ? {} : { featureNames: data.featureNames }),
    baseline,
    ensemble: builder.build(),
    nIter,
    binMapper: mapper,
    trainScore,
    validationScore,
  });
}

/** sampleWeight × class weights ('balanced': n / (K * count of the class)), or undefined for unit weights. */
function sampleWeights(
  data: Dataset,
  y: Int32Array,
  classes: readonly number[],
  options: ResolvedHistGradientBoostingArgs,
): Float64Array | undefined {
  const given = data.sampleWeight;
  if (given !== undefined) {
    for (let i = 0; i < given.length; i++) {
      const w = given[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new PipelineError('E_INPUT', `sampleWeight[${i}] is ${w}; weights must be finite and >= 0`, { field: 'sampleWeight' });
      }
    }
  }
  const classWeight = options.classWeight;
  if (classWeight === null) return given === undefined ? undefined : Float64Array.from(given);
  const perClass = new Float64Array(classes.length).fill(1);
  if (classWeight === 'balanced') {
    const counts = new Float64Array(classes.length);
    for (const k of y) counts[k]!++;
    for (let k = 0; k < classes.length; k++) perClass[k] = y.length / (classes.length * counts[k]!);
  } else {
    classes.forEach((c, k) => {
      const w = classWeight[c];
      if (w !== undefined) perClass[k] = w;
    });
  }
  return Float64Array.from(y, (k, i) => perClass[k]! * (given === undefined ? 1 : given[i]!));
}

/** scikit-learn's _should_stop: no score of the last nIterNoChange beats the one before them by more than tol. */
function shouldStop(scores: readonly number[], nIterNoChange: number, tol: number): boolean {
  const reference = nIterNoChange + 1;
  if (scores.length < reference) return false;
  const referenceScore = scores[scores.length - reference]! + tol;
  for (let j = scores.length - reference + 1; j < scores.length; j++) if (scores[j]! > referenceScore) return false;
  return true;
}

/**
 * The worker pool of one fit: started early (its threads load while the calling thread bins the
 * data), taken when the trees start, and given back exactly once, however the fit ends.
 */
class PoolLease {
  private pending: Promise<HistWorkerPool | undefined> | undefined;
  private released = false;

  start(size: number, logger: Logger): void {
    this.pending = workerPoolOrNone(size, logger);
  }

  take(): Promise<HistWorkerPool | undefined> {
    return this.pending ?? Promise.resolve(undefined);
  }

  /** Idempotent; a pool still starting is given back once it has started. */
  release(): void {
    if (this.released || this.pending === undefined) return;
    this.released = true;
    void this.pending.then((pool) => {
      if (pool !== undefined) releaseWorkerPool(pool);
    });
  }
}

/**
 * A worker pool, or none when its threads cannot start: the fit then runs on the calling thread
 * (same bytes: results do not depend on the number of threads) and says so with a warning.
 */
async function workerPoolOrNone(size: number, logger: Logger): Promise<HistWorkerPool | undefined> {
  try {
    return await acquireWorkerPool(size);
  } catch (error) {
    logger.warn('histogram worker threads did not start; fitting on the calling thread', {
      threads: size + 1,
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
}
