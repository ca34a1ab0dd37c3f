import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import {
  RUN_INDEX_FILE,
  buildRunIndex,
  compareRuns,
  diffRuns,
  findRun,
  exportRunOof,
  openRun,
  loadRuns,
  groupBySeed,
  parseRunFilter,
  bestRun,
  restoreRun,
  runDeltas,
  sortRuns,
  trashRun,
  updateTracking,
  handConfig,
  writeSyntheticRun,
} from '@pipeline/runs';

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'runs-tracking-'));
}

describe('compareRuns', () => {
  it('shows exactly the params that differ between hand-made configs, with metric deltas vs the baseline', async () => {
    const root = await tempRoot();
    await writeSyntheticRun(join(root, 'r1'), { config: handConfig(), scores: { balancedAccuracy: [0.8, 0.7, 0.75] }, createdAt: '2026-01-01T00:00:00Z' });
    await writeSyntheticRun(join(root, 'r2'), { config: handConfig({ maxIter: 200, splits: 3 }), scores: { balancedAccuracy: [0.9, 0.8, 0.85] }, createdAt: '2026-01-02T00:00:00Z' });
    await writeSyntheticRun(join(root, 'r3'), { config: handConfig({ strategy: 'class-weights-auto' }), scores: { balancedAccuracy: [0.6, 0.6, 0.6] }, createdAt: '2026-01-03T00:00:00Z' });
    const index = await buildRunIndex(root);
    expect(index.map((e) => e.id)).toEqual(['r1', 'r2', 'r3']);
    const cmp = compareRuns(index);
    expect(cmp.params.map((p) => [p.path, p.values])).toEqual([
      ['baseModels.0.args.maxIter', [100, 200, 100]],
      ['cv.splits', [5, 3, 5]],
      ['imbalance.strategy', ['none', 'none', 'class-weights-auto']],
    ]);
    const ba = cmp.metrics.find((m) => m.metric === 'balancedAccuracy')!;
    expect(ba.deltas[0]).toBe(0);
    expect(ba.deltas[1]).toBeCloseTo(0.85 - 0.75, 12);
    expect(ba.deltas[2]).toBeCloseTo(0.6 - 0.75, 12);
    // Against another baseline; --all lists every param (the 3 differing ones included, flagged).
    const vs3 = compareRuns(index, { baseline: 'r3', all: true });
    expect(vs3.metrics.find((m) => m.metric === 'balancedAccuracy')!.deltas[0]).toBeCloseTo(0.15, 12);
    expect(vs3.params.length).toBe(12);
    expect(vs3.params.filter((p) => p.differs).map((p) => p.path)).toEqual(['baseModels.0.args.maxIter', 'cv.splits', 'imbalance.strategy']);
  });

  it('refuses runs of different label sets or tasks with a message naming both', async () => {
    const root = await tempRoot();
    await writeSyntheticRun(join(root, 'three'), { config: handConfig(), scores: { balancedAccuracy: [0.8, 0.7] }, createdAt: '2026-01-01T00:00:00Z' });
    await writeSyntheticRun(join(root, 'two'), { config: handConfig(), scores: { balancedAccuracy: [0.8, 0.7] }, createdAt: '2026-01-02T00:00:00Z', classes: ['a', 'b'] });
    await writeSyntheticRun(join(root, 'other'), { config: handConfig(), scores: { balancedAccuracy: [0.8, 0.7] }, createdAt: '2026-01-03T00:00:00Z', classes: ['a', 'b', 'z'] });
    const index = await buildRunIndex(root);
    const [three, two, other] = ['three', 'two', 'other'].map((id) => findRun(index, id, root));
    expect(() => compareRuns([three!, two!])).toThrow("runs 'three' and 'two' have different tasks (3-class vs binary): classes [a,b,c] vs [a,b]; their scores are not comparable");
    expect(() => compareRuns([three!, other!])).toThrow("runs 'three' and 'other' have different label sets: classes [a,b,c] vs [a,b,z]");
    await expect(diffRuns(three!, two!)).rejects.toThrow('different tasks');
  });
});

describe('diffRuns', () => {
  it('lists changed params, added/removed features and per-fold deltas', async () => {
    const root = await tempRoot();
    await writeSyntheticRun(join(root, 'a'), { config: handConfig(), scores: { balancedAccuracy: [0.5, 0.6, 0.7] }, createdAt: '2026-01-01T00:00:00Z', columns: ['f1', 'f2', 'f3'] });
    await writeSyntheticRun(join(root, 'b'), { config: handConfig({ maxIter: 50 }), scores: { balancedAccuracy: [0.55, 0.58, 0.8] }, createdAt: '2026-01-02T00:00:00Z', columns: ['f2', 'f3', 'f4'] });
    const index = await buildRunIndex(root);
    const d = await diffRuns(index[0]!, index[1]!);
    expect(d.params).toEqual([{ path: 'baseModels.0.args.maxIter', a: 100, b: 50 }]);
    expect(d.featuresAdded).toEqual(['tabular:f4']);
    expect(d.featuresRemoved).toEqual(['tabular:f1']);
    const ba = d.metrics.find((m) => m.metric === 'balancedAccuracy')!;
    expect(ba.foldDeltas.map((x) => Number(x.toFixed(10)))).toEqual([0.05, -0.02, 0.1]);
    expect(ba.change).toBeCloseTo((0.55 + 0.58 + 0.8) / 3 - 0.6, 12);
  });
});

describe('groupBySeed', () => {
  it('groups runs differing only in the seed; statistics equal independently computed numbers', async () => {
    const root = await tempRoot();
    const folds = [
      [0.8, 0.82, 0.78],
      [0.7, 0.74, 0.72],
      [0.9, 0.88, 0.86],
    ];
    for (const [k, f] of folds.entries()) {
      await writeSyntheticRun(join(root, `s${k}`), { config: { ...handConfig({ seed: 10 + k }), name: `seed ${k}`, tags: [`t${k}`] }, scores: { balancedAccuracy: f }, createdAt: `2026-01-0${k + 1}T00:00:00Z` });
    }
    await writeSyntheticRun(join(root, 'other'), { config: handConfig({ maxIter: 7 }), scores: { balancedAccuracy: [0.5, 0.5, 0.5] }, createdAt: '2026-01-09T00:00:00Z' });
    const groups = groupBySeed(await buildRunIndex(root));
    expect(groups.map((g) => g.ids)).toEqual([['s0', 's1', 's2'], ['other']]);
    const g = groups[0]!;
    expect(g.seeds).toEqual([10, 11, 12]);
    // Fold means 0.8, 0.72, 0.88: mean 0.8, population std sqrt(((0)^2 + 0.08^2 + 0.08^2) / 3).
    expect(g.means.map((m) => Number(m.toFixed(12)))).toEqual([0.8, 0.72, 0.88]);
    expect(g.mean).toBeCloseTo(0.8, 12);
    expect(g.std).toBeCloseTo(Math.sqrt((2 * 0.0064) / 3), 12);
    expect([g.min, g.max].map((x) => Number(x.toFixed(12)))).toEqual([0.72, 0.88]);
  });
});

describe('parseRunFilter', () => {
  it('filters on scores, tags, models, config paths with and/or/not and parentheses', async () => {
    const root = await tempRoot();
    await writeSyntheticRun(join(root, 'x1'), { config: handConfig(), scores: { balancedAccuracy: [0.8, 0.8] }, createdAt: '2026-01-01T00:00:00Z' });
    await writeSyntheticRun(join(root, 'x2'), { config: handConfig({ splits: 3 }), scores: { balancedAccuracy: [0.6, 0.6] }, createdAt: '2026-01-02T00:00:00Z' });
    await writeSyntheticRun(join(root, 'x3'), { config: handConfig(), scores: { balancedAccuracy: [0.7, 0.7] }, createdAt: '2026-01-03T00:00:00Z', status: 'running' });
    await updateTracking(join(root, 'x2'), { addTags: ['baseline'], lb: 0.65 });
    const index = await buildRunIndex(root);
    const ids = (expr: string): string[] => index.filter(parseRunFilter(expr)).map((e) => e.id);
    expect(ids('cv > 0.7')).toEqual(['x1']);
    expect(ids('cv >= 0.6 and tag = baseline')).toEqual(['x2']);
    expect(ids('not status = completed')).toEqual(['x3']);
    expect(ids('(config.cv.splits = 3 || cv > 0.75) && model = hgb')).toEqual(['x1', 'x2']);
    expect(ids('lb < 0.7')).toEqual(['x2']);
    expect(ids("id ~ 'X'")).toEqual(['x1', 'x2', 'x3']);
    expect(sortRuns(index, '-cv').map((e) => e.id)).toEqual(['x1', 'x2', 'x3']);
  });

  it('names the position of a syntax error', () => {
    expect(() => parseRunFilter('cv > ')).toThrow("--filter syntax error at position 6: expected a value after '>', found the end of the expression");
    expect(() => parseRunFilter('cv > 0.8 and')).toThrow('position 13: expected a field name');
    expect(() => parseRunFilter('(cv > 1')).toThrow("position 8: expected ')' to close the '(' at position 1");
    expect(() => parseRunFilter('cv 0.8')).toThrow("position 4: expected an operator (= != < <= > >= ~) after 'cv', found '0.8'");
    expect(() => parseRunFilter("name = 'abc")).toThrow('position 8: the quote is never closed');
    expect(() => parseRunFilter('cv > 1 cv')).toThrow("position 8: unexpected 'cv'");
  });
});

describe('buildRunIndex', () => {
  it('is a cache rebuilt when a run folder changes; running runs never show as completed', async () => {
    const root = await tempRoot();
    await writeSyntheticRun(join(root, 'a'), { config: handConfig(), scores: { balancedAccuracy: [0.8] }, createdAt: '2026-01-01T00:00:00Z' });
    await writeSyntheticRun(join(root, 'b'), { config: handConfig(), scores: { balancedAccuracy: [0.7] }, createdAt: '2026-01-02T00:00:00Z', status: 'running' });
    let index = await buildRunIndex(root);
    expect(index.map((e) => [e.id, e.status, e.cv.balancedAccuracy?.mean])).toEqual([
      ['a', 'completed', 0.8],
      ['b', 'running', undefined],
    ]);
    const cache = JSON.parse(await readFile(join(root, RUN_INDEX_FILE), 'utf8')) as { entries: Record<string, unknown> };
    expect(Object.keys(cache.entries)).toEqual(['a']);
    // The run finishes, and is tagged: the next listing sees both.
    await writeSyntheticRun(join(root, 'b'), { config: handConfig(), scores: { balancedAccuracy: [0.7] }, createdAt: '2026-01-02T00:00:00Z' });
    await updateTracking(join(root, 'a'), { addTags: ['x'], note: 'first', name: 'alpha' });
    index = await buildRunIndex(root);
    expect(index.map((e) => [e.id, e.status, e.name, e.tags, e.notes])).toEqual([
      ['a', 'completed', 'alpha', ['x'], ['first']],
      ['b', 'completed', undefined, [], []],
    ]);
    // A damaged cache is rebuilt from the folders; temporary files never stay behind.
    await writeFile(join(root, RUN_INDEX_FILE), '{"version":1,"entr');
    expect((await buildRunIndex(root)).map((e) => e.id)).toEqual(['a', 'b']);
    expect((await readdir(root)).sort()).toEqual([RUN_INDEX_FILE, 'a', 'b']);
  });

  it('unknown ids are E_NOT_FOUND naming the id and the root; rm goes to the trash and restore brings it back', async () => {
    const root = await tempRoot();
    await writeSyntheticRun(join(root, '2026-01-01-run'), { config: handConfig(), scores: { balancedAccuracy: [0.8] }, createdAt: '2026-01-01T00:00:00Z' });
    const index = await buildRunIndex(root);
    expect(findRun(index, '2026-01', root).id).toBe('2026-01-01-run');
    expect((await loadRuns(root, ['2026-01-01-run', '2026-01'])).map((e) => [e.id, e.cv.balancedAccuracy?.mean])).toEqual([
      ['2026-01-01-run', 0.8],
      ['2026-01-01-run', 0.8],
    ]);
    await expect(loadRuns(root, ['2026-01-01-run', 'nope'])).rejects.toThrow(`no run 'nope' under ${root}`);
    expect(() => findRun(index, 'nope', root)).toThrow(`no run 'nope' under ${root}`);
    await trashRun(root, '2026-01-01-run');
    expect(await buildRunIndex(root)).toEqual([]);
    await restoreRun(root, '2026-01-01-run');
    expect((await buildRunIndex(root)).map((e) => e.id)).toEqual(['2026-01-01-run']);
    await expect(restoreRun(root, '2026-01-01-run')).rejects.toThrow(`no run '2026-01-01-run' in the trash of ${root}`);
  });

  it('gives a run its delta against the previous and the best earlier run', async () => {
    const root = await tempRoot();
    await writeSyntheticRun(join(root, 'p1'), { config: handConfig(), scores: { balancedAccuracy: [0.9] }, createdAt: '2026-01-01T00:00:00Z' });
    await writeSyntheticRun(join(root, 'p2'), { config: handConfig(), scores: { balancedAccuracy: [0.7] }, createdAt: '2026-01-02T00:00:00Z' });
    await writeSyntheticRun(join(root, 'p3'), { config: handConfig(), scores: { balancedAccuracy: [0.8] }, createdAt: '2026-01-03T00:00:00Z' });
    const index = await buildRunIndex(root);
    const d = runDeltas(index, 'p3')!;
    expect(d.previous!.id).toBe('p2');
    expect(d.previous!.delta).toBeCloseTo(0.1, 12);
    expect(d.best!.id).toBe('p1');
    expect(d.best!.delta).toBeCloseTo(-0.1, 12);
    expect(bestRun(index, 'logLoss')!.id).toBe('p1');
    expect(runDeltas(index, 'p1')).toEqual({ metric: 'balancedAccuracy', score: 0.9 });
  });
});

describe('exportRunOof', () => {
  it('writes the stack OOF as CSV, npy and Arrow with the values of the run; refuses to overwrite', async () => {
    const v1 = fileURLToPath(new URL('./fixtures/run-v1', import.meta.url));
    const run = await openRun(v1);
    const oof = await run.oof();
    const k = oof.classNames.length;
    const dir = await tempRoot();
    const csv = join(dir, 'oof.csv');
    expect(await exportRunOof(run, csv, 'csv')).toEqual({ rows: oof.stack.rows, cols: k });
    const lines = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe(['id', 'label', 'fold', ...oof.classNames.map((c) => `proba_${c}`)].join(','));
    expect(lines.length - 1).toBe(oof.stack.rows);
    const cells = lines[5]!.split(',');
    expect(cells.slice(0, 3)).toEqual([oof.ids[4], oof.classNames[oof.labels[4]!], String(oof.foldOf[4])]);
    for (let c = 0; c < k; c++) expect(Math.fround(Number(cells[3 + c]))).toBe(oof.stack.data[4 * k + c]);
    const npy = join(dir, 'oof.npy');
    await exportRunOof(run, npy, 'npy');
    const bytes = await readFile(npy);
    const headerLength = bytes.readUInt16LE(8);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect(bytes.toString('latin1', 10, 10 + headerLength)).toContain(`'descr': '<f4', 'fortran_order': False, 'shape': (${oof.stack.rows}, ${k}), }`);
    expect((10 + headerLength) % 64).toBe(0);
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length));
    expect(Array.from(values)).toEqual(Array.from(oof.stack.data));
    const arrow = join(dir, 'oof.arrow');
    await exportRunOof(run, arrow, 'arrow');
    expect(new Uint8Array(await readFile(arrow))).toEqual(new Uint8Array(await readFile(join(v1, 'oof', 'meta_oof.arrow'))));
    await expect(exportRunOof(run, csv, 'csv')).rejects.toThrow('the export file already exists');
  });
});
