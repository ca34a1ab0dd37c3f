import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CsvTable, CsvTable64, InspectResult } from '@pipeline/ingest';
import type { Outcome } from './fuzz/fuzz-tasks.js';
import { applyMutations, mutationsArbitrary } from './fuzz/mutate.js';
import { expectResultOrInputError, FUZZ_SEED } from './fuzz/outcomes.js';
import { ParseWorker } from './fuzz/parse-in-worker.js';
import { tempDir } from './tmp-dir.js';

/** Cases per property (recorded in the README's "Fuzzed parsers"). */
const VALID_RUNS = 300;
const MUTATED_RUNS = 500;

/** A numeric CSV as generated: the text and what a correct reader returns. */
interface GeneratedCsv {
  readonly text: string;
  readonly columns: string[];
  readonly ids: string[] | undefined;
  readonly values: number[];
}

const NA_SPELLINGS = ['', 'NaN', 'nan', 'NA', 'null', 'NULL', 'N/A', 'n/a', '-nan', '-NaN', 'None', '<NA>', '#N/A', '1.#QNAN'];

/** A value written the ways CSV writers write numbers: shortest, exponent, E, +, quoted, padded; NA and inf spellings. */
const cellArbitrary = fc
  .tuple(
    fc.oneof(fc.double(), fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.float({ noDefaultInfinity: true })),
    fc.nat(1000),
  )
  .map(([value, pick]): [string, number] => {
    if (Number.isNaN(value)) return [NA_SPELLINGS[pick % NA_SPELLINGS.length]!, Number.NaN];
    if (value === Number.POSITIVE_INFINITY) return [['inf', 'Infinity', '+inf', 'INF'][pick % 4]!, value];
    if (value === Number.NEGATIVE_INFINITY) return [['-inf', '-Infinity', '-INF'][pick % 3]!, value];
    if (Object.is(value, -0)) return [['-0', '-0.0', '-0e3', '-.0'][pick % 4]!, -0];
    const plain = String(value);
    const forms = [plain, value.toExponential(), value.toExponential().toUpperCase(), `"${plain}"`, ` ${plain} `, value > 0 ? `+${plain}` : plain];
    return [forms[pick % forms.length]!, value];
  });

const csvArbitrary: fc.Arbitrary<GeneratedCsv> = fc
  .record({
    features: fc.integer({ min: 2, max: 5 }),
    rows: fc.integer({ min: 1, max: 25 }),
    idAt: fc.option(fc.nat(5), { nil: undefined }),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    bom: fc.boolean(),
    quotes: fc.boolean(),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      cells: fc.array(shape.quotes ? cellArbitrary : cellArbitrary.filter(([text]) => !text.includes('"')), { minLength: shape.rows * shape.features, maxLength: shape.rows * shape.features }),
      ids: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/), { minLength: shape.rows, maxLength: shape.rows }),
      blanks: fc.array(fc.boolean(), { minLength: shape.rows, maxLength: shape.rows }),
    }),
  )
  .map(({ shape, cells, ids, blanks }) => {
    const columns = Array.from({ length: shape.features }, (_, j) => `f${j}`);
    const idAt = shape.idAt === undefined ? -1 : shape.idAt % (shape.features + 1);
    const withId = <T>(fields: T[], id: T): T[] => (idAt < 0 ? fields : [...fields.slice(0, idAt), id, ...fields.slice(idAt)]);
    const eol = shape.crlf ? '\r\n' : '\n';
    const lines = [withId(columns, 'id').join(',')];
    for (let i = 0; i < shape.rows; i++) {
      if (blanks[i]) lines.push('');
      lines.push(withId(cells.slice(i * shape.features, (i + 1) * shape.features).map(([text]) => text), ids[i]!).join(','));
    }
    const text = (shape.bom ? '\ufeff' : '') + lines.join(eol) + (shape.finalNewline ? eol : '');
    return { text, columns, ids: idAt < 0 ? undefined : ids, values: cells.map(([, value]) => value) };
  });

/**
 * An independent reading of a quote-free CSV by the documented rules (UTF-8, a leading BOM dropped;
 * split lines at LF, one
 * CR before it dropped; blank lines skipped; fields split at commas and trimmed; numbers, pandas'
 * NA strings and inf spellings; `id` column as text), or the reason it is invalid.
 */
function oracle(text: string): { columns: string[]; ids: string[] | undefined; values: number[] } | { invalid: string } {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = (lines[0] ?? '').replace(/\r$/, '');
  if (header.trim() === '') return { invalid: 'empty header' };
  const names = header.split(',').map((name, j) => (name.trim() === '' ? `unnamed_${j}` : name.trim()));
  if (new Set(names).size !== names.length) return { invalid: 'duplicate column' };
  const number = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  if (names.every((name) => number.test(name))) return { invalid: 'header is data' };
  const idIndex = names.indexOf('id');
  const ids: string[] = [];
  const values: number[] = [];
  const na = new Set([...NA_SPELLINGS, '-1.#IND', '1.#IND', '-1.#QNAN', '#N/A N/A', '#NA']);
  for (const raw of lines.slice(1)) {
    if (raw === '' || raw === '\r') continue;
    const line = raw.replace(/\r$/, '');
    if (line.includes('\r')) return { invalid: 'stray CR' };
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length !== names.length) return { invalid: 'ragged' };
    for (let j = 0; j < fields.length; j++) {
      const field = fields[j]!;
      if (j === idIndex) {
        ids.push(field);
        continue;
      }
      const lower = field.toLowerCase();
      if (number.test(field)) values.push(Number(field));
      else if (na.has(field)) values.push(Number.NaN);
      else if (['inf', '+inf', 'infinity', '+infinity'].includes(lower)) values.push(Number.POSITIVE_INFINITY);
      else if (['-inf', '-infinity'].includes(lower)) values.push(Number.NEGATIVE_INFINITY);
      else return { invalid: `not a number: ${field}` };
    }
  }
  if (values.length === 0 && ids.length === 0) return { invalid: 'no data rows' };
  if (new Set(ids).size !== ids.length) return { invalid: 'duplicate id' };
  return { columns: names.filter((_, j) => j !== idIndex), ids: idIndex < 0 ? undefined : ids, values };
}

type Streamed = { values: Float64Array; ids: string[]; columns: string[] };

describe('CSV readers under fuzzing (readCsv, iterCsvBatches, inspectFile)', () => {
  const worker = new ParseWorker(20_000);
  const dir = tempDir('ingest-fuzz-csv-');
  afterAll(() => worker.close());
  const encoder = new TextEncoder();

  it('the harness reports a parser that never returns as a hang and carries on', async () => {
    const impatient = new ParseWorker(1500);
    try {
      await expect(impatient.run('spin', { dir, name: 'x.csv', bytes: new Uint8Array(0) })).rejects.toThrow(/hang: the spin readers did not finish within 1500 ms/);
      const after = await impatient.run('csv', { dir, name: 'ok.csv', bytes: encoder.encode('id,a\nx,1.5\n') });
      expect(after.f64).toMatchObject({ ok: true, value: { ids: ['x'], columns: ['a'] } });
    } finally {
      await impatient.close();
    }
  });

  it(`random valid numeric CSVs read back exactly: values, ids, columns (${VALID_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(csvArbitrary, async (csv) => {
        const outcome = await worker.run('csv', { dir, name: 'valid.csv', bytes: encoder.encode(csv.text) });
        for (const key of ['f32', 'f64', 'streamed', 'inspect']) expect([key, outcome[key]!.ok]).toEqual([key, true]);
        const f64 = (outcome.f64 as Outcome<CsvTable64> & { ok: true }).value;
        const f32 = (outcome.f32 as Outcome<CsvTable> & { ok: true }).value;
        const streamed = (outcome.streamed as Outcome<Streamed> & { ok: true }).value;
        expect([f64.columns, f64.ids, f64.rows]).toEqual([csv.columns, csv.ids, csv.values.length / csv.columns.length]);
        expect(Array.from(f64.data)).toEqual(csv.values);
        expect(Array.from(f32.matrix.data)).toEqual(csv.values.map(Math.fround));
        expect([f32.columns, f32.ids]).toEqual([csv.columns, csv.ids]);
        expect([Array.from(streamed.values), streamed.columns, csv.ids === undefined ? undefined : streamed.ids]).toEqual([
          csv.values,
          csv.columns,
          csv.ids,
        ]);
        expect((outcome.inspect as Outcome<InspectResult> & { ok: true }).value.rows).toBe(f64.rows);
      }),
      { numRuns: VALID_RUNS, seed: FUZZ_SEED },
    );
  });

  it(`mutated, truncated and extended CSVs: a correct result or E_INPUT (exit 3), never another error or a hang (${MUTATED_RUNS} cases)`, async () => {
    const interesting = [...',"\n\r -+.eE0 9\t'].map((c) => c.charCodeAt(0)).concat([0, 0xef, 0xbb, 0xbf, 0xff]);
    await fc.assert(
      fc.asyncProperty(csvArbitrary, mutationsArbitrary(interesting), async (csv, mutations) => {
        const bytes = applyMutations(encoder.encode(csv.text), mutations);
        const outcome = await worker.run('csv', { dir, name: 'mutated.csv', bytes });
        for (const key of ['f32', 'f64', 'streamed', 'inspect']) expectResultOrInputError(outcome[key], key);
        const { f32, f64, streamed, inspect } = outcome as Record<string, Outcome>;
        // Every reader of the same bytes agrees: same values, or the same error.
        expect([f32!.ok, streamed!.ok]).toEqual([f64!.ok, f64!.ok]);
        if (!f64!.ok) {
          const message = f64!.message;
          expect([(f32 as { message: string }).message, (streamed as { message: string }).message]).toEqual([message, message]);
        } else {
          const table = (f64 as Outcome<CsvTable64> & { ok: true }).value;
          const table32 = (f32 as Outcome<CsvTable> & { ok: true }).value;
          const stream = (streamed as Outcome<Streamed> & { ok: true }).value;
          expect(table.data.length).toBe(table.rows * table.cols);
          expect(table.ids === undefined || table.ids.length === table.rows).toBe(true);
          expect(Array.from(table32.matrix.data)).toEqual(Array.from(table.data, Math.fround));
          expect(Array.from(stream.values)).toEqual(Array.from(table.data));
          expect([table32.ids, stream.columns]).toEqual([table.ids, table.columns]);
          if (table.ids !== undefined) expect(stream.ids).toEqual(table.ids);
        }
        if (inspect!.ok && (inspect!.value as InspectResult).labels === undefined) {
          expect(f64!.ok).toBe(true);
          expect((inspect!.value as InspectResult).rows).toBe((f64 as Outcome<CsvTable64> & { ok: true }).value.rows);
        }
        // Without quotes, the independent reading decides which it must be.
        if (!bytes.includes(0x22) && bytes.length > 0) {
          const expected = oracle(new TextDecoder().decode(bytes));
          if ('invalid' in expected) {
            expect([f64!.ok, expected.invalid]).toEqual([false, expected.invalid]);
          } else {
            expect(f64!.ok ? 'ok' : (f64 as { message: string }).message).toBe('ok');
            const table = (f64 as Outcome<CsvTable64> & { ok: true }).value;
            expect([table.columns, table.ids]).toEqual([expected.columns, expected.ids]);
            expect(Array.from(table.data)).toEqual(expected.values);
          }
        }
      }),
      { numRuns: MUTATED_RUNS, seed: FUZZ_SEED },
    );
  });
});
