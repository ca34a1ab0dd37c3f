import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { run } from './helpers.js';

describe('pipeline cv-batch', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'cli-cv-batch-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('--demo writes a batch and runs it; --config reruns it with --subdbs, reusing unchanged results', async () => {
    const first = await run(['cv-batch', '--demo', 'demo', '--methods', 'hgb', '--quiet'], { cwd });
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toMatch(/subdb1 +hgb +2 /);
    expect(first.stdout).toMatch(/subdb3 +hgb +2 .* new/);
    const index = JSON.parse(readFileSync(join(cwd, 'demo', 'outputs', 'index.json'), 'utf8')) as { subdbs: Record<string, unknown> };
    expect(Object.keys(index.subdbs)).toEqual(['subdb1', 'subdb2', 'subdb3']);

    const again = await run(['cv-batch', '--config', 'demo/batch.yaml', '--methods', 'hgb', '--subdbs', '1', '3', '--json', '--quiet'], { cwd });
    expect(again.code).toBe(0);
    const document = JSON.parse(again.stdout) as { subdbs: Array<{ subdb: number; rebuilt: boolean; summaries: { hgb: { reused: boolean } } }> };
    expect(document.subdbs.map((s) => [s.subdb, s.rebuilt, s.summaries.hgb.reused])).toEqual([
      [1, false, true],
      [3, false, true],
    ]);
  });

  it('exit codes: a leak is bad input (3), a missing config is not found (4), flags are usage (2)', async () => {
    appendFileSync(join(cwd, 'demo', 'splits', 'subdb2_train_demo.csv'), '1,P07,train\n');
    const leak = await run(['cv-batch', '--config', 'demo/batch.yaml', '--methods', 'hgb', '--subdbs', '2'], { cwd });
    expect(leak.code).toBe(3);
    expect(leak.stderr).toMatch(/leak: patient P07 is in train \(subdb2_train_demo\.csv/);
    expect((await run(['cv-batch', '--config', 'nope.yaml'], { cwd })).code).toBe(4);
    expect((await run(['cv-batch'], { cwd })).code).toBe(2);
    expect((await run(['cv-batch', '--config', 'demo/batch.yaml', '--subdbs', 'x'], { cwd })).code).toBe(2);
    expect((await run(['cv-batch', '--config', 'demo/batch.yaml', '--subdbs', '9'], { cwd })).code).toBe(2);
  });
});
