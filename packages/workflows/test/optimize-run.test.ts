import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { parseTrialLog, sequentialExecutor, type FoldExecutor, type TrialRecord } from '@pipeline/model-selection';
import { openRun } from '@pipeline/runs';
import { optimizeRun, type TrainConfigInput } from '@pipeline/workflows';

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
    const result = await optimizeRun(tableConfig(), { targets: ['hgb', 'meta'], nTrials: 5, sampler: 'random', seed: 3, spaceFile }, { runDir });
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
});
