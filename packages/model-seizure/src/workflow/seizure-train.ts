import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { atomicWrite, deriveSeed, type FitContext, pathExists, PipelineError, resolveContext } from '@pipeline/core';
import { selectBackend, type BackendName } from '@pipeline/tf';
import { finiteOrNull, loadCheckpoint, type EpochSummary } from '../checkpoint.js';
import { parseSeizureConfig, seizureNetArgsOf, type SeizureConfig } from '../seizure-config.js';
import type { SeizureMetrics } from '../seizure-metrics.js';
import { buildSeizureNet, countParameters, receptiveField } from '../seizure-net.js';
import { trainSeizureNet } from '../train-seizure-net.js';
import { openSeizureData, trainValidationWindows } from './load-seizure-windows.js';
import { openScalarLog } from './scalar-log.js';

/** Overrides of a config given on the command line (flags win over the file). */
export interface SeizureTrainOverrides {
  readonly dataDir?: string;
  readonly runDir?: string;
  readonly epochs?: number;
  /** Continue from `runDir/checkpoints/last`. */
  readonly resume?: boolean;
}

/** What mixed precision did: requested in the config, never available on the CPU backends. */
export interface MixedPrecisionReport {
  readonly requested: boolean;
  readonly used: false;
  readonly reason: string;
}

export interface SeizureTrainResult {
  readonly runDir: string;
  readonly checkpoints: { readonly best: string; readonly last: string };
  readonly events: { readonly jsonl: string; readonly tensorboard: string };
  readonly configPath: string;
  readonly resultPath: string;
  readonly backend: string;
  readonly mixedPrecision: MixedPrecisionReport;
  readonly recordings: { readonly train: readonly string[]; readonly validation: readonly string[] };
  readonly windows: { readonly train: number; readonly validation: number };
  readonly parameters: number;
  readonly epochs: number;
  readonly steps: number;
  readonly stoppedEarly: boolean;
  readonly monitor: string;
  readonly bestEpoch: number;
  readonly bestMetric: number;
  readonly history: readonly EpochSummary[];
  /** Validation metrics of the last epoch trained in this call (absent when nothing was left to train). */
  readonly metrics?: SeizureMetrics;
}

/** The config with the command-line overrides applied (and re-validated). */
export function applyOverrides(config: SeizureConfig, overrides: SeizureTrainOverrides): SeizureConfig {
  return parseSeizureConfig({
    ...config,
    data: { ...config.data, ...(overrides.dataDir === undefined ? {} : { dir: overrides.dataDir }) },
    train: { ...config.train, ...(overrides.epochs === undefined ? {} : { epochs: overrides.epochs }) },
    run: { ...config.run, ...(overrides.runDir === undefined ? {} : { dir: overrides.runDir }) },
  });
}

/** The mixed-precision line of every report. */
export function mixedPrecisionReport(requested: boolean, backend: string): MixedPrecisionReport {
  return {
    requested,
    used: false,
    reason: `mixed precision (float16) is not available on the ${backend} backend; training runs in float32`,
  };
}

/**
 * Trains a seizure network from a config: loads and preprocesses the data folder, splits it by
 * recording (subject), builds the network, trains with validation every epoch and writes the run
 * folder — `config.json` (resolved config), `checkpoints/best`, `checkpoints/last`,
 * `events/scalars.jsonl` (+ TensorBoard events), `result.json`. A run folder that already has
 * checkpoints is refused unless `resume` is set (then training continues from `last`).
 */
export async function seizureTrain(config: SeizureConfig, overrides: SeizureTrainOverrides = {}, context: FitContext = {}): Promise<SeizureTrainResult> {
  const resolved = applyOverrides(config, overrides);
  const { logger, signal, onProgress } = resolveContext(context);
  const seed = context.seed ?? resolved.seed;
  if (resolved.data.dir === null) {
    throw new PipelineError('E_USAGE', 'no data folder: the config has data.dir null', { field: 'data.dir', hint: 'pass --data DIR or set data.dir' });
  }
  const runDir = resolve(resolved.run.dir);
  const checkpointDir = join(runDir, 'checkpoints');
  const lastDir = join(checkpointDir, 'last');
  const hasLast = await pathExists(join(lastDir, 'checkpoint.json'));
  if (hasLast && overrides.resume !== true) {
    throw new PipelineError('E_STATE', 'the run folder already holds checkpoints', {
      file: runDir,
      hint: 'pass --resume to continue it, or choose another --run-dir',
    });
  }
  if (!hasLast && overrides.resume === true) {
    throw new PipelineError('E_NOT_FOUND', 'nothing to resume: no checkpoints/last', { file: runDir, hint: 'train without --resume first' });
  }
  const selection = await selectBackend({ ...(resolved.run.backend === 'auto' ? {} : { backend: resolved.run.backend as BackendName }), logger });
  const mixedPrecision = mixedPrecisionReport(resolved.train.mixedPrecision, selection.backend);
  if (resolved.train.mixedPrecision) logger.warn(mixedPrecision.reason);

  const data = await openSeizureData(resolved.data.dir, resolved, { logger, onProgress, ...(signal === undefined ? {} : { signal }) });
  const { train, validation, split } = await trainValidationWindows(data, resolved);
  logger.info(`seizure data: ${split.train.length} training recordings (${train.length} windows), ${split.validation.length} validation (${validation.length} windows)`, {
    positiveWindows: train.positive.reduce((a, b) => a + b, 0),
  });

  const resume = overrides.resume === true ? await loadCheckpoint(lastDir) : undefined;
  const netArgs = seizureNetArgsOf(resolved, train.channels.length);
  const model = resume?.model ?? buildSeizureNet(netArgs, deriveSeed(seed, 'seizure-net'));
  logger.info(`seizure network: ${countParameters(model)} parameters, receptive field ${receptiveField(netArgs)} samples`);
  const configPath = join(runDir, 'config.json');
  const resolvedJson = { ...resolved, seed };
  await mkdir(runDir, { recursive: true });
  if (resume === undefined && (await pathExists(configPath))) {
    logger.warn('the run folder holds the config.json of an earlier run without checkpoints: replacing it', { file: configPath });
  }
  if (resume === undefined) await atomicWrite(configPath, `${JSON.stringify(resolvedJson, null, 2)}\n`);
  else if (JSON.stringify((resume.state.config as { seizure?: unknown } | null)?.seizure ?? null) !== JSON.stringify(resolvedJson)) {
    logger.warn('the config differs from the one the checkpoint was trained with; resuming with the new one');
  }
  const log = await openScalarLog(runDir);
  try {
    const result = await trainSeizureNet({
      model,
      train,
      validation,
      args: resolved.train,
      validationArgs: resolved.validation,
      checkpointDir,
      config: { seizure: resolvedJson, net: netArgs, channels: train.channels, sampleRate: train.sampleRate, split },
      backend: selection.backend,
      seed,
      logger,
      onProgress,
      ...(signal === undefined ? {} : { signal }),
      ...(resume === undefined ? {} : { resume }),
      onScalar: (tag, value, step) => log.add(tag, value, step),
      onEpoch: () => {
        void log.flush();
      },
    });
    const out: SeizureTrainResult = {
      runDir,
      checkpoints: { best: join(checkpointDir, 'best'), last: lastDir },
      events: log.files,
      configPath,
      resultPath: join(runDir, 'result.json'),
      backend: selection.backend,
      mixedPrecision,
      recordings: split,
      windows: { train: train.length, validation: validation.length },
      parameters: countParameters(model),
      epochs: result.epochs,
      steps: result.steps,
      stoppedEarly: result.stoppedEarly,
      monitor: resolved.train.earlyStopping.metric,
      bestEpoch: result.bestEpoch,
      bestMetric: result.bestMetric,
      history: result.history,
      ...(result.lastMetrics === undefined ? {} : { metrics: result.lastMetrics }),
    };
    await atomicWrite(out.resultPath, `${JSON.stringify(out, finiteOrNull, 2)}\n`);
    return out;
  } finally {
    await log.close();
    model.dispose();
  }
}

