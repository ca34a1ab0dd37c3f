import { createRng, deriveSeed, PipelineError, resolveContext, throwIfAborted, type FitContext } from '@pipeline/core';
import { exampleSize, type BatchSource } from './batch-source.js';
import { compileForward, type ForwardFunction } from './compile-forward.js';
import { tf } from './tf.js';

export interface EarlyStopping {
  /** Epochs without improvement before stopping (≥ 1). */
  readonly patience: number;
  /** Smallest decrease that counts as an improvement. Default 0. */
  readonly minDelta?: number;
  /** Default `val_loss` when validation data is given, else `loss`. */
  readonly monitor?: 'loss' | 'val_loss';
  /** Put back the weights of the best epoch at the end. Default true. */
  readonly restoreBestWeights?: boolean;
}

export interface TrainClassifierOptions extends FitContext {
  /** Class index (0..classes-1) of each example of the source. */
  readonly labels: ArrayLike<number>;
  /** Number of classes = units of the model's final softmax layer. */
  readonly classes: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Adam learning rate. Default 1e-3 (Keras's). */
  readonly learningRate?: number;
  /** Reshuffle the examples every epoch (seeded). Default true. */
  readonly shuffle?: boolean;
  /** Per-example loss weights (e.g. class weights already applied per row). */
  readonly sampleWeight?: ArrayLike<number>;
  /** Per-class loss weights, multiplied into `sampleWeight`. */
  readonly classWeight?: ArrayLike<number>;
  /** Held-out examples scored after every epoch (loss and accuracy, unweighted). */
  readonly validation?: { readonly source: BatchSource; readonly labels: ArrayLike<number> };
  readonly earlyStopping?: EarlyStopping;
  /** Progress/log label, e.g. the model kind. */
  readonly label?: string;
  /** Log every epoch at `info` (default `debug`). */
  readonly verbose?: boolean;
  /** Batch size for scoring validation data. Default 4 × batchSize. */
  readonly validationBatchSize?: number;
}

export interface EpochRecord {
  readonly epoch: number;
  /** Mean weighted training loss over the epoch's batches (before each update). */
  readonly loss: number;
  /** Training accuracy over the epoch's batches (before each update). */
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
}

export interface TrainHistory {
  readonly epochs: readonly EpochRecord[];
  readonly stoppedEarly: boolean;
  /** Epoch (1-based) whose weights the model holds at the end. */
  readonly bestEpoch: number;
}

/**
 * Trains a softmax classifier (a `Sequential` ending in `Dense(…, softmax)`) with Adam on weighted
 * softmax cross-entropy (Σ wᵢ·CEᵢ / batch rows, Keras's reduction), reading batches from a
 * {@link BatchSource} into one reused buffer. The forward pass is `compileForward`'s (fused
 * kernels, logits). Shuffling is seeded from `seed`; `signal` is checked before every batch (and the
 * loop yields to the event loop after each batch, so a SIGINT handler gets to abort it); every tensor
 * of a batch is released before the next (checked by the tests through `tf.memory().numTensors`).
 */
export async function trainClassifier(model: tf.Sequential, source: BatchSource, options: TrainClassifierOptions): Promise<TrainHistory> {
  const { seed, signal, logger, onProgress } = resolveContext(options);
  const label = options.label ?? 'model';
  const n = source.size;
  validateOptions(options, n);
  const forward = compileForward(model, { logits: true });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const weights = exampleWeights(options, n);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const width = exampleSize(source);
  const batchSize = Math.min(options.batchSize, n);
  const buffer = new Float32Array(batchSize * width);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(deriveSeed(seed, 'train-classifier', 'shuffle'));
  const batches = Math.ceil(n / batchSize);
  const early = options.earlyStopping;
  const monitor = early?.monitor ?? (options.validation === undefined ? 'loss' : 'val_loss');
  if (monitor === 'val_loss' && options.validation === undefined && early !== undefined) {
    throw new PipelineError('E_USAGE', 'early stopping on val_loss needs validation data', { field: 'earlyStopping.monitor' });
  }
  const history: EpochRecord[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | undefined;
  let waited = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const started = performance.now();
      if (options.shuffle !== false) rng.shuffle(order);
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batches; b++) {
        throwIfAborted(signal, `${label} training`);
        const indices = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const rows = indices.length;
        source.fill(indices, buffer);
        const onehot = new Float32Array(rows * options.classes);
        const rowWeights = new Float32Array(rows);
        for (let k = 0; k < rows; k++) {
          const i = indices[k]!;
          onehot[k * options.classes + options.labels[i]!] = 1;
          rowWeights[k] = weights[i]!;
        }
        const [loss, hits] = tf.tidy(() => {
          const xs = tf.tensor(buffer.subarray(0, rows * width), [rows, ...source.exampleShape]);
          const ys = tf.tensor2d(onehot, [rows, options.classes]);
          const ws = tf.tensor1d(rowWeights);
          let predicted: tf.Tensor | undefined;
          const cost = optimizer.minimize(
            () => {
              const logits = forward(xs, { training: true });
              predicted = tf.keep(tf.argMax(logits, 1));
              const perExample = tf.losses.softmaxCrossEntropy(ys, logits, undefined, 0, tf.Reduction.NONE);
              return tf.div(tf.sum(tf.mul(perExample, ws)), rows) as tf.Scalar;
            },
            true,
            variables,
          );
          const labelsTensor = tf.tensor1d(Int32Array.from(indices, (i) => options.labels[i]!), 'int32');
          const hitCount = tf.sum(tf.cast(tf.equal(predicted!, labelsTensor), 'int32'));
          predicted!.dispose();
          return [cost!, hitCount];
        });
        lossSum += loss.dataSync()[0]! * rows;
        correct += hits.dataSync()[0]!;
        loss.dispose();
        hits.dispose();
        onProgress({ stage: 'batch', current: b + 1, total: batches, label });
        await yieldToEventLoop();
      }
      const record: EpochRecord = {
        epoch,
        loss: lossSum / n,
        accuracy: correct / n,
        ...(options.validation === undefined ? {} : await score(forward, options.validation, options.classes, options.validationBatchSize ?? 4 * batchSize, signal, label)),
        seconds: (performance.now() - started) / 1000,
      };
      history.push(record);
      const message = `epoch ${epoch}/${options.epochs} loss ${record.loss.toFixed(4)} acc ${record.accuracy.toFixed(4)}${
        record.valLoss === undefined ? '' : ` val_loss ${record.valLoss.toFixed(4)} val_acc ${record.valAccuracy!.toFixed(4)}`
      }`;
      (options.verbose === true ? logger.info : logger.debug).call(logger, `${label}: ${message}`, { ...record, model: label });
      onProgress({ stage: 'epoch', current: epoch, total: options.epochs, label, message });
      const value = monitor === 'val_loss' ? record.valLoss! : record.loss;
      if (value < best - (early?.minDelta ?? 0)) {
        best = value;
        bestEpoch = epoch;
        waited = 0;
        if (early !== undefined && early.restoreBestWeights !== false) {
          tf.dispose(bestWeights ?? []);
          bestWeights = variables.map((v) => tf.clone(v));
        }
      } else if (early !== undefined && ++waited >= early.patience) {
        stoppedEarly = true;
        logger.info(`${label}: early stopping after epoch ${epoch} (best ${monitor} ${best.toFixed(4)} at epoch ${bestEpoch})`);
        break;
      }
    }
    if (bestWeights !== undefined && bestEpoch !== history.length) {
      variables.forEach((v, k) => v.assign(bestWeights![k]!));
    } else {
      bestEpoch = history.length;
    }
  } finally {
    tf.dispose(bestWeights ?? []);
    optimizer.dispose();
  }
  return { epochs: history, stoppedEarly, bestEpoch };
}

export interface PredictOptions extends FitContext {
  readonly batchSize: number;
  /** Number of model outputs (columns of the result). */
  readonly classes: number;
  readonly label?: string;
}

/**
 * The model's softmax outputs for every example of a source, rows × classes, computed batch by
 * batch with the compiled forward pass (identical numbers for a model and its reloaded copy).
 */
export async function predictClassifier(model: tf.Sequential, source: BatchSource, options: PredictOptions): Promise<Float32Array> {
  const { signal, onProgress } = resolveContext(options);
  const label = options.label ?? 'model';
  const forward = compileForward(model);
  const out = new Float32Array(source.size * options.classes);
  const width = exampleSize(source);
  const batchSize = Math.max(1, Math.min(options.batchSize, source.size));
  const buffer = new Float32Array(batchSize * width);
  const batches = Math.ceil(source.size / batchSize);
  for (let b = 0; b < batches; b++) {
    throwIfAborted(signal, `${label} prediction`);
    const start = b * batchSize;
    const rows = Math.min(batchSize, source.size - start);
    source.fill(Int32Array.from({ length: rows }, (_, k) => start + k), buffer);
    const probabilities = tf.tidy(() => forward(tf.tensor(buffer.subarray(0, rows * width), [rows, ...source.exampleShape])));
    out.set(probabilities.dataSync() as Float32Array, start * options.classes);
    probabilities.dispose();
    onProgress({ stage: 'predict', current: b + 1, total: batches, label });
    await yieldToEventLoop();
  }
  return out;
}

async function score(
  forward: ForwardFunction,
  validation: NonNullable<TrainClassifierOptions['validation']>,
  classes: number,
  batchSize: number,
  signal: AbortSignal | undefined,
  label: string,
): Promise<{ valLoss: number; valAccuracy: number }> {
  const { source, labels } = validation;
  const width = exampleSize(source);
  const size = Math.max(1, Math.min(batchSize, source.size));
  const buffer = new Float32Array(size * width);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < source.size; start += size) {
    throwIfAborted(signal, `${label} validation`);
    const rows = Math.min(size, source.size - start);
    const indices = Int32Array.from({ length: rows }, (_, k) => start + k);
    source.fill(indices, buffer);
    const onehot = new Float32Array(rows * classes);
    for (let k = 0; k < rows; k++) onehot[k * classes + labels[start + k]!] = 1;
    const [loss, hits] = tf.tidy(() => {
      const logits = forward(tf.tensor(buffer.subarray(0, rows * width), [rows, ...source.exampleShape]));
      const perExample = tf.losses.softmaxCrossEntropy(tf.tensor2d(onehot, [rows, classes]), logits, undefined, 0, tf.Reduction.NONE);
      const truth = tf.tensor1d(Int32Array.from(indices, (i) => labels[i]!), 'int32');
      return [tf.sum(perExample), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), truth), 'int32'))];
    });
    lossSum += loss.dataSync()[0]!;
    correct += hits.dataSync()[0]!;
    tf.dispose([loss, hits]);
    await yieldToEventLoop();
  }
  return { valLoss: lossSum / source.size, valAccuracy: correct / source.size };
}

function exampleWeights(options: TrainClassifierOptions, n: number): Float32Array {
  const weights = new Float32Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    if (options.sampleWeight !== undefined) weights[i] = options.sampleWeight[i]!;
    if (options.classWeight !== undefined) weights[i] = weights[i]! * options.classWeight[options.labels[i]!]!;
  }
  return weights;
}

function validateOptions(options: TrainClassifierOptions, n: number): void {
  const positiveInteger = (value: number, field: string) => {
    if (!Number.isInteger(value) || value < 1) {
      throw new PipelineError('E_USAGE', `${field} must be a positive integer, got ${value}`, { field });
    }
  };
  positiveInteger(options.epochs, 'epochs');
  positiveInteger(options.batchSize, 'batchSize');
  if (n === 0) throw new PipelineError('E_INPUT', 'there are no training examples', { field: 'features' });
  if (options.labels.length !== n) {
    throw new PipelineError('E_INPUT', `${options.labels.length} labels for ${n} examples`, { field: 'labels' });
  }
  for (let i = 0; i < n; i++) {
    const y = options.labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= options.classes) {
      throw new PipelineError('E_INPUT', `label ${y} of example ${i} is outside 0..${options.classes - 1}`, { field: 'labels' });
    }
  }
  if (options.sampleWeight !== undefined && options.sampleWeight.length !== n) {
    throw new PipelineError('E_INPUT', `${options.sampleWeight.length} sample weights for ${n} examples`, { field: 'sampleWeight' });
  }
  if (options.earlyStopping !== undefined) positiveInteger(options.earlyStopping.patience, 'earlyStopping.patience');
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
