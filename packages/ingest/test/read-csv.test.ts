import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { iterCsvBatches, readCsv, type CsvBatch } from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { bits, fixture } from './fixture-values.js';
import { tempDir, writeText } from './tmp-dir.js';

const f64 = (name: string) => {
  const bytes = readFileSync(fixture(name));
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
};
const f32 = (name: string) => {
  const bytes = readFileSync(fixture(name));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
};
const f64bits = (values: Float64Array) => new BigUint64Array(values.buffer, values.byteOffset, values.length);

async function collect(path: string, options: Parameters<typeof iterCsvBatches>[1]): Promise<CsvBatch[]> {
  const batches: CsvBatch[] = [];
  for await (const batch of iterCsvBatches(path, options)) batches.push(batch);
  return batches;
}

describe('readCsv against Python float() (gen_csv_fixtures.py)', () => {
  it('parses every textual form exactly as float64 (hard.csv: CRLF, exponents, >2^53 mantissas, NA strings, quotes)', async () => {
    const table = await readCsv(fixture('hard.csv'), { dtype: 'float64' });
    expect([table.rows, table.cols, table.idColumn]).toEqual([240, 8, 'id']);
    expect(table.columns).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']);
    expect(table.ids!.slice(0, 3)).toEqual(['r0000', 'r0001', 'r0002']);
    expect(table.ids!.at(-1)).toBe('r0239');
    const expected = f64('hard.f64');
    // NaN payloads are canonical in both, so compare bit patterns: -0, subnormals and infinities included.
    expect(f64bits(table.data)).toEqual(f64bits(Float64Array.from(expected, (v) => (Number.isNaN(v) ? Number.NaN : v))));
  });

  it('float32 output equals numpy astype(float32) of the same values', async () => {
    const table = await readCsv(fixture('hard.csv'));
    expect([table.matrix.rows, table.matrix.cols]).toEqual([240, 8]);
    expect(bits(table.matrix.data)).toEqual(bits(Float32Array.from(f32('hard.f32'), (v) => (Number.isNaN(v) ? Number.NaN : v))));
  });

  it('reads a pandas to_csv file bit-exactly and selects, reorders and drops columns', async () => {
    const all = await readCsv(fixture('pandas.csv'));
    const expected = f32('pandas.f32');
    expect(bits(all.matrix.data)).toEqual(bits(expected));
    expect(all.ids!.slice(0, 3)).toEqual(['1', '4', '7']);
    const picked = await readCsv(fixture('pandas.csv'), { columns: ['c5', 'c0'], dtype: 'float32' });
    expect(picked.columns).toEqual(['c5', 'c0']);
    expect(Array.from(picked.matrix.data.subarray(0, 4))).toEqual([expected[5], expected[0], expected[11], expected[6]]);
    const dropped = await readCsv(fixture('pandas.csv'), { dropCols: ['c1', 'c3'] });
    expect(dropped.columns).toEqual(['c0', 'c2', 'c4', 'c5']);
    expect(Array.from(dropped.matrix.data.subarray(0, 4))).toEqual([expected[0], expected[2], expected[4], expected[5]]);
    const noId = await readCsv(fixture('pandas.csv'), { idColumn: false, columns: ['id'] });
    expect([noId.ids, Array.from(noId.matrix.data.subarray(0, 3))]).toEqual([undefined, [1, 4, 7]]);
  });

  it('streams the same values in batches, across read-buffer boundaries', async () => {
    const whole = await readCsv(fixture('hard.csv'), { dtype: 'float64' });
    const batches = await collect(fixture('hard.csv'), { dtype: 'float64', batchRows: 37, readBytes: 1024 });
    expect(batches.map((b) => [b.start, b.end])).toEqual(
      Array.from({ length: 7 }, (_, k) => [k * 37, Math.min(240, (k + 1) * 37)]),
    );
    const joined = new Float64Array(240 * 8);
    batches.forEach((b) => joined.set(b.data, b.start * 8));
    expect(f64bits(joined)).toEqual(f64bits(whole.data));
    expect(batches.flatMap((b) => b.ids!)).toEqual(whole.ids);
    const f32batches = await collect(fixture('pandas.csv'), { batchRows: 1000 });
    expect(f32batches).toHaveLength(1);
    expect(bits(f32batches[0]!.matrix!.data)).toEqual(bits(f32('pandas.f32')));
  });

  it('accepts LF or CRLF, a BOM, blank lines, a missing final newline, tabs for .tsv and quoted header names', async () => {
    const dir = tempDir();
    const lf = writeText(dir, 'lf.csv', '\ufeff"a","b"\n1,2\n\n3,4');
    const crlf = writeText(dir, 'crlf.csv', 'a,b\r\n1,2\r\n\r\n3,4\r\n');
    const tsv = writeText(dir, 't.tsv', 'a\tb\n1\t2\n3\t4\n');
    for (const path of [lf, crlf, tsv]) {
      const table = await readCsv(path);
      expect([path, table.columns, Array.from(table.matrix.data)]).toEqual([path, ['a', 'b'], [1, 2, 3, 4]]);
      const streamed = await collect(path, { batchRows: 1, readBytes: 1024 });
      expect(streamed.flatMap((b) => Array.from(b.data))).toEqual([1, 2, 3, 4]);
    }
  });
});

describe('readCsv bad input', () => {
  const dir = tempDir();

  it('missing file → E_NOT_FOUND', async () => {
    await expectError(readCsv(`${dir}/nope.csv`), 'E_NOT_FOUND', /nope\.csv/, /CSV file not found/);
    await expectError(collect(`${dir}/nope.csv`, {}), 'E_NOT_FOUND', /nope\.csv/);
  });

  it('empty file → E_INPUT', async () => {
    const path = writeText(dir, 'empty.csv', '');
    await expectError(readCsv(path), 'E_INPUT', /empty\.csv/, /empty \(0 bytes\)/);
    await expectError(collect(path, {}), 'E_INPUT', /empty \(0 bytes\)/);
  });

  it('header only → E_INPUT', async () => {
    const path = writeText(dir, 'header.csv', 'id,a,b\n');
    await expectError(readCsv(path), 'E_INPUT', /header\.csv/, /header but no data rows/);
    await expectError(collect(path, {}), 'E_INPUT', /header but no data rows/);
    await expectError(readCsv(writeText(dir, 'header2.csv', 'id,a,b')), 'E_INPUT', /header but no data rows/);
  });

  it('no header (first line is numbers) → E_INPUT', async () => {
    await expectError(readCsv(writeText(dir, 'nohead.csv', '1,2\n3,4\n')), 'E_INPUT', /looks like data, not a header/);
  });

  it('ragged row → E_INPUT with the line number and both field counts', async () => {
    const path = writeText(dir, 'ragged.csv', 'id,a,b\n1,2,3\n2,4\n3,5,6\n');
    const error = await expectError(readCsv(path), 'E_INPUT', /ragged\.csv/, /line 3 has 2 fields but the header has 3/);
    expect(error.field).toBe('b'); // the first column without a value
    await expectError(collect(path, {}), 'E_INPUT', /line 3 has 2 fields but the header has 3/);
    const long = writeText(dir, 'long.csv', 'a,b\r\n1,2\r\n3,4\r\n5,6,7\r\n');
    await expectError(readCsv(long), 'E_INPUT', /line 4 has 3 fields but the header has 2/);
  });

  it('two problems: the first in file order is reported, whatever the batch size (found by fuzzing)', async () => {
    // A duplicate id (data rows 1 and 3) before a non-numeric cell (line 6): readCsv used to report
    // the cell (ids were checked when a 16384-row batch ended), small batches the id.
    const path = writeText(dir, 'two.csv', 'id,a\nx,1\ny,2\nx,3\nz,4\nw,abc\n');
    const whole = await expectError(readCsv(path), 'E_INPUT', /duplicate id 'x' in data rows 1 and 3/);
    const batched = await expectError(collect(path, { batchRows: 3 }), 'E_INPUT');
    const single = await expectError(collect(path, { batchRows: 1 }), 'E_INPUT');
    expect([batched.message, single.message]).toEqual([whole.message, whole.message]);
    // The bad line itself is not counted: its id does not make a duplicate.
    await expectError(readCsv(writeText(dir, 'two2.csv', 'id,a\nx,1\nx,abc\n')), 'E_INPUT', /line 3, column 'a': "abc" is not a number/);
  });

  it('non-numeric cell → E_INPUT with the line and the column', async () => {
    const path = writeText(dir, 'text.csv', 'id,a,b\n1,2,3\n2,4,abc\n');
    const error = await expectError(readCsv(path), 'E_INPUT', /text\.csv/, /line 3, column 'b': "abc" is not a number/, /dropCols/);
    expect(error.field).toBe('b');
    await expectError(readCsv(writeText(dir, 'hex.csv', 'a\n0x10\n')), 'E_INPUT', /line 2, column 'a': "0x10" is not a number/);
    await expectError(readCsv(writeText(dir, 'exp.csv', 'a\n1e\n')), 'E_INPUT', /"1e" is not a number/);
    // A skipped column is not parsed.
    const skipped = await readCsv(path, { dropCols: ['b'] });
    expect(Array.from(skipped.matrix.data)).toEqual([2, 4]);
  });

  it('a quoted field with a line break → E_INPUT (rejected clearly)', async () => {
    const path = writeText(dir, 'quoted.csv', 'id,a\n"x\ny",1\n');
    await expectError(readCsv(path), 'E_INPUT', /line 2 has a quoted field that does not close/);
  });

  it('duplicate ids → E_INPUT naming the id and both rows (also across streamed batches)', async () => {
    const path = writeText(dir, 'dup.csv', 'id,a\n7,1\n8,2\n7,3\n');
    const error = await expectError(readCsv(path), 'E_INPUT', /dup\.csv/, /duplicate id '7' in data rows 1 and 3/);
    expect(error.field).toBe('id');
    await expectError(collect(path, { batchRows: 1 }), 'E_INPUT', /duplicate id '7' in data rows 1 and 3/);
  });

  it('unknown or duplicated column names → E_SCHEMA / E_INPUT listing the header', async () => {
    const path = writeText(dir, 'cols.csv', 'id,a,b\n1,2,3\n');
    await expectError(readCsv(path, { columns: ['a', 'zz'] }), 'E_SCHEMA', /column 'zz' is not in the header/, /id, a, b/);
    await expectError(readCsv(path, { dropCols: ['q'] }), 'E_SCHEMA', /column 'q'/);
    await expectError(readCsv(path, { idColumn: 'key' }), 'E_SCHEMA', /column 'key'/);
    await expectError(readCsv(path, { columns: ['id'] }), 'E_USAGE', /is the id column/);
    await expectError(readCsv(writeText(dir, 'dupcol.csv', 'a,b,a\n1,2,3\n')), 'E_INPUT', /duplicate column name 'a' \(columns 1 and 3/);
  });
});
