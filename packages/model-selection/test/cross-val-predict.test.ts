import { describe, expect, it } from '@jest/globals';
import { deriveSeed, isPipelineError, matrix, type Dataset, type ProgressEvent } from '@pipeline/core';
import {
  bytesToFloat32,
  crossValPredict,
  kFold,
  planFoldTasks,
  repeated,
  resolveFolds,
  runFoldTask,
  stratifiedKFold,
  trainTestSplit,
  type FoldExecutor,
  type FoldOutcome,
  type FoldTask,
  type StoredFold,
} from '@pipeline/model-selection';
import { featureProbaEstimator, lookupEstimator, priorEstimator } from './helpers/estimators.js';

/** n rows, one unique feature per row (i / n), labels cycling through k classes. */
function data(n: number, k: number, extra: Partial<Dataset> = {}): Dataset {
  const features = matrix(n, 2);
  for (let i = 0; i < n; i++) {
    features.data[i * 2] = i / n;
    features.data[i * 2 + 1] = (i * 7) % 5;
  }
  return { features, labels: Int32Array.from({ length: n }, (_, i) => i % k), ...extra };
}

async function errorOf(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    if (isPipelineError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a PipelineError');
}

describe('crossValPredict', () => {
  it('puts every fold prediction back on its own row', async () => {
    const d = data(53, 2);
    const result = await crossValPredict(featureProbaEstimator(), d, stratifiedKFold({ nSplits: 4 }), { seed: 3 });
    expect(result.proba.rows).toBe(53);
    expect(result.proba.cols).toBe(2);
    for (let i = 0; i < 53; i++) {
      expect(result.proba.data[i * 2 + 1]).toBe(d.features.data[i * 2]);
      expect(result.proba.data[i * 2]).toBe(Math.fround(1 - d.features.data[i * 2]!));
    }
    expect(result.folds.map((f) => [f.fold, f.trainRows + f.testRows])).toEqual([
      [0, 53],
      [1, 53],
      [2, 53],
      [3, 53],
    ]);
  });

  it('never lets a fold model see its test rows (a memorizing model scores at chance)', async () => {
    const d = data(120, 3);
    const result = await crossValPredict(lookupEstimator(), d, stratifiedKFold({ nSplits: 5 }), { seed: 1 });
    // Out of fold, no row is found in memory: every row gets its fold's training class frequencies (≈ 1/3 each).
    for (let i = 0; i < 120; i++) {
      const row = Array.from(result.proba.data.subarray(i * 3, i * 3 + 3));
      expect(Math.max(...row)).toBeLessThan(0.4);
    }
  });

  it('passes deriveSeed(seed, name, "fold", k) to each fold and gives byte-identical output for a seed', async () => {
    const estimator = lookupEstimator();
    await crossValPredict(estimator, data(30, 2), kFold({ nSplits: 3 }), { seed: 11, name: 'memo' });
    expect(estimator.seenSeeds).toEqual([0, 1, 2].map((k) => deriveSeed(11, 'memo', 'fold', k)));
    const run = (seed: number) => crossValPredict(priorEstimator(0.01), data(40, 2), stratifiedKFold({ nSplits: 4 }), { seed });
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(Buffer.from(a.proba.data.buffer).equals(Buffer.from(b.proba.data.buffer))).toBe(true);
    expect(Buffer.from(a.proba.data.buffer).equals(Buffer.from(c.proba.data.buffer))).toBe(false);
  });

  it('gives 0 probability to a class a fold model never saw', async () => {
    // Class 2 only on rows 0 and 1, which kFold without shuffle puts in fold 0: fold 0's model lacks it.
    const labels = Int32Array.from({ length: 12 }, (_, i) => (i < 2 ? 2 : i % 2));
    const result = await crossValPredict(priorEstimator(), { features: matrix(12, 1), labels }, kFold({ nSplits: 3, shuffle: false }));
    expect(result.nClasses).toBe(3);
    for (const i of [0, 1, 2, 3]) expect(Array.from(result.proba.data.subarray(i * 3, i * 3 + 3))).toEqual([0.5, 0.5, 0]);
    // fold 1 (rows 4..7) trains on rows 0..3 and 8..11: two rows of each class.
    expect(result.proba.data[4 * 3 + 2]).toBeCloseTo(2 / 8, 7);
  });

  it('averages the repeats of a repeated splitter', async () => {
    const d = data(30, 3);
    const splitter = repeated(kFold({ nSplits: 3 }), 2);
    const result = await crossValPredict(priorEstimator(), d, splitter, { seed: 2 });
    const plan = resolveFolds(splitter, { nRows: 30 }, 2);
    // Independently: the prior model predicts the class frequencies of each fold's training rows.
    for (let i = 0; i < 30; i++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let r = 0; r < 2; r++) {
          const split = plan.splits[r * 3 + plan.foldOf[r]![i]!]!;
          sum += Array.from(split.train).filter((t) => d.labels![t] === c).length / split.train.length;
        }
        expect(result.proba.data[i * 3 + c]).toBeCloseTo(sum / 2, 6);
      }
    }
    expect(result.folds.map((f) => f.repeat)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('refuses a splitter that is not a partition, and a group leak', async () => {
    expect((await errorOf(() => crossValPredict(priorEstimator(), data(20, 2), trainTestSplit()))).code).toBe('E_USAGE');
    const groups = Int32Array.from({ length: 20 }, (_, i) => i % 4);
    const leak = await errorOf(() => crossValPredict(priorEstimator(), data(20, 2, { groups }), kFold({ nSplits: 2 })));
    expect(leak.code).toBe('E_INPUT');
    expect(leak.message).toContain('appear in both the training and the test rows');
  });

  it('reports progress once per fold and keeps the fold models on request', async () => {
    const events: ProgressEvent[] = [];
    const result = await crossValPredict(priorEstimator(), data(20, 2), kFold({ nSplits: 4 }), {
      keepModels: true,
      name: 'prior',
      onProgress: (event) => events.push(event),
    });
    expect(events.map((e) => [e.stage, e.current, e.total, e.label])).toEqual(
      [0, 1, 2, 3].map((k) => ['fold', k + 1, 4, `oof/prior/fold-${k}`]),
    );
    expect(result.models).toHaveLength(4);
    expect(result.models![0]!.classes).toEqual([0, 1]);
  });
});

describe('fold tasks', () => {
  const d = data(40, 2);
  const plan = resolveFolds(stratifiedKFold({ nSplits: 4 }), { nRows: 40, labels: d.labels! }, 9);
  const env = { views: { features: d.features }, labels: d.labels!, splits: plan.splits, estimators: { prior: priorEstimator(0.01) } };

  it('are plain JSON: a task that went through JSON runs the same', async () => {
    const [task] = planFoldTasks([{ name: 'prior', estimator: env.estimators.prior, view: 'features' }], plan, 40, 9, false);
    const copy = JSON.parse(JSON.stringify(task)) as FoldTask;
    expect(copy).toEqual(task);
    const a = await runFoldTask(task!, env);
    const b = await runFoldTask(copy, env);
    expect(b.result.output.fingerprint).toBe(a.result.output.fingerprint);
    expect(bytesToFloat32(b.result.blobs!['proba']!)).toEqual(bytesToFloat32(a.result.blobs!['proba']!));
    expect(task!.id).toBe('oof/prior/fold-0');
    expect(task!.payload.seed).toBe(deriveSeed(9, 'prior', 'fold', 0));
  });

  it('refuse to run on other rows than they were planned for', async () => {
    const [task] = planFoldTasks([{ name: 'prior', estimator: env.estimators.prior, view: 'features' }], plan, 40, 9, false);
    const other = resolveFolds(stratifiedKFold({ nSplits: 4 }), { nRows: 40, labels: d.labels! }, 10);
    const error = await errorOf(() => runFoldTask(task!, { ...env, splits: other.splits }));
    expect(error.code).toBe('E_STATE');
  });

  it('resume: stored results are reused, the rest computed, and the output is identical', async () => {
    const stored = new Map<string, StoredFold>();
    const full = await crossValPredict(priorEstimator(0.01), d, stratifiedKFold({ nSplits: 4 }), {
      seed: 9,
      name: 'prior',
      onTaskDone: (outcome: FoldOutcome) => {
        if (outcome.task.payload.fold % 2 === 0) stored.set(outcome.task.id, { result: outcome.result });
      },
    });
    const ran: string[] = [];
    const resumed = await crossValPredict(priorEstimator(0.01), d, stratifiedKFold({ nSplits: 4 }), {
      seed: 9,
      name: 'prior',
      completed: (task) => stored.get(task.id),
      onTaskDone: (outcome) => void ran.push(outcome.task.id),
    });
    expect(ran).toEqual(['oof/prior/fold-1', 'oof/prior/fold-3']);
    expect(resumed.folds.map((f) => f.reused)).toEqual([true, false, true, false]);
    expect(Buffer.from(resumed.proba.data.buffer).equals(Buffer.from(full.proba.data.buffer))).toBe(true);
    // A stored result from other settings (another jitter → other args) is refused, not mixed in.
    const error = await errorOf(() =>
      crossValPredict(priorEstimator(0.02), d, stratifiedKFold({ nSplits: 4 }), { seed: 9, name: 'prior', completed: (task) => stored.get(task.id) }),
    );
    expect(error.code).toBe('E_STATE');
    expect(error.message).toContain('oof/prior/fold-0');
  });

  it('any executor may finish tasks in any order', async () => {
    const reverse: FoldExecutor = {
      async run(tasks, environment, { context, onOutcome }) {
        for (const task of [...tasks].reverse()) await onOutcome(await runFoldTask(task, environment, context));
      },
    };
    const a = await crossValPredict(priorEstimator(0.01), d, stratifiedKFold({ nSplits: 4 }), { seed: 9 });
    const b = await crossValPredict(priorEstimator(0.01), d, stratifiedKFold({ nSplits: 4 }), { seed: 9, executor: reverse });
    expect(Buffer.from(b.proba.data.buffer).equals(Buffer.from(a.proba.data.buffer))).toBe(true);
    expect(b.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3]);
  });
});
