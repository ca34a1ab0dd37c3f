import { closeSync, copyFileSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@pipeline/core';
import { generateDemoData, openH5, preloadH5, writeH5, type H5File } from '@pipeline/ingest';
import { H5Unsupported, readH5Meta, type H5Meta } from '../src/h5-meta.js';
import { lookup3 } from '../src/lookup3.js';
import { expectError } from './expect-error.js';
import { featureValues, fixture, small64 } from './fixture-values.js';
import { tempDir } from './tmp-dir.js';

// Fixtures: gen_h5_meta_fixtures.py (h5py_meta_*), gen_h5_fixtures.py, gen_h5_layout_fixtures.py.
// Reference: what HDF5 itself (h5wasm, `directReads: false`) reports for the same file.

function meta(path: string): H5Meta {
  const fd = openSync(path, 'r');
  try {
    return readH5Meta(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

/** A logger that records its debug messages. */
function recorder(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const note = (message: string): void => void messages.push(message);
  const logger: Logger = { debug: note, info: note, warn: note, error: note, child: () => logger } as unknown as Logger;
  return { logger, messages };
}

/** Opens `path` both ways; `pure` tells whether the default open went without HDF5. */
async function both(path: string): Promise<{ direct: H5File; hdf5: H5File; pure: boolean }> {
  const { logger, messages } = recorder();
  const direct = await openH5(path, { logger });
  const hdf5 = await openH5(path, { directReads: false });
  return { direct, hdf5, pure: messages.includes('opened HDF5 file without HDF5') };
}

/** Every group path of a file (from its dataset keys) plus the root. */
function groupsOf(keys: readonly string[]): string[] {
  const out = new Set<string>(['']);
  for (const key of keys) {
    const parts = key.split('/');
    for (let k = 1; k < parts.length; k++) out.add(parts.slice(0, k).join('/'));
  }
  return [...out];
}

/** The parser's view compared with HDF5's: dataset keys (order), shapes, dtypes, attributes of every group and dataset. */
async function expectSameAsHdf5(path: string): Promise<void> {
  const parsed = meta(path);
  const hdf5 = await openH5(path, { directReads: false });
  try {
    const listing = hdf5.datasets();
    expect(parsed.datasets.map((d) => d.key)).toEqual(listing.map((info) => info.key));
    parsed.datasets.forEach(({ dataset }, k) => {
      expect(dataset.shape).toEqual(listing[k]!.shape);
      expect(dataset.filters.map((f) => f.id)).toEqual(listing[k]!.filters.map((f) => f.id));
      expect(dataset.layoutClass === 2).toBe(listing[k]!.chunks !== null);
      expect(JSON.stringify(dataset.attrs)).toBe(JSON.stringify(hdf5.attrs(listing[k]!.key)));
    });
    for (const group of groupsOf(listing.map((info) => info.key))) {
      let node = parsed.root;
      for (const part of group.split('/').filter(Boolean)) node = node.children.get(part) as typeof node;
      expect(JSON.stringify(node.attrs)).toBe(JSON.stringify(hdf5.attrs(group)));
    }
  } finally {
    hdf5.close();
  }
}

describe('readH5Meta (HDF5 metadata without HDF5)', () => {
  it('computes lookup3 as HDF5 does (Bob Jenkins\u2019 published values)', () => {
    expect(lookup3(new Uint8Array(0), 0, 0)).toBe(0xdeadbeef);
    const text = new TextEncoder().encode('Four score and seven years ago');
    expect(lookup3(text, 0, text.length).toString(16)).toBe('17770551');
  });

  it.each(['h5py_meta_latest.h5', 'h5py_meta_earliest.h5', 'h5py_basic.h5', 'h5py_layouts.h5', 'h5py_corrupt_gzip.h5', 'h5py_damaged_chunk.h5'])(
    'lists the datasets, shapes, filters and attributes HDF5 reports: %s',
    async (name) => {
      await expectSameAsHdf5(fixture(name));
    },
  );

  it('reads the attribute types of the h5py fixtures with their values (closed formulas)', () => {
    const earliest = meta(fixture('h5py_meta_earliest.h5'));
    expect(earliest.root.attrs).toEqual({
      Zeta: 1,
      be_f64: [0.1, -7.5],
      be_i32: [1, -2, 300000],
      empty_list: [],
      f32: Math.fround(0.1),
      f64_list: [1.5, -2.25, Infinity],
      fixed_ascii: 'fixed',
      fixed_list: ['ab', 'c', 'defg'],
      i64: -(2 ** 40),
      i8: -5,
      matrix: [0, 1, 2, 3, 4, 5],
      u16: 65000,
      u64: 2 ** 52,
      vlen_ascii: 'plain text',
      vlen_utf8_list: ['α', 'β-wave', '', 'µV'],
    });
    expect(Object.keys(earliest.root.attrs)[0]).toBe('Zeta');
    const basic = meta(fixture('h5py_basic.h5'));
    const dtypes = Object.fromEntries(basic.datasets.map(({ key, dataset }) => [key, dataset.dtype]));
    expect(dtypes['ints/int64']).toMatchObject({ type: 0, size: 8, signed: true, littleEndian: true });
    expect(dtypes['ints/uint16']).toMatchObject({ type: 0, size: 2, signed: false });
    expect(dtypes['be_float64']).toMatchObject({ type: 1, size: 8, littleEndian: false });
    expect(dtypes['data/train/columns']).toMatchObject({ type: 3, vlen: true });
    expect(basic.datasets.find((d) => d.key === 'scalar')!.dataset.shape).toEqual([]);
  });

  it('opens a numeric, directly readable file without HDF5: same listing, attributes, rows and raw values as HDF5, same key errors', async () => {
    for (const name of ['h5py_meta_latest.h5', 'h5py_meta_earliest.h5']) {
      const { direct, hdf5, pure } = await both(fixture(name));
      try {
        expect(pure).toBe(true);
        expect(direct.datasets()).toEqual(hdf5.datasets());
        for (const group of ['', 'group', 'group/inner', 'group/inner/shuffle_f64']) expect(direct.attrs(group)).toEqual(hdf5.attrs(group));
        for (const info of hdf5.datasets()) {
          const a = direct.dataset(info.key);
          const b = hdf5.dataset(info.key);
          expect(a.info).toEqual(b.info);
          expect(a.attrs()).toEqual(b.attrs());
          expect(a.readRows(0, info.shape[0]!)).toEqual(b.readRows(0, info.shape[0]!));
          expect(a.readRaw()).toEqual(b.readRaw());
          expect(a.readRaw(1, Math.min(3, info.shape[0]!))).toEqual(b.readRaw(1, Math.min(3, info.shape[0]!)));
        }
        expect(Array.from(direct.dataset('features').readRows(0, 30).data)).toEqual(Array.from(featureValues(30, 41)));
        expect(direct.dataset('group/inner/shuffle_f64').readRaw().data).toEqual(small64(9, 5));
        expect(direct.dataset('group/inner/ids_i64').readRaw(2, 4).data).toEqual(new BigInt64Array([-1n, 2n]));
        for (const key of ['nope', 'group', 'group/inner', 'features/x', '', 'group/inner/nope']) {
          const expected = await expectError(() => hdf5.dataset(key), key === '' ? 'E_USAGE' : key.includes('nope') ? 'E_NOT_FOUND' : 'E_INPUT');
          const actual = await expectError(() => direct.dataset(key), expected.code);
          expect(actual.message).toBe(expected.message);
          expect(actual.hint).toBe(expected.hint);
        }
      } finally {
        direct.close();
        hdf5.close();
      }
      await expectError(() => direct.dataset('features').readRows(0, 1), 'E_STATE');
    }
  });

  it('reads one column of many (the id column) row by row, with the values HDF5 reads, in every layout', async () => {
    for (const name of ['h5py_layouts.h5', 'h5py_meta_earliest.h5', 'h5py_basic.h5']) {
      const { direct, hdf5 } = await both(fixture(name));
      try {
        for (const info of hdf5.datasets()) {
          if (info.shape.length !== 2 || info.shape[1]! < 16 || !/^(float|int|uint)/.test(info.dtype) || info.key === 'unwritten') continue;
          for (const column of [0, 1, info.shape[1]! - 1]) {
            const columns = { start: column, end: column + 1 };
            const rows = info.shape[0]!;
            const a = direct.dataset(info.key).readRows(1, rows, { columns });
            const b = hdf5.dataset(info.key).readRows(1, rows, { columns });
            expect([name, info.key, column, Array.from(a.data)]).toEqual([name, info.key, column, Array.from(b.data)]);
          }
        }
      } finally {
        direct.close();
        hdf5.close();
      }
    }
  });

  it('reads one column of rows longer than 16 KiB (one small read per row) and of short rows (in groups; float64 then float32 rows of the same bytes), contiguous and chunked, with the values HDF5 reads', async () => {
    const dir = tempDir('h5-narrow-');
    const file = join(dir, 'wide.h5');
    // 23 rows × 4,500 float32 (18,000-byte rows: past NARROW_GROUP_ROW_BYTES, read one by one) and
    // 40 rows × 4,000 (16,000-byte rows: 16 to a 256 KiB group, so 3 groups, the last one partial).
    const value = (rows: number, cols: number) => ({ rows, cols, data: Float32Array.from({ length: rows * cols }, (_, k) => ((k * 37) % 1009) / 8 - 60) });
    const value64 = (rows: number, cols: number) => ({ rows, cols, data: Float64Array.from({ length: rows * cols }, (_, k) => ((k * 37) % 1009) / 8 - 60) });
    await writeH5(file, [
      // float64 rows of the same 16,000 bytes as short_*: read first, then float32 needs twice the values per group.
      { key: 'short64_contig', value: value64(40, 2000) },
      { key: 'wide_contig', value: value(23, 4500) },
      { key: 'wide_chunked', value: value(23, 4500), chunks: [5, 4500] },
      { key: 'short_contig', value: value(40, 4000) },
      { key: 'short_chunked', value: value(40, 4000), chunks: [37, 4000] },
    ]);
    const { direct, hdf5, pure } = await both(file);
    try {
      expect(pure).toBe(true);
      for (const key of ['short64_contig', 'short_contig', 'wide_contig', 'wide_chunked', 'short_chunked']) {
        const { rows, cols, data } = key.startsWith('wide') ? value(23, 4500) : key.startsWith('short64') ? value64(40, 2000) : value(40, 4000);
        for (const column of [0, 7, cols - 1]) {
          const columns = { start: column, end: column + 1 };
          const a = direct.dataset(key).readRows(2, rows, { columns });
          const expected = Array.from({ length: rows - 2 }, (_, r) => Math.fround(data[(r + 2) * cols + column]!));
          expect([key, column, Array.from(a.data)]).toEqual([key, column, expected]);
          expect([key, column, Array.from(a.data)]).toEqual([key, column, Array.from(hdf5.dataset(key).readRows(2, rows, { columns }).data)]);
        }
      }
    } finally {
      direct.close();
      hdf5.close();
    }
  });

  it('opens the demo data and files written by writeH5 without HDF5, with the same values', async () => {
    const dir = tempDir('h5-meta-');
    await generateDemoData({ outDir: dir, n: 60, seed: 3 });
    const written = join(dir, 'written.h5');
    await writeH5(written, [
      { key: 'a/b', value: { rows: 5, cols: 3, data: Float32Array.from({ length: 15 }, (_, k) => k / 7) }, chunks: [2, 3], compression: 4 },
      { key: 'c', value: { rows: 4, cols: 2, data: Float32Array.from({ length: 8 }, (_, k) => -k) } },
    ], { attrs: { note: 'written', count: 3, list: [1.5, 2.5] } });
    for (const path of [join(dir, 'X_train.h5'), join(dir, 'X_test.h5'), written]) {
      await expectSameAsHdf5(path);
      const { direct, hdf5, pure } = await both(path);
      try {
        expect(pure).toBe(true);
        expect(direct.datasets()).toEqual(hdf5.datasets());
        expect(direct.attrs()).toEqual(hdf5.attrs());
        for (const info of hdf5.datasets()) {
          expect(direct.dataset(info.key).attrs()).toEqual(hdf5.dataset(info.key).attrs());
          expect(direct.dataset(info.key).readRows(0, info.shape[0]!)).toEqual(hdf5.dataset(info.key).readRows(0, info.shape[0]!));
        }
      } finally {
        direct.close();
        hdf5.close();
      }
    }
  });

  it('falls back to HDF5 for what it does not handle: strings, scalars, unallocated data, dense links, other filters', async () => {
    for (const name of ['h5py_basic.h5', 'h5py_layouts.h5', 'h5py_latest.h5']) {
      const { direct, hdf5, pure } = await both(fixture(name));
      try {
        expect(pure).toBe(false);
        expect(direct.datasets()).toEqual(hdf5.datasets());
      } finally {
        direct.close();
        hdf5.close();
      }
    }
    expect(() => meta(fixture('h5py_latest.h5'))).toThrow(H5Unsupported);
    expect(() => meta(fixture('broken_not_hdf5.h5'))).toThrow(H5Unsupported);
    expect(() => meta(fixture('broken_truncated.h5'))).toThrow(/shorter than its superblock/);
    // preloadH5(file) is a no-op for a file that opens without HDF5 and never throws
    expect(preloadH5(fixture('h5py_meta_latest.h5'))).toBeUndefined();
    expect(preloadH5(fixture('no-such-file.h5'))).toBeUndefined();
  });

  it('falls back to HDF5 when a version-2 checksum does not match, so HDF5 decides (here: a corrupt-file error)', async () => {
    const dir = tempDir('h5-meta-');
    const path = join(dir, 'bad-checksum.h5');
    copyFileSync(fixture('h5py_meta_latest.h5'), path);
    const bytes = readFileSync(path);
    const header = bytes.indexOf('OHDR', 48, 'latin1'); // the first object header after the superblock
    expect(header).toBeGreaterThan(0);
    bytes[header + 12]! ^= 0x01;
    writeFileSync(path, bytes);
    expect(() => meta(path)).toThrow(/checksum/);
    const { logger, messages } = recorder();
    let fromHdf5: unknown;
    try {
      const h5 = await openH5(path, { directReads: false });
      fromHdf5 = { datasets: h5.datasets(), attrs: h5.attrs() };
      h5.close();
    } catch (error) {
      fromHdf5 = (error as Error).message;
    }
    let ours: unknown;
    try {
      const h5 = await openH5(path, { logger });
      ours = { datasets: h5.datasets(), attrs: h5.attrs() };
      h5.close();
    } catch (error) {
      ours = (error as Error).message;
    }
    expect(messages).toContain('HDF5 metadata not read directly; HDF5 opens the file');
    expect(ours).toEqual(fromHdf5);
  });
});
