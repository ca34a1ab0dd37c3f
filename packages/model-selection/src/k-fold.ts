import { createRng, PipelineError, type Splitter } from '@pipeline/core';
import { assignmentSplitter } from './fold-assignment.js';

export interface KFoldArgs {
  /** Number of folds, at least 2. Default 5. */
  readonly nSplits?: number;
  /** Shuffle the rows (seeded) before cutting them into folds. Default true. */
  readonly shuffle?: boolean;
}

/**
 * Plain K-fold: rows are (optionally shuffled and) cut into `nSplits` consecutive folds whose sizes
 * differ by at most one (the first `nRows % nSplits` folds get one more row, as in scikit-learn).
 */
export function kFold(args: KFoldArgs = {}): Splitter {
  return assignmentSplitter('k-fold', 'kFold', args, (input, nSplits, shuffle, seed) => kFoldAssignment(input.nRows, nSplits, shuffle, seed));
}

/** Fold number of each row for a K-fold cut of `nRows` rows. */
export function kFoldAssignment(nRows: number, nSplits: number, shuffle: boolean, seed: number): Int32Array {
  if (nRows < nSplits) {
    throw new PipelineError('E_INPUT', `cannot cut ${nRows} rows into ${nSplits} folds`, {
      field: 'nSplits',
      hint: `use at most ${nRows} folds or more data`,
    });
  }
  const order = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) order[i] = i;
  if (shuffle) createRng(seed).shuffle(order);
  const foldOf = new Int32Array(nRows);
  const base = Math.floor(nRows / nSplits);
  const extra = nRows % nSplits;
  let position = 0;
  for (let fold = 0; fold < nSplits; fold++) {
    const size = base + (fold < extra ? 1 : 0);
    for (let k = 0; k < size; k++) foldOf[order[position++]!] = fold;
  }
  return foldOf;
}
