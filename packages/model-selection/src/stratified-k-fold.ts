import { createRng, PipelineError, type Splitter } from '@pipeline/core';
import { assignmentSplitter, requireRowArray } from './fold-assignment.js';

export interface StratifiedKFoldArgs {
  /** Number of folds, at least 2 and at most the size of the smallest class. Default 5. */
  readonly nSplits?: number;
  /** Shuffle each class's rows (seeded) before dealing them to folds. Default true. */
  readonly shuffle?: boolean;
}

/**
 * Stratified K-fold, the default for classification: every fold holds each class in the same
 * proportion as the whole data set, to within one row per class, and fold sizes differ by at most
 * one. The allocation is scikit-learn's: classes are numbered by first appearance, the labels,
 * sorted by that number, are dealt round-robin to the folds to decide how many rows of each class a
 * fold gets; which rows those are is the seeded shuffle.
 */
export function stratifiedKFold(args: StratifiedKFoldArgs = {}): Splitter {
  return assignmentSplitter('stratified-k-fold', 'stratifiedKFold', args, (input, nSplits, shuffle, seed) =>
    stratifiedAssignment(requireRowArray(input.labels, input.nRows, 'labels', 'stratifiedKFold'), nSplits, shuffle, seed),
  );
}

/** Fold number of each row for a stratified K-fold. */
export function stratifiedAssignment(labels: Int32Array, nSplits: number, shuffle: boolean, seed: number): Int32Array {
  const { unique, codes } = encodeByAppearance(labels);
  const nClasses = unique.length;
  const counts = new Int32Array(nClasses);
  for (const code of codes) counts[code]!++;
  counts.forEach((count, c) => {
    if (count < nSplits) {
      throw new PipelineError(
        'E_INPUT',
        `class ${unique[c]} has only ${count} rows, fewer than the ${nSplits} folds requested`,
        { field: 'labels', hint: `use at most ${count} folds, or gather more rows of class ${unique[c]}` },
      );
    }
  });
  // allocation[f * nClasses + c]: rows of class c in fold f, from dealing the sorted labels round-robin.
  const allocation = new Int32Array(nSplits * nClasses);
  let position = 0;
  for (let c = 0; c < nClasses; c++) {
    for (let k = 0; k < counts[c]!; k++, position++) allocation[(position % nSplits) * nClasses + c]!++;
  }
  const rng = createRng(seed);
  const foldOf = new Int32Array(labels.length);
  const cursor = new Int32Array(nClasses);
  const foldsByClass = Array.from({ length: nClasses }, (_, c) => {
    const folds = new Int32Array(counts[c]!);
    let k = 0;
    for (let f = 0; f < nSplits; f++) for (let r = 0; r < allocation[f * nClasses + c]!; r++) folds[k++] = f;
    return shuffle ? rng.shuffle(folds) : folds;
  });
  for (let i = 0; i < labels.length; i++) {
    const c = codes[i]!;
    foldOf[i] = foldsByClass[c]![cursor[c]!++]!;
  }
  return foldOf;
}

/** Classes numbered in order of first appearance (scikit-learn's StratifiedKFold encoding). */
function encodeByAppearance(labels: Int32Array): { unique: Int32Array; codes: Int32Array } {
  const index = new Map<number, number>();
  const codes = new Int32Array(labels.length);
  labels.forEach((label, i) => {
    let code = index.get(label);
    if (code === undefined) index.set(label, (code = index.size));
    codes[i] = code;
  });
  return { unique: Int32Array.from(index.keys()), codes };
}
