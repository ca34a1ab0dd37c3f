import {
  artifactFile,
  checkArtifact,
  deriveSeed,
  PipelineError,
  readArtifact,
  resolveContext,
  saveArtifact,
  throwIfAborted,
  type FitContext,
  type ModelArtifact,
} from '@pipeline/core';
import { ensureBackend, initializeWeights, MODEL_JSON, modelFromFiles, modelToFiles, tf, WEIGHTS_BIN } from '@pipeline/tf';
import { resolveTransitCnnArgs, type TransitCnnArgs, type TransitCnnOptions } from './transit-cnn-args.js';
import { TRANSIT_CLASSES, type TransitClass, type TransitFeatures, type TransitRecord } from './transit-data.js';
import { buildTransitNetwork, transitForward } from './transit-network.js';
import {
  splitValidation,
  TransitBatch,
  fitTransitStandardization,
  trainTransitNetwork,
  type TransitFitOptions,
  type TransitHistory,
  type TransitStandardization,
} from './transit-training.js';

/** Registry key and artifact kind of the transit CNN. */
export const TRANSIT_CNN_KIND = 'transit-cnn';
/** Version of the artifact layout written by {@link TransitCnnModel.toArtifact}. */
export const TRANSIT_CNN_FORMAT_VERSION = 1;

/** Predictions of the three heads. */
export interface TransitPrediction {
  /** The softmax columns' class names (the seed's order). */
  readonly classNames: readonly TransitClass[];
  /** The most probable class of each row. */
  readonly classes: readonly TransitClass[];
  /** rows × 3 softmax probabilities. */
  readonly probabilities: readonly (readonly number[])[];
  /** The `period_out` head, back in days. */
  readonly period: readonly number[];
  /** The `depth_out` head, back in ppm. */
  readonly depth: readonly number[];
}

/** The transit CNN as a value: arguments, then `fit` → a {@link TransitCnnModel}. */
export interface TransitCnnSpec {
  readonly kind: typeof TRANSIT_CNN_KIND;
  readonly args: Readonly<TransitCnnArgs>;
  with(overrides: TransitCnnOptions): TransitCnnSpec;
  fit(records: readonly TransitRecord[], options?: TransitFitOptions): Promise<TransitCnnModel>;
}

/** The transit CNN with the given arguments over {@link TRANSIT_CNN_DEFAULTS}. */
export function transitCnn(options: TransitCnnOptions = {}): TransitCnnSpec {
  const args = resolveTransitCnnArgs(options);
  return {
    kind: TRANSIT_CNN_KIND,
    args,
    with: (overrides) => transitCnn({ ...options, ...overrides }),
    fit: (records, fitOptions) => fitTransitCnn(records, args, fitOptions),
  };
}

/**
 * Trains the seed's transit CNN on labelled rows: a seeded stratified validation split, the
 * standardization fitted on the training rows, seeded weights (`initializeWeights`), then
 * {@link trainTransitNetwork}. Same rows, arguments and seed → the same weights (and artifact bytes)
 * on the same backend.
 */
export async function fitTransitCnn(records: readonly TransitRecord[], args: TransitCnnArgs, options: TransitFitOptions = {}): Promise<TransitCnnModel> {
  const { seed, logger, signal } = resolveContext(options);
  await ensureBackend(logger);
  throwIfAborted(signal, 'transit-cnn training');
  if (records.length === 0) throw new PipelineError('E_INPUT', 'there are no rows to train on', { field: 'rows' });
  const split = splitValidation(
    records.map((r) => r.label),
    args.validationSplit,
    seed,
  );
  const standardization = fitTransitStandardization(records, split.train);
  const model = buildModel(args);
  try {
    initializeWeights(model, deriveSeed(seed, TRANSIT_CNN_KIND, 'initialize'));
    logger.info(`transit-cnn: training on ${split.train.length} rows, validating on ${split.validation.length}`, {
      params: model.countParams(),
      backend: tf.getBackend(),
    });
    const history = await trainTransitNetwork(model, records, split, standardization, args, options);
    return new TransitCnnModel(model, args, standardization, history);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** A trained transit CNN: predicts, saves, and is loaded back with {@link loadTransitCnn}. */
export class TransitCnnModel {
  readonly kind = TRANSIT_CNN_KIND;
  readonly classNames: readonly TransitClass[] = TRANSIT_CLASSES;

  constructor(
    /** The tfjs functional model (inputs `curve`, `features`; outputs `label`, `period_out`, `depth_out`). */
    readonly network: tf.LayersModel,
    readonly args: TransitCnnArgs,
    readonly standardization: TransitStandardization,
    /** The training's history; `undefined` history fields on a model loaded without one are empty. */
    readonly history: TransitHistory,
  ) {}

  /** The three heads for `rows`, batch by batch (no dropout). */
  async predict(rows: readonly TransitFeatures[], context: FitContext = {}): Promise<TransitPrediction> {
    const { signal } = resolveContext(context);
    await ensureBackend();
    const forward = transitForward(this.network, this.args);
    const size = Math.max(1, Math.min(this.args.predictBatchSize, rows.length));
    const batch = new TransitBatch(size, this.args.curve.points);
    const probabilities: number[][] = [];
    const period: number[] = [];
    const depth: number[] = [];
    const s = this.standardization;
    for (let start = 0; start < rows.length; start += size) {
      throwIfAborted(signal, 'transit-cnn prediction');
      const indices = Array.from({ length: Math.min(size, rows.length - start) }, (_, k) => start + k);
      batch.fill(rows, indices, this.args, s);
      const [proba, p, d] = tf.tidy(() => {
        const { curve, features } = batch.inputs();
        const outputs = forward(curve, features);
        return [tf.softmax(outputs.logits), outputs.period, outputs.depth];
      });
      const probaValues = proba!.dataSync();
      const periodValues = p!.dataSync();
      const depthValues = d!.dataSync();
      tf.dispose([proba!, p!, d!]);
      indices.forEach((_, k) => {
        probabilities.push(Array.from(probaValues.subarray(k * 3, k * 3 + 3)));
        period.push(10 ** (periodValues[k]! * s.periodStd + s.periodMean));
        depth.push(10 ** (depthValues[k]! * s.depthStd + s.depthMean) - 1);
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const classes = probabilities.map((p) => TRANSIT_CLASSES[p.indexOf(Math.max(...p))]!);
    return { classNames: TRANSIT_CLASSES, classes, probabilities, period, depth };
  }

  /**
   * The model as a core `ModelArtifact`: `model.json` + `weights.bin` (the standard tfjs layers
   * format, via `@pipeline/tf`'s model IO), with the arguments as `args` and the standardization,
   * class names and history as `state`.
   */
  async toArtifact(): Promise<ModelArtifact> {
    return {
      kind: TRANSIT_CNN_KIND,
      formatVersion: TRANSIT_CNN_FORMAT_VERSION,
      args: this.args as unknown as Record<string, unknown>,
      state: {
        classNames: [...this.classNames],
        standardization: this.standardization,
        history: this.history,
      },
      files: await modelToFiles(this.network),
    };
  }

  /**
   * Saves into `dir` with core's `saveArtifact` (`artifact.json` with sizes and sha256 of each file,
   * written last). Refuses a folder that already holds a model unless `overwrite`.
   */
  async save(dir: string, options: { readonly overwrite?: boolean } = {}): Promise<void> {
    if (options.overwrite !== true) {
      const existing = await readArtifact(dir).then(
        () => true,
        () => false,
      );
      if (existing) throw new PipelineError('E_USAGE', 'a model is already saved there', { file: dir, hint: 'choose an empty folder or pass overwrite: true' });
    }
    await saveArtifact(dir, await this.toArtifact());
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** Rebuilds a model from {@link TransitCnnModel.toArtifact}'s artifact. */
export async function transitCnnFromArtifact(artifact: ModelArtifact): Promise<TransitCnnModel> {
  checkArtifact(artifact, TRANSIT_CNN_KIND, [TRANSIT_CNN_FORMAT_VERSION]);
  await ensureBackend();
  const args = resolveTransitCnnArgs(artifact.args as TransitCnnOptions);
  const state = artifact.state as { standardization?: TransitStandardization; history?: TransitHistory };
  if (state.standardization === undefined) {
    throw new PipelineError('E_INPUT', 'the transit-cnn artifact has no standardization', { field: 'state.standardization', hint: 're-save the model' });
  }
  const network = await modelFromFiles(artifactFile(artifact, MODEL_JSON), artifactFile(artifact, WEIGHTS_BIN));
  return new TransitCnnModel(
    network,
    args,
    state.standardization,
    state.history ?? { epochs: [], stoppedEarly: false, bestEpoch: 0, trainRows: 0, validationRows: 0 },
  );
}

/** Loads a model saved by {@link TransitCnnModel.save} (checksums verified by core's `readArtifact`). */
export async function loadTransitCnn(dir: string): Promise<TransitCnnModel> {
  return transitCnnFromArtifact(await readArtifact(dir));
}

function buildModel(args: TransitCnnArgs): tf.LayersModel {
  let model: tf.LayersModel | undefined;
  tf.tidy(() => {
    model = buildTransitNetwork(args.curve.points, args);
  });
  return model!;
}
