import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { parseTrialLog, sequentialExecutor, type FoldExecutor, type TrialRecord } from '@pipeline/model-selection';
import { openRun } from '@pipeline/runs';
import { localParallelExecutor, optimizeRun, parseTrainConfig, patchTrainConfig, type TrainConfigInput } from '@pipeline/workflows';

let root: string;
let demo: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'workflows-opt-'));
  demo = join(root, 'demo');
  await generateDemoData({ outDir: demo, n: 200, seed: 5, testN: 10 });
}, 120_000);

const tableConfig = (): TrainConfigInput => ({
  seed: 9,
  inputs: { table: { file: join(demo, 'X_train.csv') }, labels: { file: join(demo, 'y_train.csv') } },
  baseModels: [{ kind: 'hgb', args: { maxIter: 10, maxLeafNodes: 8 } }],
  cv: { splits: 3 },
});

/** A sequential executor that counts the fold tasks it runs, by task type and model. */
function countingExecutor(): FoldExecutor & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return {
    counts,
    run(tasks, env, options) {
      for (const task of tasks) counts[`${task.type}:${task.payload.model}`] = (counts[`${task.type}:${task.payload.model}`] ?? 0) + 1;
      return sequentialExecutor.run(tasks, env, options);
    },
  };
}

async function readTrials(runDir: string): Promise<TrialRecord[]> {
  return parseTrialLog(await readFile(join(runDir, 'opt/trials.jsonl'), 'utf8')).sort((a, b) => a.number - b.number);
}

/** An overlay on the default space: small hgb budgets, the other hgb params removed (null). */
const hgbSpace = {
  params: {
    'hgb.learningRate': { type: 'log-uniform', low: 0.02, high: 0.5 },
    'hgb.maxIter': { type: 'int', low: 3, high: 15 },
    'hgb.maxLeafNodes': null,
    'hgb.minSamplesLeaf': null,
    'hgb.l2Regularization': null,
    'hgb.maxBins': null,
  },
};

describe('optimizeRun', () => {
  it('writes the four opt files, consistent with the log, and trains the best config into the run', async () => {
    const runDir = join(root, 'hgb-meta');
    const spaceFile = join(root, 'space.json');
    await writeFile(spaceFile, JSON.stringify(hgbSpace));
    const result = await optimizeRun(tableConfig(), { targets: ['hgb', 'meta'], nTrials: 5, sampler: 'random', seed: 3, spaceFile }, { runDir, executor: sequentialExecutor });
    const trials = await readTrials(runDir);
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4]);
    const complete = trials.filter((t) => t.state === 'complete');
    const bestScore = Math.max(...complete.map((t) => t.score!));
    const best = complete.find((t) => t.score === bestScore)!; // the first of the ties, as the study
    const bestParams = JSON.parse(await readFile(join(runDir, 'opt/best_params.json'), 'utf8'));
    const bestScoreFile = JSON.parse(await readFile(join(runDir, 'opt/best_score.json'), 'utf8'));
    expect(bestParams).toEqual({ trial: best.number, params: best.params, patch: { hgb: { learningRate: best.params['hgb.learningRate'], maxIter: best.params['hgb.maxIter'] }, meta: { C: best.params['meta.C'] } } });
    expect(bestScoreFile).toEqual({ trial: best.number, score: best.score, foldScores: best.foldScores, direction: 'maximize', metric: 'accuracy' });
    const used = JSON.parse(await readFile(join(runDir, 'opt/config_used.json'), 'utf8'));
    expect(used).toMatchObject({ targets: ['hgb', 'meta'], metric: 'accuracy', direction: 'maximize', sampler: 'random', pruner: 'none', nTrials: 5, seed: 3, foldScore: 'base-mean' });
    expect(Object.keys(used.space).sort()).toEqual(['hgb.learningRate', 'hgb.maxIter', 'meta.C']);
    // The final run is the best config at full budget; its OOF stack accuracy is the best trial's score.
    const run = await openRun(runDir);
    expect(run.manifest.status).toBe('completed');
    const config = JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8'));
    expect(config.baseModels[0].args).toMatchObject({ learningRate: best.params['hgb.learningRate'], maxIter: best.params['hgb.maxIter'], maxLeafNodes: 8 });
    expect(config.meta.args.C).toBe(best.params['meta.C']);
    expect(result.final.oof.stack!.accuracy).toBe(best.score);
    expect((best.attributes as { stackFoldScores: number[] }).stackFoldScores).toEqual(result.final.oof.stack!.folds.map((f) => f.accuracy));
    // With one base model, the fold scores are that model's fold accuracies.
    expect(best.foldScores).toEqual(result.final.oof.hgb_tabular!.folds.map((f) => f.accuracy));
    expect(run.manifest.files).toMatchObject({ optTrials: 'opt/trials.jsonl', optBestParams: 'opt/best_params.json', optBestScore: 'opt/best_score.json', optConfig: 'opt/config_used.json' });
  }, 120_000);

  it('a meta-only search never retrains a base model (fold tasks counted)', async () => {
    const executor = countingExecutor();
    const result = await optimizeRun(tableConfig(), { targets: ['meta'], nTrials: 4, sampler: 'random', seed: 1 }, { runDir: join(root, 'meta-only'), executor });
    // 3 base folds once before the trials, 1 final refit; 3 meta folds per trial + the final run's 3 meta folds and 1 meta fit.
    expect(executor.counts['fold-fit:hgb_tabular']).toBe(3);
    expect(executor.counts['refit:hgb_tabular']).toBe(1);
    expect(executor.counts['fold-fit:meta']).toBe(4 * 3 + 3);
    expect(result.search.fits).toEqual({ hgb_tabular: 3, meta: 12 });
    // The final run reused the search's base folds (stored as checkpoints) instead of refitting them.
    expect(result.final.folds.filter((f) => f.model === 'hgb_tabular' && f.fold >= 0).every((f) => f.reused)).toBe(true);
    const trials = await readTrials(join(root, 'meta-only'));
    expect(new Set(trials.map((t) => t.params['meta.C'])).size).toBe(4);
    // Fold scores of a meta-only search are the stack's own.
    for (const t of trials) expect(t.foldScores).toEqual((t.attributes as { stackFoldScores: number[] }).stackFoldScores);
  }, 120_000);

  it('a resumed search proposes and scores the same trials as an uninterrupted one', async () => {
    const options = { targets: ['hgb', 'meta'], nTrials: 6, sampler: 'tpe' as const, seed: 5, spaceFile: join(root, 'space.json') };
    await writeFile(options.spaceFile, JSON.stringify(hgbSpace));
    const whole = await optimizeRun(tableConfig(), options, { runDir: join(root, 'whole'), executor: sequentialExecutor });
    // Interrupted after 3 trials: a search of 3 trials whose final run never completed.
    const cut = join(root, 'cut');
    const controller = new AbortController();
    await expect(
      optimizeRun(tableConfig(), { ...options, nTrials: 3 }, {
        runDir: cut,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.stage === 'trial' && event.current === 3) controller.abort('test');
        },
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/E_ABORTED|E_CANCELLED|E_INTERRUPTED/) });
    expect((await readTrials(cut)).length).toBe(3);
    const resumed = await optimizeRun(tableConfig(), options, { runDir: cut, resume: true, executor: sequentialExecutor });
    expect(resumed.ran).toBe(3);
    const strip = (t: TrialRecord) => ({ number: t.number, params: t.params, state: t.state, score: t.score, foldScores: t.foldScores, attributes: t.attributes });
    expect((await readTrials(cut)).map(strip)).toEqual((await readTrials(join(root, 'whole'))).map(strip));
    expect(resumed.best).toEqual(whole.best);
    expect(await readFile(join(cut, 'config.json'), 'utf8')).toBe(await readFile(join(root, 'whole', 'config.json'), 'utf8'));
    // Another seed cannot resume this search.
    await expect(optimizeRun(tableConfig(), { ...options, seed: 6 }, { runDir: join(root, 'whole'), resume: true })).rejects.toMatchObject({ code: 'E_STATE' });
  }, 180_000);

  it('logs pruned trials as pruned (fold by fold: a pruned trial fits fewer folds) and failed trials as failed, and goes on', async () => {
    const spaceFile = join(root, 'space-prune.json');
    // maxLeafNodes 1 is outside the config schema (>= 2): those trials fail with the config error.
    await writeFile(spaceFile, JSON.stringify({ params: { ...hgbSpace.params, 'hgb.maxLeafNodes': { type: 'int', low: 1, high: 3 }, 'hgb.learningRate': { type: 'log-uniform', low: 0.001, high: 0.5 } } }));
    const runDir = join(root, 'prune');
    const executor = countingExecutor();
    const result = await optimizeRun(
      tableConfig(),
      { targets: ['hgb'], nTrials: 8, sampler: 'random', seed: 2, spaceFile, pruner: { type: 'median', nStartupTrials: 1 } },
      { runDir, executor },
    );
    const trials = await readTrials(runDir);
    expect(trials).toHaveLength(8);
    const failed = trials.filter((t) => t.state === 'failed');
    const pruned = trials.filter((t) => t.state === 'pruned');
    const complete = trials.filter((t) => t.state === 'complete');
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) {
      expect(t.params['hgb.maxLeafNodes']).toBe(1);
      expect(t.error).toMatch(/baseModels\[0\]\.args\.maxLeafNodes: expected a number ≥ 2, got 1/);
      expect(t.score).toBeNull();
    }
    for (const t of [...pruned, ...complete]) expect(t.params['hgb.maxLeafNodes']).not.toBe(1);
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      expect(t.foldScores.length).toBeLessThan(3);
      expect(t.score).toBeCloseTo(t.foldScores.reduce((a, b) => a + b, 0) / t.foldScores.length, 12);
      // The median rule: its running score at its last fold is below the median of the earlier complete trials' running scores there.
      const k = t.foldScores.length - 1;
      const running = (scores: readonly number[]) => scores.slice(0, k + 1).reduce((a, b) => a + b, 0) / (k + 1);
      const earlier = complete.filter((c) => c.number < t.number).map((c) => running(c.foldScores)).sort((a, b) => a - b);
      const median = earlier.length % 2 === 1 ? earlier[(earlier.length - 1) / 2]! : (earlier[earlier.length / 2 - 1]! + earlier[earlier.length / 2]!) / 2;
      expect(Math.max(...t.foldScores.map((_s, i) => t.foldScores.slice(0, i + 1).reduce((a, b) => a + b, 0) / (i + 1)))).toBeLessThan(median);
    }
    // Base folds fitted: 3 per complete trial, fewer for pruned ones, none for failed ones (+1 final refit, 0 final folds: reused).
    const distinct = new Set([...complete, ...pruned].map((t) => JSON.stringify(t.params))).size;
    expect(distinct).toBe(complete.length + pruned.length);
    expect(executor.counts['fold-fit:hgb_tabular']).toBe(complete.length * 3 + pruned.reduce((s, t) => s + t.foldScores.length, 0));
    expect(result.best.score).toBe(Math.max(...complete.map((t) => t.score!)));
  }, 180_000);

  it('rejects a target without a base model of that kind, and a space naming an argument the config lacks', async () => {
    await expect(optimizeRun(tableConfig(), { targets: ['lstm'] }, { runDir: join(root, 'bad-target') })).rejects.toMatchObject({
      code: 'E_USAGE',
      field: 'targets',
      message: expect.stringContaining("search target 'lstm' has no base model of that kind in the config"),
    });
    await expect(optimizeRun(tableConfig(), { targets: ['gbm'] }, { runDir: join(root, 'bad-target2') })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining("unknown search target 'gbm'") });
    const spaceFile = join(root, 'space-tol.json');
    await writeFile(spaceFile, JSON.stringify({ params: { 'meta.tol': { type: 'log-uniform', low: 1e-6, high: 1e-2 } } }));
    await expect(optimizeRun(tableConfig(), { targets: ['meta'], spaceFile }, { runDir: join(root, 'bad-space') })).rejects.toMatchObject({
      code: 'E_USAGE',
      field: 'space.params.meta.tol',
    });
    // Every trial failing: an error naming the first failure; the run is marked failed, the log kept.
    const allBad = join(root, 'space-all-bad.json');
    await writeFile(allBad, JSON.stringify({ params: { ...hgbSpace.params, 'hgb.maxLeafNodes': { type: 'int', low: 1, high: 1 } } }));
    await expect(optimizeRun(tableConfig(), { targets: ['hgb'], nTrials: 2, spaceFile: allBad }, { runDir: join(root, 'all-bad') })).rejects.toMatchObject({
      code: 'E_STATE',
      message: expect.stringMatching(/no trial of the search completed \(2 trials; trial 0 failed: .*maxLeafNodes: expected a number ≥ 2, got 1/),
    });
    expect((await openRun(join(root, 'all-bad'))).manifest.status).toBe('failed');
    expect((await readTrials(join(root, 'all-bad'))).map((t) => t.state)).toEqual(['failed', 'failed']);
  }, 60_000);

  it('parallel trials through a worker-thread executor give the same trial log as in-process folds', async () => {
    const options = { targets: ['hgb', 'meta'], nTrials: 3, sampler: 'tpe' as const, seed: 8, parallel: 2, spaceFile: join(root, 'space.json') };
    await writeFile(options.spaceFile, JSON.stringify(hgbSpace));
    const a = await optimizeRun(tableConfig(), options, { runDir: join(root, 'par-seq'), executor: sequentialExecutor });
    const b = await optimizeRun(tableConfig(), options, { runDir: join(root, 'par-workers'), executor: localParallelExecutor({ workers: 2 }) });
    const strip = (t: TrialRecord) => ({ number: t.number, params: t.params, state: t.state, score: t.score, foldScores: t.foldScores, attributes: t.attributes });
    expect((await readTrials(join(root, 'par-workers'))).map(strip)).toEqual((await readTrials(join(root, 'par-seq'))).map(strip));
    expect(b.best).toEqual(a.best);
    expect(await readFile(join(root, 'par-workers', 'config.json'), 'utf8')).toBe(await readFile(join(root, 'par-seq', 'config.json'), 'utf8'));
  }, 180_000);

  it('patches args by kind and caps the temporal models at the trial budget (searched params win)', () => {
    const config = parseTrainConfig({
      inputs: { signal: { file: 'x.h5' }, labels: { file: 'y.csv' } },
      baseModels: [{ kind: 'hgb', view: 'dwt', args: { maxIter: 50 } }, { kind: 'lstm', args: { epochs: 10, units: 8 } }, { kind: 'cnn', args: { epochs: 1 } }],
    });
    const budgets = { lstm: { epochs: 2, maxTrainSamples: 500 }, cnn: { epochs: 3, maxTrainSamples: 0 } };
    const patched = patchTrainConfig(config, { hgb: { learningRate: 0.2 }, lstm: { units: 32 }, meta: { C: 0.5 } }, budgets);
    expect(patched.baseModels[0]!.args).toEqual({ ...config.baseModels[0]!.args, learningRate: 0.2 });
    expect(patched.baseModels[1]!.args).toEqual({ epochs: 2, units: 32, maxTrainSamples: 500 });
    expect(patched.baseModels[2]!.args).toEqual({ epochs: 1 }); // already below the budget; maxTrainSamples 0 = no cap
    expect(patched.meta.args).toEqual({ C: 0.5, maxIter: 1000 });
    expect((patchTrainConfig(config, { lstm: { epochs: 7 } }, budgets).baseModels[1]!.args as { epochs?: number }).epochs).toBe(7);
    // The final run: no budgets.
    expect(patchTrainConfig(config, { lstm: { units: 32 } }).baseModels[1]!.args).toEqual({ epochs: 10, units: 32 });
  });
});
