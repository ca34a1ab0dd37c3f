import { registerLoader, type EstimatorSpec } from '@pipeline/core';
import { loadTemporalClassifier, temporalEstimator, tf, type TemporalArgs, type TemporalClassifier, type TemporalModelDefinition } from '@pipeline/tf';

/** Registry key of the LSTM base model's artifacts. */
export const LSTM_KIND = 'lstm';

/** Arguments of {@link lstmClassifier} (plain JSON). */
export interface LstmArgs extends TemporalArgs {
  /** Units of the LSTM layer. */
  readonly units: number;
  /** Units of the ReLU dense layer after the LSTM. */
  readonly denseUnits: number;
  /** Start from {@link LSTM_FAST_PRESET} instead of the defaults (explicit arguments still win). */
  readonly fast: boolean;
}

/** The seed's defaults. */
export const LSTM_DEFAULTS: Readonly<LstmArgs> = Object.freeze({
  epochs: 3,
  downsample: 5,
  maxTrainSamples: 50000,
  units: 64,
  denseUnits: 32,
  batchSize: 32,
  predictBatchSize: 1024,
  verbose: false,
  fast: false,
  channels: 1,
  learningRate: 1e-3,
  validationFraction: 0,
  patience: 0,
  loadModel: null,
  loadOnly: false,
  pretrainedDisjoint: false,
});

/**
 * `fast: true`: a smaller, shorter LSTM for quick runs (demo, smoke tests): 2 epochs on at most
 * 10000 rows, a 10× downsampled signal (125 steps for 1250 samples), 32 units, batches of 64.
 */
export const LSTM_FAST_PRESET: Readonly<Partial<LstmArgs>> = Object.freeze({
  epochs: 2,
  downsample: 10,
  maxTrainSamples: 10000,
  units: 32,
  denseUnits: 16,
  batchSize: 64,
  predictBatchSize: 2048,
});

/** The network: LSTM(units) → Dense(denseUnits, relu) → Dense(classes, softmax). */
export const lstmDefinition: TemporalModelDefinition<LstmArgs> = {
  kind: LSTM_KIND,
  build: ({ steps, channels, classes }, args) =>
    tf.sequential({
      name: 'lstm_classifier',
      layers: [
        tf.layers.lstm({
          name: 'lstm',
          inputShape: [steps, channels],
          units: args.units,
          activation: 'tanh',
          recurrentActivation: 'sigmoid',
          unitForgetBias: true,
          kernelInitializer: 'zeros',
          recurrentInitializer: 'zeros',
        }),
        tf.layers.dense({ name: 'dense', units: args.denseUnits, activation: 'relu', kernelInitializer: 'zeros' }),
        tf.layers.dense({ name: 'output', units: classes, activation: 'softmax', kernelInitializer: 'zeros' }),
      ],
    }),
};

/** Arguments as callers pass them: any subset; `undefined` means "not given" (CLI flags left unset). */
export type LstmOptions = { readonly [K in keyof LstmArgs]?: LstmArgs[K] | undefined };

/** Resolves arguments: defaults, then the fast preset if `fast`, then the explicit arguments. */
export function resolveLstmArgs(args: LstmOptions = {}): LstmArgs {
  const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Partial<LstmArgs>;
  return { ...LSTM_DEFAULTS, ...(defined.fast === true ? LSTM_FAST_PRESET : {}), ...defined };
}

/**
 * The LSTM base model on the raw signal: rows × (time·channels) features, downsampled by an integer
 * factor, standardized per channel on the training rows, at most `maxTrainSamples` rows per fit
 * (seeded), LSTM(units) → Dense(denseUnits, relu) → softmax, Adam on cross-entropy.
 */
export function lstmClassifier(args: LstmOptions = {}): EstimatorSpec<LstmArgs, TemporalClassifier> {
  return temporalEstimator(lstmDefinition, resolveLstmArgs(args), (overrides) => lstmClassifier({ ...args, ...overrides }));
}

registerLoader(LSTM_KIND, (artifact) => loadTemporalClassifier(LSTM_KIND, artifact));
