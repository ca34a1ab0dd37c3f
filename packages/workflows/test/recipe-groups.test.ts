import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Matrix } from '@pipeline/core';
import { featureNames, parseRecipe } from '@pipeline/features';
import { generateDemoData, readArrowTable } from '@pipeline/ingest';
import { sequentialExecutor } from '@pipeline/model-selection';
import { differingRunFiles, openRun } from '@pipeline/runs';
import { ablationStudy, featurizeRun, predictRun, recipeAblationGroups, recipeFeatureGroups, trainRun, type TrainConfigInput } from '@pipeline/workflows';

let root: string;
let config: TrainConfigInput;
let baseRun: string;

const storedScore = async (dir: string): Promise<number> =>
  (JSON.parse(await readFile(join(dir, 'metrics', 'oof_stack.json'), 'utf8')) as { foldMean: { balancedAccuracy: number } }).foldMean.balancedAccuracy;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'workflows-recipe-groups-'));
  await generateDemoData({ outDir: join(root, 'demo'), n: 120, seed: 11, testN: 0 });
  config = {
    seed: 3,
    inputs: { signal: { file: join(root, 'demo', 'X_train.h5') }, labels: { file: join(root, 'demo', 'y_train.csv') } },
    baseModels: [{ kind: 'hgb', view: 'dwt', args: { maxIter: 5, maxLeafNodes: 4, minSamplesLeaf: 5 } }],
    cv: { splits: 2 },
  };
  baseRun = join(root, 'runs', 'base');
  await trainRun(config, { runDir: baseRun, executor: sequentialExecutor });
}, 300_000);

describe('recipe feature groups', () => {
  it('name every column by meta, decomposition, band, window and statistic (checked against the column names)', async () => {
    const run = await openRun(baseRun);
    const recipe = parseRecipe(run.manifest.views.dwt!.recipe);
    const names = featureNames(recipe);
    const groups = recipeFeatureGroups(recipe);
    const meta = recipe.params.metaNames.filter((n) => !recipe.params.dropMeta.includes(n));
    expect(groups.meta).toEqual(meta);
    expect(groups.haar).toEqual(names.filter((n) => /^haar_/.test(n)));
    expect(groups.db4).toEqual(names.filter((n) => /^db4_[ad]\d/.test(n)));
    expect(groups.windowed).toEqual(names.filter((n) => /^db4_w\d+_/.test(n)));
    expect(groups.db4_d3).toEqual(['mean', 'std', 'mav', 'logenergy', 'maxabs', 'relenergy', 'entropy'].map((s) => `db4_d3_${s}`));
    expect(groups.windowed_w2).toEqual(['a3', 'd3', 'd2', 'd1'].map((b) => `db4_w2_${b}_logenergy`));
    expect(groups['stat:logenergy']).toEqual(names.filter((n) => n.endsWith('_logenergy')));
    // Each ablation level is a partition of the DWT columns (coarse and bands also of meta).
    for (const level of ['coarse', 'bands'] as const) {
      const cols = Object.values(recipeAblationGroups(recipe, level)).flat();
      expect([...cols].sort()).toEqual([...names].sort());
    }
    expect(Object.keys(recipeAblationGroups(recipe, 'coarse'))).toEqual(['meta', 'haar', 'db4', 'windowed']);
    const stats = Object.values(recipeAblationGroups(recipe, 'stats')).flat();
    expect([...stats].sort()).toEqual(names.filter((n) => !meta.includes(n)).sort());
  });

  it('a run trained without a group keeps the reduced columns, predicts with them and retrains byte for byte', async () => {
    const dir = join(root, 'runs', 'no-haar');
    await trainRun({ ...config, features: { dropGroups: ['haar', 'stat:entropy'] } }, { runDir: dir, executor: sequentialExecutor });
    const run = await openRun(dir);
    const recipe = parseRecipe(run.manifest.views.dwt!.recipe);
    const expected = featureNames(recipe).filter((n) => !n.startsWith('haar_') && !n.endsWith('_entropy'));
    expect(run.manifest.views.dwt!.columns).toEqual(expected);
    expect(run.manifest.views.dwt!.droppedGroups).toEqual(['haar', 'stat:entropy']);
    // Retrain from the stored config: the same bytes.
    const again = join(root, 'runs', 'no-haar-again');
    await trainRun(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as TrainConfigInput, { runDir: again, executor: sequentialExecutor });
    expect(await differingRunFiles(dir, again)).toEqual([]);
    // Predict: the stored recipe's full features, reduced to the run's columns by name here, fed to the stack.
    const predicted = await predictRun({ runDir: dir, inputs: { signal: { file: join(root, 'demo', 'X_train.h5') } } });
    const full = join(root, 'full.arrow');
    await featurizeRun({ xH5: join(root, 'demo', 'X_train.h5'), out: full, recipeFile: join(dir, 'manifest.json'), workers: 0, idColumn: '' });
    const table = await readArrowTable(full);
    const at = expected.map((c) => table.columns.indexOf(c));
    expect(at.every((j) => j >= 0)).toBe(true);
    const reduced: Matrix = { rows: table.rows, cols: at.length, data: new Float32Array(table.rows * at.length) };
    for (let i = 0; i < table.rows; i++) for (let j = 0; j < at.length; j++) reduced.data[i * at.length + j] = table.matrix.data[i * table.cols + at[j]!]!;
    const stack = await run.loadStack();
    const proba = await stack.predictProba({ dwt: reduced });
    stack.dispose();
    expect(Array.from(predicted.proba.data)).toEqual(Array.from(proba.data));
  }, 300_000);

  it('an unknown group is refused naming the field and the groups there are', async () => {
    await expect(trainRun({ ...config, features: { dropGroups: ['haar', 'wavelets'] } }, { runDir: join(root, 'runs', 'bad'), executor: sequentialExecutor })).rejects.toMatchObject({
      code: 'E_USAGE',
      field: 'features.dropGroups[1]',
      hint: expect.stringContaining('meta, haar, haar_a6'),
    });
  }, 120_000);
});

describe('ablationStudy over recipe groups', () => {
  it('leave-one-out over meta, haar, db4, windowed: children drop exactly their group; deltas = stored child − base scores', async () => {
    const result = await ablationStudy({ baseRun, recipeGroups: 'coarse', modes: ['leave-one-out'], studyId: 'rg' }, { executor: sequentialExecutor });
    expect(result.source).toBe('recipe');
    expect(result.rows.map((r) => r.runId)).toEqual(['rg_drop-meta', 'rg_drop-haar', 'rg_drop-db4', 'rg_drop-windowed']);
    const base = await storedScore(baseRun);
    const baseColumns = (await openRun(baseRun)).manifest.views.dwt!.columns;
    const pattern: Record<string, (c: string) => boolean> = {
      meta: (c) => !/^(haar|db4)_/.test(c),
      haar: (c) => c.startsWith('haar_'),
      db4: (c) => /^db4_[ad]\d/.test(c),
      windowed: (c) => /^db4_w\d/.test(c),
    };
    for (const row of result.rows) {
      expect(row.delta).toBe((await storedScore(join(root, 'runs', row.runId))) - base);
      const child = await openRun(join(root, 'runs', row.runId));
      expect(child.manifest.views.dwt!.columns).toEqual(baseColumns.filter((c) => !pattern[row.group]!(c)));
      expect(row.nFeatures).toBe(child.manifest.views.dwt!.columns.length);
    }
  }, 600_000);
});
