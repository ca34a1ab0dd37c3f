import {
  argmaxRows,
  artifactFile,
  checkArtifact,
  countClasses,
  createRng,
  deriveSeed,
  matrix,
  PipelineError,
  requireLabels,
  resolveContext,
  throwIfAborted,
  validateDataset,
  type Dataset,
  type EstimatorSpec,
  type FitContext,
  type FittedClassifier,
  type Matrix,
  type ModelArtifact,
} from '@pipeline/core';
import { ensureBackend, initializeWeights, MODEL_JSON, modelFromFiles, modelToFiles, tf, WEIGHTS_BIN } from '@pipeline/tf';
import { CNN2D_KIND, resolveCnn2dArgs, type Cnn2dArgs, type Cnn2dOptions } from './cnn2d-args.js';
import { inceptionNetwork } from './inception-network.js';

/** Artifact format version of the 2D CNN. */
export const CNN2D_FORMAT_VERSION = 1;

/** One epoch of training. */
export interface Cnn2dEpoch {
  readonly epoch: number;
  /** Mean training cross-entropy over the epoch's batches (before each update). */
  readonly loss: number;
  /** Validation cross-entropy and accuracy after the epoch (with a validation set). */
  readonly valLoss?: number;
  readonly valAccuracy?: number;
}

/** The fitted state stored in an artifact (`state` of `toArtifact()`, plain JSON). */
export interface Cnn2dState {
  /** Class indices 0..k-1. */
  readonly classes: number[];
  /** Pixel mean of the training rows. */
  readonly mean: number;
  /** Pixel standard deviation of the training rows (1 for constant images). */
  readonly std: number;
  /** Training rows. */
  readonly trainedRows: number;
  /** Validation rows (0 without a validation set). */
  readonly validationRows: number;
  /** Per-epoch record. */
  readonly history: Cnn2dEpoch[];
  /** Epoch whose weights the model holds (the best validation loss with early stopping). */
  readonly bestEpoch: number;
  /** Whether early stopping ended training before `epochs`. */
  readonly stoppedEarly: boolean;
}

/** A fitted 2D CNN: the tfjs network plus the pixel standardization fitted on the training rows. */
export class Cnn2dClassifier implements FittedClassifier {
  readonly kind = CNN2D_KIND;
  readonly classes: readonly number[];
  readonly nFeatures: number;
  private disposed = false;

  /**
   * Built by `fitCnn2d` and the artifact loader, never by users.
   * @internal
   */
  constructor(
    /** Resolved arguments. */
    readonly args: Cnn2dArgs,
    /** The network (owned by this object). */
    readonly model: tf.LayersModel,
    private readonly state: Cnn2dState,
  ) {
    this.classes = state.classes;
    this.nFeatures = args.height * args.width;
  }

  /** Per-epoch training record (empty for no training). */
  get history(): readonly Cnn2dEpoch[] {
    return this.state.history;
  }

  /** Epoch whose weights the model holds, and whether early stopping ended training. */
  get stopping(): { readonly bestEpoch: number; readonly stoppedEarly: boolean } {
    return { bestEpoch: this.state.bestEpoch, stoppedEarly: this.state.stoppedEarly };
  }

  async predictProba(features: Matrix, context?: FitContext): Promise<Matrix> {
    this.checkUsable();
    checkWidth(features, this.args, 'features');
    const { signal, logger } = resolveContext(context);
    await ensureBackend(logger);
    const k = this.classes.length;
    const out = new Float32Array(features.rows * k);
    const size = this.args.predictBatchSize;
    for (let start = 0; start < features.rows; start += size) {
      throwIfAborted(signal, `${CNN2D_KIND} prediction`);
      const rows = Math.min(size, features.rows - start);
      const probabilities = tf.tidy(() => this.model.apply(this.batch(features, range(start, rows)), { training: false }) as tf.Tensor);
      out.set(probabilities.dataSync() as Float32Array, start * k);
      probabilities.dispose();
    }
    return matrix(features.rows, k, out);
  }

  async predict(features: Matrix, context?: FitContext): Promise<Int32Array> {
    return argmaxRows(await this.predictProba(features, context));
  }

  async toArtifact(): Promise<ModelArtifact> {
    this.checkUsable();
    return {
      kind: CNN2D_KIND,
      formatVersion: CNN2D_FORMAT_VERSION,
      args: { ...this.args },
      state: { ...this.state },
      files: await modelToFiles(this.model),
    };
  }

  dispose(): void {
    if (!this.disposed) this.model.dispose();
    this.disposed = true;
  }

  /** Standardized images of the given rows as a [rows, height, width, 1] tensor. @internal */
  batch(features: Matrix, rows: ArrayLike<number>): tf.Tensor4D {
    return imageBatch(features, rows, this.args, this.state.mean, this.state.std);
  }

  private checkUsable(): void {
    if (this.disposed) throw new PipelineError('E_STATE', `this ${CNN2D_KIND} model was disposed`);
  }
}

/**
 * Fits the 2D CNN on `train` (rows × height·width grey values), with early stopping on the
 * validation loss of `validation` when given (weights of the best epoch restored). Seeded: the same
 * data, arguments and seed give the same weights on the same backend.
 */
export async function fitCnn2d(train: Dataset, validation: Dataset | undefined, options: Cnn2dOptions, context: FitContext = {}): Promise<Cnn2dClassifier> {
  const args = resolveCnn2dArgs(options);
  const { seed, signal, logger, onProgress } = resolveContext(context);
  validateDataset(train, CNN2D_KIND);
  const labels = requireLabels(train, `${CNN2D_KIND} fit`);
  checkWidth(train.features, args, 'train');
  const classes = Math.max(countClasses(train), 2);
  if (new Set(labels).size < 2) throw new PipelineError('E_INPUT', `${CNN2D_KIND} needs at least 2 classes in the training rows`, { field: 'labels' });
  let validationLabels: Int32Array | undefined;
  if (validation !== undefined) {
    validateDataset(validation, `${CNN2D_KIND} validation`);
    validationLabels = requireLabels(validation, `${CNN2D_KIND} validation`);
    checkWidth(validation.features, args, 'validation');
  }
  await ensureBackend(logger);
  const { mean, std } = pixelStandardization(train.features);
  let model: tf.LayersModel | undefined;
  tf.tidy(() => {
    model = inceptionNetwork(args, classes);
  });
  initializeWeights(model!, deriveSeed(seed, CNN2D_KIND, 'initialize'));
  const network = model!;
  const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(args.learningRate);
  const n = train.features.rows;
  const batchSize = Math.min(args.batchSize, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(deriveSeed(seed, CNN2D_KIND, 'shuffle'));
  const history: Cnn2dEpoch[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | undefined;
  let waited = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= args.epochs; epoch++) {
      rng.shuffle(order);
      let lossSum = 0;
      for (let start = 0; start < n; start += batchSize) {
        throwIfAborted(signal, `${CNN2D_KIND} training`);
        const rows = order.subarray(start, Math.min(n, start + batchSize));
        const cost = tf.tidy(() => {
          const xs = imageBatch(train.features, rows, args, mean, std);
          const ys = tf.oneHot(tf.tensor1d(Int32Array.from(rows, (i) => labels[i]!), 'int32'), classes);
          return optimizer.minimize(() => crossEntropy(ys, network.apply(xs, { training: true }) as tf.Tensor), true, variables)!;
        });
        lossSum += cost.dataSync()[0]! * rows.length;
        cost.dispose();
        await new Promise((resolve) => setImmediate(resolve));
      }
      let record: Cnn2dEpoch = { epoch, loss: lossSum / n };
      if (validation !== undefined) record = { ...record, ...scoreValidation(network, validation.features, validationLabels!, args, mean, std, classes) };
      history.push(record);
      const message = `epoch ${epoch}/${args.epochs} loss ${record.loss.toFixed(4)}${
        record.valLoss === undefined ? '' : ` val_loss ${record.valLoss.toFixed(4)} val_acc ${record.valAccuracy!.toFixed(4)}`
      }`;
      (args.verbose ? logger.info : logger.debug).call(logger, `${CNN2D_KIND}: ${message}`, { model: CNN2D_KIND, ...record });
      onProgress({ stage: 'epoch', current: epoch, total: args.epochs, label: CNN2D_KIND, message });
      const monitored = record.valLoss ?? record.loss;
      if (monitored < best) {
        best = monitored;
        bestEpoch = epoch;
        waited = 0;
        if (args.patience > 0 && validation !== undefined) {
          tf.dispose(bestWeights ?? []);
          bestWeights = variables.map((v) => tf.clone(v));
        }
      } else if (args.patience > 0 && validation !== undefined && ++waited >= args.patience) {
        stoppedEarly = true;
        logger.info(`${CNN2D_KIND}: early stopping after epoch ${epoch} (best val_loss ${best.toFixed(4)} at epoch ${bestEpoch})`);
        break;
      }
    }
    if (bestWeights !== undefined && bestEpoch !== history.length) variables.forEach((v, k) => v.assign(bestWeights![k]!));
    else bestEpoch = history.length;
  } catch (error) {
    network.dispose();
    throw error;
  } finally {
    tf.dispose(bestWeights ?? []);
    optimizer.dispose();
  }
  return new Cnn2dClassifier(args, network, {
    classes: Array.from({ length: classes }, (_, k) => k),
    mean,
    std,
    trainedRows: n,
    validationRows: validation?.features.rows ?? 0,
    history,
    bestEpoch,
    stoppedEarly,
  });
}

/**
 * The 2D CNN as an `EstimatorSpec` (kind `'cnn2d'`), usable as a stacking base model on an image view
 * (rows × height·width). `fit` holds out `validationFraction` of the rows (seeded) for early stopping.
 */
export function cnn2dClassifier(options: Cnn2dOptions): EstimatorSpec<Cnn2dArgs, Cnn2dClassifier> {
  const args = resolveCnn2dArgs(options);
  return {
    kind: CNN2D_KIND,
    args,
    with: (overrides) => cnn2dClassifier({ ...args, ...overrides }),
    fit: async (data, context = {}) => {
      if (args.validationFraction === 0) return fitCnn2d(data, undefined, args, context);
      const rows = data.features.rows;
      const shuffled = createRng(deriveSeed(resolveContext(context).seed, CNN2D_KIND, 'validation')).shuffle(Int32Array.from({ length: rows }, (_, i) => i));
      const held = Math.max(1, Math.round(rows * args.validationFraction));
      const take = (subset: Int32Array) => subsetOf(data, subset.slice().sort());
      return fitCnn2d(take(shuffled.subarray(held)), take(shuffled.subarray(0, held)), args, context);
    },
  };
}

/** Rebuilds a fitted 2D CNN from its artifact (registered with core's `loadModel` under `'cnn2d'`). */
export async function loadCnn2d(artifact: ModelArtifact): Promise<Cnn2dClassifier> {
  checkArtifact(artifact, CNN2D_KIND, [CNN2D_FORMAT_VERSION]);
  await ensureBackend();
  const model = await modelFromFiles(artifactFile(artifact, MODEL_JSON), artifactFile(artifact, WEIGHTS_BIN), `${CNN2D_KIND}/${MODEL_JSON}`);
  return new Cnn2dClassifier(resolveCnn2dArgs(artifact.args as unknown as Cnn2dArgs), model, artifact.state as unknown as Cnn2dState);
}

function subsetOf(data: Dataset, rows: Int32Array): Dataset {
  const cols = data.features.cols;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((i, k) => out.set(data.features.data.subarray(i * cols, (i + 1) * cols), k * cols));
  return { features: matrix(rows.length, cols, out), ...(data.labels === undefined ? {} : { labels: Int32Array.from(rows, (i) => data.labels![i]!) }) };
}

function crossEntropy(onehot: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  const clipped = tf.clipByValue(probabilities, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.log(clipped)), -1))) as tf.Scalar;
}

function scoreValidation(
  network: tf.LayersModel,
  features: Matrix,
  labels: Int32Array,
  args: Cnn2dArgs,
  mean: number,
  std: number,
  classes: number,
): { valLoss: number; valAccuracy: number } {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < features.rows; start += args.predictBatchSize) {
    const rows = range(start, Math.min(args.predictBatchSize, features.rows - start));
    const [loss, hits] = tf.tidy(() => {
      const probabilities = network.apply(imageBatch(features, rows, args, mean, std), { training: false }) as tf.Tensor;
      const truth = tf.tensor1d(Int32Array.from(rows, (i) => labels[i]!), 'int32');
      return [
        tf.mul(crossEntropy(tf.oneHot(truth, classes), probabilities), rows.length),
        tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, 1), truth), 'int32')),
      ];
    });
    lossSum += loss.dataSync()[0]!;
    correct += hits.dataSync()[0]!;
    tf.dispose([loss, hits]);
  }
  return { valLoss: lossSum / features.rows, valAccuracy: correct / features.rows };
}

function imageBatch(features: Matrix, rows: ArrayLike<number>, args: Pick<Cnn2dArgs, 'height' | 'width'>, mean: number, std: number): tf.Tensor4D {
  const cols = features.cols;
  const out = new Float32Array(rows.length * cols);
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k]! * cols;
    for (let j = 0; j < cols; j++) out[k * cols + j] = (features.data[base + j]! - mean) / std;
  }
  return tf.tensor4d(out, [rows.length, args.height, args.width, 1]);
}

function pixelStandardization(features: Matrix): { mean: number; std: number } {
  let sum = 0;
  let squares = 0;
  for (const v of features.data) {
    if (!Number.isFinite(v)) throw new PipelineError('E_INPUT', `${CNN2D_KIND}: a pixel value is not finite`, { field: 'features' });
    sum += v;
    squares += v * v;
  }
  const count = Math.max(1, features.data.length);
  const mean = sum / count;
  const variance = Math.max(0, squares / count - mean * mean);
  return { mean, std: variance > 1e-12 ? Math.sqrt(variance) : 1 };
}

function checkWidth(features: Matrix, args: Pick<Cnn2dArgs, 'height' | 'width'>, source: string): void {
  if (features.cols !== args.height * args.width) {
    throw new PipelineError('E_SCHEMA', `${CNN2D_KIND}: ${source} rows have ${features.cols} values, images of ${args.height}×${args.width} need ${args.height * args.width}`, {
      file: source,
      field: 'features',
      hint: 'set height and width to the image size, or resize the images',
    });
  }
}

function range(start: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, k) => start + k);
}
