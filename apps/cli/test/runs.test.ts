import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { generateDemoData, readArrowTable } from '@pipeline/ingest';
import { handConfig, writeSyntheticRun } from '@pipeline/runs';
import { run } from './helpers.js';

async function root(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-runs-'));
  await writeSyntheticRun(join(dir, 'r1'), { config: handConfig({ seed: 1 }), scores: { balancedAccuracy: [0.8, 0.7] }, createdAt: '2026-01-01T00:00:00Z' });
  await writeSyntheticRun(join(dir, 'r2'), { config: handConfig({ seed: 2 }), scores: { balancedAccuracy: [0.9, 0.9] }, createdAt: '2026-01-02T00:00:00Z' });
  await writeSyntheticRun(join(dir, 'r3'), { config: handConfig({ seed: 1, maxIter: 30 }), scores: { balancedAccuracy: [0.6, 0.6] }, createdAt: '2026-01-03T00:00:00Z' });
  await writeSyntheticRun(join(dir, 'binary'), { config: handConfig(), scores: { balancedAccuracy: [0.6, 0.6] }, createdAt: '2026-01-04T00:00:00Z', classes: ['no', 'yes'] });
  return dir;
}

describe('pipeline runs', () => {
  it('an unknown run id exits 4 naming the id and the root', async () => {
    const dir = await root();
    const r = await run(['runs', 'show', 'nope', '--runs-root', dir]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`no run 'nope' under ${dir}`);
  });

  it('a --filter syntax error exits 2 naming the position', async () => {
    const dir = await root();
    const r = await run(['runs', 'list', '--runs-root', dir, '--filter', 'cv > 0.5 and and']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--filter syntax error at position 14: expected a field name, found 'and'");
  });

  it('comparing runs of different tasks exits 3 with a clear message', async () => {
    const dir = await root();
    const r = await run(['runs', 'compare', 'r1', 'binary', '--runs-root', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("runs 'r1' and 'binary' have different tasks (3-class vs binary)");
  });

  it('compare --md shows only the differing params and the deltas', async () => {
    const dir = await root();
    const r = await run(['runs', 'compare', 'r1', 'r2', 'r3', '--runs-root', dir, '--md']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| param') && !l.startsWith('| metric') && !l.startsWith('| ---'));
    expect(rows.slice(0, 2)).toEqual(['| baseModels.0.args.maxIter | 100 | 100 | 30 |', '| seed | 1 | 2 | 1 |']);
    expect(r.stdout).toContain('| balancedAccuracy (higher is better) | 0.7500 ± 0.0500 | 0.9000 ± 0.0000 (+0.1500) | 0.6000 ± 0.0000 (-0.1500) |');
  });

  it('tag stores name, tags, note and LB in tracking.json; list filters and groups by seed', async () => {
    const dir = await root();
    expect((await run(['runs', 'tag', 'r2', '--runs-root', dir, '--lb', '0.85', '--tag', 'best', '--note', 'public LB'])).code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'r2', 'tracking.json'), 'utf8'))).toEqual({ tags: ['best'], notes: ['public LB'], lb: 0.85 });
    const listed = await run(['runs', 'list', '--runs-root', dir, '--filter', 'tag = best', '--json']);
    expect(JSON.parse(listed.stdout).map((e: { id: string; lb: number }) => [e.id, e.lb])).toEqual([['r2', 0.85]]);
    const groups = JSON.parse((await run(['runs', 'list', '--runs-root', dir, '--group-by-seed', '--json'])).stdout) as { ids: string[]; mean: number; std: number }[];
    expect(groups.map((g) => g.ids)).toEqual([['r1', 'r2'], ['r3'], ['binary']]);
    expect(groups[0]!.mean).toBeCloseTo((0.75 + 0.9) / 2, 12);
    expect(groups[0]!.std).toBeCloseTo(0.075, 12);
    const best = JSON.parse((await run(['runs', 'best', '--runs-root', dir, '--json'])).stdout) as { id: string };
    expect(best.id).toBe('r2');
  });

  it('--sort -cv (value with a leading dash) sorts like --sort=-cv and --sort cv:desc', async () => {
    const dir = await root();
    const ids = async (...sort: string[]) => {
      const r = await run(['runs', 'list', '--runs-root', dir, ...sort, '--json']);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as { id: string }[]).map((e) => e.id);
    };
    // CV means: r1 0.75, r2 0.9, r3 0.6, binary 0.6 (ties keep the creation order).
    expect(await ids('--sort', '-cv')).toEqual(['r2', 'r1', 'r3', 'binary']);
    expect(await ids('--sort=-cv')).toEqual(['r2', 'r1', 'r3', 'binary']);
    expect(await ids('--sort', 'cv:desc')).toEqual(['r2', 'r1', 'r3', 'binary']);
    expect(await ids('--sort', 'cv')).toEqual(['r3', 'binary', 'r1', 'r2']);
    expect(await ids('--sort', '-cv', '--limit', '2')).toEqual(['r2', 'r1']);
  });

  it('rm moves a run to the trash and restore brings it back', async () => {
    const dir = await root();
    expect((await run(['runs', 'rm', 'r3', '--runs-root', dir])).code).toBe(0);
    const ids = async () => (JSON.parse((await run(['runs', 'list', '--runs-root', dir, '--json'])).stdout) as { id: string }[]).map((e) => e.id);
    expect(await ids()).toEqual(['r1', 'r2', 'binary']);
    expect((await run(['runs', 'restore', 'r3', '--runs-root', dir])).code).toBe(0);
    expect(await ids()).toEqual(['r1', 'r2', 'r3', 'binary']);
  });
});

describe('pipeline runs report', () => {
  it('writes the markdown and HTML summary with a row for every run', async () => {
    const dir = await root();
    const out = join(dir, 'reports', 'summary.md');
    const r = await run(['runs', 'report', '--runs-root', dir, '--out', out]);
    expect(r.code).toBe(0);
    const md = await readFile(out, 'utf8');
    for (const id of ['r1', 'r2', 'r3', 'binary']) expect(md).toMatch(new RegExp(`^\\| ${id} \\|`, 'm'));
    expect(await readFile(join(dir, 'reports', 'summary.html'), 'utf8')).toContain('<tr><td>binary</td>');
    const again = await run(['runs', 'report', '--runs-root', dir, '--out', out]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('the report file already exists');
  });
});

describe('train deltas', () => {
  it('train prints its delta against the previous run and the best run of the root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-train-delta-'));
    await generateDemoData({ outDir: join(dir, 'demo'), n: 200, seed: 4, testN: 0 });
    const train = (name: string, seed: string) =>
      run(['train', '--x-csv', join(dir, 'demo', 'X_train.csv'), '--y-csv', join(dir, 'demo', 'y_train.csv'), '--hgb-max-iter', '10', '--splits', '2', '--no-refit-final', '--seed', seed, '--run-dir', join(dir, 'runs', name), '--quiet', '--workers', '1']);
    const first = await train('a', '1');
    expect(first.code).toBe(0);
    expect(first.stdout).not.toContain('vs the previous run');
    const second = await train('b', '2');
    expect(second.code).toBe(0);
    const score = async (id: string) => (JSON.parse(await readFile(join(dir, 'runs', id, 'metrics', 'oof_stack.json'), 'utf8')) as { foldMean: { balancedAccuracy: number } }).foldMean.balancedAccuracy;
    const [a, b] = [await score('a'), await score('b')];
    const delta = `${b - a >= 0 ? '+' : ''}${(b - a).toFixed(4)}`;
    expect(second.stdout).toContain(`balancedAccuracy ${b.toFixed(4)}: ${delta} vs the previous run a`);
    expect(second.stdout).toContain(`balancedAccuracy ${b.toFixed(4)}: ${delta} vs the best run a (${a.toFixed(4)})`);
  }, 120_000);
});

describe('runs export --what test', () => {
  it('exports the test predictions predict stored in the run (csv = predict\'s own CSV, npy and arrow = the stored file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-export-test-'));
    await generateDemoData({ outDir: join(dir, 'demo'), n: 150, seed: 6, testN: 40 });
    const runDir = join(dir, 'runs', 'r');
    const trained = await run(['train', '--x-csv', join(dir, 'demo', 'X_train.csv'), '--y-csv', join(dir, 'demo', 'y_train.csv'), '--hgb-max-iter', '5', '--splits', '2', '--run-dir', runDir, '--quiet', '--workers', '1']);
    expect(trained.code).toBe(0);
    const root = ['--runs-root', join(dir, 'runs')];
    const none = await run(['runs', 'export', 'r', '--what', 'test', ...root, '--out', join(dir, 'none.csv')]);
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('the run keeps no test predictions');
    const predicted = await run(['predict', '--run-dir', runDir, '--x-csv', join(dir, 'demo', 'X_test.csv'), '--out', join(dir, 'preds.csv'), '--store-in-run', 'test', '--quiet']);
    expect(predicted.code).toBe(0);
    const stored = join(runDir, 'predictions', 'test.arrow');
    const again = await run(['predict', '--run-dir', runDir, '--x-csv', join(dir, 'demo', 'X_test.csv'), '--store-in-run', 'test', '--quiet']);
    expect(again.code).toBe(3); // E_STATE: never overwritten silently
    expect(again.stderr).toContain("the run already holds predictions named 'test'");

    expect((await run(['runs', 'export', 'r', '--what', 'test', '--format', 'csv', ...root, '--out', join(dir, 't.csv')])).code).toBe(0);
    const exported = (await readFile(join(dir, 't.csv'), 'utf8')).trim().split('\n');
    const preds = (await readFile(join(dir, 'preds.csv'), 'utf8')).trim().split('\n');
    expect(exported.length).toBe(41);
    expect(exported[0]).toBe('id,proba_0,proba_1,proba_2');
    // Same ids and probabilities as predict's CSV (which has a pred column after the id).
    expect(exported.slice(1)).toEqual(preds.slice(1).map((line) => line.split(',').filter((_, j) => j !== 1).join(',')));

    expect((await run(['runs', 'export', 'r', '--what', 'test', '--format', 'npy', ...root, '--out', join(dir, 't.npy')])).code).toBe(0);
    const npy = await readFile(join(dir, 't.npy'));
    const headerLength = npy.readUInt16LE(8);
    expect(npy.subarray(10, 10 + headerLength).toString('latin1')).toContain("'descr': '<f4', 'fortran_order': False, 'shape': (40, 3)");
    const table = await readArrowTable(stored);
    const values = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + headerLength, npy.byteOffset + npy.length));
    expect(Array.from(values)).toEqual(Array.from(table.matrix.data));

    expect((await run(['runs', 'export', 'r', '--what', 'test', '--format', 'arrow', ...root, '--out', join(dir, 't.arrow')])).code).toBe(0);
    expect(Buffer.compare(await readFile(join(dir, 't.arrow')), await readFile(stored))).toBe(0);
    expect(table.ids).toEqual(preds.slice(1).map((line) => line.split(',')[0]));
  }, 120_000);
});
