import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@pipeline/core';
import { openH5, writeH5 } from '@pipeline/ingest';
import { expectError } from './expect-error.js';
import { basicFeatures, bits, block, featureValues, fixture, small64 } from './fixture-values.js';
import { tempDir } from './tmp-dir.js';

const COLS = 1261;

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, info: () => {}, warn: (message) => warnings.push(message), error: () => {} };
}

describe('openH5 on h5py-written files (h5py 3.7, HDF5 1.10.8)', () => {
  it('lists every dataset with shape, dtype, chunks and filters', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const byKey = Object.fromEntries(file.datasets().map((info) => [info.key, info]));
    expect(Object.keys(byKey).sort()).toEqual(
      [
        'be_float32',
        'be_float64',
        'cube',
        'data/test/features',
        'data/train/columns',
        'data/train/features',
        'data/train/labels',
        'empty_rows',
        'features',
        'features_chunked',
        'features_gzip',
        'features_shuffle_gzip',
        'ints/int16',
        'ints/int32',
        'ints/int64',
        'ints/int8',
        'ints/uint16',
        'ints/uint32',
        'ints/uint8',
        'scalar',
        'unwritten',
      ].sort(),
    );
    expect(byKey['features']).toEqual({ key: 'features', shape: [40, COLS], dtype: 'float32', chunks: null, filters: [] });
    expect(byKey['features_chunked']).toEqual({ key: 'features_chunked', shape: [40, COLS], dtype: 'float32', chunks: [16, COLS], filters: [] });
    expect(byKey['features_gzip']!.filters).toEqual([{ id: 1, name: 'deflate' }]);
    expect(byKey['features_shuffle_gzip']!.filters).toEqual([
      { id: 2, name: 'shuffle' },
      { id: 1, name: 'deflate' },
    ]);
    expect(byKey['data/train/features']).toEqual({
      key: 'data/train/features',
      shape: [10, 7],
      dtype: 'float64',
      chunks: [4, 7],
      filters: [{ id: 1, name: 'deflate' }],
    });
    expect(byKey['data/train/columns']!.dtype).toBe('string');
    expect(byKey['ints/int64']!.dtype).toBe('int64');
    expect(byKey['ints/uint8']!.dtype).toBe('uint8');
    expect(byKey['be_float64']!.dtype).toBe('float64');
    expect(byKey['scalar']!.shape).toEqual([]);
    expect(file.attrs()).toEqual({ source: 'gen_h5_fixtures.py', sfreq: 250, n_meta: 11 });
    expect(file.attrs('data/train')).toEqual({ n_meta: 11 });
    file.close();
  });

  it.each(['features', 'features_chunked', 'features_gzip', 'features_shuffle_gzip'])(
    'reads every value of %s (NaN, ±inf, -0, subnormal, float32 max included)',
    async (key) => {
      const file = await openH5(fixture('h5py_basic.h5'));
      const dataset = file.dataset(key);
      const expected = basicFeatures();
      const all = dataset.readRows(0, 40);
      expect([all.rows, all.cols]).toEqual([40, COLS]);
      expect(bits(all.data)).toEqual(bits(expected));
      // A row × column window as one hyperslab.
      const window = dataset.readRows(5, 17, { columns: { start: 11, end: COLS } });
      expect([window.rows, window.cols]).toEqual([12, COLS - 11]);
      expect(bits(window.data)).toEqual(bits(block(expected, COLS, 5, 17, 11, COLS)));
      const meta = dataset.readRows(0, 40, { columns: { start: 0, end: 11 } });
      expect(bits(meta.data)).toEqual(bits(block(expected, COLS, 0, 40, 0, 11)));
      file.close();
    },
  );

  it('iterates batches that cover the rows exactly once, aligned to chunks', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const expected = basicFeatures();
    const logger = recordingLogger();
    const chunked = await openH5(fixture('h5py_basic.h5'), { logger });
    const gzip = chunked.dataset('features_gzip'); // chunks of 8 rows
    const defaults = [...gzip.iterBatches()];
    expect(defaults.map((b) => [b.start, b.end])).toEqual([[0, 40]]);
    const by16 = [...gzip.iterBatches({ batchRows: 16, start: 3, end: 37 })];
    // The first batch ends on a chunk boundary (16 = 2 chunks after row 0), later ones are full.
    expect(by16.map((b) => [b.start, b.end])).toEqual([
      [3, 16],
      [16, 32],
      [32, 37],
    ]);
    for (const batch of by16) expect(bits(batch.matrix.data)).toEqual(bits(block(expected, COLS, batch.start, batch.end)));
    expect(logger.warnings).toEqual([]);
    const by5 = [...gzip.iterBatches({ batchRows: 5, columns: { start: 100, end: 105 } })];
    expect(by5.map((b) => b.start)).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    for (const batch of by5) {
      expect(batch.matrix.cols).toBe(5);
      expect(bits(batch.matrix.data)).toEqual(bits(block(expected, COLS, batch.start, batch.end, 100, 105)));
    }
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/not a multiple of the chunk rows/);
    const contiguous = [...file.dataset('features').iterBatches({ batchRows: 7 })];
    expect(contiguous.map((b) => b.end)).toEqual([7, 14, 21, 28, 35, 40]);
    expect(bits(new Float32Array(contiguous.flatMap((b) => [...b.matrix.data])))).toEqual(bits(expected));
    file.close();
    chunked.close();
  });

  it('reuses one buffer with reuse: true and reads into a given array with into', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const expected = basicFeatures();
    for (const key of ['features', 'features_gzip']) {
      const buffers = new Set<ArrayBufferLike>();
      let rows = 0;
      for (const batch of file.dataset(key).iterBatches({ batchRows: 16, reuse: true })) {
        buffers.add(batch.matrix.data.buffer);
        expect([key, bits(batch.matrix.data)]).toEqual([key, bits(block(expected, COLS, batch.start, batch.end))]);
        rows += batch.matrix.rows;
      }
      expect([key, rows, buffers.size]).toEqual([key, 40, 1]);
    }
    const target = new Float32Array(100 * 11).fill(-1);
    const view = file.dataset('features').readRows(2, 9, { columns: { start: 0, end: 11 }, into: target });
    expect(view.data.buffer).toBe(target.buffer);
    expect(bits(target.subarray(0, 77))).toEqual(bits(block(expected, COLS, 2, 9, 0, 11)));
    expect(target[77]).toBe(-1);
    await expectError(() => file.dataset('features').readRows(0, 2, { into: new Float32Array(10) }), 'E_USAGE', /'into' holds 10 values; rows 0\.\.2 × 1261 columns need 2522/);
    file.close();
  });

  it('stops between batches when the signal is aborted', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const controller = new AbortController();
    const seen: number[] = [];
    await expectError(
      () => {
        for (const batch of file.dataset('features').iterBatches({ batchRows: 10, signal: controller.signal })) {
          seen.push(batch.start);
          controller.abort();
        }
      },
      'E_ABORTED',
    );
    expect(seen).toEqual([0]);
    file.close();
  });

  it('converts float64, big-endian and integer datasets to float32 and reads them natively with readRaw', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const f64 = file.dataset('data/train/features');
    expect(Array.from(f64.readRows(0, 10).data)).toEqual(Array.from(small64(10, 7), Math.fround));
    expect(f64.readRaw().data).toEqual(small64(10, 7));
    expect(Array.from(f64.readRows(2, 9, { columns: { start: 3, end: 6 } }).data)).toEqual(
      Array.from({ length: 7 * 3 }, (_, k) => Math.fround(((2 + Math.floor(k / 3)) * 7 + 3 + (k % 3)) / 3 - 5)),
    );
    expect(bits(file.dataset('be_float32').readRows(0, 5).data)).toEqual(bits(featureValues(5, 3)));
    expect(file.dataset('be_float64').readRaw().data).toEqual(small64(5, 3));
    const base = Array.from({ length: 15 }, (_, k) => k - 7);
    const cases: Array<[string, (v: number) => number]> = [
      ['int8', (v) => v],
      ['int16', (v) => v * 1000],
      ['int32', (v) => v * 100000],
      ['int64', (v) => v * 2 ** 40],
      ['uint8', (v) => (v + 7) * 17],
      ['uint16', (v) => (v + 7) * 4000],
      ['uint32', (v) => (v + 7) * 300000000],
    ];
    for (const [name, f] of cases) {
      const m = file.dataset(`ints/${name}`).readRows(0, 5);
      expect([name, m.rows, m.cols]).toEqual([name, 5, 3]);
      expect([name, Array.from(m.data)]).toEqual([name, base.map((v) => Math.fround(f(v)))]);
    }
    const raw = file.dataset('ints/int64').readRaw(1, 3);
    expect(raw.shape).toEqual([2, 3]);
    expect(raw.data).toEqual(BigInt64Array.from(base.slice(3, 9), (v) => BigInt(v) * 2n ** 40n));
    expect(file.dataset('data/train/labels').readRaw().data).toEqual(Int8Array.from({ length: 10 }, (_, k) => k % 3));
    const labels = file.dataset('data/train/labels').readRows(0, 10);
    expect([labels.rows, labels.cols, Array.from(labels.data)]).toEqual([10, 1, Array.from({ length: 10 }, (_, k) => k % 3)]);
    file.close();
  });

  it('flattens trailing dimensions, reads strings and scalars raw, and handles zero rows', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const cube = file.dataset('cube').readRows(1, 3);
    expect([cube.rows, cube.cols]).toEqual([2, 6]);
    expect(bits(cube.data)).toEqual(bits(block(featureValues(4, 6), 6, 1, 3)));
    expect(file.dataset('data/train/columns').readRaw()).toEqual({ shape: [7], data: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'] });
    expect(file.dataset('data/train/columns').readRaw(2, 4).data).toEqual(['c2', 'c3']);
    expect(file.dataset('scalar').readRaw()).toEqual({ shape: [], data: new Float64Array([2.5]) });
    await expectError(() => file.dataset('scalar').readRows(0, 1), 'E_SCHEMA', /scalar/);
    await expectError(() => file.dataset('data/train/columns').readRows(0, 1), 'E_SCHEMA', /string/, /readRaw/);
    const empty = file.dataset('empty_rows');
    expect(empty.readRows(0, 0)).toEqual({ rows: 0, cols: 4, data: new Float32Array(0) });
    expect([...empty.iterBatches()]).toEqual([]);
    file.close();
  });
});

describe('openH5 read paths', () => {
  function debugLogger(): Logger & { paths: Record<string, boolean> } {
    const paths: Record<string, boolean> = {};
    return {
      paths,
      debug: (message, fields) => {
        if (message === 'HDF5 read path') paths[String(fields!['dataset'])] = fields!['direct'] as boolean;
      },
      info: () => {},
      warn: () => {},
      error: () => {},
    };
  }

  it('reads contiguous, chunked and gzip data (either byte order) directly from the file, with the same values as HDF5', async () => {
    const logger = debugLogger();
    const file = await openH5(fixture('h5py_basic.h5'), { logger });
    const expected = basicFeatures();
    for (const key of ['features', 'features_chunked', 'features_gzip']) {
      const all = file.dataset(key).readRows(0, 40);
      expect([key, bits(all.data)]).toEqual([key, bits(expected)]);
      const window = file.dataset(key).readRows(7, 31, { columns: { start: 3, end: 700 } });
      expect([key, bits(window.data)]).toEqual([key, bits(block(expected, COLS, 7, 31, 3, 700))]);
    }
    // int16[i, j] = (3i + j - 7) * 1000: rows 1..3, columns 1..2.
    expect(Array.from(file.dataset('ints/int16').readRows(1, 4, { columns: { start: 1, end: 3 } }).data)).toEqual([-3000, -2000, 0, 1000, 3000, 4000]);
    file.dataset('be_float32').readRows(0, 1);
    expect(logger.paths).toEqual({ features: true, features_chunked: true, features_gzip: true, 'ints/int16': true, be_float32: true });
    const viaHdf5 = debugLogger();
    const reference = await openH5(fixture('h5py_basic.h5'), { logger: viaHdf5, directReads: false });
    for (const key of ['features', 'features_chunked', 'features_gzip', 'features_shuffle_gzip']) {
      expect([key, bits(reference.dataset(key).readRows(0, 40).data)]).toEqual([key, bits(expected)]);
    }
    expect(viaHdf5.paths).toEqual({ features: false, features_chunked: false, features_gzip: false, features_shuffle_gzip: false });
    reference.close();
    file.close();
  });

  it('falls back to HDF5 for data that was never written (fill values, nothing to locate)', async () => {
    const logger = debugLogger();
    const file = await openH5(fixture('h5py_basic.h5'), { logger });
    expect(Array.from(file.dataset('unwritten').readRows(0, 5).data)).toEqual(new Array(15).fill(7.5));
    expect(logger.paths).toEqual({ unwritten: false });
    file.close();
  });
});

describe('openH5 bad input', () => {
  it('missing file → E_NOT_FOUND naming the path', async () => {
    await expectError(openH5(fixture('does_not_exist.h5')), 'E_NOT_FOUND', /does_not_exist\.h5/, /HDF5 file not found/);
  });

  it('not an HDF5 file → E_INPUT', async () => {
    await expectError(openH5(fixture('broken_not_hdf5.h5')), 'E_INPUT', /broken_not_hdf5\.h5/, /not an HDF5 file/);
  });

  it('empty file → E_INPUT', async () => {
    await expectError(openH5(fixture('broken_empty.h5')), 'E_INPUT', /broken_empty\.h5/, /empty \(0 bytes\)/);
  });

  it('directory → E_INPUT', async () => {
    await expectError(openH5(fixture('')), 'E_INPUT', /is a directory/);
  });

  it('truncated file → E_INPUT with both sizes', async () => {
    await expectError(
      openH5(fixture('broken_truncated.h5')),
      'E_INPUT',
      /broken_truncated\.h5/,
      /truncated HDF5 file: it has 61639 bytes but its superblock says 493112/,
    );
  });

  it('corrupt header → E_INPUT', async () => {
    await expectError(openH5(fixture('broken_header.h5')), 'E_INPUT', /broken_header\.h5/, /corrupt or unreadable HDF5 file/);
  });

  it('a damaged object header → E_INPUT from datasets(), dataset() and attrs(), not a raw h5wasm Error (found by fuzzing)', async () => {
    // The shrunk fuzz case: a 1 × 1 float32 file from H5Writer with its first byte inserted among the
    // object headers. HDF5 opens the file, then rejects the header when it is first read.
    const dir = tempDir();
    const path = join(dir, 'one.h5');
    await writeH5(path, [{ key: 'features', value: { rows: 1, cols: 1, data: new Float32Array([0]) } }]);
    const bytes = readFileSync(path);
    const at = 77939112 % bytes.length;
    writeFileSync(path, Buffer.concat([bytes.subarray(0, at), bytes.subarray(0, 1), bytes.subarray(at)]));
    const file = await openH5(path);
    try {
      await expectError(() => file.datasets(), 'E_INPUT', /one\.h5: corrupt HDF5 file: cannot list the datasets: bad object header version number \(HDF5 H5O__prefix_deserialize\)/);
      await expectError(() => file.dataset('features'), 'E_INPUT', /corrupt HDF5 file: cannot open dataset 'features'/);
      await expectError(() => file.attrs('features'), 'E_INPUT', /corrupt HDF5 file: cannot read the attributes of 'features'/);
    } finally {
      file.close();
    }
  });

  it('a corrupt gzip chunk raises on every read touching it, never returns zeros', async () => {
    const file = await openH5(fixture('h5py_corrupt_gzip.h5'));
    const dataset = file.dataset('features');
    expect(bits(dataset.readRows(0, 8).data)).toEqual(bits(featureValues(8, 64)));
    expect(bits(dataset.readRows(16, 32).data)).toEqual(bits(block(featureValues(32, 64), 64, 16, 32)));
    await expectError(() => dataset.readRows(8, 16), 'E_INPUT', /h5py_corrupt_gzip\.h5/, /features/, /rows 8\.\.16/, /corrupt/);
    await expectError(() => dataset.readRows(0, 32), 'E_INPUT', /rows 0\.\.32/);
    const starts: number[] = [];
    await expectError(() => {
      for (const batch of dataset.iterBatches({ batchRows: 8 })) starts.push(batch.start);
    }, 'E_INPUT');
    expect(starts).toEqual([0]);
    file.close();
  });

  it('wrong dataset key → E_NOT_FOUND listing the keys that exist', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const error = await expectError(() => file.dataset('Features'), 'E_NOT_FOUND', /dataset 'Features' not found/, /did you mean 'features'\?/);
    expect(error.message).toMatch(/features_gzip/);
    expect(error.message).toMatch(/data\/train\/features/);
    expect(error.field).toBe('Features');
    await expectError(() => file.dataset('data/nope/x'), 'E_NOT_FOUND', /'data\/nope\/x' not found \(group 'data' exists\)/);
    await expectError(() => file.dataset('features/x'), 'E_INPUT', /'features' is a dataset, so 'features\/x' cannot exist/);
    await expectError(() => file.dataset(''), 'E_USAGE', /empty dataset key/);
    // A leading slash is accepted.
    expect(file.dataset('/data/train/features').info.key).toBe('data/train/features');
    file.close();
  });

  it('a group where a dataset is expected → E_INPUT naming the datasets inside', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    await expectError(
      () => file.dataset('data/train'),
      'E_INPUT',
      /'data\/train' is a group, not a dataset/,
      /data\/train\/features, data\/train\/labels, data\/train\/columns|data\/train\/columns/,
    );
    file.close();
  });

  it('row or column range out of bounds → E_INPUT (h5wasm would clamp silently)', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const dataset = file.dataset('features_gzip');
    await expectError(() => dataset.readRows(30, 41), 'E_INPUT', /row range \[30, 41\) is outside dataset 'features_gzip' of 40 rows/);
    await expectError(() => dataset.readRows(-5, 2), 'E_INPUT', /row range \[-5, 2\)/);
    await expectError(() => dataset.readRows(5, 2), 'E_INPUT', /row range \[5, 2\)/);
    await expectError(() => dataset.readRows(0.5, 2), 'E_INPUT', /row range/);
    await expectError(() => dataset.readRows(0, 2, { columns: { start: 1200, end: 1262 } }), 'E_INPUT', /column range \[1200, 1262\) is outside dataset 'features_gzip' of 1261 columns/);
    await expectError(() => [...dataset.iterBatches({ end: 50 })], 'E_INPUT', /row range \[0, 50\)/);
    await expectError(() => [...dataset.iterBatches({ batchRows: 0 })], 'E_USAGE', /batchRows must be a positive integer/);
    await expectError(() => file.dataset('cube').readRows(0, 1, { columns: { start: 0, end: 1 } }), 'E_USAGE', /1-D or 2-D/);
    file.close();
  });

  it('reads after close → E_STATE', async () => {
    const file = await openH5(fixture('h5py_basic.h5'));
    const dataset = file.dataset('features');
    file.close();
    file.close();
    await expectError(() => dataset.readRows(0, 1), 'E_STATE', /closed/);
    await expectError(() => file.datasets(), 'E_STATE', /closed/);
  });
});
