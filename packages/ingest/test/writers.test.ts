import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createRng, sha256 } from '@pipeline/core';
import { formatFloat32, H5Writer, openH5, readCsv, writeH5, writePredictionsCsv } from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { bits } from './fixture-values.js';
import { tempDir } from './tmp-dir.js';

describe('formatFloat32', () => {
  it('gives the shortest text that reads back as the same float32', () => {
    expect([0.1, 1 / 3, 16777216, 3.4028234663852886e38, 1.401298464324817e-45, -0, 0, 250, -2.5e-7, Number.NaN, -Infinity].map(formatFloat32)).toEqual([
      '0.1',
      '0.33333334',
      '16777216',
      '3.4028235e+38',
      '1e-45',
      '-0',
      '0',
      '250',
      '-2.5e-7',
      '',
      '-inf',
    ]);
    const rng = createRng(3);
    const words = new Uint32Array(20000).map(() => rng.nextUint32());
    const values = new Float32Array(words.buffer);
    let shorterExists = 0;
    let wrong = 0;
    for (const value of values) {
      if (!Number.isFinite(value)) continue;
      const text = formatFloat32(value);
      if (!Object.is(Math.fround(Number(text)), value)) wrong++;
      const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
      if (digits > 1 && Math.fround(Number(value.toPrecision(digits - 1))) === value) shorterExists++;
    }
    expect({ wrong, shorterExists }).toEqual({ wrong: 0, shorterExists: 0 });
  });
});

describe('writePredictionsCsv', () => {
  const dir = tempDir();

  it('writes id,pred,proba_0..k that readCsv reads back bit-exactly', async () => {
    const proba = { rows: 3, cols: 3, data: new Float32Array([0.1, 0.7, 0.2, 1 / 3, 1 / 3, 1 / 3, 0, 0.25, 0.75]) };
    const path = join(dir, 'pred.csv');
    await writePredictionsCsv(path, { proba, ids: ['a', 'b,c', 'd'], classNames: ['rest', 'left', 'right'] });
    expect(readFileSync(path, 'utf8')).toBe(
      'id,pred,proba_0,proba_1,proba_2\na,left,0.1,0.7,0.2\n"b,c",rest,0.33333334,0.33333334,0.33333334\nd,right,0,0.25,0.75\n',
    );
    const back = await readCsv(path, { columns: ['proba_0', 'proba_1', 'proba_2'] });
    expect(back.ids).toEqual(['a', 'b,c', 'd']);
    expect(bits(back.matrix.data)).toEqual(bits(proba.data));
    const plain = join(dir, 'plain.csv');
    await writePredictionsCsv(plain, { proba: { rows: 2, cols: 2, data: new Float32Array([0.5, 0.5, 0.9, 0.1]) }, pred: [1, 0] });
    expect(readFileSync(plain, 'utf8')).toBe('id,pred,proba_0,proba_1\n0,1,0.5,0.5\n1,0,0.9,0.1\n');
  });

  it('refuses to overwrite unless asked and checks lengths', async () => {
    const path = join(dir, 'once.csv');
    const proba = { rows: 1, cols: 2, data: new Float32Array([0.4, 0.6]) };
    await writePredictionsCsv(path, { proba });
    await expectError(writePredictionsCsv(path, { proba }), 'E_USAGE', /once\.csv/, /already exists/, /overwrite/);
    await writePredictionsCsv(path, { proba: { rows: 1, cols: 2, data: new Float32Array([0.9, 0.1]) } }, { overwrite: true });
    expect(readFileSync(path, 'utf8')).toBe('id,pred,proba_0,proba_1\n0,0,0.9,0.1\n');
    await expectError(writePredictionsCsv(join(dir, 'x.csv'), { proba, ids: ['a', 'b'] }), 'E_USAGE', /ids has 2 entries but proba has 1 rows/);
    await expectError(writePredictionsCsv(join(dir, 'x.csv'), { proba, classNames: ['a'] }), 'E_USAGE', /classNames has 1 entries/);
    await expectError(writePredictionsCsv(join(dir, 'x.csv'), { proba, pred: [2] }), 'E_USAGE', /pred\[0\] = 2 is not a class index/);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});

describe('H5 writer', () => {
  const dir = tempDir();

  it('round-trips matrices, float64, int64 ids, strings and attributes through openH5', async () => {
    const path = join(dir, 'out.h5');
    const features = { rows: 3, cols: 4, data: Float32Array.from({ length: 12 }, (_, k) => k / 7 - 1) };
    features.data[5] = Number.NaN;
    const f64 = { rows: 2, cols: 3, data: Float64Array.from({ length: 6 }, (_, k) => Math.PI * 10 ** (k * 50)) };
    await writeH5(
      path,
      [
        { key: 'features', value: features, attrs: { columns: ['a', 'b', 'c', 'd'], n_meta: 11, sfreq: 250.5 } },
        { key: 'data/train/f64', value: f64, compression: 4 },
        { key: 'ids', value: { shape: [3], data: BigInt64Array.from([5n, 2n ** 60n, -1n]) } },
        { key: 'names', value: { shape: [2], data: ['x', 'yy'] } },
      ],
      { attrs: { source: 'writers.test', n: 3 } },
    );
    const file = await openH5(path);
    expect(file.datasets().map((info) => [info.key, info.dtype, info.shape, info.chunks, info.filters.map((f) => f.name)])).toEqual([
      ['data/train/f64', 'float64', [2, 3], [2, 3], ['deflate']],
      ['features', 'float32', [3, 4], null, []],
      ['ids', 'int64', [3], null, []],
      ['names', 'string', [2], null, []],
    ]);
    expect(bits(file.dataset('features').readRows(0, 3).data)).toEqual(bits(features.data));
    expect(file.dataset('data/train/f64').readRaw().data).toEqual(f64.data);
    expect(file.dataset('ids').readRaw().data).toEqual(BigInt64Array.from([5n, 2n ** 60n, -1n]));
    expect(file.dataset('names').readRaw().data).toEqual(['x', 'yy']);
    expect(file.attrs()).toEqual({ source: 'writers.test', n: 3 });
    expect(file.dataset('features').attrs()).toEqual({ columns: ['a', 'b', 'c', 'd'], n_meta: 11, sfreq: 250.5 });
    file.close();
  });

  it('appends batches to a chunked dataset, writes atomically and gives the same bytes every time', async () => {
    const write = async (name: string) => {
      const path = join(dir, name);
      const writer = await H5Writer.create(path, { attrs: { kind: 'stream' } });
      writer.createAppendable('features', { cols: 5, chunkRows: 4, compression: 1 });
      for (let b = 0; b < 3; b++) {
        writer.append('features', { rows: 3, cols: 5, data: Float32Array.from({ length: 15 }, (_, k) => b * 15 + k) });
        expect(existsSync(path)).toBe(false); // only the temporary file exists until close()
      }
      writer.append('features', { rows: 1, cols: 5, data: new Float64Array([0.1, 0.2, 0.3, 0.4, 0.5]) });
      await writer.close();
      return path;
    };
    const first = await write('a.h5');
    await new Promise((done) => setTimeout(done, 1100)); // HDF5 timestamps have 1 s resolution
    const second = await write('b.h5');
    expect(sha256(readFileSync(first))).toBe(sha256(readFileSync(second)));
    const file = await openH5(first);
    const info = file.dataset('features').info;
    expect([info.shape, info.chunks]).toEqual([[10, 5], [4, 5]]);
    const expected = Float32Array.from({ length: 50 }, (_, k) => (k < 45 ? k : [0.1, 0.2, 0.3, 0.4, 0.5][k - 45]!));
    expect(bits(file.dataset('features').readRows(0, 10).data)).toEqual(bits(expected));
    file.close();
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('refuses to overwrite, rejects bad shapes and leaves nothing behind on abort', async () => {
    const path = join(dir, 'x.h5');
    await writeH5(path, [{ key: 'a', value: { rows: 1, cols: 1, data: new Float32Array([1]) } }]);
    await expectError(writeH5(path, []), 'E_USAGE', /x\.h5/, /already exists/);
    await expectError(
      writeH5(join(dir, 'y.h5'), [{ key: 'a', value: { shape: [2, 2], data: new Float32Array(3) } }]),
      'E_USAGE',
      /shape \[2, 2\] needs 4 values, got 3/,
    );
    expect(existsSync(join(dir, 'y.h5'))).toBe(false);
    const writer = await H5Writer.create(join(dir, 'z.h5'));
    writer.createAppendable('f', { cols: 2 });
    await expectError(() => writer.append('f', { rows: 1, cols: 3, data: new Float32Array(3) }), 'E_USAGE', /has 2 columns; cannot append rows of 3/);
    await expectError(() => writer.append('g', { rows: 1, cols: 2, data: new Float32Array(2) }), 'E_USAGE', /not created with createAppendable/);
    await writer.abort();
    expect(readdirSync(dir).filter((name) => name.startsWith('z.h5'))).toEqual([]);
  });
});
