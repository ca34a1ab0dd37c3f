import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { writeArrowTable, type ArrowTable, type ArrowTable64, type InspectResult } from '@pipeline/ingest';
import type { Outcome } from './fuzz/fuzz-tasks.js';
import { fixture } from './fixture-values.js';
import { applyMutations, BINARY_WEIGHTS, mutationsArbitrary } from './fuzz/mutate.js';
import { expectResultOrInputError, FUZZ_SEED } from './fuzz/outcomes.js';
import { ParseWorker } from './fuzz/parse-in-worker.js';
import { tempDir } from './tmp-dir.js';

/** Cases per property (recorded in the README's "Fuzzed parsers"). */
const VALID_RUNS = 200;
const MUTATED_RUNS = 400;

interface GeneratedTable {
  readonly columns: string[];
  readonly rows: number;
  readonly float64: boolean;
  readonly values: number[];
  readonly ids: string[] | undefined;
  readonly idColumn: string | undefined;
  readonly metadata: Record<string, string>;
}

const tableArbitrary: fc.Arbitrary<GeneratedTable> = fc
  .record({
    columns: fc.uniqueArray(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
    rows: fc.integer({ min: 0, max: 30 }),
    float64: fc.boolean(),
    withIds: fc.boolean(),
    idColumn: fc.option(fc.constantFrom('id', 'row_id', 'key'), { nil: undefined }),
    metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 20 }), { maxKeys: 3 }),
  })
  .filter((shape) => !shape.withIds || !shape.columns.includes(shape.idColumn ?? 'id'))
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      values: fc.array(shape.float64 ? fc.double() : fc.float(), { minLength: shape.rows * shape.columns.length, maxLength: shape.rows * shape.columns.length }),
      ids: fc.array(fc.string({ unit: 'grapheme', maxLength: 10 }), { minLength: shape.rows, maxLength: shape.rows }),
    }),
  )
  .map(({ shape, values, ids }) => ({
    columns: shape.columns,
    rows: shape.rows,
    float64: shape.float64,
    values,
    ids: shape.withIds ? ids : undefined,
    idColumn: shape.withIds ? (shape.idColumn ?? 'id') : undefined,
    metadata: shape.metadata,
  }));

let written = 0;
async function writeGenerated(dir: string, table: GeneratedTable): Promise<Uint8Array> {
  const path = join(dir, `w${written++}.arrow`);
  const { rows, columns } = table;
  const data = table.float64 ? Float64Array.from(table.values) : Float32Array.from(table.values);
  await writeArrowTable(path, {
    columns,
    matrix: { rows, cols: columns.length, data } as Parameters<typeof writeArrowTable>[1]['matrix'],
    ...(table.ids === undefined ? {} : { ids: table.ids, idColumn: table.idColumn! }),
    metadata: table.metadata,
  });
  return new Uint8Array(readFileSync(path));
}

describe('Arrow IPC reader under fuzzing (files from writeArrowTable and pyarrow, then damaged)', () => {
  const worker = new ParseWorker(20_000);
  const dir = tempDir('ingest-fuzz-arrow-');
  afterAll(() => worker.close());

  it('regressions found by fuzzing: damaged counts, block types and lengths end in E_INPUT, not a hang or a RangeError (worker with a time limit)', async () => {
    const ours = readFileSync(fixture('ts_written.arrow'));
    const pyarrowFile = readFileSync(fixture('pyarrow_file.arrow')); // starts with a schema message (ours does not)
    // Flatbuffers navigation of the fixture, written out here independently of the reader's checks.
    const tableAt = (b: Buffer, position: number) => {
      const vtable = position - b.readInt32LE(position);
      const slot = (k: number) => position + b.readUInt16LE(vtable + 4 + 2 * k);
      return { slot, indirect: (k: number) => slot(k) + b.readUInt32LE(slot(k)) };
    };
    const footerStart = (b: Buffer) => b.length - 10 - b.readInt32LE(b.length - 10);
    const footer = (b: Buffer) => tableAt(b, footerStart(b) + b.readUInt32LE(footerStart(b)));
    const firstBlock = (b: Buffer) => footer(b).indirect(3) + 4; // recordBatches[0]
    const batchHeader = (b: Buffer) => {
      const offset = Number(b.readBigInt64LE(firstBlock(b)));
      const message = offset + 8; // after 0xFFFFFFFF and the length
      return tableAt(b, tableAt(b, message + b.readUInt32LE(message)).indirect(2));
    };
    const damaged: Array<[string, Buffer, (b: Buffer) => void, RegExp]> = [
      // A footer claiming 2^31 record batches: apache-arrow read the one real block and ignored the
      // claim; a footer that does not fit is now reported (the count bounds the reader's loop).
      ['record batch count', ours, (b) => b.writeUInt32LE(0x7fffffff, footer(b).indirect(3)), /the record batch list: 2147483647 entries do not fit/],
      // A block pointing at the schema message: RecordBatchFileReader re-read it forever (hang).
      [
        'record batch block → schema message',
        pyarrowFile,
        (b) => {
          b.writeBigInt64LE(8n, firstBlock(b));
          b.writeInt32LE(8 + b.readInt32LE(12), firstBlock(b) + 8);
        },
        /record batch 0 points to a message of type 1, not a record batch/,
      ],
      // A buffer count of 2^31 in a record batch message: decodeBuffers walked them all (hang).
      ['buffer count', ours, (b) => b.writeUInt32LE(0x7fffffff, batchHeader(b).indirect(2)), /the buffers: 2147483647 entries do not fit/],
      // A row count of 2^40: readArrowTable sized its output from it (RangeError, exit 1).
      ['row count', ours, (b) => b.writeBigInt64LE(2n ** 40n, batchHeader(b).slot(0)), /column 'id', record batch 0: 1099511627776 rows but|column 'c0', record batch 0: 1099511627776 rows but/],
    ];
    for (const [what, original, damage, message] of damaged) {
      const bytes = Buffer.from(original);
      damage(bytes);
      const outcome = await worker.run('arrow', { dir, name: 'regression.arrow', bytes: new Uint8Array(bytes) });
      for (const key of ['f32', 'f64', 'inspect']) {
        if (key === 'inspect' && what === 'row count') continue; // inspect reads the schema and counts, not the values
        expect([what, key, outcome[key]]).toEqual([what, key, expect.objectContaining({ ok: false, pipelineError: true, code: 'E_INPUT', exitCode: 3 })]);
        expect((outcome[key] as { message: string }).message).toMatch(message);
      }
    }
  });

  it(`random tables from writeArrowTable read back exactly: columns, ids, metadata, values bit for bit (${VALID_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(tableArbitrary, async (table) => {
        const bytes = await writeGenerated(dir, table);
        const outcome = await worker.run('arrow', { dir, name: 'valid.arrow', bytes, ...(table.idColumn === undefined ? {} : { idColumn: table.idColumn }) });
        for (const key of ['f32', 'f64', 'inspect']) expect([key, outcome[key]!.ok ? 'ok' : (outcome[key] as { message: string }).message]).toEqual([key, 'ok']);
        const f32 = (outcome.f32 as Outcome<ArrowTable> & { ok: true }).value;
        const f64 = (outcome.f64 as Outcome<ArrowTable64> & { ok: true }).value;
        expect([f64.columns, f64.rows, f64.metadata, f64.ids, f64.idColumn]).toEqual([table.columns, table.rows, table.metadata, table.ids, table.idColumn]);
        expect([f32.columns, f32.ids]).toEqual([table.columns, table.ids]);
        const expected = table.float64 ? table.values : table.values.map(Math.fround);
        expect(Array.from(f64.data)).toEqual(expected);
        expect(Array.from(f32.matrix.data)).toEqual(expected.map(Math.fround));
        expect((outcome.inspect as Outcome<InspectResult> & { ok: true }).value.rows).toBe(table.rows);
      }),
      { numRuns: VALID_RUNS, seed: FUZZ_SEED },
    );
  });

  it(`damaged files (bytes changed, cut, inserted): a consistent result or E_INPUT/E_SCHEMA (exit 3), never another error or a hang (${MUTATED_RUNS} cases)`, async () => {
    const pyarrow = [readFileSync(fixture('pyarrow_file.arrow')), readFileSync(fixture('pyarrow_stream.arrows'))].map((b) => new Uint8Array(b));
    const interesting = [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x7f, 0x80, 0xfe, 0xff];
    const base = fc.oneof(
      tableArbitrary.map((table) => ({ table, fixture: undefined })),
      fc.constantFrom(0, 1).map((k) => ({ table: undefined, fixture: k })),
    );
    await fc.assert(
      fc.asyncProperty(base, mutationsArbitrary(interesting, BINARY_WEIGHTS), async (source, mutations) => {
        const original = source.table !== undefined ? await writeGenerated(dir, source.table) : pyarrow[source.fixture!]!;
        // Every other edit lands in the schema message at the start or the footer at the end.
        const bytes = applyMutations(original, mutations, [
          [0, 512],
          [Math.max(0, original.length - 512), original.length],
        ]);
        const outcome = await worker.run('arrow', { dir, name: source.fixture === 1 ? 'damaged.arrows' : 'damaged.arrow', bytes });
        for (const key of ['f32', 'f64', 'inspect']) expectResultOrInputError(outcome[key], key);
        const { f32, f64 } = outcome as Record<string, Outcome>;
        expect(f32!.ok).toBe(f64!.ok);
        if (f64!.ok) {
          const table = (f64 as Outcome<ArrowTable64> & { ok: true }).value;
          const table32 = (f32 as Outcome<ArrowTable> & { ok: true }).value;
          expect(table.data.length).toBe(table.rows * table.cols);
          if (table.ids !== undefined) expect(table.ids.length).toBe(table.rows);
          expect(Array.from(table32.matrix.data)).toEqual(Array.from(table.data, Math.fround));
          expect([table32.columns, table32.ids]).toEqual([table.columns, table.ids]);
        } else {
          expect((f32 as { message: string }).message).toBe((f64 as { message: string }).message);
        }
      }),
      { numRuns: MUTATED_RUNS, seed: FUZZ_SEED },
    );
  });
});
