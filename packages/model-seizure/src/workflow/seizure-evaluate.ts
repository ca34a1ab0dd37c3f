import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { atomicWrite, type FitContext, pathExists, PipelineError, resolveContext } from '@pipeline/core';
import { seizureEventRows, writeEventsTsv, type SeizureData } from '@pipeline/eeg';
import { ensureBackend, type tf } from '@pipeline/tf';
import { finiteOrNull, loadCheckpoint, type LoadedCheckpoint } from '../checkpoint.js';
import { parseSeizureConfig, type SeizureConfig } from '../seizure-config.js';
import { detectEvents, scoreSeizurePredictions, type SeizureMetrics } from '../seizure-metrics.js';
import { seizureForward } from '../seizure-net.js';
import { predictWindows, type RecordingProbabilities } from '../predict-windows.js';
import { dataOptions, openSeizureData } from './load-seizure-windows.js';

/** A trained network with the config it was trained with. */
export interface SeizureModel {
  readonly checkpoint: LoadedCheckpoint;
  readonly config: SeizureConfig;
  readonly channels: readonly string[];
}

/** Loads a checkpoint folder (`checkpoints/best` or `checkpoints/last`) and its training config. */
export async function loadSeizureModel(dir: string): Promise<SeizureModel> {
  const checkpoint = await loadCheckpoint(resolve(dir));
  const stored = checkpoint.state.config as { seizure?: unknown; channels?: string[] } | null;
  if (stored?.seizure === undefined || !Array.isArray(stored.channels)) {
    checkpoint.model.dispose();
    throw new PipelineError('E_INPUT', 'the checkpoint has no seizure config', { file: join(dir, 'checkpoint.json'), field: 'config.seizure' });
  }
  return { checkpoint, config: parseSeizureConfig(stored.seizure, join(dir, 'checkpoint.json')), channels: stored.channels };
}

/** One recording's detections and where they were written. */
export interface RecordingDetections {
  readonly id: string;
  readonly events: ReadonlyArray<readonly [number, number]>;
  readonly path: string;
}

/**
 * Predicts every recording of an opened data folder with a model: windows (the training
 * window length and stride), per-sample probabilities stitched per recording, events at the
 * configured operating point (hysteresis, morphology, minimum duration).
 */
async function predictFolder(
  model: SeizureModel,
  data: SeizureData,
  context: FitContext,
  ids?: readonly string[],
): Promise<{ recordings: RecordingProbabilities[]; loss: number }> {
  const { signal, onProgress } = resolveContext(context);
  if (ids !== undefined) {
    const known = new Set(data.recordings.map((r) => r.id));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) throw new PipelineError('E_NOT_FOUND', `no recording ${missing.join(', ')} in the data folder`, { file: data.dir, field: 'recordings' });
  }
  const set = await data.windowSet({ ...dataOptions(model.config).windows, ...(ids === undefined ? {} : { ids }) });
  if (set.channels.join(',') !== model.channels.join(',')) {
    throw new PipelineError('E_SCHEMA', `the data has channels ${set.channels.join(', ')} but the model was trained on ${model.channels.join(', ')}`, {
      file: data.dir,
      hint: 'use the montage the model was trained with',
    });
  }
  const forward = seizureForward(model.checkpoint.model as tf.Sequential);
  return predictWindows(forward, set, {
    batchSize: model.config.train.validationBatchSize,
    positiveWeight: model.config.train.positiveWeight,
    label: 'predict',
    onProgress,
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Writes one challenge-format `NAME_events.tsv` per recording (`sz` rows with the mean probability as confidence, or one `bckg` row). */
async function writeDetections(
  outDir: string,
  data: SeizureData,
  recordings: readonly RecordingProbabilities[],
  config: SeizureConfig,
  overwrite: boolean,
): Promise<RecordingDetections[]> {
  await mkdir(outDir, { recursive: true });
  const out: RecordingDetections[] = [];
  for (const r of recordings) {
    const info = data.recordings.find((x) => x.id === r.id);
    const events = detectEvents(r.proba, r.fs, config.validation);
    const confidence = events.map(([start, stop]) => {
      let sum = 0;
      const a = Math.round(start * r.fs);
      const b = Math.max(a + 1, Math.round(stop * r.fs));
      for (let t = a; t < b; t++) sum += r.proba[t] ?? 0;
      return Math.round((sum / (b - a)) * 1e4) / 1e4;
    });
    const path = join(outDir, `${r.id}_events.tsv`);
    const rows = seizureEventRows(events, { recordingDuration: info?.durationSec ?? r.duration, start: info?.start ?? null, confidence });
    await writeEventsTsv(path, rows, { overwrite });
    out.push({ id: r.id, events, path });
  }
  return out;
}

export interface SeizureEvaluateOptions {
  /** A checkpoint folder (`…/checkpoints/best`). */
  readonly checkpoint: string;
  /** Folder of annotated recordings. */
  readonly dataDir: string;
  /** Where detections and `metrics.json` go. Default `<run>/evaluation` beside the checkpoints. */
  readonly outDir?: string;
  /** Replace files from an earlier evaluation. Default false. */
  readonly overwrite?: boolean;
  /** Score only these recording ids (default: every recording of the folder). */
  readonly recordings?: readonly string[];
}

export interface SeizureEvaluateResult extends SeizureMetrics {
  readonly checkpoint: string;
  readonly epoch: number;
  readonly recordings: number;
  readonly val_loss: number;
  readonly out_dir: string;
  readonly metrics_path: string;
  readonly detections: readonly string[];
}

/**
 * Scores a checkpoint on an annotated data folder with the config it was trained with: TAES, OVLP,
 * timescoring (event and sample), NEDC sensitivity/specificity, AUROC, the FA/24h curve and the
 * sensitivity at 10, 5, 2.5 and 1 FA/24h; writes the detections in the challenge TSV format
 * (`NAME_events.tsv`, scorable by the public tools) and `metrics.json` into `outDir`.
 */
export async function seizureEvaluate(options: SeizureEvaluateOptions, context: FitContext = {}): Promise<SeizureEvaluateResult> {
  const { logger, signal, onProgress } = resolveContext(context);
  await ensureBackend(logger);
  const model = await loadSeizureModel(options.checkpoint);
  try {
    const data = await openSeizureData(resolve(options.dataDir), model.config, { logger, onProgress, ...(signal === undefined ? {} : { signal }) });
    const { recordings, loss } = await predictFolder(model, data, context, options.recordings);
    const metrics = scoreSeizurePredictions(recordings, model.config.validation, { onProgress, ...(signal === undefined ? {} : { signal }) });
    const outDir = resolve(options.outDir ?? join(resolve(options.checkpoint), '..', '..', 'evaluation'));
    const metricsPath = join(outDir, 'metrics.json');
    if (options.overwrite !== true && (await pathExists(metricsPath))) {
      throw new PipelineError('E_USAGE', 'an evaluation already exists', { file: metricsPath, hint: 'pass --out DIR for another folder or --overwrite' });
    }
    const detections = await writeDetections(outDir, data, recordings, model.config, options.overwrite === true);
    const result: SeizureEvaluateResult = {
      ...metrics,
      checkpoint: resolve(options.checkpoint),
      epoch: model.checkpoint.state.epoch,
      recordings: recordings.length,
      val_loss: loss,
      out_dir: outDir,
      metrics_path: metricsPath,
      detections: detections.map((d) => d.path),
    };
    await atomicWrite(metricsPath, `${JSON.stringify(result, finiteOrNull, 2)}\n`);
    logger.info(`evaluated ${recordings.length} recordings: TAES ${metrics.taes.toFixed(4)}, sensitivity at 10 FA/24h ${metrics.sensitivity_at_10fa.toFixed(4)}`);
    return result;
  } finally {
    model.checkpoint.model.dispose();
  }
}

export interface SeizurePredictOptions {
  readonly checkpoint: string;
  /** Folder of recordings (annotations not needed). */
  readonly dataDir: string;
  /** Folder receiving one `NAME_events.tsv` per recording. */
  readonly outDir: string;
  readonly overwrite?: boolean;
}

export interface SeizurePredictResult {
  readonly checkpoint: string;
  readonly outDir: string;
  readonly recordings: ReadonlyArray<{ readonly id: string; readonly path: string; readonly seizures: number }>;
}

/** Detects seizures in every recording of a folder and writes one challenge-format `NAME_events.tsv` per recording. */
export async function seizurePredict(options: SeizurePredictOptions, context: FitContext = {}): Promise<SeizurePredictResult> {
  const { logger, signal, onProgress } = resolveContext(context);
  await ensureBackend(logger);
  const model = await loadSeizureModel(options.checkpoint);
  try {
    const data = await openSeizureData(resolve(options.dataDir), model.config, {
      logger,
      onProgress,
      requireAnnotations: false,
      ...(signal === undefined ? {} : { signal }),
    });
    const { recordings } = await predictFolder(model, data, context);
    const outDir = resolve(options.outDir);
    const detections = await writeDetections(outDir, data, recordings, model.config, options.overwrite === true);
    return { checkpoint: resolve(options.checkpoint), outDir, recordings: detections.map((d) => ({ id: d.id, path: d.path, seizures: d.events.length })) };
  } finally {
    model.checkpoint.model.dispose();
  }
}

