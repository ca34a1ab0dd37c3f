/**
 * Binary and multinomial log loss on raw predictions, as scikit-learn's HalfBinomialLoss and
 * HalfMultinomialLoss: one raw score per sample (binary) or per sample and class (K >= 3,
 * stored class-major: raw[k * n + i]). Gradients and hessians are float32 (like scikit-learn's
 * G_H_DTYPE); raw predictions and sums are float64.
 */

const EPS = 2.220446049250313e-16;

/** Baseline raw prediction(s) from the (weighted) class priors. `y` holds class positions 0..K-1. */
export function baselinePrediction(y: Int32Array, weights: Float64Array | undefined, nClasses: number): Float64Array {
  const totals = new Float64Array(nClasses);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    totals[y[i]!]! += w;
    sum += w;
  }
  if (nClasses === 2) {
    const eps = 10 * EPS;
    let p = totals[1]! / sum;
    p = Math.min(Math.max(p, eps), 1 - eps);
    return Float64Array.of(Math.log(p / (1 - p)));
  }
  const out = new Float64Array(nClasses);
  let mean = 0;
  for (let k = 0; k < nClasses; k++) {
    const p = Math.min(Math.max(totals[k]! / sum, EPS), 1 - EPS);
    out[k] = Math.log(p);
    mean += out[k]!;
  }
  mean /= nClasses;
  for (let k = 0; k < nClasses; k++) out[k]! -= mean;
  return out;
}

/**
 * Fills the gradients and hessians of the half binomial loss (one raw score per row) from the raw
 * predictions. For K >= 3 classes the gradients come from the wasm softmax kernel
 * (softmax-gradients.mjs), which needs its arrays in its own memory.
 */
export function binomialGradients(
  y: Int32Array,
  raw: Float64Array,
  weights: Float64Array | undefined,
  gradients: Float32Array,
  hessians: Float32Array,
): void {
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const r = raw[i]!;
    const t = y[i]!;
    const e = Math.exp(-Math.abs(r));
    const d = 1 + e;
    // p - y without cancellation: p = 1/(1+e) for r >= 0, e/(1+e) for r < 0.
    const g = r >= 0 ? (1 - t - t * e) / d : (e - t * d) / d;
    const h = e / (d * d);
    const w = weights === undefined ? 1 : weights[i]!;
    gradients[i] = g * w;
    hessians[i] = h * w;
  }
}

/** Mean (weighted) log loss of the raw predictions. */
export function meanLogLoss(y: Int32Array, raw: Float64Array, weights: Float64Array | undefined, nTrees: number): number {
  const n = y.length;
  let total = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    let loss: number;
    if (nTrees === 1) {
      const r = raw[i]!;
      // log(1 + exp(r)) - y * r, stably
      const softplus = r > 0 ? r + Math.log1p(Math.exp(-r)) : Math.log1p(Math.exp(r));
      loss = softplus - y[i]! * r;
    } else {
      let max = -Infinity;
      for (let k = 0; k < nTrees; k++) max = Math.max(max, raw[k * n + i]!);
      let sum = 0;
      for (let k = 0; k < nTrees; k++) sum += Math.exp(raw[k * n + i]! - max);
      loss = max + Math.log(sum) - raw[y[i]! * n + i]!;
    }
    const w = weights === undefined ? 1 : weights[i]!;
    total += loss * w;
    weightSum += w;
  }
  return total / weightSum;
}

/**
 * Probabilities from raw predictions (class-major raw, n rows) into a row-major float32 array with
 * `nClasses` columns (binary: [1 - p, p]).
 */
export function probabilities(raw: Float64Array, n: number, nClasses: number, out: Float32Array): Float32Array {
  if (nClasses === 2) {
    for (let i = 0; i < n; i++) {
      const r = raw[i]!;
      const p = r >= 0 ? 1 / (1 + Math.exp(-r)) : Math.exp(r) / (1 + Math.exp(r));
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < nClasses; k++) max = Math.max(max, raw[k * n + i]!);
    let sum = 0;
    for (let k = 0; k < nClasses; k++) sum += Math.exp(raw[k * n + i]! - max);
    for (let k = 0; k < nClasses; k++) out[i * nClasses + k] = Math.exp(raw[k * n + i]! - max) / sum;
  }
  return out;
}
