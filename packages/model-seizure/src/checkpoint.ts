import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { atomicWrite, pathExists, PipelineError } from '@pipeline/core';
import { loadModelDir, saveModelDir, tf } from '@pipeline/tf';
import type { AdamWState } from './adamw.js';

/** File names inside a checkpoint folder. */
export const CHECKPOINT_JSON = 'checkpoint.json';
export const OPTIMIZER_BIN = 'optimizer.bin';
export const CHECKPOINT_FORMAT = 'pipeline-seizure-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** One epoch of the training history, as stored in checkpoints and returned by training. */
export interface EpochSummary {
  readonly epoch: number;
  /** Optimizer steps done at the end of the epoch. */
  readonly step: number;
  readonly loss: number;
  readonly valLoss: number;
  /** Learning rate of the epoch's last step. */
  readonly lr: number;
  /** Largest global gradient norm of the epoch, before clipping. */
  readonly maxGradNorm: number;
  /** The monitored metric's value. */
  readonly metric: number;
  /** Headline validation metrics of the epoch. */
  readonly validation: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/**
 * `checkpoint.json`: everything besides the weights that resuming needs. A folder holding it is
 * complete (it is written last, and folders are swapped in whole).
 */
export interface CheckpointState {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  /** Epochs completed (the next epoch to run is `epoch + 1`). */
  readonly epoch: number;
  /** Optimizer steps completed; the next step is `step` (0-based). */
  readonly step: number;
  /** The monitored metric: name, direction, this checkpoint's value and the best so far. */
  readonly metric: {
    readonly name: string;
    readonly mode: 'max' | 'min';
    readonly value: number;
    readonly best: number;
    readonly bestEpoch: number;
    /** Validation loss of the best epoch (breaks ties on the metric). */
    readonly bestValLoss?: number;
  };
  /** Epochs since the best one (early stopping's counter). */
  readonly epochsWithoutImprovement: number;
  /** The resolved config of the run (plain JSON). */
  readonly config: unknown;
  /** Optimizer hyper-parameters and the byte layout of `optimizer.bin` (m of every variable, then v). */
  readonly optimizer: {
    readonly kind: 'adamw';
    readonly step: number;
    readonly beta1: number;
    readonly beta2: number;
    readonly epsilon: number;
    readonly weightDecay: number;
    readonly sizes: readonly number[];
  };
  readonly history: readonly EpochSummary[];
  /** Whether training ended (early stop or last epoch) when this checkpoint was written. */
  readonly finished: boolean;
  readonly backend: string;
  readonly savedAt: string;
}

/** A loaded checkpoint: the network, the optimizer moments and the state. */
export interface LoadedCheckpoint {
  readonly model: tf.Sequential;
  readonly optimizer: AdamWState;
  readonly state: CheckpointState;
  readonly dir: string;
}

/**
 * Writes a checkpoint folder (`model.json`, `weights.bin`, `optimizer.bin`, `checkpoint.json`)
 * without ever leaving a half-written one at `dir`: everything goes to `dir.partial`, which then
 * replaces `dir` (the old folder is moved aside first and removed last).
 */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: AdamWState,
  state: Omit<CheckpointState, 'format' | 'version' | 'optimizer' | 'savedAt'> & { readonly optimizer: Omit<CheckpointState['optimizer'], 'sizes' | 'step'> },
): Promise<void> {
  const partial = `${dir}.partial`;
  const old = `${dir}.old`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await saveModelDir(model, partial);
  const sizes = optimizer.m.map((m) => m.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const bytes = new Float32Array(2 * total);
  let offset = 0;
  for (const m of optimizer.m) {
    bytes.set(m, offset);
    offset += m.length;
  }
  for (const v of optimizer.v) {
    bytes.set(v, offset);
    offset += v.length;
  }
  await atomicWrite(join(partial, OPTIMIZER_BIN), new Uint8Array(bytes.buffer));
  const document: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    ...state,
    optimizer: { ...state.optimizer, step: optimizer.step, sizes },
    savedAt: new Date().toISOString(),
  };
  await atomicWrite(join(partial, CHECKPOINT_JSON), `${JSON.stringify(document, finiteOrNull, 2)}\n`);
  await mkdir(dirname(dir), { recursive: true });
  await rm(old, { recursive: true, force: true });
  if (await pathExists(dir)) await rename(dir, old);
  await rename(partial, dir);
  await rm(old, { recursive: true, force: true });
}

/** Reads a checkpoint folder written by {@link saveCheckpoint}; errors name the file and field. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const jsonPath = join(dir, CHECKPOINT_JSON);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'checkpoint not found', {
      file: jsonPath,
      cause,
      hint: 'point --checkpoint to a checkpoints/best or checkpoints/last folder of a seizure run',
    });
  }
  let state: CheckpointState;
  try {
    state = JSON.parse(text, nullToNaN) as CheckpointState;
  } catch (cause) {
    throw new PipelineError('E_INPUT', 'checkpoint.json is not valid JSON', { file: jsonPath, cause });
  }
  if (state.format !== CHECKPOINT_FORMAT) {
    throw new PipelineError('E_INPUT', `not a seizure checkpoint (format ${JSON.stringify(state.format)})`, { file: jsonPath, field: 'format' });
  }
  if (state.version !== CHECKPOINT_VERSION) {
    throw new PipelineError('E_INPUT', `checkpoint version ${state.version} is not supported (expected ${CHECKPOINT_VERSION})`, {
      file: jsonPath,
      field: 'version',
    });
  }
  const model = (await loadModelDir(dir)) as tf.Sequential;
  const binPath = join(dir, OPTIMIZER_BIN);
  let raw: Buffer;
  try {
    raw = await readFile(binPath);
  } catch (cause) {
    model.dispose();
    throw new PipelineError('E_NOT_FOUND', 'optimizer state not found', { file: binPath, cause });
  }
  const sizes = state.optimizer.sizes;
  const total = sizes.reduce((a, b) => a + b, 0);
  if (raw.byteLength !== 8 * total) {
    model.dispose();
    throw new PipelineError('E_INPUT', `optimizer.bin has ${raw.byteLength} bytes, checkpoint.json describes ${8 * total}`, {
      file: binPath,
      field: 'optimizer.sizes',
    });
  }
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    m.push(values.slice(offset, offset + size));
    offset += size;
  }
  for (const size of sizes) {
    v.push(values.slice(offset, offset + size));
    offset += size;
  }
  return { model, optimizer: { step: state.optimizer.step, m, v }, state, dir };
}


/** JSON has no NaN/Infinity: they are written as null (and read back as NaN). */
export function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function nullToNaN(key: string, value: unknown): unknown {
  return value === null && (key === 'value' || key === 'best' || key === 'bestValLoss' || key === 'loss' || key === 'valLoss' || key === 'metric') ? NaN : value;
}
