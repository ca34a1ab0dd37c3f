import { createRng, deriveSeed, PipelineError, resolveContext, throwIfAborted, type FitContext } from '@pipeline/core';
import { balancedBatchOrder, type WindowSet } from '@pipeline/eeg';
import { tf } from '@pipeline/tf';
import { AdamW } from './adamw.js';
import { binaryCrossEntropyWithLogits } from './binary-cross-entropy.js';
import { saveCheckpoint, type CheckpointState, type EpochSummary, type LoadedCheckpoint } from './checkpoint.js';
import { clipByGlobalNorm } from './clip-by-global-norm.js';
import { cosineWithWarmup, warmupStepsFor } from './lr-schedule.js';
import { predictWindows } from './predict-windows.js';
import { MONITORED_METRICS, monitoredValue, scoreSeizurePredictions, type MonitoredMetric, type SeizureMetrics, type SeizureValidationArgs } from './seizure-metrics.js';
import { seizureForward } from './seizure-net.js';
import { fillWindowBatch } from './window-batches.js';

/** Optimisation settings (the `train` block of the config). */
export interface SeizureTrainArgs {
  /** Epochs to train (the cosine schedule spans all of them). */
  readonly epochs: number;
  /** Windows per batch. */
  readonly batchSize: number;
  /** Peak learning rate of AdamW. */
  readonly lr: number;
  /** AdamW's decoupled weight decay. */
  readonly weightDecay: number;
  /** Fraction of all steps spent in the linear warmup. */
  readonly warmupRatio: number;
  /** Floor of the cosine decay, as a fraction of `lr`. */
  readonly minLrRatio: number;
  /** Global-norm gradient clipping limit (0 = no clipping). */
  readonly clipNorm: number;
  /** Weight of seizure samples in the binary cross-entropy (1 = unweighted). */
  readonly positiveWeight: number;
  /** About half of every batch contains seizure (positives oversampled, seeded); false = plain shuffle. */
  readonly balanced: boolean;
  /** Stop when the monitored validation metric has not improved by `minDelta` for `patience` epochs (0 = never). */
  readonly earlyStopping: { readonly metric: MonitoredMetric; readonly patience: number; readonly minDelta: number };
  /** Windows per forward pass during validation. */
  readonly validationBatchSize: number;
  /** Requested float16 compute; reported as unavailable on the CPU backends (training runs in float32). */
  readonly mixedPrecision: boolean;
}

/** What happened at one optimizer step (for tests, logs and TensorBoard). */
export interface StepRecord {
  readonly epoch: number;
  /** 0-based index of the step over the whole run. */
  readonly step: number;
  /** Window indices of the batch. */
  readonly batch: Int32Array;
  readonly loss: number;
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Global norm of the gradients the optimizer applied. */
  readonly clippedNorm: number;
}

export interface TrainSeizureOptions extends FitContext {
  readonly model: tf.Sequential;
  readonly train: WindowSet;
  readonly validation: WindowSet;
  readonly args: SeizureTrainArgs;
  readonly validationArgs: SeizureValidationArgs;
  /** Folder receiving `best/` and `last/`. */
  readonly checkpointDir: string;
  /** The resolved run config, stored in every checkpoint. */
  readonly config: unknown;
  /** Continue from this checkpoint (normally `last`): weights, optimizer moments, step, epoch, early-stopping state. */
  readonly resume?: LoadedCheckpoint;
  /** Backend name recorded in checkpoints. */
  readonly backend?: string;
  readonly onStep?: (record: StepRecord) => void;
  readonly onEpoch?: (summary: EpochSummary, metrics: SeizureMetrics) => void;
  /** Scalar sink (TensorBoard/JSONL): tag, value, global step. */
  readonly onScalar?: (tag: string, value: number, step: number) => void;
}

export interface TrainSeizureResult {
  readonly history: readonly EpochSummary[];
  readonly stoppedEarly: boolean;
  readonly bestEpoch: number;
  readonly bestMetric: number;
  readonly steps: number;
  readonly epochs: number;
  /** Metrics of the last validated epoch. */
  readonly lastMetrics: SeizureMetrics | undefined;
}

/** The order of the training windows in one epoch: balanced batches or a seeded shuffle. */
export function epochBatches(set: WindowSet, args: Pick<SeizureTrainArgs, 'batchSize' | 'balanced'>, seed: number, epoch: number): Int32Array[] {
  if (args.balanced) return balancedBatchOrder(set.positive, args.batchSize, deriveSeed(seed, 'seizure-batches'), epoch);
  const order = Int32Array.from({ length: set.length }, (_, i) => i);
  createRng(deriveSeed(seed, 'seizure-shuffle', epoch)).shuffle(order);
  const batches: Int32Array[] = [];
  for (let start = 0; start < order.length; start += args.batchSize) batches.push(order.slice(start, start + args.batchSize));
  return batches;
}

const HEADLINE = ['taes', 'auroc', 'sensitivity', 'specificity', 'sensitivity_at_10fa', 'sensitivity_at_5fa', 'sensitivity_at_2_5fa', 'sensitivity_at_1fa'] as const;

/**
 * Trains the seizure network: AdamW with a cosine schedule and linear warmup, global-norm gradient
 * clipping, binary cross-entropy (optional positive weight) on per-sample logits; after every epoch
 * the validation windows are predicted, stitched onto their recordings and scored
 * ({@link scoreSeizurePredictions}); `checkpointDir/best` follows the monitored metric (a tie
 * is broken by the validation loss) and `checkpointDir/last` is rewritten every epoch (weights, AdamW moments, config, epoch, step,
 * early-stopping state). The data order of epoch e depends only on (seed, e), so a run resumed from
 * `last` continues at the same step with the same next batch. `signal` is checked before every
 * batch; every tensor of a step is released before the next.
 */
export async function trainSeizureNet(options: TrainSeizureOptions): Promise<TrainSeizureResult> {
  const { seed, signal, logger, onProgress } = resolveContext(options);
  const { args, train, validation, model } = options;
  if (train.length === 0) throw new PipelineError('E_INPUT', 'there are no training windows', { field: 'data.dir', hint: 'add recordings or lower data.validationFraction' });
  if (validation.length === 0) throw new PipelineError('E_INPUT', 'there are no validation windows', { field: 'data.validationFraction', hint: 'raise it or add recordings' });
  checkShape(model, train, 'training');
  checkShape(model, validation, 'validation');
  const forward = seizureForward(model);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new AdamW(variables, { weightDecay: args.weightDecay });
  const batchesPerEpoch = Array.from({ length: args.epochs }, (_, e) => epochBatches(train, args, seed, e + 1).length);
  const totalSteps = batchesPerEpoch.reduce((a, b) => a + b, 0);
  const schedule = { lr: args.lr, totalSteps, warmupSteps: warmupStepsFor(args.warmupRatio, totalSteps), minLrRatio: args.minLrRatio };
  const monitor = args.earlyStopping.metric;
  const mode = MONITORED_METRICS[monitor];
  const better = (a: number, b: number) => (Number.isNaN(b) ? !Number.isNaN(a) : mode === 'max' ? a > b + args.earlyStopping.minDelta : a < b - args.earlyStopping.minDelta);
  // A tie on the monitored metric (sensitivities saturate at 1 on easy data) is broken by the validation loss.
  const improves = (value: number, loss: number) => better(value, best) || (value === best && loss < bestValLoss);

  let step = 0;
  let startEpoch = 1;
  let best = NaN;
  let bestValLoss = Infinity;
  let bestEpoch = 0;
  let waited = 0;
  const history: EpochSummary[] = [];
  if (options.resume !== undefined) {
    const { state } = options.resume;
    optimizer.setState(options.resume.optimizer);
    step = state.step;
    startEpoch = state.epoch + 1;
    best = state.metric.best;
    bestValLoss = state.metric.bestValLoss ?? Infinity;
    bestEpoch = state.metric.bestEpoch;
    waited = state.epochsWithoutImprovement;
    history.push(...state.history);
    logger.info(`resuming at epoch ${startEpoch}, step ${step} (best ${monitor} ${best} at epoch ${bestEpoch})`);
  }
  const channels = train.channels.length;
  const samples = train.windowSamples;
  const x = new Float32Array(args.batchSize * samples * channels);
  const y = new Float32Array(args.batchSize * samples);
  let stoppedEarly = false;
  let lastMetrics: SeizureMetrics | undefined;
  const baseState = (epoch: number, value: number, finished: boolean): Omit<CheckpointState, 'format' | 'version' | 'optimizer' | 'savedAt'> & {
    optimizer: Omit<CheckpointState['optimizer'], 'sizes' | 'step'>;
  } => ({
    epoch,
    step,
    metric: { name: monitor, mode, value, best, bestEpoch, bestValLoss },
    epochsWithoutImprovement: waited,
    config: options.config,
    optimizer: { kind: 'adamw', beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon, weightDecay: optimizer.weightDecay },
    history,
    finished,
    backend: options.backend ?? tf.getBackend(),
  });

  try {
    if (options.resume?.state.finished === true) {
      logger.info('the checkpoint is of a finished run: nothing to train');
      return { history, stoppedEarly: false, bestEpoch, bestMetric: best, steps: step, epochs: history.length, lastMetrics };
    }
    for (let epoch = startEpoch; epoch <= args.epochs; epoch++) {
      const started = performance.now();
      const batches = epochBatches(train, args, seed, epoch);
      let lossSum = 0;
      let maxGradNorm = 0;
      let lr = 0;
      for (let b = 0; b < batches.length; b++) {
        throwIfAborted(signal, 'seizure training');
        const batch = batches[b]!;
        const rows = fillWindowBatch(train, batch, x, y).length;
        lr = cosineWithWarmup(step, schedule);
        const { loss, gradNorm, clippedNorm } = trainStep(forward, variables, optimizer, x, y, rows, samples, channels, args, lr);
        if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
          throw new PipelineError('E_STATE', `training diverged at step ${step}: loss ${loss}, gradient norm ${gradNorm}`, {
            field: 'train.lr',
            hint: 'lower train.lr or train.clipNorm',
          });
        }
        lossSum += loss;
        maxGradNorm = Math.max(maxGradNorm, gradNorm);
        options.onStep?.({ epoch, step, batch, loss, lr, gradNorm, clippedNorm });
        options.onScalar?.('train/loss', loss, step);
        options.onScalar?.('train/lr', lr, step);
        options.onScalar?.('train/grad_norm', gradNorm, step);
        step += 1;
        onProgress({ stage: 'batch', current: b + 1, total: batches.length, label: `epoch ${epoch}/${args.epochs}` });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const predictions = await predictWindows(forward, validation, {
        batchSize: args.validationBatchSize,
        positiveWeight: args.positiveWeight,
        label: 'validation',
        ...(signal === undefined ? {} : { signal }),
        onProgress,
      });
      const metrics = scoreSeizurePredictions(predictions.recordings, options.validationArgs, signal === undefined ? {} : { signal });
      lastMetrics = metrics;
      const value = monitoredValue(metrics, predictions.loss, monitor);
      const improved = improves(value, predictions.loss);
      if (improved) {
        best = value;
        bestValLoss = predictions.loss;
        bestEpoch = epoch;
        waited = 0;
      } else {
        waited += 1;
      }
      const summary: EpochSummary = {
        epoch,
        step,
        loss: lossSum / Math.max(1, batches.length),
        valLoss: predictions.loss,
        lr,
        maxGradNorm,
        metric: value,
        validation: Object.fromEntries(HEADLINE.map((k) => [k, metrics[k]])),
        seconds: (performance.now() - started) / 1000,
      };
      history.push(summary);
      options.onScalar?.('epoch/train_loss', summary.loss, step);
      options.onScalar?.('val/loss', predictions.loss, step);
      for (const key of HEADLINE) options.onScalar?.(`val/${key}`, metrics[key], step);
      for (const [scorer, scores] of [['ovlp', metrics.ovlp], ['timescoring_event', metrics.timescoring_event], ['timescoring_sample', metrics.timescoring_sample]] as const) {
        for (const [name, v] of Object.entries(scores)) options.onScalar?.(`val/${scorer}/${name}`, v, step);
      }
      stoppedEarly = args.earlyStopping.patience > 0 && waited >= args.earlyStopping.patience;
      const finished = stoppedEarly || epoch === args.epochs;
      if (improved) await saveCheckpoint(`${options.checkpointDir}/best`, model, optimizer.getState(), baseState(epoch, value, finished));
      await saveCheckpoint(`${options.checkpointDir}/last`, model, optimizer.getState(), baseState(epoch, value, finished));
      const message = `epoch ${epoch}/${args.epochs} loss ${summary.loss.toFixed(4)} val_loss ${predictions.loss.toFixed(4)} ${monitor} ${format(value)} (best ${format(best)} at ${bestEpoch})`;
      logger.info(message, { ...summary, monitor });
      options.onEpoch?.(summary, metrics);
      onProgress({ stage: 'epoch', current: epoch, total: args.epochs, label: 'seizure', message });
      if (stoppedEarly) {
        logger.info(`early stopping after epoch ${epoch}: ${monitor} did not improve for ${waited} epochs (best ${format(best)} at epoch ${bestEpoch})`);
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { history, stoppedEarly, bestEpoch, bestMetric: best, steps: step, epochs: history.length, lastMetrics };
}

function format(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}

/** One optimizer step; returns the loss and the gradient norms (before and after clipping). */
function trainStep(
  forward: ReturnType<typeof seizureForward>,
  variables: tf.Variable[],
  optimizer: AdamW,
  x: Float32Array,
  y: Float32Array,
  rows: number,
  samples: number,
  channels: number,
  args: SeizureTrainArgs,
  lr: number,
): { loss: number; gradNorm: number; clippedNorm: number } {
  const xs = tf.tensor3d(x.subarray(0, rows * samples * channels), [rows, samples, channels]);
  const ys = tf.tensor2d(y.subarray(0, rows * samples), [rows, samples]);
  const { value, grads } = tf.variableGrads(() => binaryCrossEntropyWithLogits(forward(xs), ys, args.positiveWeight), variables);
  const gradients = variables.map((v) => grads[v.name]!);
  const { gradients: clipped, norm } = args.clipNorm > 0 ? clipByGlobalNorm(gradients, args.clipNorm) : { gradients, norm: NaN };
  const gradNorm = Number.isNaN(norm) ? globalNormOf(gradients) : norm;
  const clippedNorm = clipped === gradients ? gradNorm : globalNormOf(clipped);
  const loss = value.dataSync()[0]!;
  if (Number.isFinite(loss) && Number.isFinite(gradNorm)) optimizer.apply(clipped, lr);
  tf.dispose([xs, ys, value, ...gradients]);
  if (clipped !== gradients) tf.dispose(clipped);
  return { loss, gradNorm, clippedNorm };
}

function globalNormOf(tensors: readonly tf.Tensor[]): number {
  const squared = tf.tidy(() => tf.addN(tensors.map((g) => tf.sum(tf.square(g)))));
  const value = Math.sqrt(squared.dataSync()[0]!);
  squared.dispose();
  return value;
}

function checkShape(model: tf.Sequential, set: WindowSet, what: string): void {
  const shape = model.inputs[0]!.shape;
  if (shape[1] !== set.windowSamples || shape[2] !== set.channels.length) {
    throw new PipelineError(
      'E_SCHEMA',
      `the ${what} windows are ${set.channels.length} channels × ${set.windowSamples} samples but the network expects ${String(shape[2])} × ${String(shape[1])}`,
      { field: 'model.samples', hint: 'use the same window length and channels as the model' },
    );
  }
}
