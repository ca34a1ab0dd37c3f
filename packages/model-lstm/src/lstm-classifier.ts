import { PipelineError, registerLoader, type EstimatorSpec } from '@pipeline/core';
import { loadTemporalClassifier, temporalEstimator, tf, withBalancedClassWeights, type ClassWeightMode, type TemporalArgs, type TemporalClassifier, type TemporalModelDefinition } from '@pipeline/tf';

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
  /**
   * Consecutive (downsampled) time steps the LSTM reads as one step: the sequence of `steps` ×
   * `channels` becomes ⌊steps / frame⌋ × (frame · channels) (a trailing remainder is dropped), so the
   * recurrence runs over short windows instead of single samples. 1 = one sample per step.
   */
  readonly frame: number;
  /** Class weights in the loss: `balanced` (total / (classes · count), multiplied into sample weights) or `none`. */
  readonly classWeight: ClassWeightMode;
}

/**
 * The defaults (issue 20): the signal decimated to 125 Hz and read in frames of 25 samples (200 ms),
 * so the LSTM runs 25 steps of 25 values instead of 250 single samples (the seed's defaults, which
 * stayed near the majority-class rate on EEG-like data); 64 units, Dense(32, relu), balanced class
 * weights, Adam at 2e-3, batches of 32, 6 epochs.
 */
export const LSTM_DEFAULTS: Readonly<LstmArgs> = Object.freeze({
  epochs: 6,
  downsample: 2,
  maxTrainSamples: 50000,
  units: 64,
  denseUnits: 32,
  batchSize: 32,
  predictBatchSize: 1024,
  verbose: false,
  fast: false,
  channels: 1,
  learningRate: 2e-3,
  validationFraction: 0,
  patience: 0,
  loadModel: null,
  loadOnly: false,
  pretrainedDisjoint: false,
  frame: 25,
  classWeight: 'balanced',
});

/**
 * `fast: true`: a smaller LSTM for quick runs (demo, smoke tests): at most 10000 rows per fit, 32
 * units, Dense(16), batches of 64 at a learning rate of 3e-3, 6 epochs on the 125 Hz signal in
 * 200 ms frames. (The seed's preset, 2 epochs of one sample per step at 25 Hz, scored at the
 * majority-class rate on the demo data.)
 */
export const LSTM_FAST_PRESET: Readonly<Partial<LstmArgs>> = Object.freeze({
  epochs: 6,
  downsample: 2,
  frame: 25,
  maxTrainSamples: 10000,
  units: 32,
  denseUnits: 16,
  batchSize: 64,
  learningRate: 3e-3,
  predictBatchSize: 2048,
});

/**
 * The seed's LSTM before issue 20 (one sample per step at 50 Hz, 3 epochs at 1e-3, no class
 * weights): `lstmClassifier(LSTM_SEED_PRESET)` reproduces it.
 */
export const LSTM_SEED_PRESET: Readonly<Partial<LstmArgs>> = Object.freeze({
  epochs: 3,
  downsample: 5,
  learningRate: 1e-3,
  frame: 1,
  classWeight: 'none',
});

/** The network: [crop the remainder →] [Reshape to frames →] LSTM(units) → Dense(denseUnits, relu) → Dense(classes, softmax). */
export const lstmDefinition: TemporalModelDefinition<LstmArgs> = {
  kind: LSTM_KIND,
  build: ({ steps, channels, classes }, args) => {
    const frame = args.frame;
    if (frame > steps) {
      throw new PipelineError('E_USAGE', `${LSTM_KIND}: frame ${frame} is longer than the ${steps} steps of the (downsampled) signal`, {
        field: 'frame',
        hint: 'use a smaller frame or downsample factor',
      });
    }
    // The first layer takes the input shape; tfjs has no Cropping1D, so a remainder is cut as rows of an image.
    const input = { inputShape: [steps, channels] };
    const layers: tf.layers.Layer[] = [];
    const remainder = steps % frame;
    if (remainder > 0) {
      layers.push(tf.layers.reshape({ name: 'as_image', ...input, targetShape: [steps, 1, channels] }));
      layers.push(tf.layers.cropping2D({ name: 'crop', cropping: [[0, remainder], [0, 0]] }));
    }
    if (frame > 1) {
      layers.push(tf.layers.reshape({ name: 'frames', ...(layers.length === 0 ? input : {}), targetShape: [(steps - remainder) / frame, frame * channels] }));
    }
    layers.push(
      tf.layers.lstm({
        name: 'lstm',
        ...(layers.length === 0 ? input : {}),
        units: args.units,
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
        unitForgetBias: true,
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
      }),
      tf.layers.dense({ name: 'dense', units: args.denseUnits, activation: 'relu', kernelInitializer: 'zeros' }),
      tf.layers.dense({ name: 'output', units: classes, activation: 'softmax', kernelInitializer: 'zeros' }),
    );
    return tf.sequential({ name: 'lstm_classifier', layers });
  },
};

/** Arguments as callers pass them: any subset; `undefined` means "not given" (CLI flags left unset). */
export type LstmOptions = { readonly [K in keyof LstmArgs]?: LstmArgs[K] | undefined };

/** Resolves arguments: defaults, then the fast preset if `fast`, then the explicit arguments. */
export function resolveLstmArgs(args: LstmOptions = {}): LstmArgs {
  const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Partial<LstmArgs>;
  const resolved: LstmArgs = { ...LSTM_DEFAULTS, ...(defined.fast === true ? LSTM_FAST_PRESET : {}), ...defined };
  if (!Number.isInteger(resolved.frame) || resolved.frame < 1) {
    throw new PipelineError('E_USAGE', `${LSTM_KIND}: frame must be a positive integer, got ${JSON.stringify(resolved.frame)}`, { field: 'frame' });
  }
  if (resolved.classWeight !== 'none' && resolved.classWeight !== 'balanced') {
    throw new PipelineError('E_USAGE', `${LSTM_KIND}: classWeight must be 'none' or 'balanced', got ${JSON.stringify(resolved.classWeight)}`, {
      field: 'classWeight',
    });
  }
  return resolved;
}

/**
 * The LSTM base model on the raw signal: rows × (time·channels) features, downsampled by an integer
 * factor, standardized per channel on the training rows, at most `maxTrainSamples` rows per fit
 * (seeded), read in frames of `frame` steps, LSTM(units) → Dense(denseUnits, relu) → softmax, Adam
 * on (class-weighted) cross-entropy.
 */
export function lstmClassifier(args: LstmOptions = {}): EstimatorSpec<LstmArgs, TemporalClassifier> {
  const resolved = resolveLstmArgs(args);
  const spec = temporalEstimator(lstmDefinition, resolved, (overrides) => lstmClassifier({ ...args, ...overrides }));
  return { ...spec, fit: (data, context) => spec.fit(withBalancedClassWeights(data, resolved.classWeight), context) };
}

registerLoader(LSTM_KIND, (artifact) => loadTemporalClassifier(LSTM_KIND, artifact));
