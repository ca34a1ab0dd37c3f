import { PipelineError, sha256, type TaskResult } from '@pipeline/core';
import type { RunDirectory } from './run-directory.js';

/**
 * Results of finished fold/trial tasks, persisted as soon as each task finishes so an interrupted
 * train can `--resume` from the completed ones. A task `oof/hgb/fold-3` is stored as
 * `checkpoints/oof/hgb/fold-3.json` (id, output, duration, blob list with sha256; written last) and
 * one `…/fold-3.<blob>.bin` per binary output.
 */
interface StoredHeader {
  id: string;
  output: Record<string, unknown>;
  durationMs: number;
  blobs: Array<{ name: string; bytes: number; sha256: string }>;
}

function basePath(id: string): string {
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(id) || id.split('/').some((part) => part === '..' || part === '.')) {
    throw new PipelineError('E_INTERNAL', `task id '${id}' cannot be used as a checkpoint path`);
  }
  return `checkpoints/${id}`;
}

/** Persists a task result in the run. */
export async function saveTaskResult(run: RunDirectory, result: TaskResult): Promise<void> {
  const base = basePath(result.id);
  const blobs: StoredHeader['blobs'] = [];
  for (const [name, data] of Object.entries(result.blobs ?? {})) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new PipelineError('E_INTERNAL', `invalid blob name '${name}' in task ${result.id}`);
    await run.writeFile(`${base}.${name}.bin`, data);
    blobs.push({ name, bytes: data.byteLength, sha256: sha256(data) });
  }
  const header: StoredHeader = { id: result.id, output: { ...result.output }, durationMs: result.durationMs, blobs };
  await run.writeJson(`${base}.json`, header);
}

/** Loads a stored task result, or undefined when the task has not completed in this run. */
export async function loadTaskResult(run: RunDirectory, id: string): Promise<TaskResult | undefined> {
  const base = basePath(id);
  if (!(await run.exists(`${base}.json`))) return undefined;
  const header = await run.readJson<StoredHeader>(`${base}.json`);
  const blobs: Record<string, Uint8Array> = {};
  for (const blob of header.blobs) {
    const data = await run.readBytes(`${base}.${blob.name}.bin`);
    if (data.byteLength !== blob.bytes || sha256(data) !== blob.sha256) {
      throw new PipelineError('E_INPUT', 'a saved fold result is corrupt (size or checksum differs)', {
        file: run.path(`${base}.${blob.name}.bin`),
        hint: 'delete the checkpoints folder of the run to recompute every fold, or start a new --run-dir',
      });
    }
    blobs[blob.name] = data;
  }
  return { id: header.id, output: header.output, durationMs: header.durationMs, ...(header.blobs.length > 0 ? { blobs } : {}) };
}
