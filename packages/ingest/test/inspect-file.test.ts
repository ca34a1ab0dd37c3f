import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { inspectFile, readCsv } from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { fixture } from './fixture-values.js';
import { tempDir, writeText } from './tmp-dir.js';

describe('inspectFile', () => {
  it('lists HDF5 datasets and root attributes', async () => {
    const result = await inspectFile(fixture('h5py_basic.h5'));
    expect([result.kind, result.bytes, result.datasets!.length]).toEqual(['hdf5', 493112, 21]);
    expect(result.datasets!.find((d) => d.key === 'features_gzip')).toEqual({
      key: 'features_gzip',
      shape: [40, 1261],
      dtype: 'float32',
      chunks: [8, 1261],
      filters: [{ id: 1, name: 'deflate' }],
    });
    expect(result.attrs).toEqual({ source: 'gen_h5_fixtures.py', sfreq: 250, n_meta: 11 });
  });

  it('describes an Arrow file: columns, types, rows, batches, metadata', async () => {
    const result = await inspectFile(fixture('pyarrow_file.arrow'));
    expect([result.kind, result.rows, result.batches, result.attrs]).toEqual(['arrow', 25, 3, { source: 'gen_arrow_fixtures.py' }]);
    expect(result.columns!.map((c) => `${c.name}:${c.type}`)).toEqual([
      'id:Utf8',
      'f32:Float32',
      'f64:Float64',
      'i32:Int32',
      'i64:Int64',
      'u8:Uint8',
      'flag:Bool',
      'nul:Float32',
    ]);
  });

  it('counts CSV rows (blank lines excluded), guesses column types and shows a label distribution', async () => {
    const result = await inspectFile(fixture('hard.csv'));
    expect([result.kind, result.rows, result.labels]).toEqual(['csv', 240, undefined]);
    expect(result.columns!.slice(0, 3)).toEqual([
      { name: 'id', type: 'text' },
      { name: 'f0', type: 'float' },
      { name: 'f1', type: 'float' },
    ]);
    const dir = tempDir();
    const labels = writeText(dir, 'y.csv', 'id,label\n1,b\n2,a\n\n3,b\n4,b');
    const described = await inspectFile(labels);
    expect([described.rows, described.columns]).toEqual([4, [{ name: 'id', type: 'integer' }, { name: 'label', type: 'text' }]]);
    expect(described.labels).toEqual({
      column: 'label',
      classes: [
        { label: 'a', count: 1, fraction: 0.25 },
        { label: 'b', count: 3, fraction: 0.75 },
      ],
    });
    const notLabels = await inspectFile(writeText(dir, 'x.csv', 'a,b\n1,2\n'));
    expect(notLabels.labels).toBeUndefined();
    const forced = await inspectFile(writeText(dir, 'z.csv', 'a,b\n1,2\n3,2\n'), { labelColumn: 'b' });
    expect(forced.labels!.classes).toEqual([{ label: '2', count: 2, fraction: 1 }]);
  });

  it('validates a CSV in full with the readers\' checks and messages (ragged row, non-numeric cell, duplicate id, bad label row)', async () => {
    const dir = tempDir();
    const ragged = writeText(dir, 'ragged.csv', 'id,a,b\n1,2,3\n2,4\n');
    const fromInspect = await expectError(inspectFile(ragged), 'E_INPUT', /ragged\.csv, field 'b': line 3 has 2 fields but the header has 3/);
    const fromReadCsv = await expectError(readCsv(ragged), 'E_INPUT');
    expect(fromInspect.message).toBe(fromReadCsv.message);
    const rows = ['a,b', ...Array.from({ length: 5000 }, (_, i) => `${i},${i % 3}`)];
    rows[4321] = '4320,x1';
    const lateFile = writeText(dir, 'late.csv', rows.join('\n'));
    const late = await expectError(inspectFile(lateFile), 'E_INPUT', /line 4322, column 'b': "x1" is not a number/);
    expect(late.field).toBe('b');
    // Not declared numeric, the non-numeric cell makes the column categorical (the inference rule).
    await expectError(inspectFile(lateFile, { inferTypes: true, numericCols: ['b'] }), 'E_INPUT', /line 4322, column 'b': "x1" is not a number/);
    const inferred = await inspectFile(lateFile, { inferTypes: true });
    expect([inferred.rows, inferred.columns]).toEqual([
      5000,
      [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'categorical', categories: 4, missing: 0 },
      ],
    ]);
    await expectError(inspectFile(writeText(dir, 'dup.csv', 'id,a\n7,1\n7,2\n')), 'E_INPUT', /duplicate id '7' in data rows 1 and 2/);
    await expectError(inspectFile(writeText(dir, 'y.csv', 'id,label\n1,a\n2\n')), 'E_INPUT', /y\.csv, field 'label': line 3 has 1 fields but the header has 2/);
    await expectError(inspectFile(writeText(dir, 'head.csv', 'a,b\n')), 'E_INPUT', /header but no data rows/);
    const ok = await inspectFile(writeText(dir, 'ok.csv', 'k;a;b;c\nx;1;2.5;\ny;3;NaN;\n'), { idColumn: 'k', delimiter: ';' });
    expect([ok.rows, ok.columns]).toEqual([
      2,
      [
        { name: 'k', type: 'text' },
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'float' },
        { name: 'c', type: 'empty' },
      ],
    ]);
  });

  it('bad input: missing → E_NOT_FOUND; a broken .h5/.arrow → E_INPUT; unknown binary → E_INPUT', async () => {
    const dir = tempDir();
    await expectError(inspectFile(join(dir, 'none.h5')), 'E_NOT_FOUND', /none\.h5/);
    await expectError(inspectFile(fixture('broken_not_hdf5.h5')), 'E_INPUT', /not an HDF5 file/);
    await expectError(inspectFile(fixture('broken_truncated.h5')), 'E_INPUT', /truncated HDF5 file/);
    await expectError(inspectFile(writeText(dir, 'a.arrow', 'x,y\n1,2\n')), 'E_INPUT', /not an Arrow IPC file/);
    await expectError(inspectFile(writeText(dir, 'blob.bin', new Uint8Array([1, 0, 2, 3]))), 'E_INPUT', /unknown file format/);
  });
});
