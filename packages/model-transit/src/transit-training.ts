import { createRng, deriveSeed, PipelineError, resolveContext, throwIfAborted, type FitContext, type Rng } from '@pipeline/core';
import { tf } from '@pipeline/tf';
import type { TransitCnnArgs } from './transit-cnn-args.js';
import { transitCurve } from './transit-curve.js';
import { TRANSIT_CLASSES, TRANSIT_FEATURE_COLUMNS, type TransitFeatures, type TransitRecord } from './transit-data.js';
import { transitForward, transitLosses, type TransitForward } from './transit-network.js';

/**
 * Standardization fitted on the training rows only (population mean and standard deviation; a
 * constant column gets std 1). Targets of the regression heads are standardized logs:
 * z = (log10(period) − periodMean) / periodStd and z = (log10(1 + depth) − depthMean) / depthStd.
 */
export interface TransitStandardization {
  /** Means of `impact, snr, steff, srad, slogg, tmag`, in that order. */
  readonly featureMean: readonly number[];
  readonly featureStd: readonly number[];
  readonly periodMean: number;
  readonly periodStd: number;
  readonly depthMean: number;
  readonly depthStd: number;
}

/** One epoch of training. Losses are means over rows; `val*` are on the held-out rows (no dropout). */
export interface TransitEpochRecord {
  /** 1-based. */
  readonly epoch: number;
  /** The learning rate the epoch trained with. */
  readonly learningRate: number;
  /** Total weighted loss (CE + 0.5·MSE + 0.5·MSE by default), each batch's before its update. */
  readonly loss: number;
  readonly labelLoss: number;
  readonly periodLoss: number;
  readonly depthLoss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valLabelLoss?: number;
  readonly valPeriodLoss?: number;
  readonly valDepthLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
}

/** What a training did. */
export interface TransitHistory {
  readonly epochs: readonly TransitEpochRecord[];
  /** Early stopping ended the training before `args.epochs`. */
  readonly stoppedEarly: boolean;
  /** 1-based epoch whose weights the model holds (the best by validation accuracy when early stopping is on). */
  readonly bestEpoch: number;
  readonly trainRows: number;
  readonly validationRows: number;
}

/** Hooks of a training beyond {@link FitContext} (`onProgress` reports every batch and every epoch). */
export interface TransitFitOptions extends FitContext {
  /** After every epoch, with the model holding that epoch's weights. */
  readonly onEpochEnd?: (record: TransitEpochRecord, model: tf.LayersModel) => void | Promise<void>;
  /** Every `args.progressEvery` epochs (the seed's "progress written every 5 epochs"), with the history so far. */
  readonly onCheckpoint?: (history: readonly TransitEpochRecord[]) => void | Promise<void>;
}

/** Fits {@link TransitStandardization} on the given rows. */
export function fitTransitStandardization(records: readonly TransitFeatures[], rows: ArrayLike<number>): TransitStandardization {
  if (rows.length === 0) throw new PipelineError('E_INPUT', 'there are no training rows', { field: 'rows' });
  const stats = (value: (r: TransitFeatures) => number) => {
    let sum = 0;
    for (let k = 0; k < rows.length; k++) sum += value(records[rows[k]!]!);
    const mean = sum / rows.length;
    let squares = 0;
    for (let k = 0; k < rows.length; k++) squares += (value(records[rows[k]!]!) - mean) ** 2;
    const std = Math.sqrt(squares / rows.length);
    return { mean, std: std > 1e-12 ? std : 1 };
  };
  const features = TRANSIT_FEATURE_COLUMNS.map((column) => stats((r) => r[column]));
  const period = stats((r) => Math.log10(r.period));
  const depth = stats((r) => Math.log10(1 + r.depth));
  return {
    featureMean: features.map((s) => s.mean),
    featureStd: features.map((s) => s.std),
    periodMean: period.mean,
    periodStd: period.std,
    depthMean: depth.mean,
    depthStd: depth.std,
  };
}

/** Reusable input buffers of one batch. */
export class TransitBatch {
  readonly curves: Float32Array;
  readonly features: Float32Array;
  readonly onehot: Float32Array;
  readonly period: Float32Array;
  readonly depth: Float32Array;
  rows = 0;

  constructor(
    readonly capacity: number,
    readonly points: number,
  ) {
    this.curves = new Float32Array(capacity * points);
    this.features = new Float32Array(capacity * TRANSIT_FEATURE_COLUMNS.length);
    this.onehot = new Float32Array(capacity * TRANSIT_CLASSES.length);
    this.period = new Float32Array(capacity);
    this.depth = new Float32Array(capacity);
  }

  /** Synthesizes the curves and standardizes the features (and targets, for labelled rows) of `indices`. */
  fill(records: readonly TransitFeatures[], indices: ArrayLike<number>, args: TransitCnnArgs, standardization: TransitStandardization): void {
    const width = TRANSIT_FEATURE_COLUMNS.length;
    this.rows = indices.length;
    this.onehot.fill(0, 0, this.rows * TRANSIT_CLASSES.length);
    for (let k = 0; k < indices.length; k++) {
      const record = records[indices[k]!]!;
      transitCurve(record, args.curve, this.curves.subarray(k * this.points, (k + 1) * this.points));
      TRANSIT_FEATURE_COLUMNS.forEach((column, c) => {
        this.features[k * width + c] = (record[column] - standardization.featureMean[c]!) / standardization.featureStd[c]!;
      });
      this.period[k] = (Math.log10(record.period) - standardization.periodMean) / standardization.periodStd;
      this.depth[k] = (Math.log10(1 + record.depth) - standardization.depthMean) / standardization.depthStd;
      const label = (record as Partial<TransitRecord>).label;
      if (label !== undefined) this.onehot[k * TRANSIT_CLASSES.length + TRANSIT_CLASSES.indexOf(label)] = 1;
    }
  }

  /** Input tensors of the filled rows. */
  inputs(): { curve: tf.Tensor3D; features: tf.Tensor2D } {
    return {
      curve: tf.tensor3d(this.curves.subarray(0, this.rows * this.points), [this.rows, this.points, 1]),
      features: tf.tensor2d(this.features.subarray(0, this.rows * TRANSIT_FEATURE_COLUMNS.length), [this.rows, TRANSIT_FEATURE_COLUMNS.length]),
    };
  }

  /** Target tensors of the filled rows. */
  targets(): { onehot: tf.Tensor2D; period: tf.Tensor2D; depth: tf.Tensor2D } {
    return {
      onehot: tf.tensor2d(this.onehot.subarray(0, this.rows * TRANSIT_CLASSES.length), [this.rows, TRANSIT_CLASSES.length]),
      period: tf.tensor2d(this.period.subarray(0, this.rows), [this.rows, 1]),
      depth: tf.tensor2d(this.depth.subarray(0, this.rows), [this.rows, 1]),
    };
  }
}

/**
 * Splits row indices into training and validation rows: per label, a seeded shuffle, then
 * round(fraction · count) rows of each label to validation (stratified). Both lists sorted.
 */
export function splitValidation(labels: readonly string[], fraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  if (fraction === 0) return { train: Int32Array.from(labels.keys()), validation: new Int32Array(0) };
  const rng = createRng(deriveSeed(seed, 'transit-cnn', 'validation-split'));
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const list = byLabel.get(label) ?? [];
    list.push(i);
    byLabel.set(label, list);
  });
  const validation: number[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = rng.shuffle(byLabel.get(label)!);
    validation.push(...list.slice(0, Math.round(fraction * list.length)));
  }
  const held = new Set(validation);
  const train = labels.map((_, i) => i).filter((i) => !held.has(i));
  if (train.length === 0 || validation.length === 0) {
    throw new PipelineError('E_INPUT', `${labels.length} rows are too few for a validation split of ${fraction}`, {
      field: 'validationSplit',
      hint: 'add rows or set validationSplit to 0',
    });
  }
  return { train: Int32Array.from(train), validation: Int32Array.from(validation).sort() };
}

/**
 * Trains the network in place: Adam on the weighted losses, seeded shuffling and dropout masks,
 * early stopping on validation accuracy (best weights restored), learning rate multiplied by
 * `lrFactor` on a validation-loss plateau, hooks after every epoch and every `progressEvery` epochs.
 * `signal` is checked before every batch. Every tensor of a batch is released before the next.
 */
export async function trainTransitNetwork(
  model: tf.LayersModel,
  records: readonly TransitRecord[],
  split: { readonly train: Int32Array; readonly validation: Int32Array },
  standardization: TransitStandardization,
  args: TransitCnnArgs,
  options: TransitFitOptions,
): Promise<TransitHistory> {
  const { seed, signal, logger, onProgress } = resolveContext(options);
  const forward = transitForward(model, args);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(args.learningRate);
  const order = Int32Array.from(split.train);
  const n = order.length;
  const batchSize = Math.min(args.batchSize, n);
  const batch = new TransitBatch(batchSize, args.curve.points);
  const batches = Math.ceil(n / batchSize);
  const shuffleRng = createRng(deriveSeed(seed, 'transit-cnn', 'shuffle'));
  const dropoutRng = createRng(deriveSeed(seed, 'transit-cnn', 'dropout'));
  const hasValidation = split.validation.length > 0;
  const history: TransitEpochRecord[] = [];
  let learningRate = args.learningRate;
  let bestAccuracy = Number.NEGATIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | undefined;
  let waited = 0;
  let plateauBest = Number.POSITIVE_INFINITY;
  let plateauWaited = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= args.epochs; epoch++) {
      const started = performance.now();
      const epochRate = optimizerLearningRate(optimizer);
      shuffleRng.shuffle(order);
      const sums = { total: 0, label: 0, period: 0, depth: 0, correct: 0 };
      for (let b = 0; b < batches; b++) {
        throwIfAborted(signal, 'transit-cnn training');
        const indices = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        batch.fill(records, indices, args, standardization);
        const rows = indices.length;
        const featureMask = dropoutMask(dropoutRng, rows, args.featureUnits[0], args.dropout);
        const headMask = dropoutMask(dropoutRng, rows, args.headUnits[0], args.dropout);
        const parts = tf.tidy(() => {
          const { curve, features } = batch.inputs();
          const targets = batch.targets();
          const masks = { features: tf.tensor2d(featureMask, [rows, args.featureUnits[0]]), head: tf.tensor2d(headMask, [rows, args.headUnits[0]]) };
          let kept: tf.Tensor[] = [];
          const cost = optimizer.minimize(
            () => {
              const outputs = forward(curve, features, masks);
              const losses = transitLosses(outputs, targets.onehot, targets.period, targets.depth, args.lossWeights);
              const hits = tf.sum(tf.cast(tf.equal(tf.argMax(outputs.logits, 1), tf.argMax(targets.onehot, 1)), 'int32'));
              kept = [losses.label, losses.period, losses.depth, hits].map((t) => tf.keep(t));
              return losses.total;
            },
            true,
            variables,
          );
          return [cost!, ...kept];
        });
        const values = parts.map((t) => t.dataSync()[0]!);
        tf.dispose(parts);
        sums.total += values[0]! * rows;
        sums.label += values[1]! * rows;
        sums.period += values[2]! * rows;
        sums.depth += values[3]! * rows;
        sums.correct += values[4]!;
        onProgress({ stage: 'batch', current: b + 1, total: batches, label: 'transit-cnn' });
        await yieldToEventLoop();
      }
      const validation = hasValidation ? await evaluateRows(forward, records, split.validation, standardization, args, signal) : undefined;
      const record: TransitEpochRecord = {
        epoch,
        learningRate: epochRate,
        loss: sums.total / n,
        labelLoss: sums.label / n,
        periodLoss: sums.period / n,
        depthLoss: sums.depth / n,
        accuracy: sums.correct / n,
        ...(validation === undefined
          ? {}
          : {
              valLoss: validation.loss,
              valLabelLoss: validation.labelLoss,
              valPeriodLoss: validation.periodLoss,
              valDepthLoss: validation.depthLoss,
              valAccuracy: validation.accuracy,
            }),
        seconds: (performance.now() - started) / 1000,
      };
      history.push(record);
      const message = `epoch ${epoch}/${args.epochs} loss ${record.loss.toFixed(4)} acc ${record.accuracy.toFixed(4)}${
        validation === undefined ? '' : ` val_loss ${validation.loss.toFixed(4)} val_acc ${validation.accuracy.toFixed(4)}`
      } lr ${epochRate}`;
      logger.debug(`transit-cnn: ${message}`, { ...record });
      onProgress({ stage: 'epoch', current: epoch, total: args.epochs, label: 'transit-cnn', message });
      await options.onEpochEnd?.(record, model);
      if (epoch % args.progressEvery === 0) await options.onCheckpoint?.(history);

      // early stopping on (validation) accuracy: strictly higher is better
      const accuracy = record.valAccuracy ?? record.accuracy;
      if (accuracy > bestAccuracy) {
        bestAccuracy = accuracy;
        bestEpoch = epoch;
        waited = 0;
        if (args.patience > 0) {
          tf.dispose(bestWeights ?? []);
          bestWeights = variables.map((v) => tf.clone(v));
        }
      } else if (args.patience > 0 && ++waited >= args.patience) {
        stoppedEarly = true;
        logger.info(`transit-cnn: early stopping after epoch ${epoch} (best accuracy ${bestAccuracy.toFixed(4)} at epoch ${bestEpoch})`);
        break;
      }
      // learning rate on plateau of the (validation) loss
      if (args.lrPatience > 0) {
        const loss = record.valLoss ?? record.loss;
        if (loss < plateauBest - PLATEAU_MIN_DELTA) {
          plateauBest = loss;
          plateauWaited = 0;
        } else if (++plateauWaited >= args.lrPatience) {
          plateauWaited = 0;
          const next = Math.max(learningRate * args.lrFactor, args.minLearningRate);
          if (next < learningRate) {
            logger.info(`transit-cnn: learning rate ${learningRate} → ${next} after epoch ${epoch}`);
            learningRate = next;
            setLearningRate(optimizer, next);
          }
        }
      }
    }
    if (bestWeights !== undefined && bestEpoch !== history.length) {
      variables.forEach((v, k) => v.assign(bestWeights![k]!));
    } else if (args.patience === 0) {
      bestEpoch = history.length;
    }
  } finally {
    tf.dispose(bestWeights ?? []);
    optimizer.dispose();
  }
  return { epochs: history, stoppedEarly, bestEpoch, trainRows: split.train.length, validationRows: split.validation.length };
}

/** Keras's `ReduceLROnPlateau` default `min_delta`. */
export const PLATEAU_MIN_DELTA = 1e-4;

/** Mean losses and accuracy of the network on labelled rows (no dropout), batch by batch. */
export async function evaluateRows(
  forward: TransitForward,
  records: readonly TransitRecord[],
  rows: ArrayLike<number>,
  standardization: TransitStandardization,
  args: TransitCnnArgs,
  signal?: AbortSignal,
): Promise<{ loss: number; labelLoss: number; periodLoss: number; depthLoss: number; accuracy: number }> {
  const size = Math.max(1, Math.min(args.predictBatchSize, rows.length));
  const batch = new TransitBatch(size, args.curve.points);
  const sums = [0, 0, 0, 0, 0];
  for (let start = 0; start < rows.length; start += size) {
    throwIfAborted(signal, 'transit-cnn validation');
    const indices = Array.from({ length: Math.min(size, rows.length - start) }, (_, k) => rows[start + k]!);
    batch.fill(records, indices, args, standardization);
    const parts = tf.tidy(() => {
      const { curve, features } = batch.inputs();
      const targets = batch.targets();
      const outputs = forward(curve, features);
      const losses = transitLosses(outputs, targets.onehot, targets.period, targets.depth, args.lossWeights);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(outputs.logits, 1), tf.argMax(targets.onehot, 1)), 'int32'));
      return [losses.total, losses.label, losses.period, losses.depth, hits];
    });
    const values = parts.map((t) => t.dataSync()[0]!);
    tf.dispose(parts);
    for (let k = 0; k < 4; k++) sums[k]! += values[k]! * indices.length;
    sums[4]! += values[4]!;
    await yieldToEventLoop();
  }
  const n = rows.length;
  return { loss: sums[0]! / n, labelLoss: sums[1]! / n, periodLoss: sums[2]! / n, depthLoss: sums[3]! / n, accuracy: sums[4]! / n };
}

/** Inverted dropout mask (0 or 1 / (1 − rate)) from the seeded generator. */
function dropoutMask(rng: Rng, rows: number, units: number, rate: number): Float32Array {
  const mask = new Float32Array(rows * units);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = rate > 0 && rng.uniform() < rate ? 0 : keep;
  return mask;
}

/** Adam reads `learningRate` at every step (tfjs-core's AdamOptimizer): setting it changes the next updates. */
function setLearningRate(optimizer: tf.AdamOptimizer, value: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = value;
}

/** The learning rate an optimizer steps with now. */
export function optimizerLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
