import { createRng, PipelineError, type Splitter } from '@pipeline/core';
import { assignmentSplitter, encodeValues, requireRowArray } from './fold-assignment.js';

export interface GroupKFoldArgs {
  /** Number of folds, at least 2 and at most the number of distinct groups. Default 5. */
  readonly nSplits?: number;
  /**
   * Break ties between groups of equal size in a seeded random order; when false, larger group values
   * go first (scikit-learn's order). Default true.
   */
  readonly shuffle?: boolean;
}

/**
 * Group K-fold: all rows of a group land in the same fold, so no group is ever on both sides of a
 * split. Groups are placed largest first, each into the fold with the fewest rows so far (the
 * greedy balance of scikit-learn's GroupKFold).
 */
export function groupKFold(args: GroupKFoldArgs = {}): Splitter {
  return assignmentSplitter('group-k-fold', 'groupKFold', args, (input, nSplits, shuffle, seed) => {
    const groups = requireRowArray(input.groups, input.nRows, 'groups', 'groupKFold');
    const { unique, codes } = encodeValues(groups);
    checkGroupCount(unique.length, nSplits);
    const sizes = new Int32Array(unique.length);
    for (const code of codes) sizes[code]!++;
    // Unshuffled ties go to the larger group value first, as scikit-learn's reversed argsort does.
    const order = shuffle ? groupOrder(unique.length, true, seed) : groupOrder(unique.length, false, seed).reverse();
    // Stable sort by size, largest first: ties keep the order above.
    order.sort((a, b) => sizes[b]! - sizes[a]!);
    const foldSize = new Float64Array(nSplits);
    const foldOfGroup = new Int32Array(unique.length);
    for (const g of order) {
      let best = 0;
      for (let f = 1; f < nSplits; f++) if (foldSize[f]! < foldSize[best]!) best = f;
      foldOfGroup[g] = best;
      foldSize[best]! += sizes[g]!;
    }
    return codes.map((code) => foldOfGroup[code]!);
  });
}

/** Group indices 0..n-1 in ascending or seeded random order. */
export function groupOrder(nGroups: number, shuffle: boolean, seed: number): number[] {
  const order = Array.from({ length: nGroups }, (_, g) => g);
  return shuffle ? createRng(seed).shuffle(order) : order;
}

export function checkGroupCount(nGroups: number, nSplits: number): void {
  if (nGroups < nSplits) {
    throw new PipelineError('E_INPUT', `only ${nGroups} distinct groups for ${nSplits} folds`, {
      field: 'groups',
      hint: `use at most ${nGroups} folds, or finer groups`,
    });
  }
}
