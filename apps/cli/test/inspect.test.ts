import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData, writeArrowTable } from '@pipeline/ingest';
import { run } from './helpers.js';

describe('pipeline inspect', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'cli-inspect-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  beforeAll(async () => {
    await generateDemoData({ outDir: join(cwd, 'demo'), n: 20, testN: 0, seed: 7 });
    await writeArrowTable(join(cwd, 'oof.arrow'), {
      columns: ['p0', 'p1'],
      ids: ['a', 'b'],
      matrix: { rows: 2, cols: 2, data: new Float32Array([0.25, 0.75, 0.5, 0.5]) },
      metadata: { classNames: '["x","y"]' },
    });
  });

  it('prints HDF5 datasets with shape, dtype, chunking and attributes', async () => {
    const result = await run(['inspect', 'demo/X_train.h5'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${join(cwd, 'demo', 'X_train.h5')}: HDF5, 109.6 kB, 1 datasets`);
    expect(result.stdout).toMatch(/features +20 × 1261 +float32 +20 × 1261 +-/);
    expect(result.stdout).toContain('n_meta = 11');
    expect(result.stdout).toContain('meta_columns = ["id","subject","session","channel","fold","subset","age","sex","sfreq","start_time","quality"]');
  });

  it('prints a label CSV with its distribution, and --json gives one document', async () => {
    const text = await run(['inspect', 'demo/y_train.csv'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('CSV, 0.1 kB, 20 rows × 2 columns'.replace('0.1 kB', text.stdout.match(/CSV, ([\d.]+ kB)/)![1]!));
    expect(text.stdout).toContain("label distribution ('label'):");
    const json = await run(['inspect', 'demo/y_train.csv', '--json'], { cwd });
    const document = JSON.parse(json.stdout) as { kind: string; rows: number; labels: { classes: Array<{ label: string; count: number }> } };
    expect([document.kind, document.rows]).toEqual(['csv', 20]);
    expect(document.labels.classes.reduce((a, c) => a + c.count, 0)).toBe(20);
    for (const c of document.labels.classes) expect(text.stdout).toMatch(new RegExp(`\\n  ${c.label} +${c.count} +`));
  });

  it('prints an Arrow table', async () => {
    const result = await run(['inspect', 'oof.arrow'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Arrow IPC, 1 record batch, .* 2 rows × 3 columns/);
    expect(result.stdout).toMatch(/p0 +Float32/);
    expect(result.stdout).toContain('classNames = ["x","y"]');
  });

  it('exits 4 for a missing file and 3 for a broken one', async () => {
    const missing = await run(['inspect', 'nope.h5'], { cwd });
    expect([missing.code, missing.stderr]).toEqual([4, expect.stringMatching(/nope\.h5: file not found/)]);
    writeFileSync(join(cwd, 'fake.h5'), 'a,b\n1,2\n');
    const fake = await run(['inspect', 'fake.h5', '--json'], { cwd });
    expect(fake.code).toBe(3);
    expect(JSON.parse(fake.stdout)).toEqual({ error: { code: 'E_INPUT', message: expect.stringMatching(/not an HDF5 file/), exitCode: 3 } });
  });
});
