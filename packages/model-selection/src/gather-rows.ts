import { matrix, type Dataset, type Matrix } from '@pipeline/core';

/**
 * Copies the given rows of a matrix. Same result as core's `takeRows`, with a plain element loop for
 * narrow matrices (no per-row subarray objects: fold copies are on the hot path of cross-validation).
 * Indices must be valid row numbers (they come from a checked fold plan).
 */
export function gatherRows(m: Matrix, indices: Int32Array): Matrix {
  const { cols, data } = m;
  const out = matrix(indices.length, cols);
  const target = out.data;
  if (cols >= 32) {
    for (let k = 0; k < indices.length; k++) {
      const start = indices[k]! * cols;
      target.set(data.subarray(start, start + cols), k * cols);
    }
  } else {
    for (let k = 0; k < indices.length; k++) {
      const source = indices[k]! * cols;
      const offset = k * cols;
      for (let j = 0; j < cols; j++) target[offset + j] = data[source + j]!;
    }
  }
  return out;
}

/** The given rows of a data set: features and every per-row array alike (names and classes kept). */
export function gatherDataset(data: Dataset, indices: Int32Array): Dataset {
  const labels = data.labels === undefined ? undefined : gather(data.labels, indices, new Int32Array(indices.length));
  const groups = data.groups === undefined ? undefined : gather(data.groups, indices, new Int32Array(indices.length));
  const sampleWeight = data.sampleWeight === undefined ? undefined : gather(data.sampleWeight, indices, new Float64Array(indices.length));
  return {
    features: gatherRows(data.features, indices),
    ...(labels === undefined ? {} : { labels }),
    ...(groups === undefined ? {} : { groups }),
    ...(sampleWeight === undefined ? {} : { sampleWeight }),
    ...(data.ids === undefined ? {} : { ids: Array.from(indices, (i) => data.ids![i]!) }),
    ...(data.featureNames === undefined ? {} : { featureNames: data.featureNames }),
    ...(data.classNames === undefined ? {} : { classNames: data.classNames }),
  };
}

function gather<T extends Int32Array | Float64Array>(source: T, indices: Int32Array, target: T): T {
  for (let k = 0; k < indices.length; k++) target[k] = source[indices[k]!]!;
  return target;
}
