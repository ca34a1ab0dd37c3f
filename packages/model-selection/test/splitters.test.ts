import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { createRng, isPipelineError, type Split, type SplitInput, type Splitter } from '@pipeline/core';
import {
  assertNoGroupLeak,
  groupKFold,
  kFold,
  predefinedSplit,
  repeated,
  resolveFolds,
  stratifiedGroupKFold,
  stratifiedKFold,
  trainTestSplit,
} from '@pipeline/model-selection';

interface SplitCase {
  name: string;
  splitter: 'kFold' | 'stratifiedKFold' | 'groupKFold' | 'stratifiedGroupKFold';
  nSplits: number;
  nRows: number;
  labels?: number[];
  groups?: number[];
  tests: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/splits.json', import.meta.url), 'utf8')) as {
  source: string;
  cases: SplitCase[];
};
const factories = { kFold, stratifiedKFold, groupKFold, stratifiedGroupKFold };

function randomLabels(n: number, weights: number[], seed: number): Int32Array {
  const rng = createRng(seed);
  const total = weights.reduce((a, b) => a + b, 0);
  return Int32Array.from({ length: n }, () => {
    let u = rng.uniform() * total;
    for (let c = 0; c < weights.length; c++) if ((u -= weights[c]!) < 0) return c;
    return weights.length - 1;
  });
}

function expectPartition(splits: readonly Split[], nRows: number): void {
  const count = new Int32Array(nRows);
  for (const { train, test } of splits) {
    expect(train.length + test.length).toBe(nRows);
    const inTest = new Set(test);
    for (const i of train) expect(inTest.has(i)).toBe(false);
    for (const i of test) count[i]!++;
    expect(Array.from(test)).toEqual(Array.from(test).sort((a, b) => a - b));
  }
  expect(Array.from(count).every((c) => c === 1)).toBe(true);
}

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isPipelineError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a PipelineError');
}

describe('splitters against scikit-learn 1.2.1 (unshuffled)', () => {
  it(`uses the fixture from ${fixture.source}`, () => {
    expect(fixture.source).toContain('scikit-learn 1.2.1');
  });
  for (const c of fixture.cases) {
    it(`${c.name}: reproduces the test folds exactly`, () => {
      const splitter = factories[c.splitter]({ nSplits: c.nSplits, shuffle: false });
      const input: SplitInput = {
        nRows: c.nRows,
        ...(c.labels ? { labels: Int32Array.from(c.labels) } : {}),
        ...(c.groups ? { groups: Int32Array.from(c.groups) } : {}),
      };
      const splits = splitter.split(input, 123);
      expect(splits.map((s) => Array.from(s.test))).toEqual(c.tests);
      expectPartition(splits, c.nRows);
    });
  }
});

describe('stratifiedKFold', () => {
  it('keeps every class proportion within one row per fold, and fold sizes within one', () => {
    for (const seed of [0, 1, 2, 3]) {
      const labels = randomLabels(503, [10, 3, 1, 0.4], seed);
      const nSplits = 7;
      const splits = stratifiedKFold({ nSplits }).split({ nRows: labels.length, labels }, seed);
      expectPartition(splits, labels.length);
      const totals = [0, 0, 0, 0];
      for (const label of labels) totals[label]!++;
      const sizes = splits.map((s) => s.test.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      for (const { test } of splits) {
        const counts = [0, 0, 0, 0];
        for (const i of test) counts[labels[i]!]!++;
        counts.forEach((count, c) => {
          expect(Math.abs(count - totals[c]! / nSplits)).toBeLessThan(1);
        });
      }
    }
  });

  it('gives the same folds for the same seed and different folds for another seed', () => {
    const labels = randomLabels(200, [1, 1, 1], 9);
    const splitter = stratifiedKFold({ nSplits: 5 });
    const a = splitter.split({ nRows: 200, labels }, 42).map((s) => Array.from(s.test));
    const b = splitter.split({ nRows: 200, labels }, 42).map((s) => Array.from(s.test));
    const c = splitter.split({ nRows: 200, labels }, 43).map((s) => Array.from(s.test));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('refuses a class with fewer rows than folds, naming the class', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    const error = errorOf(() => stratifiedKFold({ nSplits: 3 }).split({ nRows: labels.length, labels }));
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain('class 2 has only 2 rows, fewer than the 3 folds');
  });

  it('refuses nSplits below 2 and missing labels as usage errors', () => {
    expect(errorOf(() => stratifiedKFold({ nSplits: 1 })).code).toBe('E_USAGE');
    expect(errorOf(() => stratifiedKFold().split({ nRows: 10 })).message).toContain('needs labels');
  });
});

describe('kFold', () => {
  it('is a seeded shuffled partition with sizes within one', () => {
    const splits = kFold({ nSplits: 4 }).split({ nRows: 10 }, 5);
    expectPartition(splits, 10);
    expect(splits.map((s) => s.test.length)).toEqual([3, 3, 2, 2]);
    expect(splits.map((s) => Array.from(s.test))).toEqual(kFold({ nSplits: 4 }).split({ nRows: 10 }, 5).map((s) => Array.from(s.test)));
    expect(() => kFold({ nSplits: 11 }).split({ nRows: 10 })).toThrow('cannot cut 10 rows into 11 folds');
  });
});

describe('group splitters', () => {
  const groups = Int32Array.from({ length: 400 }, (_, i) => Math.floor((i * 7919) % 400 / 13));
  const labels = randomLabels(400, [3, 2, 1], 4);

  for (const [name, splitter] of [
    ['groupKFold', groupKFold({ nSplits: 5 })],
    ['stratifiedGroupKFold', stratifiedGroupKFold({ nSplits: 5 })],
  ] as Array<[string, Splitter]>) {
    it(`${name}: no group is in two folds, for several seeds`, () => {
      for (const seed of [0, 1, 2]) {
        const splits = splitter.split({ nRows: 400, labels, groups }, seed);
        expectPartition(splits, 400);
        const foldOfGroup = new Map<number, number>();
        splits.forEach(({ test }, f) => {
          for (const i of test) {
            const g = groups[i]!;
            expect(foldOfGroup.get(g) ?? f).toBe(f);
            foldOfGroup.set(g, f);
          }
          assertNoGroupLeak(splits[f]!, groups, f);
        });
      }
    });
  }

  it('groupKFold balances fold sizes greedily (largest group first)', () => {
    const sized = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4]);
    const splits = groupKFold({ nSplits: 2, shuffle: false }).split({ nRows: sized.length, groups: sized });
    // sizes 5, 4, 3, 2, 1 → fold 0: 5, 2, 1 (8 rows); fold 1: 4, 3 (7 rows)
    expect(splits.map((s) => [...new Set(Array.from(s.test, (i) => sized[i]!))].sort())).toEqual([
      [0, 3, 4],
      [1, 2],
    ]);
  });

  it('refuses fewer groups than folds', () => {
    const error = errorOf(() => groupKFold({ nSplits: 5 }).split({ nRows: 6, groups: Int32Array.from([1, 1, 2, 2, 3, 3]) }));
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain('only 3 distinct groups for 5 folds');
  });

  it('assertNoGroupLeak names the shared groups', () => {
    const split = { train: Int32Array.from([0, 1, 2]), test: Int32Array.from([3, 4]) };
    const error = errorOf(() => assertNoGroupLeak(split, Int32Array.from([7, 8, 9, 9, 5]), 2));
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain('1 group(s) appear in both the training and the test rows of split 2 (e.g. 9)');
  });
});

describe('predefinedSplit', () => {
  it('reproduces the fold column exactly', () => {
    const folds = Int32Array.from([3, 0, 0, 7, 3, 7, 0, 3, 7, 7]);
    const splitter = predefinedSplit();
    expect(splitter.nSplits({ nRows: 10, folds })).toBe(3);
    const splits = splitter.split({ nRows: 10, folds });
    expect(splits.map((s) => Array.from(s.test))).toEqual([
      [1, 2, 6],
      [0, 4, 7],
      [3, 5, 8, 9],
    ]);
    const plan = resolveFolds(splitter, { nRows: 10, folds }, 0);
    expect(Array.from(plan.foldOf[0]!)).toEqual([1, 0, 0, 2, 1, 2, 0, 1, 2, 2]);
  });

  it('keeps -1 rows in training, and out-of-fold prediction refuses them', () => {
    const folds = Int32Array.from([0, 1, -1, 0, 1]);
    const splits = predefinedSplit().split({ nRows: 5, folds });
    expect(splits.map((s) => Array.from(s.train))).toEqual([
      [1, 2, 4],
      [0, 2, 3],
    ]);
    const error = errorOf(() => resolveFolds(predefinedSplit(), { nRows: 5, folds }, 0));
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain('1 of 5 rows are in no test set (e.g. row 2)');
  });
});

describe('repeated', () => {
  it('repeats a partition with different seeds per repeat', () => {
    const labels = randomLabels(60, [1, 1], 1);
    const splitter = repeated(stratifiedKFold({ nSplits: 3 }), 4);
    expect(splitter.repeats).toBe(4);
    expect(splitter.isPartition).toBe(true);
    expect(splitter.nSplits({ nRows: 60, labels })).toBe(12);
    expect(splitter.args).toEqual({ splitter: { kind: 'stratified-k-fold', args: { nSplits: 3, shuffle: true } }, nRepeats: 4 });
    const splits = splitter.split({ nRows: 60, labels }, 8);
    for (let r = 0; r < 4; r++) expectPartition(splits.slice(r * 3, r * 3 + 3), 60);
    expect(Array.from(splits[0]!.test)).not.toEqual(Array.from(splits[3]!.test));
    const plan = resolveFolds(splitter, { nRows: 60, labels }, 8);
    expect(plan.foldOf).toHaveLength(4);
  });
});

describe('trainTestSplit', () => {
  it('stratifies the test set by largest remainder with ceil(testSize · n) rows', () => {
    const labels = randomLabels(101, [5, 3, 1], 2);
    const [split] = trainTestSplit({ testSize: 0.3 }).split({ nRows: 101, labels }, 1);
    expect(split!.test.length).toBe(31);
    expect(split!.train.length).toBe(70);
    const totals = [0, 0, 0];
    const counts = [0, 0, 0];
    for (const label of labels) totals[label]!++;
    for (const i of split!.test) counts[labels[i]!]!++;
    counts.forEach((count, c) => expect(Math.abs(count - (totals[c]! * 31) / 101)).toBeLessThan(1));
  });

  it('is not a partition, so out-of-fold prediction refuses it', () => {
    const splitter = trainTestSplit({ testSize: 3, stratify: false });
    const [split] = splitter.split({ nRows: 10 }, 0);
    expect(split!.test.length).toBe(3);
    const error = errorOf(() => resolveFolds(splitter, { nRows: 10 }, 0));
    expect(error.code).toBe('E_USAGE');
    expect(error.message).toContain("splitter 'train-test-split' is not a partition");
  });
});
