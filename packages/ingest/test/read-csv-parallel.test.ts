import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PipelineError } from '@pipeline/core';
import { readCsv, type CsvTable, type CsvTable64, type ReadCsvOptions } from '@pipeline/ingest';
import { lastCsvParallelRead, setCsvParallelTestHooks, stopCsvWorkers } from '../src/csv-parallel.js';
import { hasDuplicates } from '../src/has-duplicates.js';
import { expectError } from './expect-error.js';
import { fixture } from './fixture-values.js';
import { tempDir, writeText } from './tmp-dir.js';

afterEach(() => setCsvParallelTestHooks());
afterAll(() => stopCsvWorkers());

/** The table as comparable plain data: columns, ids and the values' bit patterns (NaN, -0, subnormals exact). */
function snapshot(table: CsvTable | CsvTable64): { columns: readonly string[]; ids: string[] | undefined; rows: number; bits: string } {
  const data = table.dtype === 'float64' ? table.data : table.matrix.data;
  return { columns: table.columns, ids: table.ids, rows: table.rows, bits: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex') };
}

/** What the read returns or throws, as data. */
async function outcome(path: string, options: ReadCsvOptions): Promise<unknown> {
  try {
    return snapshot(await readCsv(path, options as ReadCsvOptions & { dtype: 'float64' }));
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    return { code: error.code, message: error.message, file: error.file, field: error.field, hint: error.hint };
  }
}

/** Reads serially and on `threads` threads with `chunkBytes`-byte chunks: the outcomes must be equal. */
async function expectSameAsSerial(path: string, options: ReadCsvOptions = {}, threads = 2, chunkBytes = 64): Promise<unknown> {
  const serial = await outcome(path, { ...options, threads: 1 });
  setCsvParallelTestHooks({ chunkBytes });
  const parallel = await outcome(path, { ...options, threads });
  expect(parallel).toEqual(serial);
  return serial;
}

describe('readCsv on several threads equals the serial read', () => {
  it('on the Python fixtures (CRLF, quoted numbers, NA strings, 17-digit values), float64 and float32, at 2–4 threads', async () => {
    const expected = readFileSync(fixture('hard.f64'));
    for (const [threads, chunkBytes] of [[2, 40], [2, 997], [3, 123], [4, 4 << 20]] as const) {
      const serial = (await expectSameAsSerial(fixture('hard.csv'), { dtype: 'float64' }, threads, chunkBytes)) as ReturnType<typeof snapshot>;
      expect(lastCsvParallelRead.ok).toBe(true);
      // Independent reference: Python float() of each cell (NaN canonical in both files).
      expect(serial.bits).toBe(Buffer.from(Float64Array.from(new Float64Array(expected.buffer.slice(expected.byteOffset, expected.byteOffset + expected.length)), (v) => (Number.isNaN(v) ? Number.NaN : v)).buffer).toString('hex'));
      await expectSameAsSerial(fixture('hard.csv'), {}, threads, chunkBytes);
      await expectSameAsSerial(fixture('pandas.csv'), { columns: ['c5', 'c0'] }, threads, chunkBytes);
    }
  });

  it('worker threads parse chunks (the read is really parallel)', async () => {
    // Many small chunks: the worker claims some of them once it has started.
    const dir = tempDir();
    const lines = ['id,a,b'];
    for (let i = 0; i < 20000; i++) lines.push(`${i},${i * 0.5},${-i}e-3`);
    const path = writeText(dir, 'big.csv', `${lines.join('\n')}\n`);
    await expectSameAsSerial(path, {}, 2, 1000);
    let workerChunks = 0;
    for (let attempt = 0; attempt < 5 && workerChunks === 0; attempt++) {
      await readCsv(path, { threads: 2 }); // the pool is warm now
      workerChunks = lastCsvParallelRead.workerChunks;
    }
    expect(lastCsvParallelRead.chunks).toBeGreaterThan(100);
    expect(workerChunks).toBeGreaterThan(0);
    // One pass: the growable output ends exactly at the last row (no reserved tail in the values' buffer).
    const table = await readCsv(path, { threads: 2, dtype: 'float64' });
    expect(table.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(table.data.buffer.byteLength).toBe(20000 * 2 * 8);
    expect(Array.from(table.data.subarray(-4))).toEqual([19998 * 0.5, -19998e-3, 19999 * 0.5, -19999e-3]);
  });

  it('LF/CRLF, BOM, blank lines (also at chunk starts), empty cells, quoted cells, no final newline, tabs', async () => {
    const dir = tempDir();
    const cases: [string, string][] = [
      ['lf.csv', '\ufeff"a","b"\n1,2\n\n3,4'],
      ['crlf.csv', 'a,b\r\n1,2\r\n\r\n\r\n3,4\r\n5,\r\n,6\r\n'],
      ['blanks.csv', 'a,b\n\n\n1,2\n\n3,4\n\n\n\n5,6\n\n'],
      ['quoted.csv', 'id,a,b\n"x,1",1,"2"\n"y""z",3,"4.5e1"\n" w ",NA,""\n'],
      ['ids.csv', 'id,a\nünï,1\n é ,2\n\u00a0x\u00a0,3\n"q"uote,4\n\t tab,5\n日本,6\na"b,7\n"",8\n'],
      ['na.csv', 'a,b,c\nNaN,nan,\nNA,null,None\n-inf,inf,+Infinity\n'],
      ['t.tsv', 'a\tb\n1\t2\n3\t4\n'],
      ['long-line.csv', `a,b\n1,2\n${'9'.repeat(300)},${'1'.repeat(200)}.5\n3,4\n`],
    ];
    for (const [name, text] of cases) {
      const path = writeText(dir, name, text);
      for (const chunkBytes of [1, 2, 3, 5, 8, 13, 64]) {
        expect(await expectSameAsSerial(path, { dtype: 'float64' }, 2, chunkBytes)).toHaveProperty('bits');
        await expectSameAsSerial(path, {}, 3, chunkBytes);
      }
    }
  });

  it('reports the same errors with the right line numbers, also in the second half of the file', async () => {
    const dir = tempDir();
    const good = Array.from({ length: 3000 }, (_, i) => `r${i},${i / 7},${i * 3}`);
    const withLine = (line: number, text: string): string[] => good.map((row, i) => (i + 2 === line ? text : row));
    const write = (name: string, rows: string[]): string => writeText(dir, name, `id,a,b\n${rows.join('\n')}\n`);
    const cell = write('cell.csv', withLine(2711, 'r2709,1.5,abc'));
    const error = (await expectSameAsSerial(cell, {}, 2, 4096)) as { message: string; field: string };
    expect(error.message).toContain(`cell.csv, field 'b': line 2711, column 'b': "abc" is not a number (`);
    const ragged = (await expectSameAsSerial(write('ragged.csv', withLine(2999, 'r2997,1')), {}, 2, 4096)) as { message: string };
    expect(ragged.message).toContain(': line 2999 has 2 fields but the header has 3 (');
    // A duplicate id across chunks, and two problems (the first in file order wins).
    const dup = (await expectSameAsSerial(write('dup.csv', withLine(2500, 'r5,1,2')), {}, 2, 4096)) as { message: string };
    expect(dup.message).toContain(": duplicate id 'r5' in data rows 6 and 2499 (");
    const two = withLine(2800, 'r2798,x,1').map((row, i) => (i === 2000 ? 'r10,1,1' : row));
    expect(((await expectSameAsSerial(write('two.csv', two), {}, 2, 4096)) as { message: string }).message).toContain(": duplicate id 'r10' in data rows 11 and 2001 (");
    // A line break inside quotes is an error; the chunk boundary may fall inside the quoted field.
    for (const chunkBytes of [7, 4096, 60000]) {
      const quoted = (await expectSameAsSerial(write('quoted.csv', withLine(2600, 'r2598,"1\n2",3')), {}, 2, chunkBytes)) as { message: string };
      expect(quoted.message).toContain(': line 2600 has a quoted field that does not close before the line ends (');
    }
  });

  it('header only, empty file, missing file, bad options: the serial errors', async () => {
    const dir = tempDir();
    await expectError(readCsv(writeText(dir, 'h.csv', 'id,a,b\n'), { threads: 2 }), 'E_INPUT', /header but no data rows/);
    await expectError(readCsv(writeText(dir, 'h2.csv', 'id,a,b\n\n\r\n'), { threads: 2 }), 'E_INPUT', /header but no data rows/);
    await expectError(readCsv(writeText(dir, 'h3.csv', 'id,a,b'), { threads: 2 }), 'E_INPUT', /header but no data rows/);
    await expectError(readCsv(writeText(dir, 'e.csv', ''), { threads: 2 }), 'E_INPUT', /empty \(0 bytes\)/);
    await expectError(readCsv(`${dir}/nope.csv`, { threads: 2 }), 'E_NOT_FOUND', /CSV file not found/);
    await expectError(readCsv(writeText(dir, 'ok.csv', 'a\n1\n'), { threads: 0 }), 'E_USAGE', /threads must be a positive integer, got 0/);
    await expectError(readCsv(writeText(dir, 'ok2.csv', 'a\n1\n'), { threads: 1.5 }), 'E_USAGE', /got 1\.5/);
    await expectSameAsSerial(writeText(dir, 'cols.csv', 'id,a,b\n1,2,3\n'), { columns: ['zz'] });
    await expectSameAsSerial(writeText(dir, 'na.csv', 'id,a,b\n1,-999,3\n2,4,-999\n'), { naValues: ['-999'] }, 2, 3);
  });

  it('a worker that dies or fails to start gives the right result, not a hang', async () => {
    const dir = tempDir();
    const path = writeText(dir, 'x.csv', `a,b\n${Array.from({ length: 500 }, (_, i) => `${i},${i / 3}`).join('\n')}\n`);
    const serial = await outcome(path, { threads: 1 });
    const dies = `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n`;
    setCsvParallelTestHooks({ chunkBytes: 50, entry: new URL(`data:text/javascript,${encodeURIComponent(dies)}`) });
    expect(await outcome(path, { threads: 2 })).toEqual(serial);
    setCsvParallelTestHooks({ chunkBytes: 50, entry: new URL(`data:text/javascript,${encodeURIComponent('throw new Error("no start");')}`) });
    expect(await outcome(path, { threads: 3 })).toEqual(serial);
  });
});

/** A double written as CSV writers and people write numbers, with the value `Number()` gives the text. */
const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 21 })).map(([v, form, digits]) => {
    switch (form) {
      case 0:
        return String(v); // shortest round trip (Python repr)
      case 1:
        return v.toExponential();
      case 2:
        return v.toPrecision(digits); // 1–21 significant digits
      case 3:
        return v.toExponential(digits - 1).toUpperCase();
      case 4:
        return Math.abs(v) < 1e21 ? v.toFixed(Math.min(digits, 20)) : String(v);
      case 5:
        return v >= 0 ? `+${v}` : String(v);
      case 6:
        return String(v).replace(/^(-?)0\./, '$1.'); // ".5"
      default:
        return `"${v}"`;
    }
  }),
  // Subnormals and the edges of the double range.
  fc.constantFrom('4.9e-324', '5e-324', '2.2250738585072014e-308', '2.225073858507201e-308', '1.7976931348623157e308', '-0', '0.0', '-0e-5', '1e-400', '1e400'),
  // Around the scanner's int32 fast accumulation (9 significant digits) and 2^31 / 2^53.
  fc.constantFrom('999999999', '1000000000', '2147483647', '2147483648', '4294967296', '0.000123456789', '0.0001234567891', '000123456789.5', '-0.000000001', '12345678.9', '123456789.1', '9007199254740993', '9007199254740992e-5', '0.1e23', '1e22', '1e23', '123456789e-22'),
  // Many digits, any exponent: beyond the fast path (> 15 digits or |exponent| > 22).
  fc
    .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,40}$/), fc.stringMatching(/^[0-9]{0,30}$/), fc.integer({ min: -340, max: 320 }), fc.boolean())
    .map(([negative, whole, fraction, exponent, withExponent]) => `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}${withExponent ? `e${exponent}` : ''}`),
  // Mantissas near 2^53 and fast-path edge exponents.
  fc.tuple(fc.integer({ min: 9007199254740000, max: 9007199254749999 }), fc.integer({ min: -23, max: 23 })).map(([m, e]) => `${m}e${e}`),
  fc.tuple(fc.integer({ min: 0, max: 999999999999999 }), fc.integer({ min: -25, max: 25 })).map(([m, e]) => `${m}E${e}`),
);

const unquote = (text: string): string => (text.startsWith('"') ? text.slice(1, -1) : text);

describe('readCsv property: every value equals Number(text), on any thread count and chunking', () => {
  const dir = tempDir();
  let n = 0;

  it('random numeric CSVs (shortest/long/exponent forms, subnormals, blank lines, CRLF, ids)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          cols: fc.integer({ min: 1, max: 6 }),
          cells: fc.array(numberText, { minLength: 1, maxLength: 120 }),
          crlf: fc.boolean(),
          id: fc.boolean(),
          blankEvery: fc.integer({ min: 0, max: 7 }),
          chunkBytes: fc.integer({ min: 1, max: 300 }),
          threads: fc.integer({ min: 2, max: 3 }),
          float64: fc.boolean(),
        }),
        async ({ cols, cells, crlf, id, blankEvery, chunkBytes, threads, float64 }) => {
          const rows = Math.ceil(cells.length / cols);
          const padded = Array.from({ length: rows * cols }, (_, k) => cells[k % cells.length]!);
          const eol = crlf ? '\r\n' : '\n';
          const lines = [[...(id ? ['id'] : []), ...Array.from({ length: cols }, (_, j) => `c${j}`)].join(',')];
          for (let i = 0; i < rows; i++) {
            if (blankEvery > 0 && i % blankEvery === 0) lines.push('');
            lines.push([...(id ? [`row${i}`] : []), ...padded.slice(i * cols, (i + 1) * cols)].join(','));
          }
          const path = writeText(dir, `p${n++}.csv`, lines.join(eol) + eol);
          const options: ReadCsvOptions = float64 ? { dtype: 'float64' } : {};
          const serial = (await expectSameAsSerial(path, options, threads, chunkBytes)) as ReturnType<typeof snapshot>;
          const expected = padded.map((text) => Number(unquote(text)));
          const values = float64 ? Float64Array.from(expected) : Float32Array.from(expected);
          expect(serial.bits).toBe(Buffer.from(values.buffer).toString('hex'));
          expect(serial.ids).toEqual(id ? Array.from({ length: rows }, (_, i) => `row${i}`) : undefined);
        },
      ),
      { numRuns: 150, seed: 20261205 },
    );
  });
});

describe('hasDuplicates (the parallel read\'s id check)', () => {
  it('agrees with a Set on random string lists (short alphabets force equal strings and hash probes)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'é', '日', '\u0000'), maxLength: 4 }), { maxLength: 3000 }), (texts) => {
        expect(hasDuplicates(texts)).toBe(new Set(texts).size !== texts.length);
      }),
      { numRuns: 300, seed: 7 },
    );
    const many = Array.from({ length: 100000 }, (_, i) => `r${i * 7}`);
    expect(hasDuplicates(many)).toBe(false);
    expect(hasDuplicates([...many, 'r699993'])).toBe(true);
  });
});
