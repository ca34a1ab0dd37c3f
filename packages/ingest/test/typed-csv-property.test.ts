import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readTypedCsv } from '@pipeline/ingest';
import { FUZZ_SEED } from './fuzz/outcomes.js';
import { tempDir, writeText } from './tmp-dir.js';

// The single-pass typed reader against values known before the file is written: numeric cells are
// generated as numbers (expected: their float32 rounding), categorical cells as strings (expected:
// their index in the sorted category list), missing cells as NA tokens; the writer quotes text
// per RFC 4180 (commas, quotes doubled) and sometimes quotes numbers too.
const naTokens = ['', 'NA', 'NaN', 'null', 'N/A'];
const word = fc.stringMatching(/^[a-z][a-z ,"'é]{0,6}$/).filter((s) => s.trim() === s && s.toLowerCase() !== 'nan' && s !== 'null' && s !== 'n/a');
type Cell = { kind: 'num'; value: number; text: string } | { kind: 'cat'; value: string } | { kind: 'na'; text: string };
const numberCell = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((v) => ({ kind: 'num' as const, value: v, text: Object.is(v, -0) ? '-0' : String(v) })),
  fc.integer({ min: -50, max: 50 }).map((v) => ({ kind: 'num' as const, value: v, text: String(v) })),
);
const naCell = fc.constantFrom(...naTokens).map((text) => ({ kind: 'na' as const, text }));
const quote = (text: string, always: boolean) => (always || /[,"]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

describe('readTypedCsv (property, seeded)', () => {
  it('random mixed CSVs: types, values, codes, counts and ids equal the generated table', async () => {
    const dir = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), // true: categorical column
        fc.integer({ min: 1, max: 25 }),
        fc.boolean(), // CRLF
        fc.boolean(), // quote every number
        fc.infiniteStream(fc.tuple(numberCell, word, naCell, fc.integer({ min: 0, max: 9 }))),
        async (categorical, rows, crlf, quoteNumbers, stream) => {
          const it = stream[Symbol.iterator]();
          const cells: Cell[][] = Array.from({ length: rows }, () =>
            categorical.map((cat) => {
              const [num, text, na, roll] = it.next().value!;
              if (roll === 0) return na;
              return cat ? { kind: 'cat' as const, value: text } : num;
            }),
          );
          // A categorical column needs one non-numeric cell to be inferred categorical: force row 0.
          categorical.forEach((cat, j) => {
            if (cat && cells[0]![j]!.kind !== 'cat') cells[0]![j] = { kind: 'cat', value: 'x' };
          });
          const names = categorical.map((_, j) => `c${j}`);
          const eol = crlf ? '\r\n' : '\n';
          const lines = [['id', ...names].join(','), ...cells.map((row, i) => [`r${i}`, ...row.map((c) => (c.kind === 'cat' ? quote(c.value, false) : c.kind === 'num' ? quote(c.text, quoteNumbers) : c.text))].join(','))];
          const file = writeText(dir, `t${n++}.csv`, lines.join(eol) + eol);
          const table = await readTypedCsv(file);
          expect(table.types).toEqual(categorical.map((cat) => (cat ? 'categorical' : 'numeric')));
          expect(table.ids).toEqual(cells.map((_, i) => `r${i}`));
          const expected: number[] = [];
          const categories = categorical.map((_, j) => [...new Set(cells.flatMap((row) => (row[j]!.kind === 'cat' ? [row[j]!.value as string] : [])))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
          for (const row of cells) {
            row.forEach((c, j) => {
              expected.push(c.kind === 'na' ? Number.NaN : c.kind === 'num' ? Math.fround(c.value) : categories[j]!.indexOf(c.value));
            });
          }
          expect(Array.from(table.matrix.data)).toEqual(expected);
          categorical.forEach((cat, j) => {
            if (!cat) return;
            const column = cells.map((row) => row[j]!);
            expect(table.encoding.columns[`c${j}`]).toEqual({
              categories: categories[j],
              counts: categories[j]!.map((v) => column.filter((c) => c.kind === 'cat' && c.value === v).length),
              missing: column.filter((c) => c.kind === 'na').length,
            });
          });
        },
      ),
      { seed: FUZZ_SEED, numRuns: 150 },
    );
  });
});
