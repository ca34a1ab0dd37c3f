import { PipelineError, createRng, type Rng } from '@pipeline/core';

/**
 * A seeded stratified train/validation split with scikit-learn's class allocation
 * (`train_test_split(..., stratify=y)`, i.e. StratifiedShuffleSplit with `_approximate_mode`):
 * `testSize` is a fraction (ceil(fraction * n) rows) or a row count. Indices are ascending.
 */
export function stratifiedHoldout(
  y: Int32Array,
  nClasses: number,
  testSize: number,
  seed: number,
): { train: Int32Array; test: Int32Array } {
  const n = y.length;
  const nTest = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  const nTrain = n - nTest;
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < n; i++) counts[y[i]!]!++;
  const hint = 'set validationFraction: null (stop on the training loss), pass a validation set, or set earlyStopping: false';
  if (nTrain <= 0) {
    throw new PipelineError('E_INPUT', `the validation split of ${nTest} rows leaves no training rows out of ${n}`, {
      field: 'validationFraction',
      hint,
    });
  }
  let smallest = Infinity;
  for (const c of counts) if (c > 0) smallest = Math.min(smallest, c);
  if (smallest < 2) {
    throw new PipelineError('E_INPUT', 'a class has a single row, so the stratified validation split cannot hold it out', {
      field: 'labels',
      hint,
    });
  }
  const present = counts.filter((c) => c > 0).length;
  if (nTrain < present || nTest < present) {
    throw new PipelineError(
      'E_INPUT',
      `the validation split (${nTrain} training, ${nTest} validation rows) is smaller than the ${present} classes`,
      { field: 'validationFraction', hint },
    );
  }
  const rng = createRng(seed);
  const trainCounts = approximateMode(counts, nTrain, rng);
  const remaining = counts.map((c, k) => c - trainCounts[k]!);
  const testCounts = approximateMode(remaining, nTest, rng);
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < n; i++) byClass[y[i]!]!.push(i);
  const train: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < nClasses; k++) {
    const rows = rng.shuffle(byClass[k]!);
    for (let j = 0; j < trainCounts[k]!; j++) train.push(rows[j]!);
    for (let j = trainCounts[k]!; j < trainCounts[k]! + testCounts[k]!; j++) test.push(rows[j]!);
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/** scikit-learn's `_approximate_mode`: draws per class closest to the proportions, ties broken at random. */
function approximateMode(counts: Int32Array, draws: number, rng: Rng): Int32Array {
  let total = 0;
  for (const c of counts) total += c;
  const continuous = Array.from(counts, (c) => (c / total) * draws);
  const floored = Int32Array.from(continuous, (v) => Math.floor(v));
  let need = draws - floored.reduce((a, b) => a + b, 0);
  if (need > 0) {
    const remainder = continuous.map((v, k) => v - floored[k]!);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const candidates = remainder.flatMap((r, k) => (r === value ? [k] : []));
      const take = Math.min(candidates.length, need);
      const chosen = rng.sample(candidates.length, take);
      for (const j of chosen) floored[candidates[j]!]!++;
      need -= take;
      if (need === 0) break;
    }
  }
  return floored;
}
