import { argmaxRows, createRng, matrix, type Dataset, type FitContext, type FittedClassifier, type Matrix } from '@pipeline/core';
import type { FoldEstimator } from '@pipeline/model-selection';

/** A fitted test model from a per-row probability function. */
function fitted(kind: string, classes: number[], nFeatures: number, state: object, proba: (row: Float32Array) => ArrayLike<number>): FittedClassifier {
  const predictProba = async (features: Matrix): Promise<Matrix> => {
    if (features.cols !== nFeatures) throw new Error(`${kind}: expected ${nFeatures} columns, got ${features.cols}`);
    const out = matrix(features.rows, classes.length);
    for (let i = 0; i < features.rows; i++) out.data.set(proba(features.data.subarray(i * nFeatures, (i + 1) * nFeatures)), i * classes.length);
    return out;
  };
  return {
    kind,
    classes,
    nFeatures,
    predictProba,
    predict: async (features) => argmaxRows(await predictProba(features)).map((k) => classes[k]!),
    toArtifact: async () => ({ kind, formatVersion: 1, args: {}, state: { classes, nFeatures, ...state }, files: [] }),
    dispose: () => {},
  };
}

const classesOf = (data: Dataset) => [...new Set(data.labels!)].sort((a, b) => a - b);

/** Gaussian naive Bayes (scikit-learn's GaussianNB formulas, var_smoothing 1e-9), weighted. */
export function gaussianNaiveBayes(): FoldEstimator {
  return {
    kind: 'test-gaussian-nb',
    args: {},
    async fit(data) {
      const { rows: n, cols: p, data: x } = data.features;
      const classes = classesOf(data);
      const k = classes.length;
      const weight = new Float64Array(k);
      const mean = new Float64Array(k * p);
      const variance = new Float64Array(k * p);
      for (let i = 0; i < n; i++) {
        const c = classes.indexOf(data.labels![i]!);
        const w = data.sampleWeight?.[i] ?? 1;
        weight[c]! += w;
        for (let j = 0; j < p; j++) mean[c * p + j]! += w * x[i * p + j]!;
      }
      for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) mean[c * p + j]! /= weight[c]!;
      for (let i = 0; i < n; i++) {
        const c = classes.indexOf(data.labels![i]!);
        const w = data.sampleWeight?.[i] ?? 1;
        for (let j = 0; j < p; j++) variance[c * p + j]! += w * (x[i * p + j]! - mean[c * p + j]!) ** 2;
      }
      let maxVariance = 0;
      for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) maxVariance = Math.max(maxVariance, (variance[c * p + j]! /= weight[c]!));
      for (let j = 0; j < variance.length; j++) variance[j]! += 1e-9 * maxVariance;
      const total = weight.reduce((a, b) => a + b, 0);
      return fitted('test-gaussian-nb', classes, p, {}, (row) => {
        const log = Array.from({ length: k }, (_, c) => {
          let sum = Math.log(weight[c]! / total);
          for (let j = 0; j < p; j++) {
            const v = variance[c * p + j]!;
            sum -= 0.5 * Math.log(2 * Math.PI * v) + (row[j]! - mean[c * p + j]!) ** 2 / (2 * v);
          }
          return sum;
        });
        const max = Math.max(...log);
        const e = log.map((l) => Math.exp(l - max));
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / s);
      });
    },
  };
}

/**
 * The leak canary: memorizes the label of every row it is trained on (keyed by the row's features)
 * and predicts it with certainty for those rows; any other row gets the training class frequencies.
 * In-sample it is perfect, out of fold it is useless.
 */
export function memorizer(): FoldEstimator {
  return {
    kind: 'test-memorizer',
    args: {},
    async fit(data) {
      const classes = classesOf(data);
      const { rows: n, cols: p, data: x } = data.features;
      const memory = new Map<string, number>();
      const prior = classes.map(() => 0);
      for (let i = 0; i < n; i++) {
        memory.set(String(x.subarray(i * p, (i + 1) * p)), data.labels![i]!);
        prior[classes.indexOf(data.labels![i]!)]! += 1 / n;
      }
      return fitted('test-memorizer', classes, p, {}, (row) => {
        const label = memory.get(String(row));
        return label === undefined ? prior : classes.map((c) => (c === label ? 1 : 0));
      });
    },
  };
}

/** What a recording estimator saw in each `fit`. */
export interface FitRecord {
  readonly rows: number;
  readonly firstFeature: Float32Array;
  readonly sampleWeight: Float64Array | undefined;
  readonly seed: number | undefined;
}

/** Wraps an estimator and records every `fit` call's data. */
export function recording(inner: FoldEstimator): FoldEstimator & { readonly calls: FitRecord[] } {
  const calls: FitRecord[] = [];
  return {
    kind: inner.kind,
    args: inner.args,
    calls,
    fit(data: Dataset, context?: FitContext) {
      const { rows, cols } = data.features;
      calls.push({
        rows,
        firstFeature: Float32Array.from({ length: rows }, (_, i) => data.features.data[i * cols]!),
        sampleWeight: data.sampleWeight,
        seed: context?.seed,
      });
      return inner.fit(data, context);
    },
  };
}

/**
 * Three classes; view `a` tells class 0 from the others, view `b` class 1 from the others, so
 * each view alone is weak and together they are strong. View `c` is a unique row number.
 */
export function twoViewData(n: number, seed: number): { views: { a: Matrix; b: Matrix; c: Matrix }; labels: Int32Array } {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.int(3));
  const a = matrix(n, 3);
  const b = matrix(n, 2);
  const c = matrix(n, 1);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    a.data.set([(y === 0 ? 2 : 0) + rng.normal(), rng.normal(), 0.5 * rng.normal()], i * 3);
    b.data.set([(y === 1 ? 2 : 0) + rng.normal(), rng.normal()], i * 2);
    c.data[i] = i;
  }
  return { views: { a, b, c }, labels };
}

export function accuracy(proba: Matrix, labels: Int32Array): number {
  const predicted = argmaxRows(proba);
  return predicted.reduce((hits, p, i) => hits + (p === labels[i] ? 1 : 0), 0) / labels.length;
}
