import { mkdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathExists, PipelineError } from '@pipeline/core';
import { buildRunIndex, readRunEntry, type RunIndexEntry } from './run-index.js';

/** Folder under a runs root that holds removed runs (`runs rm`), restorable with `runs restore`. */
export const TRASH_DIR = '.trash';

/**
 * The run `id` among `entries`: an exact folder name, else a unique folder-name prefix, else a unique
 * run name. Unknown or ambiguous ids are `E_NOT_FOUND` naming the id and the root.
 */
export function findRun(entries: readonly RunIndexEntry[], id: string, root: string): RunIndexEntry {
  const exact = entries.find((e) => e.id === id);
  if (exact !== undefined) return exact;
  const prefixed = entries.filter((e) => e.id.startsWith(id));
  if (prefixed.length === 1) return prefixed[0]!;
  const named = entries.filter((e) => e.name === id);
  if (prefixed.length === 0 && named.length === 1) return named[0]!;
  const candidates = prefixed.length > 1 ? prefixed : named;
  if (candidates.length > 1) {
    throw new PipelineError('E_NOT_FOUND', `run id '${id}' is ambiguous under ${resolve(root)}: ${candidates.map((e) => e.id).join(', ')}`, {
      file: resolve(root),
      field: 'id',
      hint: 'give more of the folder name',
    });
  }
  throw new PipelineError('E_NOT_FOUND', `no run '${id}' under ${resolve(root)}`, {
    file: resolve(root),
    field: 'id',
    hint: 'list the runs with `pipeline runs list`, or point --runs-root at the folder that holds them',
  });
}

/** Moves a run folder to `<root>/.trash/<id>` (never deletes). Refuses when the trash already holds that id. */
export async function trashRun(root: string, id: string): Promise<string> {
  const from = join(resolve(root), id);
  const to = join(resolve(root), TRASH_DIR, id);
  if (await pathExists(to)) {
    throw new PipelineError('E_STATE', `the trash already holds a run '${id}'`, { file: to, hint: 'restore or delete that one first' });
  }
  await mkdir(join(resolve(root), TRASH_DIR), { recursive: true });
  await rename(from, to);
  return to;
}

/** Moves `<root>/.trash/<id>` back to `<root>/<id>`; refuses to overwrite a run of the same id. */
export async function restoreRun(root: string, id: string): Promise<string> {
  const from = join(resolve(root), TRASH_DIR, id);
  const to = join(resolve(root), id);
  if (!(await pathExists(from))) {
    throw new PipelineError('E_NOT_FOUND', `no run '${id}' in the trash of ${resolve(root)}`, {
      file: join(resolve(root), TRASH_DIR),
      field: 'id',
      hint: 'removed runs are listed with `ls <runs-root>/.trash`',
    });
  }
  if (await pathExists(to)) {
    throw new PipelineError('E_STATE', `a run '${id}' already exists under ${resolve(root)}`, { file: to, hint: 'move or remove it first' });
  }
  await rename(from, to);
  return to;
}


/**
 * The runs named by `ids` under `root`, without indexing the whole root when every id is an exact
 * folder name (fast for compare/diff/show of a few runs); otherwise the index resolves prefixes and
 * run names. Unknown ids are `E_NOT_FOUND` naming the id and the root.
 */
export async function loadRuns(root: string, ids: readonly string[]): Promise<RunIndexEntry[]> {
  const abs = resolve(root);
  let index: RunIndexEntry[] | undefined;
  const out: RunIndexEntry[] = [];
  for (const id of ids) {
    const direct = id.includes('/') || id.includes('\\') || id.startsWith('.') ? undefined : await readRunEntry(join(abs, id));
    if (direct !== undefined) {
      out.push(direct);
      continue;
    }
    index ??= await buildRunIndex(abs);
    out.push(findRun(index, id, abs));
  }
  return out;
}
