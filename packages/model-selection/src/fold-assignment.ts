import { PipelineError, type Split, type SplitInput, type Splitter } from '@pipeline/core';

/**
 * Turns a fold number per row (0..nFolds-1, or -1 for "never in a test set") into one split per
 * fold: the fold's rows are the test set, every other row is the training set. Indices ascending.
 */
export function splitsFromAssignment(foldOf: Int32Array, nFolds: number): Split[] {
  const testSizes = new Int32Array(nFolds);
  for (let i = 0; i < foldOf.length; i++) {
    const fold = foldOf[i]!;
    if (fold >= 0) testSizes[fold]!++;
  }
  const splits: Split[] = [];
  for (let fold = 0; fold < nFolds; fold++) {
    const test = new Int32Array(testSizes[fold]!);
    const train = new Int32Array(foldOf.length - test.length);
    let t = 0;
    let r = 0;
    for (let i = 0; i < foldOf.length; i++) {
      if (foldOf[i] === fold) test[t++] = i;
      else train[r++] = i;
    }
    splits.push({ train, test });
  }
  return splits;
}

/** Checks the number of folds requested: an integer of at least 2. */
export function checkSplitCount(nSplits: number, what: string): number {
  if (!Number.isInteger(nSplits) || nSplits < 2) {
    throw new PipelineError('E_USAGE', `${what} needs nSplits to be an integer of at least 2, got ${nSplits}`, {
      field: 'nSplits',
      hint: 'pass e.g. nSplits: 5',
    });
  }
  return nSplits;
}

/** The per-row array a splitter needs, or a usage error naming it. */
export function requireRowArray(array: Int32Array | undefined, nRows: number, field: string, what: string): Int32Array {
  if (array === undefined) {
    throw new PipelineError('E_USAGE', `${what} needs ${field} but none were given`, {
      field,
      hint: `pass ${field} in the split input (one entry per row)`,
    });
  }
  if (array.length !== nRows) {
    throw new PipelineError('E_INPUT', `${field} has ${array.length} entries but the data has ${nRows} rows`, { field });
  }
  return array;
}

/** Distinct values of an integer array, ascending, and the index of each row's value. */
export function encodeValues(values: Int32Array): { unique: Int32Array; codes: Int32Array } {
  const unique = Int32Array.from(new Set(values)).sort();
  const index = new Map<number, number>();
  unique.forEach((value, k) => index.set(value, k));
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) codes[i] = index.get(values[i]!)!;
  return { unique, codes };
}

/**
 * A K-fold-like partition splitter from a function that gives every row its fold: fills in the
 * defaults (5 folds, shuffled), the plain-JSON args and the splits.
 */
export function assignmentSplitter(
  kind: string,
  name: string,
  args: { readonly nSplits?: number; readonly shuffle?: boolean },
  assign: (input: SplitInput, nSplits: number, shuffle: boolean, seed: number) => Int32Array,
): Splitter {
  const nSplits = checkSplitCount(args.nSplits ?? 5, name);
  const shuffle = args.shuffle ?? true;
  return {
    kind,
    args: { nSplits, shuffle },
    isPartition: true,
    repeats: 1,
    nSplits: () => nSplits,
    split: (input: SplitInput, seed = 0): Split[] => splitsFromAssignment(assign(input, nSplits, shuffle, seed), nSplits),
  };
}
