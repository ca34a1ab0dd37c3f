import { createRng, deriveSeed, PipelineError } from '@pipeline/core';

export interface SplitRecordingsOptions {
  /** Fraction of recordings (or subjects) for validation. Default 0.2; at least one when there are two or more groups. */
  readonly validationFraction?: number;
  readonly seed?: number;
  /** Subject of each recording (same order as `ids`): when given, whole subjects go to one side. */
  readonly subjects?: readonly string[];
}

/**
 * Seeded recording-level (or subject-level) train/validation split: no recording, and with
 * `subjects` no subject, is on both sides. Groups are shuffled with the seed and the first
 * `round(fraction × groups)` go to validation. Output ids keep their input order.
 */
export function splitRecordings(ids: readonly string[], options: SplitRecordingsOptions = {}): { train: string[]; validation: string[] } {
  const fraction = options.validationFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw new PipelineError('E_USAGE', `validationFraction ${fraction} must be in [0, 1)`, { field: 'validationFraction' });
  if (new Set(ids).size !== ids.length) throw new PipelineError('E_INPUT', 'recording ids are not unique', { field: 'ids' });
  if (options.subjects !== undefined && options.subjects.length !== ids.length) {
    throw new PipelineError('E_USAGE', `${options.subjects.length} subjects for ${ids.length} recordings`, { field: 'subjects' });
  }
  const groupOf = (i: number): string => options.subjects?.[i] ?? ids[i]!;
  const groups = [...new Set(ids.map((_, i) => groupOf(i)))].sort();
  const rng = createRng(deriveSeed(options.seed ?? 0, 'splitRecordings'));
  rng.shuffle(groups);
  let count = Math.round(fraction * groups.length);
  if (fraction > 0 && count === 0 && groups.length >= 2) count = 1;
  if (count >= groups.length && groups.length > 0) count = groups.length - 1;
  const validationGroups = new Set(groups.slice(0, count));
  const train: string[] = [];
  const validation: string[] = [];
  ids.forEach((id, i) => (validationGroups.has(groupOf(i)) ? validation : train).push(id));
  return { train, validation };
}
