import { join, resolve } from 'node:path';
import { resolveContext, type FitContext } from '@pipeline/core';
import { generateSeizureDemo, type SeizureDemoRecording } from '@pipeline/eeg';
import { parseSeizureConfigYaml, type SeizureConfig } from '../seizure-config.js';
import { seizureEvaluate, type SeizureEvaluateResult } from './seizure-evaluate.js';
import { seizureTrain, type SeizureTrainResult } from './seizure-train.js';

/**
 * The local preset (`configs/local.yaml` at the repository root holds the same values; a test keeps
 * them equal). What `seizure demo` trains with.
 */
export const SEIZURE_LOCAL_PRESET_YAML = `seed: 42
data:
  dir: data/seizure-demo
  montage: average
  sampleRate: 256
  windowSec: 60
  strideSec: 10
  validationFraction: 0.25
  bandpass: [0.5, 120]
  notch: null
  standardize: true
model:
  filters: 16
  stemKernel: 7
  pool: 8
  kernelSize: 3
  dilations: [1, 2, 4, 8, 16, 32]
train:
  epochs: 6
  batchSize: 8
  lr: 0.003
  weightDecay: 0.01
  warmupRatio: 0.1
  minLrRatio: 0.05
  clipNorm: 1.0
  positiveWeight: 1.0
  balanced: true
  earlyStopping:
    metric: sensitivity_at_10fa
    patience: 3
    minDelta: 0
  validationBatchSize: 8
  mixedPrecision: false
validation:
  tauOn: 0.86
  tauOff: 0.78
  morphologyKernel: 5
  minDurationSec: 2
  faScorer: ovlp
  taesMode: nedc
run:
  dir: runs/seizure-local
  backend: auto
`;

/** The local preset, parsed. */
export function seizureLocalPreset(): SeizureConfig {
  return parseSeizureConfigYaml(SEIZURE_LOCAL_PRESET_YAML, 'local preset');
}

export interface SeizureDemoOptions {
  /** Folder receiving `data/` (the EDF + events files) and, unless `train` is false, `run/`. */
  readonly outDir: string;
  /** Train the local preset on the demo data and evaluate the best checkpoint on it. Default true. */
  readonly train?: boolean;
  /** Demo recordings. Default 8. */
  readonly recordings?: number;
  /** Seconds per recording. Default 300. */
  readonly durationSec?: number;
  /** Epochs (default: the preset's). */
  readonly epochs?: number;
  /** Config to train with instead of the local preset. */
  readonly config?: SeizureConfig;
}

export interface SeizureDemoResult {
  readonly dataDir: string;
  readonly recordings: readonly SeizureDemoRecording[];
  readonly train?: SeizureTrainResult;
  /** The best checkpoint scored on the validation recordings of the split. */
  readonly evaluation?: SeizureEvaluateResult;
}

/**
 * Writes the synthetic demo set (`@pipeline/eeg`'s `generateSeizureDemo`: 19-channel EDF+ files
 * with annotated seizures) into `outDir/data` and, by default, trains the local preset on it
 * (`outDir/run`) and evaluates the best checkpoint on the held-out recordings
 * (`outDir/run/evaluation`). Everything is seeded.
 */
export async function seizureDemo(options: SeizureDemoOptions, context: FitContext = {}): Promise<SeizureDemoResult> {
  const { logger } = resolveContext(context);
  const outDir = resolve(options.outDir);
  const dataDir = join(outDir, 'data');
  const seed = context.seed ?? 42;
  const recordings = await generateSeizureDemo({ outDir: dataDir, recordings: options.recordings ?? 8, durationSec: options.durationSec ?? 300, seed });
  logger.info(`demo data: ${recordings.length} recordings in ${dataDir}`);
  if (options.train === false) return { dataDir, recordings };
  const config = options.config ?? seizureLocalPreset();
  const train = await seizureTrain(config, { dataDir, runDir: join(outDir, 'run'), ...(options.epochs === undefined ? {} : { epochs: options.epochs }) }, { ...context, seed });
  const evaluation = await seizureEvaluate({ checkpoint: train.checkpoints.best, dataDir, recordings: train.recordings.validation }, context);
  return { dataDir, recordings, train, evaluation };
}
