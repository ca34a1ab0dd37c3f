import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { writeH5, type H5AttrValue, type H5DatasetInfo, type H5WriteEntry } from '@pipeline/ingest';
import type { Outcome } from './fuzz/fuzz-tasks.js';
import { applyMutations, BINARY_WEIGHTS, mutationsArbitrary } from './fuzz/mutate.js';
import { expectResultOrInputError, FUZZ_SEED } from './fuzz/outcomes.js';
import { ParseWorker } from './fuzz/parse-in-worker.js';
import { tempDir } from './tmp-dir.js';

/** Cases per property (recorded in the README's "Fuzzed parsers"). */
const VALID_RUNS = 150;
const MUTATED_RUNS = 300;

type DatasetKind = 'float32' | 'float64' | 'int32' | 'uint8' | 'int16' | 'string';

interface GeneratedDataset {
  readonly key: string;
  readonly kind: DatasetKind;
  readonly shape: number[];
  readonly values: number[] | string[];
  readonly chunked: boolean;
  readonly compression: number | undefined;
  readonly attrs: Record<string, H5AttrValue>;
}

interface GeneratedH5 {
  readonly datasets: GeneratedDataset[];
  readonly attrs: Record<string, H5AttrValue>;
}

const attrName = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
const attrValue: fc.Arbitrary<H5AttrValue> = fc.oneof(
  fc.stringMatching(/^[ -~]{0,12}$/),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 4 }),
  fc.array(fc.stringMatching(/^[a-z]{1,5}$/), { minLength: 1, maxLength: 4 }),
);
const attrsArbitrary = fc.dictionary(attrName, attrValue, { maxKeys: 3 });

const datasetArbitrary = (key: string): fc.Arbitrary<GeneratedDataset> =>
  fc
    .record({
      kind: fc.constantFrom<DatasetKind>('float32', 'float32', 'float64', 'int32', 'uint8', 'int16', 'string'),
      rows: fc.integer({ min: 1, max: 24 }),
      cols: fc.integer({ min: 1, max: 6 }),
      oneDimensional: fc.boolean(),
      chunked: fc.boolean(),
      compression: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
      attrs: attrsArbitrary,
    })
    .chain((shape) => {
      const cols = shape.oneDimensional || shape.kind === 'string' ? 1 : shape.cols;
      const n = shape.rows * cols;
      const element: fc.Arbitrary<number | string> =
        shape.kind === 'float32'
          ? fc.float()
          : shape.kind === 'float64'
            ? fc.double()
            : shape.kind === 'int32'
              ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
              : shape.kind === 'uint8'
                ? fc.integer({ min: 0, max: 255 })
                : shape.kind === 'int16'
                  ? fc.integer({ min: -32768, max: 32767 })
                  : fc.stringMatching(/^[ -~]{0,10}$/);
      return fc.array(element, { minLength: n, maxLength: n }).map(
        (values): GeneratedDataset => ({
          key,
          kind: shape.kind,
          shape: shape.oneDimensional || shape.kind === 'string' ? [shape.rows] : [shape.rows, cols],
          values: values as number[] | string[],
          chunked: shape.chunked && shape.kind !== 'string',
          compression: shape.kind === 'string' ? undefined : shape.compression,
          attrs: shape.attrs,
        }),
      );
    });

const h5Arbitrary: fc.Arbitrary<GeneratedH5> = fc
  .uniqueArray(fc.constantFrom('features', 'labels', 'meta', 'x1', 'signal'), { minLength: 1, maxLength: 3 })
  .chain((keys) => fc.record({ datasets: fc.tuple(...keys.map(datasetArbitrary)), attrs: attrsArbitrary }));

function entry(dataset: GeneratedDataset): H5WriteEntry {
  const { key, kind, shape, values } = dataset;
  const rows = shape[0]!;
  const cols = shape[1] ?? 1;
  const value: H5WriteEntry['value'] =
    kind === 'float32' && shape.length === 2
      ? { rows, cols, data: Float32Array.from(values as number[]) }
      : kind === 'float64' && shape.length === 2
        ? { rows, cols, data: Float64Array.from(values as number[]) }
        : {
            shape,
            data:
              kind === 'string'
                ? (values as string[])
                : ({ float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array, int16: Int16Array } as const)[kind].from(values as number[]),
          };
  return {
    key,
    value,
    ...(dataset.chunked ? { chunks: [Math.max(1, Math.ceil(rows / 3)), ...shape.slice(1)] } : {}),
    ...(dataset.compression === undefined ? {} : { compression: dataset.compression }),
    ...(Object.keys(dataset.attrs).length === 0 ? {} : { attrs: dataset.attrs }),
  };
}

let written = 0;
async function writeGenerated(dir: string, file: GeneratedH5): Promise<Uint8Array> {
  const path = join(dir, `w${written++}.h5`);
  await writeH5(path, file.datasets.map(entry), Object.keys(file.attrs).length === 0 ? {} : { attrs: file.attrs });
  return new Uint8Array(readFileSync(path));
}

/** What the worker's full read returns (see fuzz-tasks.ts). */
interface H5Read {
  datasets: H5DatasetInfo[];
  attrs: Record<string, unknown>;
  values: Record<string, { info: H5DatasetInfo; attrs: Record<string, unknown>; raw?: string[]; matrix?: { rows: number; cols: number; data: Float32Array }; batched?: Float32Array }>;
}

/** Attribute values as h5wasm's json_value gives them back (numbers and arrays of them, strings). */
function expectedAttrs(attrs: Record<string, H5AttrValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attrs).map(([name, value]) => [name, Array.isArray(value) ? [...value] : value]));
}

describe('HDF5 reader under fuzzing (files from H5Writer, then damaged)', () => {
  const worker = new ParseWorker(30_000);
  const dir = tempDir('ingest-fuzz-h5-');
  afterAll(() => worker.close());

  it(`random files from H5Writer read back exactly: datasets, shapes, dtypes, values, attributes (${VALID_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(h5Arbitrary, async (file) => {
        const bytes = await writeGenerated(dir, file);
        const { h5, inspect } = await worker.run('h5', { dir, name: 'valid.h5', bytes });
        expect(h5!.ok ? 'ok' : (h5 as { message: string }).message).toBe('ok');
        expect(inspect!.ok).toBe(true);
        const read = (h5 as Outcome<H5Read> & { ok: true }).value;
        expect(read.attrs).toEqual(expectedAttrs(file.attrs));
        expect(read.datasets.map((d) => [d.key, d.shape, d.dtype])).toEqual(
          [...file.datasets].sort((a, b) => (a.key < b.key ? -1 : 1)).map((d) => [d.key, d.shape, d.kind]),
        );
        for (const dataset of file.datasets) {
          const got = read.values[dataset.key]!;
          expect(got.attrs).toEqual(expectedAttrs(dataset.attrs));
          expect(got.info.chunks !== null).toBe(dataset.chunked || dataset.compression !== undefined);
          if (dataset.kind === 'string') {
            expect(got.raw).toEqual(dataset.values);
          } else {
            expect(Array.from(got.matrix!.data)).toEqual((dataset.values as number[]).map(Math.fround));
            expect([got.matrix!.rows, got.matrix!.cols]).toEqual([dataset.shape[0], dataset.shape[1] ?? 1]);
            expect(Array.from(got.batched!)).toEqual(Array.from(got.matrix!.data));
          }
        }
      }),
      { numRuns: VALID_RUNS, seed: FUZZ_SEED },
    );
  });

  it(`damaged files (bytes changed, cut, inserted): a consistent result or E_INPUT/E_SCHEMA (exit 3), never another error or a hang (${MUTATED_RUNS} cases)`, async () => {
    const interesting = [0x00, 0x01, 0x02, 0x08, 0x10, 0x7f, 0x80, 0xfe, 0xff];
    await fc.assert(
      fc.asyncProperty(h5Arbitrary, mutationsArbitrary(interesting, BINARY_WEIGHTS), async (file, mutations) => {
        const base = await writeGenerated(dir, file);
        // Every other edit lands in the superblock or the object headers and heaps after it.
        const bytes = applyMutations(base, mutations, [
          [0, 128],
          [0, 2048],
        ]);
        const { h5, inspect } = await worker.run('h5', { dir, name: 'damaged.h5', bytes });
        expectResultOrInputError(h5, 'openH5 + reads');
        expectResultOrInputError(inspect, 'inspectFile');
        if (h5!.ok) {
          const read = (h5 as Outcome<H5Read> & { ok: true }).value;
          for (const info of read.datasets) {
            const got = read.values[info.key]!;
            if (got.matrix === undefined) continue;
            expect([got.matrix.rows, got.matrix.data.length]).toEqual([info.shape[0], info.shape.reduce((a, b) => a * b, 1)]);
            expect(Buffer.from(got.batched!.buffer).equals(Buffer.from(got.matrix.data.buffer, got.matrix.data.byteOffset, got.matrix.data.byteLength))).toBe(true);
          }
        }
      }),
      { numRuns: MUTATED_RUNS, seed: FUZZ_SEED },
    );
  });
});
