import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@pipeline/core';
import { openH5 } from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { bits, block, fixture, withSpecialCells } from './fixture-values.js';

// Fixtures: test/fixtures/gen_h5_layout_fixtures.py (h5py 3.16.0, HDF5 2.0.0). Values by closed formula.
const ROWS = 37;
const COLS = 29;

function grid(rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = ((((i * 1261 + j) * 37) % 1001) - 500) / 64;
  return out;
}

/** fine(i, j) = (i c + j) / 3 - 5 in float64, rounded to float32 (what readRows returns). */
const fine = (rows: number, cols: number) => Float32Array.from({ length: rows * cols }, (_, k) => k / 3 - 5);
/** ints(i, j) = (i c + j) · 97 mod 601 − 300 (Python's modulo of a non-negative number). */
const ints = (rows: number, cols: number, scale = 1, shift = 0) =>
  Float32Array.from({ length: rows * cols }, (_, k) => (((k * 97) % 601) - 300 + shift) * scale);

const X = withSpecialCells(grid(ROWS, COLS), COLS);
const EXPECTED: Record<string, { values: Float32Array; cols: number }> = {
  contig_f32: { values: X, cols: COLS },
  chunk_rows_f32: { values: X, cols: COLS },
  chunk_tiles_f32: { values: X, cols: COLS },
  gzip_f32: { values: X, cols: COLS },
  gzip_shuffle_tiles_f32: { values: X, cols: COLS },
  shuffle_f32: { values: X, cols: COLS },
  gzip_shuffle_f64: { values: fine(ROWS, COLS), cols: COLS },
  be_gzip_f32: { values: X, cols: COLS },
  be_chunk_f64: { values: fine(ROWS, COLS), cols: COLS },
  be_contig_i32: { values: ints(ROWS, COLS, 1000), cols: COLS },
  shuffle_i16: { values: ints(ROWS, COLS), cols: COLS },
  gzip_u8: { values: ints(ROWS, COLS).map((v) => (v + 300) % 256), cols: COLS },
  gzip_i64: { values: ints(ROWS, COLS, 2 ** 20), cols: COLS },
  vector_gzip_i32: { values: ints(1, 101), cols: 1 },
  resizable_gzip_f32: { values: X, cols: COLS },
  resizable2_f32: { values: X, cols: COLS },
  fletcher_gzip_f32: { values: X, cols: COLS },
  masked_gzip_f32: { values: X, cols: COLS },
  masked_shuffle_gzip_f32: { values: X, cols: COLS },
  sparse_f32: { values: Float32Array.from(X.map((v, k) => (k < 8 * COLS ? v : -2.5))), cols: COLS },
  single_chunk_f32: { values: X, cols: COLS },
  single_chunk_gzip_f32: { values: X, cols: COLS },
};

/** Which datasets are read without HDF5 (the rest: fletcher32, unallocated chunks, extensible array / v2 B-tree indices). */
const HDF5_ONLY = {
  'h5py_layouts.h5': ['fletcher_gzip_f32', 'sparse_f32'],
  'h5py_latest.h5': ['fletcher_gzip_f32', 'sparse_f32', 'resizable_gzip_f32', 'resizable2_f32'],
};

function pathLogger(): Logger & { direct: Record<string, boolean> } {
  const direct: Record<string, boolean> = {};
  return {
    direct,
    debug: (message, fields) => {
      if (message === 'HDF5 read path') direct[String(fields!['dataset'])] = fields!['direct'] as boolean;
    },
    info: () => {},
    warn: () => {},
    error: () => {},
  };
}

describe.each(Object.keys(HDF5_ONLY) as Array<keyof typeof HDF5_ONLY>)('direct reads of %s', (name) => {
  it('read every value of every layout (formula), equal bit for bit to the HDF5 path, and take the expected path', async () => {
    const logger = pathLogger();
    const file = await openH5(fixture(name), { logger });
    const viaHdf5 = await openH5(fixture(name), { directReads: false });
    const keys = file.datasets().map((info) => info.key);
    expect(keys.sort()).toEqual(Object.keys(EXPECTED).filter((key) => name === 'h5py_latest.h5' || !key.startsWith('single_')).sort());
    for (const key of keys) {
      const { values, cols } = EXPECTED[key]!;
      const rows = values.length / cols;
      const dataset = file.dataset(key);
      const reference = viaHdf5.dataset(key);
      const all = dataset.readRows(0, rows);
      expect([key, bits(all.data)]).toEqual([key, bits(values)]);
      expect([key, bits(all.data)]).toEqual([key, bits(reference.readRows(0, rows).data)]);
      // a row window that starts and ends inside chunks, and a column window across column chunks
      const window = cols > 1 ? { start: 3, end: 24 } : { start: 0, end: 1 };
      const part = dataset.readRows(5, 30, { columns: window });
      expect([key, bits(part.data)]).toEqual([key, bits(block(values, cols, 5, 30, window.start, window.end))]);
      expect([key, bits(part.data)]).toEqual([key, bits(reference.readRows(5, 30, { columns: window }).data)]);
      // batches that split chunks (3 and 11 rows) and reuse one buffer
      for (const batchRows of [3, 11]) {
        for (const batch of dataset.iterBatches({ batchRows, reuse: true })) {
          expect([key, batchRows, batch.start, bits(batch.matrix.data)]).toEqual([key, batchRows, batch.start, bits(block(values, cols, batch.start, batch.end))]);
        }
      }
    }
    const hdf5Only = HDF5_ONLY[name];
    expect(Object.fromEntries(keys.map((key) => [key, logger.direct[key]]))).toEqual(Object.fromEntries(keys.map((key) => [key, !hdf5Only.includes(key)])));
    file.close();
    viaHdf5.close();
  });
});

describe('direct reads of damaged files', () => {
  it('a chunk cut off by truncation → E_INPUT naming the file, the dataset and the truncation; the intact chunks still read', async () => {
    const file = await openH5(fixture('h5py_damaged_chunk.h5'));
    const dataset = file.dataset('features');
    const values = grid(32, 64);
    expect(bits(dataset.readRows(0, 24).data)).toEqual(bits(values.subarray(0, 24 * 64)));
    await expectError(() => dataset.readRows(20, 32), 'E_INPUT', /h5py_damaged_chunk\.h5/, /'features'/, /past the end of the file \(7028 bytes\): the file is truncated/);
    await expectError(() => [...dataset.iterBatches({ batchRows: 8 })], 'E_INPUT', /rows 24\.\.32/);
    file.close();
  });

  it('a corrupt deflate stream → E_INPUT with zlib’s reason, on every read touching the chunk', async () => {
    const file = await openH5(fixture('h5py_corrupt_gzip.h5'));
    const dataset = file.dataset('features');
    for (const [s, e] of [
      [8, 16],
      [0, 32],
      [15, 16],
    ] as const) {
      await expectError(() => dataset.readRows(s, e), 'E_INPUT', /h5py_corrupt_gzip\.h5/, /corrupt compressed chunk at byte \d+ \(zlib: /);
    }
    // the chunk after it is intact (values: the gen_h5_fixtures.py formula)
    expect(bits(dataset.readRows(16, 24).data)).toEqual(bits(block(grid(32, 64), 64, 16, 24)));
    file.close();
  });
});

describe('reuse: true scans', () => {
  it('keep one buffer per dataset across scans, and interleaved scans get their own buffer with correct values', async () => {
    const file = await openH5(fixture('h5py_layouts.h5'));
    const dataset = file.dataset('gzip_f32');
    const buffersOf = (batchRows: number) => {
      const buffers = new Set<ArrayBufferLike>();
      for (const batch of dataset.iterBatches({ batchRows, reuse: true })) {
        buffers.add(batch.matrix.data.buffer);
        expect(bits(batch.matrix.data)).toEqual(bits(block(X, COLS, batch.start, batch.end)));
      }
      return [...buffers];
    };
    const first = buffersOf(8);
    const second = buffersOf(8);
    expect(first).toHaveLength(1);
    expect(second).toEqual(first);
    // a larger batch needs a larger buffer
    expect(buffersOf(16)[0]).not.toBe(first[0]);
    // two scans at once: each batch of each scan holds its own rows when it is read
    const a = dataset.iterBatches({ batchRows: 8, reuse: true })[Symbol.iterator]();
    const b = dataset.iterBatches({ batchRows: 8, start: 16, reuse: true })[Symbol.iterator]();
    const seen = new Set<ArrayBufferLike>();
    for (let step = 0; step < 2; step++) {
      const x = a.next().value!;
      const y = b.next().value!;
      seen.add(x.matrix.data.buffer).add(y.matrix.data.buffer);
      expect(bits(x.matrix.data)).toEqual(bits(block(X, COLS, x.start, x.end)));
      expect(bits(y.matrix.data)).toEqual(bits(block(X, COLS, y.start, y.end)));
    }
    expect(seen.size).toBe(2);
    file.close();
  });
});
