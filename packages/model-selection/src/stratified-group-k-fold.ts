import type { Splitter } from '@pipeline/core';
import { assignmentSplitter, encodeValues, requireRowArray } from './fold-assignment.js';
import { checkGroupCount, groupOrder } from './group-k-fold.js';

export interface StratifiedGroupKFoldArgs {
  /** Number of folds, at least 2 and at most the number of distinct groups. Default 5. */
  readonly nSplits?: number;
  /** Visit groups in a seeded random order before the stable sort by class spread. Default true. */
  readonly shuffle?: boolean;
}

/**
 * Stratified group K-fold (scikit-learn's StratifiedGroupKFold algorithm): groups never straddle
 * folds, and each group goes to the fold where it keeps the per-class fold proportions most even
 * (smallest mean over classes of the standard deviation across folds of the class's share), ties
 * going to the fold with fewer rows. Groups with the most uneven class counts are placed first.
 */
export function stratifiedGroupKFold(args: StratifiedGroupKFoldArgs = {}): Splitter {
  return assignmentSplitter('stratified-group-k-fold', 'stratifiedGroupKFold', args, (input, nSplits, shuffle, seed) => {
    const labels = requireRowArray(input.labels, input.nRows, 'labels', 'stratifiedGroupKFold');
    const groups = requireRowArray(input.groups, input.nRows, 'groups', 'stratifiedGroupKFold');
    const classes = encodeValues(labels);
    const groupCodes = encodeValues(groups);
    const nClasses = classes.unique.length;
    const nGroups = groupCodes.unique.length;
    checkGroupCount(nGroups, nSplits);
    const countsPerGroup = new Float64Array(nGroups * nClasses);
    const classTotals = new Float64Array(nClasses);
    for (let i = 0; i < labels.length; i++) {
      countsPerGroup[groupCodes.codes[i]! * nClasses + classes.codes[i]!]!++;
      classTotals[classes.codes[i]!]!++;
    }
    const spread = Float64Array.from({ length: nGroups }, (_, g) =>
      standardDeviation(countsPerGroup.subarray(g * nClasses, (g + 1) * nClasses)),
    );
    const order = groupOrder(nGroups, shuffle, seed).sort((a, b) => spread[b]! - spread[a]!);
    const countsPerFold = new Float64Array(nSplits * nClasses);
    const foldOfGroup = new Int32Array(nGroups);
    const share = new Float64Array(nSplits);
    for (const g of order) {
      const groupCounts = countsPerGroup.subarray(g * nClasses, (g + 1) * nClasses);
      let best = -1;
      let bestScore = Infinity;
      let bestRows = Infinity;
      for (let f = 0; f < nSplits; f++) {
        let score = 0;
        for (let c = 0; c < nClasses; c++) {
          for (let h = 0; h < nSplits; h++) {
            const count = countsPerFold[h * nClasses + c]! + (h === f ? groupCounts[c]! : 0);
            share[h] = count / classTotals[c]!;
          }
          score += standardDeviation(share);
        }
        score /= nClasses;
        let rows = 0;
        for (let c = 0; c < nClasses; c++) rows += countsPerFold[f * nClasses + c]!;
        const close = Math.abs(score - bestScore) <= 1e-8 + 1e-5 * Math.abs(bestScore); // numpy.isclose
        if (score < bestScore || (close && rows < bestRows)) {
          best = f;
          bestScore = score;
          bestRows = rows;
        }
      }
      foldOfGroup[g] = best;
      for (let c = 0; c < nClasses; c++) countsPerFold[best * nClasses + c]! += groupCounts[c]!;
    }
    return groupCodes.codes.map((code) => foldOfGroup[code]!);
  });
}

/** Population standard deviation (ddof 0), as numpy.std. */
function standardDeviation(values: Float64Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let sum = 0;
  for (const v of values) sum += (v - mean) * (v - mean);
  return Math.sqrt(sum / values.length);
}
