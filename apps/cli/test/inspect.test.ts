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

  it('checks a CSV in full like train: a ragged line 3 exits 3 naming the file, the line and the column', async () => {
    writeFileSync(join(cwd, 'ragged.csv'), 'id,a,b\n1,0.5,2\n2,0.25\n3,1,1\n');
    const result = await run(['inspect', 'ragged.csv'], { cwd });
    expect([result.code, result.stdout]).toEqual([3, '']);
    expect(result.stderr).toBe(
      `error: ${join(cwd, 'ragged.csv')}, field 'b': line 3 has 2 fields but the header has 3 ` +
        '(every row needs one value per header column (write an empty cell for a missing value))\n',
    );
    const json = await run(['inspect', 'ragged.csv', '--json'], { cwd });
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'E_INPUT', message: expect.stringContaining('line 3 has 2 fields but the header has 3'), exitCode: 3 },
    });
    // The same file through train's reader gives the same message (one scanner).
    const train = await run(['train', '--x-csv', 'ragged.csv', '--y-csv', 'demo/y_train.csv', '--run-dir', 'r1'], { cwd });
    expect(train.code).toBe(3);
    expect(train.stderr).toContain(`${join(cwd, 'ragged.csv')}, field 'b': line 3 has 2 fields but the header has 3`);
  });

  it('a non-numeric cell far past the first rows: categorical (inferred, as train), or exit 3 naming the file, the line and the column under --numeric-cols', async () => {
    const lines = ['id,a,b'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},${i / 4},${i % 7}`);
    lines[2500] = '2499,1.5,abc';
    writeFileSync(join(cwd, 'text.csv'), `${lines.join('\n')}\n`);
    const inferred = await run(['inspect', 'text.csv'], { cwd });
    expect(inferred.code).toBe(0);
    expect(inferred.stdout).toMatch(/\n  id +integer\n  a +float\n  b +categorical \(8 categories\)/);
    const result = await run(['inspect', 'text.csv', '--numeric-cols', 'b'], { cwd });
    expect([result.code, result.stdout]).toEqual([3, '']);
    expect(result.stderr).toMatch(
      new RegExp(`^error: ${join(cwd, 'text.csv').replace(/[.\\/]/g, '\\$&')}, field 'b': line 2501, column 'b': "abc" is not a number \\(`),
    );
    // Fixed, the file prints its shape with the types of every row.
    lines[2500] = '2499,1.5,3';
    writeFileSync(join(cwd, 'text.csv'), `${lines.join('\n')}\n`);
    const fixed = await run(['inspect', 'text.csv'], { cwd });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/CSV, [\d.]+ kB, 3000 rows × 3 columns/);
    expect(fixed.stdout).toMatch(/\n  id +integer\n  a +float\n  b +integer/);
  });

  it('a text column is categorical unless --id-col names it the id column, as in train', async () => {
    writeFileSync(join(cwd, 'named.csv'), 'key,x\nk1,1\nk2,2.5\n');
    const plain = await run(['inspect', 'named.csv', '--json'], { cwd });
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ rows: 2, columns: [{ name: 'key', type: 'categorical', categories: 2, missing: 0 }, { name: 'x', type: 'float' }] });
    const strict = await run(['inspect', 'named.csv', '--numeric-cols', 'key'], { cwd });
    expect(strict.code).toBe(3);
    expect(strict.stderr).toContain(`line 2, column 'key': "k1" is not a number`);
    const named = await run(['inspect', 'named.csv', '--id-col', 'key', '--json'], { cwd });
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ rows: 2, columns: [{ name: 'key', type: 'text' }, { name: 'x', type: 'float' }] });
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

describe('inspect an EDF+ file', () => {
  it('shows the header, channels and annotations, and one JSON document with --json', async () => {
    const { writeEdf } = await import('@pipeline/eeg');
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'inspect-edf-'));
    const file = join(dir, 'rec.edf');
    const rate = 8;
    const samples = Float64Array.from({ length: rate * 4 }, (_, i) => Math.round(100 * Math.sin(i / 3)));
    await writeEdf(file, {
      signals: [
        { label: 'EEG Fp1-REF', sampleRate: rate, physicalMin: -200, physicalMax: 200, unit: 'uV', data: samples },
        { label: 'EEG Cz-REF', sampleRate: rate, physicalMin: -200, physicalMax: 200, unit: 'uV', data: samples },
      ],
      recordDurationSec: 1,
      annotations: [{ onset: 1.5, duration: 2, text: 'sz' }],
    });
    const result = await run(['inspect', file, '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.channels.map((c: { label: string }) => c.label)).toEqual(['EEG Fp1-REF', 'EEG Cz-REF']);
    expect(doc.channels[0].sampleRate).toBe(8);
    expect(doc.durationSec).toBe(4);
    expect(doc.annotations).toEqual([expect.objectContaining({ onset: 1.5, duration: 2 })]);
    const text = await run(['inspect', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('EEG Fp1-REF');
  });
});
