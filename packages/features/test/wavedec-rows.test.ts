import { describe, expect, it } from '@jest/globals';
import { matrix, type Matrix } from '@pipeline/core';
import {
  EXTENSION_MODES,
  WAVEDEC_BLOCK_ROWS,
  WavedecPlan,
  getWavelet,
  wavedecRowBlocks,
  wavedecRows,
  type WaveletName,
} from '../src/index.js';
import { errorCode, maxAbsDiff } from './support/fixtures.js';
import { bandBytes, caseLabel, pywtCompact, signalMatrix } from './support/pywt-compact.js';

// Reused output bands (`out`) and streamed blocks (`wavedecRowBlocks`) must give the bytes of a
// plain `wavedecRows` call, and through it PyWavelets' values (test/fixtures, gen_pywt_modes.py).

const compact = pywtCompact();


/** The blocks of `wavedecRowBlocks` concatenated band by band (copied: the buffers are reused). */
function concatenate(blocks: Iterable<{ start: number; rows: number; bands: readonly (Float64Array | Float32Array)[] }>): {
  starts: number[];
  bands: string[];
} {
  const starts: number[] = [];
  const parts: string[][] = [];
  for (const block of blocks) {
    starts.push(block.start);
    bandBytes(block.bands).forEach((hex, b) => (parts[b] ??= []).push(hex));
  }
  return { starts, bands: parts.map((list) => list.join('')) };
}

describe('wavedecRows with reused output bands (out)', () => {
  it('writes the bytes of a fresh call into the given bands, float64 and float32, every mode', () => {
    const first = signalMatrix(7, 45, 1);
    const second = signalMatrix(7, 45, 2);
    for (const mode of EXTENSION_MODES) {
      for (const dtype of ['float64', 'float32'] as const) {
        const options = { mode, level: 2, columns: { start: 3, end: 45 } };
        const reused = dtype === 'float64' ? wavedecRows(first, 'db4', options) : wavedecRows(first, 'db4', { ...options, dtype });
        const fresh = dtype === 'float64' ? wavedecRows(second, 'db4', options) : wavedecRows(second, 'db4', { ...options, dtype });
        const again =
          dtype === 'float64'
            ? wavedecRows(second, 'db4', { ...options, out: reused.bands as Float64Array[] })
            : wavedecRows(second, 'db4', { ...options, dtype, out: reused.bands as Float32Array[] });
        // Exactly sized bands are used as they are, not copied.
        again.bands.forEach((band, b) => expect(band).toBe(reused.bands[b]));
        expect(again.lengths).toEqual(fresh.lengths);
        expect(bandBytes(again.bands)).toEqual(bandBytes(fresh.bands));
      }
    }
  });

  it('larger bands receive the rows at their start and the result views exactly rows × length', () => {
    const big = signalMatrix(9, 64, 3);
    const small = signalMatrix(4, 64, 4);
    const out = wavedecRows(big, 'sym5', { level: 3, dtype: 'float32' }).bands;
    const tail = out.map((band, b) => band.slice(4 * wavedecRows(small, 'sym5', { level: 3 }).lengths[b]!));
    const result = wavedecRows(small, 'sym5', { level: 3, dtype: 'float32', out });
    expect(bandBytes(result.bands)).toEqual(bandBytes(wavedecRows(small, 'sym5', { level: 3, dtype: 'float32' }).bands));
    result.bands.forEach((band, b) => {
      expect(band.buffer).toBe(out[b]!.buffer);
      expect(band.length).toBe(4 * result.lengths[b]!);
      // Values past the 4 rows are left alone.
      expect(bandBytes([out[b]!.subarray(band.length)])).toEqual(bandBytes([tail[b]!]));
    });
  });

  it('rejects bands of the wrong count, type or size with E_USAGE', () => {
    const m = signalMatrix(3, 40, 5);
    const { bands, lengths } = wavedecRows(m, 'db4', { level: 2 });
    expect(errorCode(() => wavedecRows(m, 'db4', { level: 2, out: bands.slice(1) }))).toBe('E_USAGE');
    expect(errorCode(() => wavedecRows(m, 'db4', { level: 2, dtype: 'float32', out: bands as unknown as Float32Array[] }))).toBe('E_USAGE');
    const short = bands.map((band, b) => band.subarray(0, 3 * lengths[b]! - (b === 1 ? 1 : 0)));
    expect(errorCode(() => wavedecRows(m, 'db4', { level: 2, out: short }))).toBe('E_USAGE');
    expect(errorCode(() => wavedecRows(m, 'db4', { level: 2, dtype: 'float16' as 'float32' }))).toBe('E_USAGE');
  });
});

describe('wavedecRowBlocks', () => {
  it('yields the bytes of wavedecRows block by block, for any block size, float64 and float32', () => {
    const m = signalMatrix(11, 70, 6);
    for (const mode of ['symmetric', 'periodization', 'zero', 'antireflect'] as const) {
      for (const dtype of ['float64', 'float32'] as const) {
        const whole = bandBytes(
          dtype === 'float64' ? wavedecRows(m, 'coif2', { mode, level: 3 }).bands : wavedecRows(m, 'coif2', { mode, level: 3, dtype }).bands,
        );
        for (const blockRows of [1, 4, 11, 50]) {
          const streamed = concatenate(
            dtype === 'float64'
              ? wavedecRowBlocks(m, 'coif2', { mode, level: 3, blockRows })
              : wavedecRowBlocks(m, 'coif2', { mode, level: 3, dtype, blockRows }),
          );
          expect(streamed.bands).toEqual(whole);
          const expectedStarts = Array.from({ length: Math.ceil(11 / blockRows) }, (_, k) => k * blockRows);
          expect(streamed.starts).toEqual(expectedStarts);
        }
      }
    }
  });

  it('reuses one buffer per band for every full block (memory stays at one block)', () => {
    const m = signalMatrix(10, 40, 7);
    const seen = new Set<ArrayBufferLike>();
    const rows: number[] = [];
    for (const block of wavedecRowBlocks(m, 'haar', { level: 2, blockRows: 4 })) {
      rows.push(block.rows);
      expect(block.level).toBe(2);
      block.bands.forEach((band, b) => expect(band.length).toBe(block.rows * block.lengths[b]!));
      for (const band of block.bands) seen.add(band.buffer);
    }
    expect(rows).toEqual([4, 4, 2]);
    expect(seen.size).toBe(3); // cA2, cD2, cD1: the same three buffers throughout
  });

  it('matches PyWavelets 1.1.1 on every leveled case of the shared reference, row by row', () => {
    let cases = 0;
    for (const c of compact.wavedec.filter((c) => c.level > 0)) {
      const signal = compact.signals[c.signal]!;
      const m = matrix(3, signal.length, Float32Array.from([...signal, ...signal, ...signal]));
      const bands = compact.bands[caseLabel(c)]!;
      const expected = [bands.a[c.level - 1]!, ...Array.from({ length: c.level }, (_, k) => bands.d[c.level - 1 - k]!)];
      // The fixture's signals are float64 and a Matrix holds float32: the tolerance covers that rounding.
      for (const block of wavedecRowBlocks(m, c.wavelet, { mode: c.mode, level: c.level, blockRows: 2 })) {
        for (let r = 0; r < block.rows; r++) {
          block.bands.forEach((band, b) => {
            const length = block.lengths[b]!;
            expect(length).toBe(expected[b]!.length);
            expect(maxAbsDiff(band.subarray(r * length, (r + 1) * length), expected[b]!)).toBeLessThan(1e-4 * Math.max(1, ...signal.map(Math.abs)));
          });
        }
      }
      cases++;
    }
    expect(cases).toBeGreaterThan(100);
  });

  it('checks its options when called, before the first block', () => {
    const m = signalMatrix(2, 16, 8);
    expect(WAVEDEC_BLOCK_ROWS).toBe(256);
    expect(errorCode(() => wavedecRowBlocks(m, 'haar', { blockRows: 0 }))).toBe('E_USAGE');
    expect(errorCode(() => wavedecRowBlocks(m, 'haar', { blockRows: 1.5 }))).toBe('E_USAGE');
    expect(errorCode(() => wavedecRowBlocks(m, 'haar', { columns: { start: 0, end: 17 } }))).toBe('E_USAGE');
    expect(errorCode(() => wavedecRowBlocks(m, 'nope' as WaveletName))).toBe('E_USAGE');
  });
});

describe('WavedecPlan.run into float32 bands', () => {
  it('both engines write the float64 results rounded to float32, bit for bit', () => {
    const x = Float64Array.from({ length: 77 }, (_, i) => Math.cos(i * 0.9) * 1e3 + i / 7);
    for (const wavelet of ['haar', 'db4', 'sym7', 'coif3'] as const) {
      for (const mode of ['symmetric', 'periodization', 'reflect'] as const) {
        const results = (['wasm', 'js'] as const).map((engine) => {
          const plan = new WavedecPlan(x.length, getWavelet(wavelet), mode, 3, engine);
          const wide = plan.lengths.map((length) => new Float64Array(2 * length));
          const narrow = plan.lengths.map((length) => new Float32Array(2 * length));
          plan.run(x, 0, wide, 1);
          plan.run(x, 0, narrow, 1);
          return { wide, narrow };
        });
        for (const { wide, narrow } of results) {
          expect(bandBytes(narrow)).toEqual(bandBytes(wide.map((band) => Float32Array.from(band))));
        }
        expect(bandBytes(results[0]!.narrow)).toEqual(bandBytes(results[1]!.narrow));
      }
    }
  });
});
