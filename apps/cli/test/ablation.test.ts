import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { run } from './helpers.js';

const dwtColumns = async (dir: string): Promise<string[]> =>
  (JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { views: { dwt: { columns: string[] } } }).views.dwt.columns;

describe('pipeline ablation --groups recipe…', () => {
  it('leaves wavelet-recipe groups out one at a time; an unknown group exits 2 naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-ablation-'));
    await generateDemoData({ outDir: join(dir, 'demo'), n: 100, seed: 8, testN: 0 });
    const base = join(dir, 'runs', 'base');
    const trained = await run(['train', '--x-h5', join(dir, 'demo', 'X_train.h5'), '--y-csv', join(dir, 'demo', 'y_train.csv'), '--hgb-fe', '--hgb-max-iter', '5', '--splits', '2', '--no-refit-final', '--run-dir', base, '--quiet', '--workers', '1']);
    expect(trained.code).toBe(0);
    const result = await run(['ablation', '--base-run', base, '--groups', 'recipe:haar,windowed', '--mode', 'leave-one-out', '--study-id', 'ab', '--json', '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { source: string; rows: { group: string; runId: string }[] };
    expect(doc.source).toBe('recipe');
    expect(doc.rows.map((r) => [r.group, r.runId])).toEqual([['haar', 'ab_drop-haar'], ['windowed', 'ab_drop-windowed']]);
    const all = await dwtColumns(base);
    expect(await dwtColumns(join(dir, 'runs', 'ab_drop-haar'))).toEqual(all.filter((c) => !c.startsWith('haar_')));
    expect(await dwtColumns(join(dir, 'runs', 'ab_drop-windowed'))).toEqual(all.filter((c) => !/^db4_w\d/.test(c)));
    const bad = await run(['ablation', '--base-run', base, '--groups', 'recipe:wavelets', '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'wavelets' is not a feature group of the base run's wavelet recipe");
  }, 180_000);
});
