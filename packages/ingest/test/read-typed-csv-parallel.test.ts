import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PipelineError } from '@pipeline/core';
import { readTypedCsv, type ReadTypedCsvOptions } from '@pipeline/ingest';
import { lastCsvParallelRead, setCsvParallelTestHooks, stopCsvWorkers } from '../src/csv-parallel.js';
import { tempDir, writeText } from './tmp-dir.js';

afterEach(() => setCsvParallelTestHooks());
afterAll(() => stopCsvWorkers());

/** What readTypedCsv returns or throws, as comparable data (values as bit patterns). */
async function outcome(path: string, options: ReadTypedCsvOptions): Promise<unknown> {
  try {
    const table = await readTypedCsv(path, options);
    const data = table.matrix.data;
    return {
      columns: table.columns,
      ids: table.ids,
      types: table.types,
      encoding: table.encoding,
      unknown: table.unknown,
      numericOnly: table.numericOnly,
      bits: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex'),
    };
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    return { code: error.code, message: error.message, field: error.field, hint: error.hint };
  }
}

const word = fc.stringMatching(/^[a-d][a-d ,"é]{0,3}$/).filter((s) => s.trim() === s);
const cellText = fc.oneof(
  { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }).map(String) },
  { weight: 2, arbitrary: word.map((w) => (/[,"]/.test(w) ? `"${w.replaceAll('"', '""')}"` : w)) },
  { weight: 1, arbitrary: fc.constantFrom('', 'NA', 'NaN', '-999') },
);

describe('readTypedCsv on 2 threads equals the serial read', () => {
  it('random mixed files (categories first seen in any chunk, NA tokens, numeric naValues, late text in a numeric column)', async () => {
    const dir = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('num', 'cat', 'mixed'), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 80 }),
        fc.infiniteStream(cellText),
        fc.integer({ min: 16, max: 600 }),
        fc.boolean(),
        fc.boolean(),
        async (kinds, rows, stream, chunkBytes, naValues, crlf) => {
          const it = stream[Symbol.iterator]();
          const lines = [['id', ...kinds.map((_, j) => `c${j}`)].join(',')];
          for (let r = 0; r < rows; r++) {
            const cells = kinds.map((kind) => {
              let text = it.next().value!;
              const isWord = !/^-?[0-9.e+-]*$/.test(text) && text !== 'NA' && text !== 'NaN';
              if (kind === 'num' && isWord) text = String(r);
              if (kind === 'cat' && !isWord) text = `w${text.length % 5}`;
              return text;
            });
            lines.push([`r${r}`, ...cells].join(','));
          }
          const path = writeText(dir, `t${n++}.csv`, `${lines.join(crlf ? '\r\n' : '\n')}\n`);
          const options: ReadTypedCsvOptions = { sampleBytes: 64, ...(naValues ? { naValues: ['-999'] } : {}) };
          const serial = await outcome(path, { ...options, threads: 1 });
          setCsvParallelTestHooks({ chunkBytes });
          const parallel = await outcome(path, { ...options, threads: 2 });
          setCsvParallelTestHooks();
          expect(parallel).toEqual(serial);
        },
      ),
      { numRuns: 60, seed: 20261207 },
    );
  });

  it('a categorical file is really read in parallel, with the run\'s encoding too (unknown categories counted)', async () => {
    const dir = tempDir();
    const lines = ['id,color,x'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},${['red', 'green', 'blue', 'cyan'][(i * 7) % 4]}${i % 997 === 0 ? '-rare' : ''},${i * 0.25}`);
    const path = writeText(dir, 'cat.csv', `${lines.join('\n')}\n`);
    const serial = (await outcome(path, { threads: 1 })) as { encoding: ReadTypedCsvOptions['encoding'] };
    setCsvParallelTestHooks({ chunkBytes: 2000 });
    expect(await outcome(path, { threads: 2 })).toEqual(serial);
    expect(lastCsvParallelRead.ok).toBe(true);
    expect(lastCsvParallelRead.chunks).toBeGreaterThan(10);
    const table = await readTypedCsv(path, { threads: 2 });
    // Codes in sorted order: blue, blue-rare, cyan, green, red, red-rare …; row 0 is red-rare.
    const categories = table.encoding.columns['color']!.categories;
    expect(categories).toEqual([...categories].sort());
    expect(table.matrix.data[0]).toBe(categories.indexOf('red-rare'));
    expect(table.matrix.data[2 * 1]).toBe(categories.indexOf(['red', 'green', 'blue', 'cyan'][7 % 4]!));
    // Predict mode: a training encoding without the rare categories.
    const training = { ...table.encoding, columns: { color: { ...table.encoding.columns['color']!, categories: ['blue', 'cyan', 'green', 'red'] } } };
    const serialPredict = await outcome(path, { threads: 1, encoding: training });
    expect(await outcome(path, { threads: 2, encoding: training })).toEqual(serialPredict);
    expect((serialPredict as { unknown: Record<string, number> }).unknown).toEqual({ color: 4 });
  });
});
