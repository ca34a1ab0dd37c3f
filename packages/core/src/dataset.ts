import { PipelineError } from './errors.js';
import { takeRows, type Matrix } from './matrix.js';

/**
 * A labelled (or unlabelled) table. All arrays share the row order of `features`.
 * Labels are class indices 0..k-1 (`classNames` maps them back to the user's labels).
 */
export interface Dataset {
  readonly features: Matrix;
  readonly labels?: Int32Array;
  readonly groups?: Int32Array;
  readonly sampleWeight?: Float64Array;
  readonly featureNames?: readonly string[];
  readonly ids?: readonly string[];
  /** The original label of each class index, e.g. ['0', '1', '2'] or ['awake', 'n1', …]. */
  readonly classNames?: readonly string[];
}

/** Checks that every per-row array has `features.rows` entries. */
export function validateDataset(data: Dataset, source = 'dataset'): void {
  const n = data.features.rows;
  const check = (name: string, length: number | undefined) => {
    if (length !== undefined && length !== n) {
      throw new PipelineError('E_INPUT', `${name} has ${length} entries but features have ${n} rows`, {
        file: source,
        field: name,
        hint: 'every per-row array must have one entry per feature row',
      });
    }
  };
  check('labels', data.labels?.length);
  check('groups', data.groups?.length);
  check('sampleWeight', data.sampleWeight?.length);
  check('ids', data.ids?.length);
  if (data.featureNames !== undefined && data.featureNames.length !== data.features.cols) {
    throw new PipelineError(
      'E_INPUT',
      `featureNames has ${data.featureNames.length} names but features have ${data.features.cols} columns`,
      { file: source, field: 'featureNames' },
    );
  }
}

/** The rows `indices` of a data set (copies), with every per-row array taken alike. */
export function takeDataset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const pick = <T extends Int32Array | Float64Array>(array: T | undefined): T | undefined => {
    if (array === undefined) return undefined;
    const out = new (array.constructor as new (n: number) => T)(indices.length);
    for (let k = 0; k < indices.length; k++) out[k] = array[indices[k]!]!;
    return out;
  };
  const labels = pick(data.labels);
  const groups = pick(data.groups);
  const sampleWeight = pick(data.sampleWeight);
  const ids = data.ids === undefined ? undefined : Array.from({ length: indices.length }, (_, k) => data.ids![indices[k]!]!);
  return {
    features: takeRows(data.features, indices),
    ...(labels === undefined ? {} : { labels }),
    ...(groups === undefined ? {} : { groups }),
    ...(sampleWeight === undefined ? {} : { sampleWeight }),
    ...(ids === undefined ? {} : { ids }),
    ...(data.featureNames === undefined ? {} : { featureNames: data.featureNames }),
    ...(data.classNames === undefined ? {} : { classNames: data.classNames }),
  };
}

/** The labels of a data set, or an error naming what is missing. */
export function requireLabels(data: Dataset, what = 'fit'): Int32Array {
  if (data.labels === undefined) {
    throw new PipelineError('E_USAGE', `${what} needs labels but the data set has none`, { field: 'labels' });
  }
  return data.labels;
}

/** Number of classes: max label + 1 (labels are 0..k-1), or `classNames.length` if larger. */
export function countClasses(data: Dataset): number {
  let max = -1;
  for (const label of data.labels ?? []) if (label > max) max = label;
  return Math.max(max + 1, data.classNames?.length ?? 0);
}
