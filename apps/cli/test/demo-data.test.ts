import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { sha256 } from '@pipeline/core';
import { generateDemoData } from '@pipeline/ingest';
import { run } from './helpers.js';

describe('pipeline demo-data', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'cli-demo-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('writes the demo files with seed 7 by default (byte-identical to generateDemoData)', async () => {
    const result = await run(['demo-data', '--out', 'demo', '--n', '20', '--quiet'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`demo data in ${join(cwd, 'demo')} (seed 7, 20 train + 4 test rows)`);
    expect(result.stdout).toMatch(/X_train\.h5 +0\.1 MB/);
    expect(result.stdout).toContain('11 meta columns (id, subject, session, channel, fold, subset, age, sex, sfreq, start_time, quality)');
    const reference = await generateDemoData({ outDir: join(cwd, 'reference'), n: 20, seed: 7 });
    for (const file of reference.files) expect([file.name, sha256(readFileSync(join(cwd, 'demo', file.name)))]).toEqual([file.name, file.sha256]);
  });

  it('--json prints one document; --seed changes the data; existing files exit 2 without --overwrite', async () => {
    const first = await run(['demo-data', '--out', 'other', '--n', '12', '--test-n', '0', '--seed', '3', '--json'], { cwd });
    expect(first.code).toBe(0);
    const document = JSON.parse(first.stdout) as { seed: number; n: number; testN: number; files: Array<{ name: string }>; classes: string[] };
    expect([document.seed, document.n, document.testN, document.files.map((f) => f.name), document.classes]).toEqual([
      3,
      12,
      0,
      ['X_train.h5', 'y_train.csv', 'X_train.csv'],
      ['normal', 'slowing', 'spike-wave'],
    ]);
    const again = await run(['demo-data', '--out', 'other', '--n', '12', '--test-n', '0', '--seed', '3'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/X_train\.h5: output file already exists \(choose another path or pass overwrite \(--overwrite\)/);
    const replaced = await run(['demo-data', '--out', 'other', '--n', '12', '--test-n', '0', '--overwrite', '--quiet'], { cwd });
    expect(replaced.code).toBe(0);
    const bad = await run(['demo-data', '--out', 'x', '--n', '3'], { cwd });
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/n must be an integer ≥ 10, got 3/)]);
  });
});
