import { describe, expect, it } from '@jest/globals';
import { parseCategoryEncoding, readCsv, readTypedCsv } from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { tempDir, writeText } from './tmp-dir.js';

const NaN32 = Number.NaN;
const rowsOf = (data: Float32Array, cols: number) => Array.from({ length: data.length / cols }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));

describe('readTypedCsv', () => {
  it('infers numeric and categorical columns, codes categories in sorted order, reads empty/NA cells as missing', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'mixed.csv', 'id,x,color,flag,n\na,1.5,red,true,3\nb,,green,false,NA\nc,-2,NA,true,7\nd,4e1,blue,,1\ne,0,red,false,2\n');
    const table = await readTypedCsv(file);
    expect(table.columns).toEqual(['x', 'color', 'flag', 'n']);
    expect(table.types).toEqual(['numeric', 'categorical', 'categorical', 'numeric']);
    expect(table.ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(table.numericOnly).toBe(false);
    // blue=0, green=1, red=2; false=0, true=1
    expect(rowsOf(table.matrix.data, 4)).toEqual([
      [1.5, 2, 1, 3],
      [NaN32, 1, 0, NaN32],
      [-2, NaN32, 1, 7],
      [40, 0, NaN32, 1],
      [0, 2, 0, 2],
    ]);
    expect(table.encoding.columns).toEqual({
      color: { categories: ['blue', 'green', 'red'], counts: [1, 1, 2], missing: 1 },
      flag: { categories: ['false', 'true'], counts: [2, 2], missing: 1 },
    });
    expect(parseCategoryEncoding(JSON.parse(JSON.stringify(table.encoding)), 'x')).toEqual(table.encoding);
  });

  it('reads an all-numeric file with the numeric scanner alone, same values as readCsv', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'num.csv', 'id,a,b\n1,0.1,2\n2,NaN,3e-2\n');
    const typed = await readTypedCsv(file);
    const plain = await readCsv(file);
    expect(typed.numericOnly).toBe(true);
    expect(typed.types).toEqual(['numeric', 'numeric']);
    expect(Array.from(typed.matrix.data)).toEqual(Array.from(plain.matrix.data));
    expect(typed.encoding.columns).toEqual({});
  });

  it('RFC 4180: quoted categories with commas and doubled quotes', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'q.csv', 'name,v\r\n"Smith, John",1\r\n"say ""hi""",2\r\n"Smith, John",3\r\nplain,4\r\n');
    const table = await readTypedCsv(file, { idColumn: false });
    expect(table.types).toEqual(['categorical', 'numeric']);
    expect(table.encoding.columns.name!.categories).toEqual(['Smith, John', 'plain', 'say "hi"']);
    expect(rowsOf(table.matrix.data, 2)).toEqual([
      [0, 1],
      [2, 2],
      [0, 3],
      [1, 4],
    ]);
  });

  it('a non-numeric cell past the inference sample makes the column categorical', async () => {
    const dir = tempDir();
    const lines = ['k,v'];
    for (let i = 0; i < 400; i++) lines.push(`${i % 3},${i}`);
    lines.push('x,400');
    const file = writeText(dir, 'late.csv', `${lines.join('\n')}\n`);
    const table = await readTypedCsv(file, { idColumn: false, sampleBytes: 64 });
    expect(table.types).toEqual(['categorical', 'numeric']);
    expect(table.encoding.columns.k!.categories).toEqual(['0', '1', '2', 'x']);
    expect(table.matrix.data[400 * 2]).toBe(3);
  });

  it('overrides: integer codes declared categorical sort numerically; numericCols makes a string an error naming the cell', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'codes.csv', 'code,s\n10,1\n9,2\n10,oops\n');
    const table = await readTypedCsv(file, { idColumn: false, categoricalCols: ['code', 's'] });
    expect(table.encoding.columns.code!.categories).toEqual(['9', '10']);
    expect(Array.from(table.matrix.data.filter((_, i) => i % 2 === 0))).toEqual([1, 0, 1]);
    await expectError(readTypedCsv(file, { idColumn: false, numericCols: ['s'] }), 'E_INPUT', /line 4, column 's': "oops" is not a number/);
    await expectError(readTypedCsv(file, { idColumn: false, categoricalCols: ['nope'] }), 'E_SCHEMA', /column 'nope' of categoricalCols/);
  });

  it('naValues: extra missing tokens for numeric and categorical columns', async () => {
    const dir = tempDir();
    const file = writeText(dir, 'na.csv', 'a,b\n-999,x\n1,?\n?,y\n');
    const table = await readTypedCsv(file, { idColumn: false, naValues: ['?', '-999'] });
    expect(table.types).toEqual(['numeric', 'categorical']);
    expect(rowsOf(table.matrix.data, 2)).toEqual([
      [NaN32, 0],
      [1, NaN32],
      [NaN32, 1],
    ]);
    expect(table.encoding.naValues).toEqual(['?', '-999']);
  });

  it('applies a training encoding: unseen categories become missing and are counted; other columns must be numbers', async () => {
    const dir = tempDir();
    const train = await readTypedCsv(writeText(dir, 'train.csv', 'id,c,x\n1,a,1\n2,b,2\n3,c,3\n'));
    const file = writeText(dir, 'test.csv', 'id,x,c\n7,5,c\n8,6,zzz\n9,7,zzz\n10,8,\n');
    const table = await readTypedCsv(file, { encoding: train.encoding, columns: ['c', 'x'] });
    expect(table.columns).toEqual(['c', 'x']);
    expect(rowsOf(table.matrix.data, 2)).toEqual([
      [2, 5],
      [NaN32, 6],
      [NaN32, 7],
      [NaN32, 8],
    ]);
    expect(table.unknown).toEqual({ c: 2 });
    expect(table.encoding).toBe(train.encoding);
    await expectError(readTypedCsv(writeText(dir, 'bad.csv', 'id,x,c\n1,oops,a\n'), { encoding: train.encoding }), 'E_INPUT', /"oops" is not a number/);
  });

  it('checks ragged rows and duplicate ids in an all-categorical file', async () => {
    const dir = tempDir();
    await expectError(readTypedCsv(writeText(dir, 'r.csv', 'id,c\n1,a\n2\n')), 'E_INPUT', /line 3 has 1 fields but the header has 2/);
    await expectError(readTypedCsv(writeText(dir, 'd.csv', 'id,c\n1,a\n1,b\n')), 'E_INPUT', /duplicate id '1'/);
  });
});
