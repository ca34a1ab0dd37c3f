import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readArrowTable, writeArrowTable } from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { bits, fixture } from './fixture-values.js';
import { tempDir } from './tmp-dir.js';

const N = 25;
/** The columns of gen_arrow_fixtures.py, recomputed. */
function pyarrowColumns(): Record<string, Float64Array> {
  const i = Array.from({ length: N }, (_, k) => k);
  const f32 = Float32Array.from(i, (k) => ((((k * 1261 + 3) * 37) % 1001) - 500) / 64);
  f32[3] = Number.NaN;
  f32[4] = -0;
  f32[5] = 1.401298464324817e-45;
  f32[6] = 3.4028234663852886e38;
  f32[7] = Number.NEGATIVE_INFINITY;
  return {
    f32: Float64Array.from(f32),
    f64: Float64Array.from(i, (k) => k / 3 - 5),
    i32: Float64Array.from(i, (k) => k * 1000 - 7000),
    i64: Float64Array.from(i, (k) => (k - 12) * 2 ** 40),
    u8: Float64Array.from(i, (k) => k * 10),
    flag: Float64Array.from(i, (k) => (k % 2 === 0 ? 1 : 0)),
    nul: Float64Array.from(i, (k) => (k === 1 || k === 10 ? Number.NaN : Math.fround(k / 4))),
  };
}
const f64bits = (values: Float64Array) => new BigUint64Array(values.buffer, values.byteOffset, values.length);
const columnOf = (data: Float64Array | Float32Array, cols: number, j: number) =>
  Float64Array.from({ length: data.length / cols }, (_, i) => data[i * cols + j]!);

/** The values gen_ts_arrow.mjs writes (7 × 5), recomputed. */
function tsValues32(): Float32Array {
  const out = new Float32Array(35);
  for (let i = 0; i < 7; i++) for (let j = 0; j < 5; j++) out[i * 5 + j] = ((((i * 1261 + j) * 37) % 1001) - 500) / 64;
  out[7] = Number.NaN;
  out[13] = -0;
  out[19] = 1.401298464324817e-45;
  return out;
}
const tsInput = (data: Float32Array | Float64Array) => ({
  columns: ['c0', 'c1', 'c2', 'c3', 'c4'],
  ids: Array.from({ length: 7 }, (_, i) => `s${i}`),
  matrix: { rows: 7, cols: 5, data } as { rows: number; cols: number; data: Float32Array },
  metadata: { classNames: '["a","b"]' },
});

describe('readArrowTable on pyarrow 25.0.1 files', () => {
  it.each(['pyarrow_file.arrow', 'pyarrow_stream.arrows'])('reads every value of %s (2 record batches, nulls, every numeric type)', async (name) => {
    const expected = pyarrowColumns();
    const table64 = await readArrowTable(fixture(name), { dtype: 'float64' });
    expect(table64.columns).toEqual(['f32', 'f64', 'i32', 'i64', 'u8', 'flag', 'nul']);
    expect(table64.ids).toEqual(Array.from({ length: N }, (_, k) => `row-${k}`));
    expect(table64.metadata).toEqual({ source: 'gen_arrow_fixtures.py' });
    expect(table64.types).toEqual({
      id: 'Utf8',
      f32: 'Float32',
      f64: 'Float64',
      i32: 'Int32',
      i64: 'Int64',
      u8: 'Uint8',
      flag: 'Bool',
      nul: 'Float32',
    });
    table64.columns.forEach((column, j) => {
      expect([column, f64bits(columnOf(table64.data, 7, j))]).toEqual([column, f64bits(expected[column]!)]);
    });
    const table32 = await readArrowTable(fixture(name), { columns: ['f64', 'f32'] });
    expect(table32.columns).toEqual(['f64', 'f32']);
    expect(bits(Float32Array.from(columnOf(table32.matrix.data, 2, 0)))).toEqual(bits(Float32Array.from(expected['f64']!)));
    expect(bits(Float32Array.from(columnOf(table32.matrix.data, 2, 1)))).toEqual(bits(Float32Array.from(expected['f32']!)));
  });
});

describe('writeArrowTable', () => {
  it('writes the bytes pyarrow verified (gen_arrow_fixtures.py --check), float32 and float64', async () => {
    const dir = tempDir();
    await writeArrowTable(join(dir, 'a.arrow'), tsInput(tsValues32()));
    expect(readFileSync(join(dir, 'a.arrow'))).toEqual(readFileSync(fixture('ts_written.arrow')));
    const f64 = Float64Array.from({ length: 35 }, (_, k) => k / 3 - 5);
    await writeArrowTable(join(dir, 'b.arrow'), { ...tsInput(f64 as unknown as Float32Array), matrix: { rows: 7, cols: 5, data: f64 } });
    expect(readFileSync(join(dir, 'b.arrow'))).toEqual(readFileSync(fixture('ts_written_f64.arrow')));
  });

  it('round-trips bit-exactly with ids and metadata', async () => {
    const dir = tempDir();
    const values = tsValues32();
    await writeArrowTable(join(dir, 'oof.arrow'), { ...tsInput(values), idColumn: 'key' });
    const back = await readArrowTable(join(dir, 'oof.arrow'), { idColumn: 'key' });
    expect([back.rows, back.cols, back.columns, back.ids, back.metadata]).toEqual([
      7,
      5,
      ['c0', 'c1', 'c2', 'c3', 'c4'],
      ['s0', 's1', 's2', 's3', 's4', 's5', 's6'],
      { classNames: '["a","b"]' },
    ]);
    expect(bits(back.matrix.data)).toEqual(bits(values));
    const f64 = Float64Array.from({ length: 12 }, (_, k) => Math.PI * k - 1e-300 * k);
    await writeArrowTable(join(dir, 'p.arrow'), { columns: ['a', 'b', 'c'], matrix: { rows: 4, cols: 3, data: f64 } });
    const back64 = await readArrowTable(join(dir, 'p.arrow'), { dtype: 'float64' });
    expect([back64.ids, back64.types]).toEqual([undefined, { a: 'Float64', b: 'Float64', c: 'Float64' }]);
    expect(f64bits(back64.data)).toEqual(f64bits(f64));
  });

  it('refuses to overwrite unless asked, and checks names against the matrix', async () => {
    const dir = tempDir();
    const path = join(dir, 'x.arrow');
    await writeArrowTable(path, tsInput(tsValues32()));
    await expectError(writeArrowTable(path, tsInput(tsValues32())), 'E_USAGE', /already exists/, /overwrite/);
    await writeArrowTable(path, { columns: ['z'], matrix: { rows: 1, cols: 1, data: new Float32Array([2]) } }, { overwrite: true });
    expect((await readArrowTable(path)).columns).toEqual(['z']);
    await expectError(writeArrowTable(join(dir, 'y.arrow'), { columns: ['a'], matrix: { rows: 1, cols: 2, data: new Float32Array(2) } }), 'E_USAGE', /1 column names for a matrix of 2 columns/);
    await expectError(
      writeArrowTable(join(dir, 'y.arrow'), { columns: ['id'], ids: ['r'], matrix: { rows: 1, cols: 1, data: new Float32Array(1) } }),
      'E_USAGE',
      /'id' appears twice/,
    );
  });
});

describe('readArrowTable bad input', () => {
  const dir = tempDir();

  it('missing file → E_NOT_FOUND', async () => {
    await expectError(readArrowTable(join(dir, 'none.arrow')), 'E_NOT_FOUND', /none\.arrow/, /Arrow file not found/);
  });

  it('empty file → E_INPUT', async () => {
    writeFileSync(join(dir, 'empty.arrow'), '');
    await expectError(readArrowTable(join(dir, 'empty.arrow')), 'E_INPUT', /empty \(0 bytes\)/);
  });

  it('not an Arrow file → E_INPUT', async () => {
    await expectError(readArrowTable(fixture('pandas.csv')), 'E_INPUT', /pandas\.csv/, /not an Arrow IPC file or stream/);
  });

  it('truncated file or stream → E_INPUT', async () => {
    const bytes = readFileSync(fixture('pyarrow_file.arrow'));
    writeFileSync(join(dir, 'cut.arrow'), bytes.subarray(0, 1000));
    await expectError(readArrowTable(join(dir, 'cut.arrow')), 'E_INPUT', /truncated Arrow file \(1000 bytes/);
    const stream = readFileSync(fixture('pyarrow_stream.arrows'));
    writeFileSync(join(dir, 'cut.arrows'), stream.subarray(0, 1500));
    await expectError(readArrowTable(join(dir, 'cut.arrows')), 'E_INPUT', /corrupt Arrow data/);
  });

  it('compressed (LZ4 feather, pyarrow default) → E_INPUT saying how to write it', async () => {
    await expectError(readArrowTable(fixture('pyarrow_lz4.feather')), 'E_INPUT', /compressed/, /compression='uncompressed'/);
  });

  it('a string column that is not the id → E_SCHEMA naming it; unknown columns → E_SCHEMA', async () => {
    const error = await expectError(readArrowTable(fixture('pyarrow_text.feather')), 'E_SCHEMA', /column 'name' has type Utf8, not a number/);
    expect(error.field).toBe('name');
    const table = await readArrowTable(fixture('pyarrow_text.feather'), { columns: ['v'] });
    expect([table.ids, Array.from(table.matrix.data)]).toEqual([['a', 'b'], [1.5, 2.5]]);
    await expectError(readArrowTable(fixture('pyarrow_text.feather'), { columns: ['w'] }), 'E_SCHEMA', /column 'w' is not in the table/, /id, name, v/);
  });
});

/** One case of fixtures/arrow_writer_cases.json (gen_arrow_writer_cases.mjs): a writeArrowTable input, values as hex bits. */
interface WriterCase {
  readonly name: string;
  readonly dtype: 'float32' | 'float64';
  readonly rows: number;
  readonly columns: string[];
  readonly ids?: string[];
  readonly idColumn?: string;
  readonly metadata: Record<string, string>;
  readonly values: string[];
}

/** What pyarrow saw in one file (fixtures/pyarrow_view_of_ts.json, gen_arrow_fixtures.py --record). */
interface PyarrowView {
  readonly schema: Array<{ name: string; type: string; nullable: boolean }>;
  readonly metadata: Record<string, string>;
  readonly num_rows: number;
  readonly num_record_batches: number;
  readonly null_counts: Record<string, number>;
  readonly columns: Record<string, string[]>;
}

const hexBits = (data: Float32Array | Float64Array): string[] =>
  data instanceof Float64Array
    ? Array.from(new BigUint64Array(data.buffer, data.byteOffset, data.length), (b) => b.toString(16).padStart(16, '0'))
    : Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length), (b) => b.toString(16).padStart(8, '0'));

function fromHex(spec: WriterCase): Float32Array | Float64Array {
  if (spec.dtype === 'float64') return new Float64Array(BigUint64Array.from(spec.values, (h) => BigInt(`0x${h}`)).buffer);
  return new Float32Array(Uint32Array.from(spec.values, (h) => Number.parseInt(h, 16)).buffer);
}

describe('writeArrowTable as pyarrow 25.0.1 reads it (pyarrow_view_of_ts.json, no Python at test time)', () => {
  const views = (JSON.parse(readFileSync(fixture('pyarrow_view_of_ts.json'), 'utf8')) as { files: Record<string, PyarrowView> }).files;
  const { cases } = JSON.parse(readFileSync(fixture('arrow_writer_cases.json'), 'utf8')) as { cases: WriterCase[] };
  const inputs: Array<[string, Parameters<typeof writeArrowTable>[1]]> = [
    ['ts_written.arrow', tsInput(tsValues32())],
    ['ts_written_f64.arrow', { ...tsInput(new Float32Array(0)), matrix: { rows: 7, cols: 5, data: Float64Array.from({ length: 35 }, (_, k) => k / 3 - 5) } }],
    ...cases.map((spec): [string, Parameters<typeof writeArrowTable>[1]] => [
      `ts_case_${spec.name}.arrow`,
      {
        columns: spec.columns,
        matrix: { rows: spec.rows, cols: spec.columns.length, data: fromHex(spec) } as { rows: number; cols: number; data: Float32Array },
        ...(spec.ids === undefined ? {} : { ids: spec.ids, idColumn: spec.idColumn! }),
        metadata: spec.metadata,
      },
    ]),
  ];

  it('covers every file pyarrow was asked about', () => {
    expect(inputs.map(([name]) => name).sort()).toEqual(Object.keys(views).sort());
    expect(cases.map((c) => c.name)).toEqual(['edge_f32', 'edge_f64', 'no_ids', 'empty']);
  });

  it.each(inputs)('%s: our writer still writes the bytes pyarrow read, and pyarrow saw exactly our input', async (name, input) => {
    const dir = tempDir();
    await writeArrowTable(join(dir, name), input);
    expect(readFileSync(join(dir, name))).toEqual(readFileSync(fixture(name)));
    const view = views[name]!;
    const { rows, cols } = input.matrix;
    const float64 = input.matrix.data instanceof Float64Array;
    const idColumn = input.ids === undefined ? [] : [input.idColumn ?? 'id'];
    expect(view.schema).toEqual([
      ...idColumn.map((column) => ({ name: column, type: 'string', nullable: false })),
      ...input.columns.map((column) => ({ name: column, type: float64 ? 'double' : 'float', nullable: false })),
    ]);
    expect([view.metadata, view.num_rows, view.num_record_batches]).toEqual([input.metadata ?? {}, rows, 1]);
    expect(Object.values(view.null_counts).every((count) => count === 0)).toBe(true);
    if (input.ids !== undefined) expect(view.columns[idColumn[0]!]).toEqual(input.ids);
    input.columns.forEach((column, j) => {
      const values = float64 ? new Float64Array(rows) : new Float32Array(rows);
      for (let i = 0; i < rows; i++) values[i] = input.matrix.data[i * cols + j]!;
      expect([column, view.columns[column]]).toEqual([column, hexBits(values)]);
    });
  });
});
