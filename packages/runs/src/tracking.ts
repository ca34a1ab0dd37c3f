import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError, atomicWrite } from '@pipeline/core';

/** The file holding a run's user annotations (see RUN_FORMAT.md). Never written by `train`. */
export const TRACKING_FILE = 'tracking.json';

/** Link from a child run to the study (ablation, seed study) that trained it. */
export interface StudyLink {
  readonly id: string;
  readonly kind: 'ablation' | 'seed-study';
  /** What this child is in the study: `base`, `drop:<group>`, `add:<group>`, `seed:<n>`. */
  readonly role: string;
}

/** User annotations of a run, kept apart from the manifest so tagging never races a running train. */
export interface RunTracking {
  /** Display name; overrides the config's `name`. */
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly notes?: readonly string[];
  /** Leaderboard (public test) score, in the primary metric's units. */
  readonly lb?: number;
  readonly study?: StudyLink;
}

/** Reads `tracking.json` of a run folder; `{}` when the run has none. */
export async function readTracking(dir: string): Promise<RunTracking> {
  const file = join(dir, TRACKING_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as RunTracking;
  } catch (cause) {
    throw new PipelineError('E_INPUT', 'tracking.json of the run is not a JSON object', {
      file,
      hint: 'fix or delete the file (it only holds tags, notes and the LB score)',
      cause,
    });
  }
}

/** Changes to a run's annotations: tags and notes are appended (tags deduplicated), the rest replaced. */
export interface TrackingChanges {
  readonly name?: string;
  readonly addTags?: readonly string[];
  readonly removeTags?: readonly string[];
  readonly note?: string;
  readonly lb?: number;
  readonly study?: StudyLink;
}

/** Applies `changes` to `tracking.json` of a run (atomic write: readers see the old or the new file). */
export async function updateTracking(dir: string, changes: TrackingChanges): Promise<RunTracking> {
  const current = await readTracking(dir);
  if (changes.lb !== undefined && !Number.isFinite(changes.lb)) {
    throw new PipelineError('E_USAGE', `the LB score must be a number, not ${String(changes.lb)}`, { field: '--lb' });
  }
  const removed = new Set(changes.removeTags ?? []);
  const tags = [...new Set([...(current.tags ?? []), ...(changes.addTags ?? [])])].filter((t) => !removed.has(t));
  const next: RunTracking = {
    ...current,
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(tags.length > 0 || current.tags !== undefined ? { tags } : {}),
    ...(changes.note === undefined ? {} : { notes: [...(current.notes ?? []), changes.note] }),
    ...(changes.lb === undefined ? {} : { lb: changes.lb }),
    ...(changes.study === undefined ? {} : { study: changes.study }),
  };
  await atomicWrite(join(dir, TRACKING_FILE), `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
