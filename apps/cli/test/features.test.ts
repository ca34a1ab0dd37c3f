import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { matrix, type Matrix } from '@pipeline/core';
import { computeFeatures, dwtComboRecipe, featureNames } from '@pipeline/features';
import { readArrowTable, writeH5 } from '@pipeline/ingest';
import { run } from './helpers.js';

const META = ['id', 'subject', 'session', 'channel', 'fold', 'subset', 'age', 'sex', 'sfreq', 'start_time', 'quality'];
const ROWS = 40;
const COLS = 1261;
let dir: string;
let raw: Matrix;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-features-'));
  raw = matrix(ROWS, COLS);
  for (let r = 0; r < ROWS; r++) {
    for (let j = 0; j < 11; j++) raw.data[r * COLS + j] = j === 0 ? 1000 + r : r + j / 10;
    for (let t = 0; t < 1250; t++) raw.data[r * COLS + 11 + t] = 10 * Math.sin((2 * Math.PI * (3 + r) * t) / 250) + Math.cos(t * r);
  }
  await writeH5(join(dir, 'X.h5'), [{ key: 'features', value: raw, chunks: [16, COLS] }], { attrs: { meta_columns: META } });
  await writeH5(join(dir, 'plain.h5'), [{ key: 'features', value: raw }]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pipeline features', () => {
  it('writes the dwt-combo table with meta names from the file, ids as the id column and dropped meta left out', async () => {
    const out = join(dir, 'f.arrow');
    const result = await run(['features', '--x-h5', 'X.h5', '--out', 'f.arrow', '--drop-meta', 'fold,subset', '--workers', '2', '--chunk-size', '16', '--json'], {
      cwd: dir,
    });
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ out, rows: ROWS, features: 115, idColumn: 'id', workers: 2 });
    expect(summary.recipe).toEqual(dwtComboRecipe({ metaNames: META, dropMeta: ['fold', 'subset'] }));

    const recipe = dwtComboRecipe({ metaNames: META, dropMeta: ['fold', 'subset'] });
    const expected = computeFeatures(recipe, raw);
    const table = await readArrowTable(out);
    expect(table.ids).toEqual(Array.from({ length: ROWS }, (_, r) => String(1000 + r)));
    expect(table.columns).toEqual(featureNames(recipe).slice(1));
    for (let r = 0; r < ROWS; r++) {
      const row = Array.from(table.matrix.data.subarray(r * 115, (r + 1) * 115));
      expect(row).toEqual(Array.from(expected.data.subarray(r * 116 + 1, (r + 1) * 116)));
    }
  });

  it('rebuilds the features of a recipe file exactly (and refuses to overwrite without --overwrite)', async () => {
    const recipe = dwtComboRecipe({ decompositions: [{ wavelet: 'sym4', level: 4 }], windowed: null });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ features: { recipe } }));
    const argv = ['features', '--x-h5', 'plain.h5', '--out', 'g.arrow', '--recipe-file', 'manifest.json', '--workers', '0'];
    const first = await run(argv, { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${ROWS} rows × ${featureNames(recipe).length} features (dwt-combo v1)`);
    const table = await readArrowTable(join(dir, 'g.arrow'), { idColumn: false });
    expect(table.columns).toEqual(featureNames(recipe));
    expect(Buffer.from(table.matrix.data.buffer).equals(Buffer.from(computeFeatures(recipe, raw).data.buffer))).toBe(true);

    const again = await run(argv, { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--overwrite');
    expect((await run([...argv, '--overwrite'], { cwd: dir })).code).toBe(0);
  });

  it('maps bad input to the documented exit codes', async () => {
    const missing = await run(['features', '--x-h5', 'nope.h5', '--out', 'x.arrow'], { cwd: dir });
    expect(missing.code).toBe(4);
    const key = await run(['features', '--x-h5', 'X.h5', '--out', 'x.arrow', '--dataset', 'signals'], { cwd: dir });
    expect(key.code).toBe(4);
    expect(key.stderr).toContain("dataset 'signals' not found");
    const drop = await run(['features', '--x-h5', 'X.h5', '--out', 'x.arrow', '--drop-meta', 'patient'], { cwd: dir });
    expect(drop.code).toBe(2);
    expect(drop.stderr).toContain("dropMeta names 'patient'");
    const recipe = await run(['features', '--x-h5', 'X.h5', '--out', 'x.arrow', '--recipe', 'fft'], { cwd: dir });
    expect(recipe.code).toBe(2);
  });
});
