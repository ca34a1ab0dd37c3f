import { PipelineError } from '@pipeline/core';
import type { RunDirectory } from './run-directory.js';

/**
 * The result of one fold of one base model, persisted as soon as the fold finishes so an
 * interrupted train can `--resume` from the completed folds. Layout:
 * `checkpoints/<model>/fold-<k>.json` (meta, written last) + `fold-<k>.bin` (Int32 test indices,
 * then Float32 probabilities row-major).
 */
export interface FoldCheckpoint {
  readonly model: string;
  readonly fold: number;
  readonly test: Int32Array;
  /** test.length × nClasses probabilities. */
  readonly proba: Float32Array;
  readonly nClasses: number;
  readonly fitMs: number;
  readonly predictMs: number;
  /** Identifies the work (model args, seed, split) so a resume with other settings is refused. */
  readonly key: string;
}

interface CheckpointHeader {
  model: string;
  fold: number;
  rows: number;
  nClasses: number;
  fitMs: number;
  predictMs: number;
  key: string;
}

function base(model: string, fold: number): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(model)) throw new PipelineError('E_INTERNAL', `invalid model name for a checkpoint: ${model}`);
  return `checkpoints/${model}/fold-${fold}`;
}

export async function saveFoldCheckpoint(run: RunDirectory, checkpoint: FoldCheckpoint): Promise<void> {
  const rows = checkpoint.test.length;
  if (checkpoint.proba.length !== rows * checkpoint.nClasses) {
    throw new PipelineError('E_INTERNAL', `checkpoint of ${checkpoint.model} fold ${checkpoint.fold} has a wrong probability count`);
  }
  const bytes = new Uint8Array(rows * 4 + checkpoint.proba.length * 4);
  bytes.set(new Uint8Array(checkpoint.test.buffer, checkpoint.test.byteOffset, rows * 4), 0);
  bytes.set(new Uint8Array(checkpoint.proba.buffer, checkpoint.proba.byteOffset, checkpoint.proba.byteLength), rows * 4);
  const path = base(checkpoint.model, checkpoint.fold);
  await run.writeFile(`${path}.bin`, bytes);
  const header: CheckpointHeader = {
    model: checkpoint.model,
    fold: checkpoint.fold,
    rows,
    nClasses: checkpoint.nClasses,
    fitMs: checkpoint.fitMs,
    predictMs: checkpoint.predictMs,
    key: checkpoint.key,
  };
  await run.writeJson(`${path}.json`, header);
}

/** Loads a fold checkpoint if it exists and matches `key`; otherwise undefined. */
export async function loadFoldCheckpoint(run: RunDirectory, model: string, fold: number, key: string): Promise<FoldCheckpoint | undefined> {
  const path = base(model, fold);
  if (!(await run.exists(`${path}.json`))) return undefined;
  const header = await run.readJson<CheckpointHeader>(`${path}.json`);
  if (header.key !== key) {
    throw new PipelineError('E_STATE', `the saved fold ${fold} of '${model}' was computed with different settings`, {
      file: run.path(`${path}.json`),
      field: 'key',
      hint: 'resume with exactly the same data and options as the interrupted run, or start a new --run-dir',
    });
  }
  const bytes = await run.readBytes(`${path}.bin`);
  const expected = header.rows * 4 * (1 + header.nClasses);
  if (bytes.byteLength !== expected) {
    throw new PipelineError('E_INPUT', 'fold checkpoint is truncated', { file: run.path(`${path}.bin`) });
  }
  const copy = bytes.slice().buffer;
  return {
    model,
    fold,
    test: new Int32Array(copy, 0, header.rows),
    proba: new Float32Array(copy, header.rows * 4, header.rows * header.nClasses),
    nClasses: header.nClasses,
    fitMs: header.fitMs,
    predictMs: header.predictMs,
    key,
  };
}
