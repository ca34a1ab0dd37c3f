import { PipelineError } from '@pipeline/core';

/**
 * Cumulative true and false positives at each distinct score threshold, from the highest score
 * down (scikit-learn's `_binary_clf_curve`). Built by sorting the positive and the negative
 * scores separately with the native typed-array sort and merging, so no comparator runs per
 * element.
 */
export interface BinaryCurve {
  readonly thresholds: Float64Array;
  readonly tps: Float64Array;
  readonly fps: Float64Array;
  readonly positives: number;
  readonly negatives: number;
}

export function binaryCurve(isPositive: (i: number) => boolean, scores: ArrayLike<number>, what: string): BinaryCurve {
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (Number.isNaN(s)) {
      throw new PipelineError('E_INPUT', `${what}: score at index ${i} is NaN`, { field: 'scores', hint: 'scores must be numbers' });
    }
    if (isPositive(i)) positives++;
  }
  const pos = new Float64Array(positives);
  const neg = new Float64Array(n - positives);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (isPositive(i)) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  return curveFromSorted(pos.sort(), neg.sort());
}

/**
 * Walks two ascending arrays from the top, calling `visit` once per distinct score with the
 * cumulative true and false positives at that threshold (the merge behind every curve here).
 */
function walkSorted(pos: ArrayLike<number>, neg: ArrayLike<number>, visit: (threshold: number, tp: number, fp: number) => void): void {
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  while (i >= 0 || j >= 0) {
    const a = i >= 0 ? pos[i]! : -Infinity;
    const b = j >= 0 ? neg[j]! : -Infinity;
    const threshold = a > b ? a : b;
    while (i >= 0 && pos[i] === threshold) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === threshold) {
      fp++;
      j--;
    }
    visit(threshold, tp, fp);
  }
}

/** Same as {@link binaryCurve} from already sorted (ascending) positive and negative scores. */
export function curveFromSorted(pos: ArrayLike<number>, neg: ArrayLike<number>): BinaryCurve {
  const capacity = pos.length + neg.length;
  const thresholds = new Float64Array(capacity);
  const tps = new Float64Array(capacity);
  const fps = new Float64Array(capacity);
  let k = 0;
  walkSorted(pos, neg, (threshold, tp, fp) => {
    thresholds[k] = threshold;
    tps[k] = tp;
    fps[k] = fp;
    k++;
  });
  return {
    thresholds: thresholds.slice(0, k),
    tps: tps.slice(0, k),
    fps: fps.slice(0, k),
    positives: pos.length,
    negatives: neg.length,
  };
}

/** Area under the ROC curve of a binary curve (trapezoids through the origin, as `np.trapz`). */
export function curveAuc(curve: BinaryCurve): number {
  const { tps, fps, positives, negatives } = curve;
  let area = 0;
  let prevX = 0;
  let prevY = 0;
  for (let k = 0; k < tps.length; k++) {
    const x = fps[k]! / negatives;
    const y = tps[k]! / positives;
    area += ((x - prevX) * (y + prevY)) / 2;
    prevX = x;
    prevY = y;
  }
  return area;
}

/** Average precision of a binary curve: Σ (R_k − R_{k−1}) · P_k (scikit-learn's step-wise definition). */
export function curveAveragePrecision(curve: BinaryCurve): number {
  const { tps, fps, positives } = curve;
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < tps.length; k++) {
    const recall = tps[k]! / positives;
    const precision = tps[k]! / (tps[k]! + fps[k]!);
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
    if (tps[k] === positives) break;
  }
  return ap;
}

/**
 * ROC AUC from sorted (ascending) positive and negative scores without materialising the curve:
 * the same trapezoids as {@link curveAuc}, accumulated while merging. Memory O(1) beyond the inputs.
 */
export function sortedScoresAuc(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  let area = 0;
  let prevX = 0;
  let prevY = 0;
  walkSorted(pos, neg, (_, tp, fp) => {
    const x = fp / neg.length;
    const y = tp / pos.length;
    area += ((x - prevX) * (y + prevY)) / 2;
    prevX = x;
    prevY = y;
  });
  return area;
}
