import { PipelineError } from '@pipeline/core';
import { TRANSIT_CURVE_DEFAULTS, validateCurveArgs, type TransitCurveArgs } from './transit-curve.js';
import type { LossWeights } from './transit-network.js';

/** Hyper-parameters of the transit CNN (plain JSON: stored with the model and in the server's database). */
export interface TransitCnnArgs {
  /** Maximum training epochs (the seed's `epochs`). Default 50. */
  readonly epochs: number;
  /** Rows per training batch. Default 32. */
  readonly batchSize: number;
  /** Initial Adam learning rate. Default 1e-3. */
  readonly learningRate: number;
  /** Fraction of the rows held out (seeded, stratified by label) to score every epoch. 0 = none. Default 0.2. */
  readonly validationSplit: number;
  /**
   * Early stopping: epochs without a higher validation accuracy (training accuracy without a
   * validation split) before training stops; the best epoch's weights are put back at the end. 0 = off.
   * Default 10.
   */
  readonly patience: number;
  /**
   * Learning rate on plateau: epochs without a validation-loss decrease of more than 1e-4 (training
   * loss without a validation split) before the learning rate is multiplied by `lrFactor`
   * (Keras's `ReduceLROnPlateau`: the count restarts after each reduction). 0 = off. Default 5.
   */
  readonly lrPatience: number;
  /** Factor applied to the learning rate on a plateau. Default 0.5. */
  readonly lrFactor: number;
  /** The learning rate never goes below this. Default 1e-6. */
  readonly minLearningRate: number;
  /** Dropout rate of the two Dropout layers. Default 0.3. */
  readonly dropout: number;
  /** Filters of the Conv1D blocks. Default [32, 64, 128]. */
  readonly convFilters: readonly number[];
  /** Kernel sizes of the Conv1D blocks (as many as `convFilters`). Default [7, 5, 3]. */
  readonly kernelSizes: readonly number[];
  /** Max-pooling size between the Conv1D blocks. Default 2. */
  readonly poolSize: number;
  /** Units of the feature branch's two Dense layers. Default [64, 32]. */
  readonly featureUnits: readonly [number, number];
  /** Units of the two Dense layers after the merge. Default [128, 64]. */
  readonly headUnits: readonly [number, number];
  /** Loss weights: categorical cross-entropy + 0.5·MSE(period) + 0.5·MSE(depth) by default. */
  readonly lossWeights: LossWeights;
  /** How the transit curve is synthesized (2001 points over ±48 h by default). */
  readonly curve: TransitCurveArgs;
  /** The `onCheckpoint` hook runs every this many epochs (the seed writes progress every 5). Default 5. */
  readonly progressEvery: number;
  /** Rows per prediction batch. Default 256. */
  readonly predictBatchSize: number;
}

/** The seed's settings. */
export const TRANSIT_CNN_DEFAULTS: Readonly<TransitCnnArgs> = Object.freeze({
  epochs: 50,
  batchSize: 32,
  learningRate: 1e-3,
  validationSplit: 0.2,
  patience: 10,
  lrPatience: 5,
  lrFactor: 0.5,
  minLearningRate: 1e-6,
  dropout: 0.3,
  convFilters: Object.freeze([32, 64, 128]),
  kernelSizes: Object.freeze([7, 5, 3]),
  poolSize: 2,
  featureUnits: Object.freeze([64, 32] as const),
  headUnits: Object.freeze([128, 64] as const),
  lossWeights: Object.freeze({ label: 1, period: 0.5, depth: 0.5 }),
  curve: TRANSIT_CURVE_DEFAULTS,
  progressEvery: 5,
  predictBatchSize: 256,
});

/** Arguments as callers pass them: any subset (nested `curve` and `lossWeights` may be partial). */
export type TransitCnnOptions = Partial<Omit<TransitCnnArgs, 'curve' | 'lossWeights'>> & {
  readonly curve?: Partial<TransitCurveArgs>;
  readonly lossWeights?: Partial<LossWeights>;
};

/** Fills defaults and checks every field (`E_USAGE` naming it). */
export function resolveTransitCnnArgs(options: TransitCnnOptions = {}): TransitCnnArgs {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TransitCnnOptions;
  const args: TransitCnnArgs = {
    ...TRANSIT_CNN_DEFAULTS,
    ...defined,
    curve: { ...TRANSIT_CNN_DEFAULTS.curve, ...defined.curve },
    lossWeights: { ...TRANSIT_CNN_DEFAULTS.lossWeights, ...defined.lossWeights },
  } as TransitCnnArgs;
  const fail = (field: string, message: string): never => {
    throw new PipelineError('E_USAGE', `transit-cnn: ${field} ${message}`, { field });
  };
  const positiveInteger = (field: keyof TransitCnnArgs, value: number) => {
    if (!Number.isInteger(value) || value < 1) fail(field, `must be a positive integer, got ${value}`);
  };
  const nonNegativeInteger = (field: keyof TransitCnnArgs, value: number) => {
    if (!Number.isInteger(value) || value < 0) fail(field, `must be a non-negative integer, got ${value}`);
  };
  positiveInteger('epochs', args.epochs);
  positiveInteger('batchSize', args.batchSize);
  positiveInteger('poolSize', args.poolSize);
  positiveInteger('progressEvery', args.progressEvery);
  positiveInteger('predictBatchSize', args.predictBatchSize);
  nonNegativeInteger('patience', args.patience);
  nonNegativeInteger('lrPatience', args.lrPatience);
  if (!(args.learningRate >= 0 && Number.isFinite(args.learningRate))) fail('learningRate', `must be a non-negative number, got ${args.learningRate}`);
  if (!(args.validationSplit >= 0 && args.validationSplit < 1)) fail('validationSplit', `must be in [0, 1), got ${args.validationSplit}`);
  if (!(args.lrFactor > 0 && args.lrFactor < 1)) fail('lrFactor', `must be in (0, 1), got ${args.lrFactor}`);
  if (!(args.minLearningRate >= 0)) fail('minLearningRate', `must be ≥ 0, got ${args.minLearningRate}`);
  if (!(args.dropout >= 0 && args.dropout < 1)) fail('dropout', `must be in [0, 1), got ${args.dropout}`);
  const units = (values: readonly number[]) => values.length > 0 && values.every((v) => Number.isInteger(v) && v >= 1);
  if (!units(args.convFilters) || !units(args.kernelSizes) || args.convFilters.length !== args.kernelSizes.length) {
    fail('convFilters', 'and kernelSizes must be non-empty lists of positive integers of equal length');
  }
  if (args.featureUnits.length !== 2 || !units(args.featureUnits)) fail('featureUnits', 'must be two positive integers');
  if (args.headUnits.length !== 2 || !units(args.headUnits)) fail('headUnits', 'must be two positive integers');
  for (const key of ['label', 'period', 'depth'] as const) {
    if (!(args.lossWeights[key] >= 0)) fail(`lossWeights.${key}`, `must be ≥ 0, got ${args.lossWeights[key]}`);
  }
  validateCurveArgs(args.curve);
  let length = args.curve.points;
  args.kernelSizes.forEach((size, k) => {
    length -= size - 1;
    if (length < 1) fail('curve.points', `(${args.curve.points}) is too short for conv block ${k + 1}`);
    if (k < args.kernelSizes.length - 1) length = Math.floor(length / args.poolSize);
  });
  return {
    ...args,
    convFilters: [...args.convFilters],
    kernelSizes: [...args.kernelSizes],
    featureUnits: [args.featureUnits[0], args.featureUnits[1]],
    headUnits: [args.headUnits[0], args.headUnits[1]],
  };
}
