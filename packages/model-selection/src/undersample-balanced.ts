import { createRng, PipelineError } from '@pipeline/core';

/**
 * Random undersampling to balanced classes: keeps, for every class present, as many rows as the
 * smallest class has, chosen uniformly with the seed. Returns the kept row indices ascending; apply
 * them to every view and per-row array alike (and record them so a run can reproduce them).
 */
export function undersampleBalanced(labels: Int32Array, seed: number): Int32Array {
  const members = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const rows = members.get(label);
    if (rows === undefined) members.set(label, [i]);
    else rows.push(i);
  });
  if (members.size < 2) {
    throw new PipelineError('E_INPUT', `undersampling needs at least two classes, the labels have ${members.size}`, {
      field: 'labels',
    });
  }
  const keep = Math.min(...[...members.values()].map((rows) => rows.length));
  const rng = createRng(seed);
  const kept: number[] = [];
  for (const label of [...members.keys()].sort((a, b) => a - b)) {
    const rows = members.get(label)!;
    for (const k of rng.sample(rows.length, keep)) kept.push(rows[k]!);
  }
  return Int32Array.from(kept).sort();
}
