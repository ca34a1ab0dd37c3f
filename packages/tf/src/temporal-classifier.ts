import { join } from 'node:path';
import {
  argmaxRows,
  artifactFile,
  checkArtifact,
  countClasses,
  createRng,
  deriveSeed,
  matrix,
  PipelineError,
  readArtifact,
  requireLabels,
  resolveContext,
  validateDataset,
  type Dataset,
  type EstimatorSpec,
  type FitContext,
  type FittedClassifier,
  type Logger,
  type Matrix,
  type ModelArtifact,
} from '@pipeline/core';
import { initializeWeights } from './initialize-weights.js';
import { loadModelDir, MODEL_JSON, modelFromFiles, modelToFiles, pathExists, WEIGHTS_BIN } from './model-io.js';
import { ensureBackend } from './select-backend.js';
import { checkSignalWidth, fitStandardization, signalSource, signalSteps, type SignalLayout, type Standardization } from './signal-source.js';
import { tf } from './tf.js';
import { predictClassifier, trainClassifier, type TrainHistory } from './train-classifier.js';

/** Hyper-parameters every temporal base model shares (plain JSON, logged in run manifests). */
export interface TemporalArgs {
  /** Training epochs. */
  readonly epochs: number;
  /** Training batch size. */
  readonly batchSize: number;
  /** Keep every k-th time step (`x[:, ::k]`) before the model; 1 = no downsampling. */
  readonly downsample: number;
  /** Train on at most this many rows per fit (a seeded random subset); 0 = no cap. */
  readonly maxTrainSamples: number;
  /** Rows per prediction batch. */
  readonly predictBatchSize: number;
  /** Log every epoch at `info` instead of `debug`. */
  readonly verbose: boolean;
  /** Channels per time step in a feature row (time-major). 1 for the raw single-channel signal. */
  readonly channels: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Fraction of the training rows held out to score every epoch (0 = none). */
  readonly validationFraction: number;
  /** Early-stopping patience in epochs on the validation loss (training loss without validation); 0 = off. */
  readonly patience: number;
  /**
   * A pretrained model to start from: a folder with `artifact.json` (a saved `@pipeline` model of the
   * same kind, whose standardization is reused) or with `model.json` + `weights.bin` (a tfjs layers
   * model; standardization is fitted on the training rows). null = train from scratch.
   */
  readonly loadModel: string | null;
  /** With `loadModel`: use the pretrained model as is, without training. */
  readonly loadOnly: boolean;
  /**
   * Set when the run records that the pretrained model never saw the rows it is fitted on; otherwise
   * `loadOnly` logs a leakage warning.
   */
  readonly pretrainedDisjoint: boolean;
}

/** What a model package supplies: its kind and its (untrained) network. */
export interface TemporalModelDefinition<Args extends TemporalArgs> {
  readonly kind: string;
  /**
   * Builds the network for input [steps, channels] ending in `Dense(classes, softmax)`. Give every
   * layer an explicit name and `zeros` initializers: weights are set by `initializeWeights`.
   */
  build(shape: { readonly steps: number; readonly channels: number; readonly classes: number }, args: Readonly<Args>): tf.Sequential;
}

export const TEMPORAL_FORMAT_VERSION = 1;

/** The fitted state stored in an artifact (plain JSON). */
interface TemporalState {
  readonly classes: number[];
  readonly inputColumns: number;
  readonly steps: number;
  readonly channels: number;
  readonly downsample: number;
  readonly standardization: Standardization;
  readonly trainedRows: number;
  readonly history: Array<{ epoch: number; loss: number; accuracy: number; valLoss?: number; valAccuracy?: number }>;
  readonly stoppedEarly: boolean;
  readonly backend: string;
  readonly pretrained: { readonly path: string; readonly loadOnly: boolean } | null;
}

/** A fitted temporal classifier (LSTM, CNN, …): a tfjs model plus its input standardization. */
export class TemporalClassifier implements FittedClassifier {
  readonly kind: string;
  readonly classes: readonly number[];
  readonly nFeatures: number;
  /** Training history (empty for `loadOnly`). */
  readonly history: TrainHistory;
  private disposed = false;

  /**
   * Built by the temporal model specs' `fit` and by their artifact loaders, never by users.
   * @internal
   */
  constructor(
    kind: string,
    private readonly args: Readonly<Record<string, unknown>>,
    /** The network (exposed for inspection and tests; owned by this object). */
    readonly model: tf.Sequential,
    private readonly state: TemporalState,
    history?: TrainHistory,
  ) {
    this.kind = kind;
    this.classes = state.classes;
    this.nFeatures = state.inputColumns;
    this.history = history ?? {
      epochs: state.history.map((e) => ({ ...e, seconds: 0 })),
      stoppedEarly: state.stoppedEarly,
      bestEpoch: state.history.length,
    };
  }

  /** Per-channel standardization fitted on the training rows. */
  get standardization(): Standardization {
    return this.state.standardization;
  }

  async predictProba(features: Matrix, context?: FitContext): Promise<Matrix> {
    this.checkUsable();
    if (features.cols !== this.nFeatures) {
      throw new PipelineError('E_SCHEMA', `${this.kind} was trained on ${this.nFeatures} signal columns but got ${features.cols}`, {
        field: 'features',
        hint: 'pass the same signal columns (and channel layout) as at training time',
      });
    }
    const { logger } = resolveContext(context);
    await ensureBackend(logger);
    const layout: SignalLayout = { channels: this.state.channels, downsample: this.state.downsample };
    const source = signalSource(features, layout, this.state.standardization);
    const data = await predictClassifier(this.model, source, {
      ...context,
      batchSize: Number(this.args.predictBatchSize ?? 1024),
      classes: this.classes.length,
      label: this.kind,
    });
    return matrix(features.rows, this.classes.length, data);
  }

  async predict(features: Matrix, context?: FitContext): Promise<Int32Array> {
    return argmaxRows(await this.predictProba(features, context));
  }

  async toArtifact(): Promise<ModelArtifact> {
    this.checkUsable();
    return {
      kind: this.kind,
      formatVersion: TEMPORAL_FORMAT_VERSION,
      args: { ...this.args },
      state: { ...this.state },
      files: await modelToFiles(this.model),
    };
  }

  dispose(): void {
    if (!this.disposed) this.model.dispose();
    this.disposed = true;
  }

  private checkUsable(): void {
    if (this.disposed) throw new PipelineError('E_STATE', `this ${this.kind} model was disposed`);
  }
}

/** Checks the shared arguments; `E_USAGE` naming the field otherwise. */
export function validateTemporalArgs(args: TemporalArgs, kind: string): void {
  const check = (ok: boolean, field: string, value: unknown, what: string) => {
    if (!ok) throw new PipelineError('E_USAGE', `${kind}: ${field} must be ${what}, got ${JSON.stringify(value)}`, { field });
  };
  const positiveInteger = (field: keyof TemporalArgs) => {
    const value = args[field];
    check(typeof value === 'number' && Number.isInteger(value) && value >= 1, field, value, 'a positive integer');
  };
  positiveInteger('epochs');
  positiveInteger('batchSize');
  positiveInteger('downsample');
  positiveInteger('predictBatchSize');
  positiveInteger('channels');
  check(Number.isInteger(args.maxTrainSamples) && args.maxTrainSamples >= 0, 'maxTrainSamples', args.maxTrainSamples, 'an integer ≥ 0 (0 = no cap)');
  check(Number.isInteger(args.patience) && args.patience >= 0, 'patience', args.patience, 'an integer ≥ 0 (0 = off)');
  check(args.learningRate > 0 && Number.isFinite(args.learningRate), 'learningRate', args.learningRate, 'a positive number');
  check(args.validationFraction >= 0 && args.validationFraction < 1, 'validationFraction', args.validationFraction, 'in [0, 1)');
  check(!args.loadOnly || args.loadModel !== null, 'loadOnly', args.loadOnly, 'false unless loadModel is set');
}

/**
 * An `EstimatorSpec` for a temporal model. `recreate` rebuilds a spec from overrides (the model
 * package's factory, so presets and defaults resolve the same way).
 */
export function temporalEstimator<Args extends TemporalArgs>(
  definition: TemporalModelDefinition<Args>,
  args: Args,
  recreate: (overrides: Partial<Args>) => EstimatorSpec<Args, TemporalClassifier>,
): EstimatorSpec<Args, TemporalClassifier> {
  validateTemporalArgs(args, definition.kind);
  return {
    kind: definition.kind,
    args,
    with: recreate,
    fit: (data, context) => fitTemporal(definition, args, data, context),
  };
}

async function fitTemporal<Args extends TemporalArgs>(
  definition: TemporalModelDefinition<Args>,
  args: Args,
  data: Dataset,
  context: FitContext = {},
): Promise<TemporalClassifier> {
  const { seed, logger } = resolveContext(context);
  const { kind } = definition;
  validateDataset(data, kind);
  const labels = requireLabels(data, `${kind} fit`);
  const classes = countClasses(data);
  if (classes < 2) throw new PipelineError('E_INPUT', `${kind} needs at least 2 classes, the labels have ${classes}`, { field: 'labels' });
  const backend = await ensureBackend(logger);
  const layout: SignalLayout = { channels: args.channels, downsample: args.downsample };
  checkSignalWidth(data.features, layout, kind);
  const steps = signalSteps(data.features.cols, layout);

  const pretrained = args.loadModel === null ? undefined : await loadPretrained(kind, args, args.loadModel);
  let model: tf.Sequential;
  if (pretrained !== undefined) {
    model = pretrained.model;
    checkNetwork(model, { steps, channels: args.channels, classes }, args.loadModel!);
  } else {
    model = buildNetwork(() => definition.build({ steps, channels: args.channels, classes }, args));
    initializeWeights(model, deriveSeed(seed, kind, 'initialize'));
  }

  // Rows used for training: all, or a seeded random subset of maxTrainSamples (kept in row order).
  let rows: Int32Array = Int32Array.from({ length: data.features.rows }, (_, i) => i);
  if (args.maxTrainSamples > 0 && rows.length > args.maxTrainSamples) {
    rows = createRng(deriveSeed(seed, kind, 'max-train-samples')).sample(rows.length, args.maxTrainSamples).sort();
  }
  const standardization = pretrained?.standardization ?? fitStandardization(data.features, rows, layout, kind);
  const base = {
    classes: Array.from({ length: classes }, (_, k) => k),
    inputColumns: data.features.cols,
    steps,
    channels: args.channels,
    downsample: args.downsample,
    standardization,
    backend: backend.backend,
    pretrained: args.loadModel === null ? null : { path: args.loadModel, loadOnly: args.loadOnly },
  };
  if (args.loadOnly) {
    if (!args.pretrainedDisjoint) {
      logger.warn(
        `${kind}: loadOnly uses the pretrained model at ${args.loadModel} without training; unless it never saw these rows, its out-of-fold predictions leak and stacked scores are optimistic`,
        { model: kind, loadModel: args.loadModel },
      );
    }
    return new TemporalClassifier(kind, args as unknown as Record<string, unknown>, model, {
      ...base,
      trainedRows: 0,
      history: [],
      stoppedEarly: false,
    });
  }

  let trainRows: Int32Array = rows;
  let validationRows: Int32Array | undefined;
  if (args.validationFraction > 0) {
    const shuffled = createRng(deriveSeed(seed, kind, 'validation')).shuffle(Int32Array.from(rows));
    const held = Math.max(1, Math.round(shuffled.length * args.validationFraction));
    validationRows = shuffled.subarray(0, held).sort();
    trainRows = shuffled.subarray(held).sort();
  }
  const pick = (subset: Int32Array) => Int32Array.from(subset, (i) => labels[i]!);
  try {
    const history = await trainClassifier(model, signalSource(data.features, layout, standardization, trainRows, kind), {
      ...context,
      seed: deriveSeed(seed, kind, 'train'),
      labels: pick(trainRows),
      classes,
      epochs: args.epochs,
      batchSize: args.batchSize,
      learningRate: args.learningRate,
      ...(data.sampleWeight === undefined ? {} : { sampleWeight: Float32Array.from(trainRows, (i) => data.sampleWeight![i]!) }),
      ...(validationRows === undefined
        ? {}
        : { validation: { source: signalSource(data.features, layout, standardization, validationRows, kind), labels: pick(validationRows) } }),
      ...(args.patience > 0 ? { earlyStopping: { patience: args.patience } } : {}),
      label: kind,
      verbose: args.verbose,
    });
    return new TemporalClassifier(
      kind,
      args as unknown as Record<string, unknown>,
      model,
      {
        ...base,
        trainedRows: trainRows.length,
        history: history.epochs.map(({ epoch, loss, accuracy, valLoss, valAccuracy }) => ({
          epoch,
          loss,
          accuracy,
          ...(valLoss === undefined ? {} : { valLoss, valAccuracy: valAccuracy! }),
        })),
        stoppedEarly: history.stoppedEarly,
      },
      history,
    );
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Rebuilds a fitted temporal classifier from its artifact (the loader each model package registers). */
export async function loadTemporalClassifier(kind: string, artifact: ModelArtifact, logger?: Logger): Promise<TemporalClassifier> {
  checkArtifact(artifact, kind, [TEMPORAL_FORMAT_VERSION]);
  await ensureBackend(logger);
  const state = artifact.state as unknown as TemporalState;
  const model = await modelFromFiles(artifactFile(artifact, MODEL_JSON), artifactFile(artifact, WEIGHTS_BIN), `${kind}/${MODEL_JSON}`);
  if (!(model instanceof tf.Sequential)) {
    model.dispose();
    throw new PipelineError('E_INPUT', `the ${kind} artifact does not hold a Sequential model`, { field: MODEL_JSON });
  }
  return new TemporalClassifier(kind, artifact.args, model, state);
}

async function loadPretrained(
  kind: string,
  args: TemporalArgs,
  path: string,
): Promise<{ model: tf.Sequential; standardization?: Standardization }> {
  if (await pathExists(join(path, 'artifact.json'))) {
    const artifact = await readArtifact(path);
    if (artifact.kind !== kind) {
      throw new PipelineError('E_INPUT', `the model at loadModel is a '${artifact.kind}' artifact, not '${kind}'`, {
        file: path,
        field: 'loadModel',
        hint: `point to a saved ${kind} model`,
      });
    }
    const fitted = await loadTemporalClassifier(kind, artifact);
    const state = artifact.state as unknown as TemporalState;
    if (state.downsample !== args.downsample || state.channels !== args.channels) {
      fitted.dispose();
      throw new PipelineError(
        'E_USAGE',
        `the pretrained ${kind} used downsample ${state.downsample} and ${state.channels} channel(s), the arguments say ${args.downsample} and ${args.channels}`,
        { file: path, field: 'downsample', hint: 'use the pretrained model’s downsample and channels' },
      );
    }
    return { model: fitted.model, standardization: state.standardization };
  }
  const model = await loadModelDir(path);
  if (!(model instanceof tf.Sequential)) {
    model.dispose();
    throw new PipelineError('E_INPUT', 'the pretrained model is not a Sequential model', { file: path, field: 'loadModel' });
  }
  return { model };
}

/**
 * Builds a network inside a tidy scope: layer variables survive, temporaries of the layers' own
 * initializers do not (tfjs's LSTM with `unitForgetBias` leaks four tensors per build otherwise).
 */
function buildNetwork(build: () => tf.Sequential): tf.Sequential {
  let model: tf.Sequential | undefined;
  tf.tidy(() => {
    model = build();
  });
  return model!;
}

function checkNetwork(model: tf.Sequential, expected: { steps: number; channels: number; classes: number }, path: string): void {
  const input = model.inputs[0]?.shape ?? [];
  const output = model.outputs[0]?.shape ?? [];
  const fail = (what: string, hint: string) => {
    model.dispose();
    throw new PipelineError('E_SCHEMA', `the pretrained model at ${path} ${what}`, { file: path, field: 'loadModel', hint });
  };
  if (input[1] !== expected.steps || input[2] !== expected.channels) {
    fail(
      `expects input [${input.slice(1).join(', ')}], the data gives [${expected.steps}, ${expected.channels}]`,
      'use the signal length, channels and downsample it was trained with',
    );
  }
  if (output[output.length - 1] !== expected.classes) {
    fail(`has ${output[output.length - 1]} outputs for ${expected.classes} classes`, 'train it on the same classes');
  }
}
