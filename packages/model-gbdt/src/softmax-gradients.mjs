// Gradients and hessians of the half multinomial loss (K >= 3 classes) over a range of rows, as a
// plain ES module so the calling thread (log-loss.ts) and the workers (tree-lane.mjs) run the same
// code. Every row's values depend on that row alone (its max and its sum over the classes, in class
// order), so any split of the rows between threads gives the same bytes.

/**
 * Rows [r0, r1) of the softmax gradients: raw, exps, gradients and hessians are class-major
 * (k * n + i); max and sum are per row scratch; weights may be undefined (unit weights). Class by
 * class over contiguous rows, each exp computed once; the values are those of the row-by-row
 * formula: same operations, each row's sum in class order.
 */
export function softmaxGradients(y, raw, weights, nTrees, n, gradients, hessians, exps, max, sum, r0, r1) {
  max.fill(-Infinity, r0, r1);
  sum.fill(0, r0, r1);
  for (let k = 0; k < nTrees; k++) {
    const o = k * n;
    for (let i = r0; i < r1; i++) max[i] = Math.max(max[i], raw[o + i]);
  }
  for (let k = 0; k < nTrees; k++) {
    const o = k * n;
    for (let i = r0; i < r1; i++) {
      const e = Math.exp(raw[o + i] - max[i]);
      exps[o + i] = e;
      sum[i] += e;
    }
  }
  for (let k = 0; k < nTrees; k++) {
    const o = k * n;
    for (let i = r0; i < r1; i++) {
      const p = exps[o + i] / sum[i];
      const w = weights === undefined ? 1 : weights[i];
      gradients[o + i] = (p - (k === y[i] ? 1 : 0)) * w;
      hessians[o + i] = p * (1 - p) * w;
    }
  }
}
