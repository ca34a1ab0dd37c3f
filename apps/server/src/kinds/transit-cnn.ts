/**
 * The `transit-cnn` model kind: the seed's transit CNN (`@pipeline/model-transit`) on a `transit`
 * dataset (the seed's columns). Options are the seed's (`epochs`, …) in the API's snake_case.
 *
 * Artifact directory: `artifact.json` + `model.json` + `weights.bin` (the model, written last by
 * `TransitCnnModel.save`) and `progress.json` (the epoch history so far, rewritten atomically every
 * `progress_every` epochs while training: the seed's "progress written every 5 epochs").
 *
 * Metrics of the result (flat numbers): `val_accuracy`, `val_loss`, `accuracy`, `loss` of the best
 * epoch, `majority_rate` (share of the validation rows' most frequent label: the bar a model must
 * clear), `best_epoch`, `epochs_completed`, `stopped_early` (0/1), `learning_rate` (last),
 * `train_rows`, `validation_rows`, and the per-epoch curves as `<name>@<epoch>` keys (`loss@3`,
 * `val_loss@3`, `accuracy@3`, `val_accuracy@3`), which the web page draws as the run's report.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, PipelineError } from '@pipeline/core';
import {
  loadTransitCnn,
  readTransitCsv,
  splitValidation,
  toTransitFeatures,
  transitCnn,
  type TransitCnnOptions,
  type TransitEpochRecord,
  type TransitHistory,
} from '@pipeline/model-transit';
import { z } from 'zod';
import type { ModelKind, PredictResult, TrainProgress } from '../model-kinds.js';

const optionsSchema = z
  .object({
    epochs: z.number().int().min(1).max(1000).default(50),
    batch_size: z.number().int().min(1).max(4096).default(32),
    learning_rate: z.number().positive().max(1).default(1e-3),
    validation_split: z.number().min(0.05).max(0.5).default(0.2),
    patience: z.number().int().min(0).max(1000).default(10),
    lr_patience: z.number().int().min(0).max(1000).default(5),
    dropout: z.number().min(0).max(0.9).default(0.3),
    curve_points: z.number().int().min(64).max(8001).default(2001),
    progress_every: z.number().int().min(1).max(1000).default(5),
  })
  .strict();

/** The options of a `transit-cnn` training (stored with the session). */
export type TransitCnnKindOptions = z.infer<typeof optionsSchema>;

/** The model-transit arguments for the options. */
export function transitArgsOf(options: TransitCnnKindOptions): TransitCnnOptions {
  return {
    epochs: options.epochs,
    batchSize: options.batch_size,
    learningRate: options.learning_rate,
    validationSplit: options.validation_split,
    patience: options.patience,
    lrPatience: options.lr_patience,
    dropout: options.dropout,
    curve: { points: options.curve_points },
    progressEvery: options.progress_every,
  };
}

/** Flat metrics of a training: the best epoch's numbers and the per-epoch curves as `name@epoch`. */
export function transitMetrics(history: TransitHistory, majorityRate: number): Record<string, number> {
  const best = history.epochs[history.bestEpoch - 1] ?? history.epochs[history.epochs.length - 1];
  const last = history.epochs[history.epochs.length - 1];
  const metrics: Record<string, number> = {
    epochs_completed: history.epochs.length,
    best_epoch: history.bestEpoch,
    stopped_early: history.stoppedEarly ? 1 : 0,
    train_rows: history.trainRows,
    validation_rows: history.validationRows,
    majority_rate: majorityRate,
  };
  if (best !== undefined) Object.assign(metrics, epochMetrics(best));
  if (last !== undefined) metrics.learning_rate = last.learningRate;
  for (const record of history.epochs) {
    for (const [name, value] of Object.entries(epochMetrics(record))) metrics[`${name}@${record.epoch}`] = value;
  }
  return metrics;
}

function epochMetrics(record: TransitEpochRecord): Record<string, number> {
  return {
    loss: record.loss,
    accuracy: record.accuracy,
    ...(record.valLoss === undefined ? {} : { val_loss: record.valLoss }),
    ...(record.valAccuracy === undefined ? {} : { val_accuracy: record.valAccuracy }),
  };
}

export const modelKind: ModelKind<TransitCnnKindOptions> = {
  kind: 'transit-cnn',
  datasetKinds: ['transit'],

  validateOptions(options: unknown): TransitCnnKindOptions {
    const parsed = optionsSchema.safeParse(options ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
      throw new PipelineError('E_USAGE', `transit-cnn option ${field === undefined || field === '' ? '' : `'${field}' `}is invalid: ${issue.message}`, {
        // the option's name: the route reports it as `options.<name>`
        ...(field === undefined || field === '' ? {} : { field }),
        hint: `transit-cnn takes ${Object.keys(optionsSchema.shape).join(', ')}`,
      });
    }
    return parsed.data;
  },

  async train(job, context) {
    const records = await readTransitCsv(job.datasetFile);
    await mkdir(job.artifactDir, { recursive: true });
    const spec = transitCnn(transitArgsOf(job.options));
    const epochs = spec.args.epochs;
    let epochsCompleted = 0;
    let latest: Record<string, number> | undefined;
    const report = (progress: Omit<TrainProgress, 'epochsCompleted' | 'metrics'>) =>
      context.onProgress({ ...progress, epochsCompleted, ...(latest === undefined ? {} : { metrics: latest }) });
    const model = await spec.fit(records, {
      seed: job.seed,
      signal: context.signal,
      logger: context.logger,
      onProgress: (event) => {
        // batches: progress through the whole training (epochs × batches)
        if (event.stage === 'batch') report({ stage: 'train', current: epochsCompleted * event.total + event.current, total: epochs * event.total, label: 'transit-cnn' });
      },
      onEpochEnd: (record) => {
        epochsCompleted = record.epoch;
        latest = epochMetrics(record);
        report({ stage: 'epoch', current: record.epoch, total: epochs, label: 'transit-cnn' });
      },
      onCheckpoint: (history) =>
        atomicWrite(join(job.artifactDir, 'progress.json'), new TextEncoder().encode(`${JSON.stringify({ epochs: history }, null, 2)}\n`)),
    });
    try {
      await model.save(job.artifactDir);
      const labels = records.map((r) => r.label);
      const { validation } = splitValidation(labels, spec.args.validationSplit, job.seed);
      const counts = new Map<string, number>();
      for (const i of validation) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
      const majority = validation.length === 0 ? 0 : Math.max(...counts.values()) / validation.length;
      return {
        metrics: transitMetrics(model.history, majority),
        artifactDir: job.artifactDir,
        epochsCompleted: model.history.epochs.length,
        classes: [...model.classNames],
      };
    } finally {
      model.dispose();
    }
  },

  async predict(artifactDir, rows, context): Promise<PredictResult> {
    const features = toTransitFeatures(rows);
    const model = await loadTransitCnn(artifactDir);
    try {
      const result = await model.predict(features, context?.signal === undefined ? {} : { signal: context.signal });
      return { classNames: result.classNames, classes: result.classes, probabilities: result.probabilities };
    } finally {
      model.dispose();
    }
  },
};
