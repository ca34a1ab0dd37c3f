import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { sequentialExecutor } from '@pipeline/model-selection';
import { openRun, readTracking } from '@pipeline/runs';
import { ablationStudy, listStudies, seedStudy, trainRun, type TrainConfigInput } from '@pipeline/workflows';

let root: string;
let runs: string;
let baseRun: string;
let columns: string[];

/** The stored fold mean of balanced accuracy of a run, read straight from its metrics file. */
async function storedScore(dir: string): Promise<number> {
  const m = JSON.parse(await readFile(join(dir, 'metrics', 'oof_stack.json'), 'utf8')) as { foldMean: { balancedAccuracy: number } };
  return m.foldMean.balancedAccuracy;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'workflows-studies-'));
  runs = join(root, 'runs');
  await generateDemoData({ outDir: join(root, 'demo'), n: 200, seed: 3, testN: 0 });
  const config: TrainConfigInput = {
    seed: 5,
    inputs: { table: { file: join(root, 'demo', 'X_train.csv') }, labels: { file: join(root, 'demo', 'y_train.csv') } },
    baseModels: [{ kind: 'hgb', args: { maxIter: 10, maxLeafNodes: 8 } }],
    cv: { splits: 2 },
    refitFinal: false,
  };
  baseRun = join(runs, 'base');
  await trainRun(config, { runDir: baseRun, executor: sequentialExecutor });
  columns = [...(await openRun(baseRun)).manifest.views.tabular!.columns];
}, 300_000);

describe('seedStudy', () => {
  it('retrains per seed; mean/std/range equal the numbers computed from the child runs; OOF averaged over seeds', async () => {
    const study = await seedStudy({ baseRun, seeds: [1, 2, 3], studyId: 'ss' }, { executor: sequentialExecutor });
    expect(study.children.map((c) => c.id)).toEqual(['ss_seed-1', 'ss_seed-2', 'ss_seed-3']);
    const scores = await Promise.all(study.children.map((c) => storedScore(join(runs, c.id))));
    const mean = (scores[0]! + scores[1]! + scores[2]!) / 3;
    const std = Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / 3);
    expect(study.mean).toBeCloseTo(mean, 12);
    expect(study.std).toBeCloseTo(std, 12);
    expect(study.range).toBeCloseTo(Math.max(...scores) - Math.min(...scores), 12);
    expect(study.warning !== undefined).toBe(std > 0.005);
    for (const c of study.children) {
      expect((await openRun(join(runs, c.id))).manifest.seed).toBe(c.seed);
      expect((await readTracking(join(runs, c.id))).study).toEqual({ id: 'ss', kind: 'seed-study', role: `seed:${c.seed}` });
    }
    // Row 0 of the seed-averaged OOF is the mean of the children's stack OOF for that id.
    const oofs = await Promise.all(study.children.map(async (c) => (await openRun(join(runs, c.id))).oof()));
    const csv = (await readFile(study.oofFile, 'utf8')).trim().split('\n');
    expect(csv.length - 1).toBe(200);
    const [id, , ...probas] = csv[1]!.split(',');
    const k = oofs[0]!.classNames.length;
    for (let c = 0; c < k; c++) {
      const expected = oofs.reduce((s, o) => s + o.stack.data[o.ids.indexOf(id!) * k + c]!, 0) / 3;
      expect(Number(probas[c])).toBeCloseTo(expected, 6);
    }
    expect((await listStudies(runs)).map((s) => s.id)).toContain('ss');
  }, 300_000);
});

describe('ablationStudy', () => {
  it('deltas equal the difference of the child runs\' stored scores; children drop exactly their group', async () => {
    const sig = columns.filter((c) => c.startsWith('sig_'));
    const meta = columns.filter((c) => !c.startsWith('sig_')).slice(0, 3);
    expect(sig.length).toBeGreaterThan(1);
    const result = await ablationStudy({ baseRun, groups: { signal: sig, meta }, studyId: 'ab' }, { executor: sequentialExecutor });
    const base = await storedScore(baseRun);
    expect(result.baseScore).toBe(base);
    expect(result.rows.map((r) => [r.mode, r.group, r.runId])).toEqual([
      ['leave-one-out', 'signal', 'ab_drop-signal'],
      ['leave-one-out', 'meta', 'ab_drop-meta'],
      ['additive', 'signal', 'ab_add-signal'],
      ['additive', 'meta', 'ab_add-meta'],
    ]);
    const setScore = await storedScore(join(runs, 'ab_base-set'));
    for (const row of result.rows) {
      const child = await storedScore(join(runs, row.runId));
      expect(row.delta).toBe(child - (row.mode === 'leave-one-out' ? base : setScore));
    }
    const cols = async (id: string) => (await openRun(join(runs, id))).manifest.views.tabular!.columns;
    expect(await cols('ab_drop-signal')).toEqual(columns.filter((c) => !sig.includes(c)));
    const rest = columns.filter((c) => !sig.includes(c) && !meta.includes(c));
    expect(await cols('ab_base-set')).toEqual(rest);
    expect(await cols('ab_add-meta')).toEqual(columns.filter((c) => rest.includes(c) || meta.includes(c)));
    await expect(ablationStudy({ baseRun, groups: { bad: ['no_such_column'] } })).rejects.toThrow("feature group 'bad' names columns the base run does not use: no_such_column");
  }, 300_000);
});
