import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { LabelTable } from '@pipeline/ingest';
import type { Outcome } from './fuzz/fuzz-tasks.js';
import { applyMutations, mutationsArbitrary } from './fuzz/mutate.js';
import { expectResultOrInputError, FUZZ_SEED } from './fuzz/outcomes.js';
import { ParseWorker } from './fuzz/parse-in-worker.js';
import { tempDir } from './tmp-dir.js';

/** Cases per property (recorded in the README's "Fuzzed parsers"). */
const VALID_RUNS = 300;
const MUTATED_RUNS = 400;

const MISSING = new Set(['', 'nan', 'NaN', 'NA', 'N/A', 'null', 'NULL', 'None']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface GeneratedLabels {
  readonly text: string;
  readonly header: string[];
  /** The raw label of every row, in file order. */
  readonly labels: string[];
  readonly ids: string[] | undefined;
}

const labelWord = fc.oneof(
  fc.integer({ min: -3, max: 12 }).map(String),
  fc.constantFrom('1.0', '2.50', '1e1', '+3', '0.0'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_ -]{0,6}[A-Za-z0-9_]$/),
);

const labelsArbitrary: fc.Arbitrary<GeneratedLabels> = fc
  .record({
    rows: fc.integer({ min: 1, max: 30 }),
    layout: fc.constantFrom('id-label', 'label-id', 'label-only'),
    labelName: fc.constantFrom('label', 'y', 'target', 'class', 'Label'),
    classes: fc.uniqueArray(labelWord, { minLength: 1, maxLength: 5 }),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    bom: fc.boolean(),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      picks: fc.array(fc.nat(shape.classes.length - 1), { minLength: shape.rows, maxLength: shape.rows }),
      ids: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/), { minLength: shape.rows, maxLength: shape.rows }),
      blanks: fc.array(fc.boolean(), { minLength: shape.rows, maxLength: shape.rows }),
    }),
  )
  .map(({ shape, picks, ids, blanks }) => {
    const labels = picks.map((k) => shape.classes[k]!);
    const header = shape.layout === 'id-label' ? ['id', shape.labelName] : shape.layout === 'label-id' ? [shape.labelName, 'id'] : [shape.labelName];
    const row = (i: number) => (shape.layout === 'id-label' ? [ids[i], labels[i]] : shape.layout === 'label-id' ? [labels[i], ids[i]] : [labels[i]]);
    const eol = shape.crlf ? '\r\n' : '\n';
    const lines = [header.join(',')];
    labels.forEach((_, i) => {
      if (blanks[i]) lines.push('');
      lines.push(row(i).join(','));
    });
    const text = (shape.bom ? '\ufeff' : '') + lines.join(eol) + (shape.finalNewline ? eol : '');
    return { text, header, labels, ids: shape.layout === 'label-only' ? undefined : ids };
  });

/** The documented class mapping: numeric labels by value (canonical text), others by code unit. */
function expectedClasses(labels: readonly string[]): { classNames: string[]; indices: number[] } {
  const numeric = labels.every((label) => NUMBER.test(label));
  const keys = numeric ? labels.map((label) => String(Number(label))) : [...labels];
  const unique = [...new Set(keys)];
  const classNames = numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { classNames, indices: keys.map((key) => classNames.indexOf(key)) };
}

describe('readLabels under fuzzing', () => {
  const worker = new ParseWorker(20_000);
  const dir = tempDir('ingest-fuzz-labels-');
  afterAll(() => worker.close());
  const encoder = new TextEncoder();

  it(`random valid label files read back exactly: classes, labels, ids, counts (${VALID_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(labelsArbitrary, async (file) => {
        const { labels: outcome } = await worker.run('labels', { dir, name: 'y.csv', bytes: encoder.encode(file.text) });
        expect(outcome!.ok ? 'ok' : (outcome as { message: string }).message).toBe('ok');
        const table = (outcome as Outcome<LabelTable> & { ok: true }).value;
        const { classNames, indices } = expectedClasses(file.labels);
        expect([table.classNames, Array.from(table.labels), table.ids]).toEqual([classNames, indices, file.ids]);
        expect(table.counts).toEqual(classNames.map((_, k) => indices.filter((i) => i === k).length));
        expect([table.labelColumn, table.idColumn]).toEqual([file.header.find((name) => name !== 'id'), file.ids === undefined ? undefined : 'id']);
      }),
      { numRuns: VALID_RUNS, seed: FUZZ_SEED },
    );
  });

  it(`mutated label files: a correct result or E_INPUT/E_SCHEMA (exit 3), never another error or a hang (${MUTATED_RUNS} cases)`, async () => {
    const interesting = [...',"\n\r -.0a'].map((c) => c.charCodeAt(0)).concat([0, 0xef, 0xff]);
    await fc.assert(
      fc.asyncProperty(labelsArbitrary, mutationsArbitrary(interesting), async (file, mutations) => {
        const bytes = applyMutations(encoder.encode(file.text), mutations);
        const { labels: outcome } = await worker.run('labels', { dir, name: 'y.csv', bytes });
        expectResultOrInputError(outcome, 'readLabels');
        if (outcome!.ok) {
          const table = (outcome as Outcome<LabelTable> & { ok: true }).value;
          expect(new Set(table.classNames).size).toBe(table.classNames.length);
          expect(Array.from(table.labels).every((k) => k >= 0 && k < table.classNames.length)).toBe(true);
          expect(table.counts.reduce((a, b) => a + b, 0)).toBe(table.labels.length);
          if (table.ids !== undefined) expect(table.ids.length).toBe(table.labels.length);
        }
        // Quote-free, header unchanged: the independent reading decides.
        const text = new TextDecoder().decode(bytes);
        const lines = text.split('\n');
        if (bytes.includes(0x22) || lines[0]!.replace(/^\ufeff/, '').replace(/\r$/, '') !== file.header.join(',')) return;
        const labelAt = file.header.findIndex((name) => name !== 'id');
        const idAt = file.header.indexOf('id');
        const labels: string[] = [];
        const ids: string[] = [];
        let invalid: string | undefined;
        for (const raw of lines.slice(1)) {
          const line = raw.replace(/\r$/, '');
          if (line.trim() === '') continue;
          const fields = line.split(',');
          if (fields.length !== file.header.length) invalid ??= 'ragged';
          else if (MISSING.has(fields[labelAt]!.trim())) invalid ??= 'no label';
          else {
            labels.push(fields[labelAt]!.trim());
            if (idAt >= 0) ids.push(fields[idAt]!.trim());
          }
        }
        if (labels.length === 0) invalid ??= 'no rows';
        if (new Set(ids).size !== ids.length) invalid ??= 'duplicate id';
        if (invalid !== undefined) {
          expect([outcome!.ok, invalid]).toEqual([false, invalid]);
          return;
        }
        expect(outcome!.ok ? 'ok' : (outcome as { message: string }).message).toBe('ok');
        const table = (outcome as Outcome<LabelTable> & { ok: true }).value;
        const { classNames, indices } = expectedClasses(labels);
        expect([table.classNames, Array.from(table.labels), table.ids]).toEqual([classNames, indices, idAt >= 0 ? ids : undefined]);
      }),
      { numRuns: MUTATED_RUNS, seed: FUZZ_SEED },
    );
  });
});
