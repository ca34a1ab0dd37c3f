import { argmaxRows, createRng, matrix, type Dataset, type FitContext, type FittedClassifier, type Matrix } from '@pipeline/core';
import type { FoldEstimator } from '@pipeline/model-selection';

/** A fitted test model whose probabilities come from a function of each row. */
function fitted(kind: string, classes: number[], nFeatures: number, proba: (row: Float32Array) => number[]): FittedClassifier {
  const predictProba = async (features: Matrix): Promise<Matrix> => {
    const out = matrix(features.rows, classes.length);
    for (let i = 0; i < features.rows; i++) {
      out.data.set(proba(features.data.subarray(i * features.cols, (i + 1) * features.cols)), i * classes.length);
    }
    return out;
  };
  return {
    kind,
    classes,
    nFeatures,
    predictProba,
    predict: async (features) => argmaxRows(await predictProba(features)).map((k) => classes[k]!),
    toArtifact: async () => ({ kind, formatVersion: 1, args: {}, state: { classes }, files: [] }),
    dispose: () => {},
  };
}

function classesOf(data: Dataset): number[] {
  return [...new Set(data.labels!)].sort((a, b) => a - b);
}

/**
 * Memorizes its training rows: a row seen in training gets its label with probability 1, any other
 * row the training class frequencies. Out of fold it must never find a match (a leak if it does).
 */
export function lookupEstimator(): FoldEstimator & { seenSeeds: number[] } {
  const seenSeeds: number[] = [];
  return {
    kind: 'test-lookup',
    args: {},
    seenSeeds,
    async fit(data: Dataset, context?: FitContext) {
      seenSeeds.push(context?.seed ?? -1);
      const classes = classesOf(data);
      const memory = new Map<string, number>();
      const prior = classes.map(() => 0);
      for (let i = 0; i < data.features.rows; i++) {
        const label = data.labels![i]!;
        memory.set(String(data.features.data.subarray(i * data.features.cols, (i + 1) * data.features.cols)), label);
        prior[classes.indexOf(label)]! += 1 / data.features.rows;
      }
      return fitted('test-lookup', classes, data.features.cols, (row) => {
        const label = memory.get(String(row));
        return label === undefined ? prior : classes.map((c) => (c === label ? 1 : 0));
      });
    },
  };
}

/** Binary: P(class 1) = the row's first feature; P(class 0) = 1 − that. Ignores training. */
export function featureProbaEstimator(): FoldEstimator {
  return {
    kind: 'test-feature-proba',
    args: {},
    fit: async (data) => fitted('test-feature-proba', [0, 1], data.features.cols, (row) => [1 - row[0]!, row[0]!]),
  };
}

/**
 * Predicts the (weighted) training class frequencies for every row, plus a seeded jitter of up to
 * `jitter` so that seeds show in the output.
 */
export function priorEstimator(jitter = 0): FoldEstimator {
  return {
    kind: 'test-prior',
    args: { jitter },
    async fit(data, context) {
      const classes = classesOf(data);
      const prior = classes.map(() => 0);
      let total = 0;
      for (let i = 0; i < data.labels!.length; i++) {
        const w = data.sampleWeight?.[i] ?? 1;
        prior[classes.indexOf(data.labels![i]!)]! += w;
        total += w;
      }
      const rng = createRng(context?.seed ?? 0);
      const noise = jitter * rng.uniform();
      return fitted('test-prior', classes, data.features.cols, () => prior.map((p, k) => p / total + (k === 0 ? noise : -noise)));
    },
  };
}
