import { describe, expect, it } from '@jest/globals';
import { matrix, type Matrix } from '@pipeline/core';
import {
  WaveletTransformer,
  createWaveletTransformer,
  wavedecRows,
  type ExtensionMode,
  type WaveletName,
} from '../src/index.js';
import { errorCode, maxAbsDiff, recordingLogger } from './support/fixtures.js';
import { bandBytes, caseLabel, pywtCompact, signalMatrix } from './support/pywt-compact.js';

// A WaveletTransformer lends bands from one reused buffer: every call must give the bytes of a plain
// wavedecRows call (the old path, itself checked against PyWavelets in dwt.test.ts and
// wavedec-rows.test.ts) and, through the fixtures below, PyWavelets' values (test/fixtures:
// pywt_wavedec.compact.json from compact_pywt_wavedec.py over the shared gen_dwt_vectors.py output).

const compact = pywtCompact();


/** The bytes of the old path: a plain wavedecRows call, fresh bands. */
function oldPath(m: Matrix, wavelet: WaveletName, options: { mode: ExtensionMode; level: number; dtype: 'float64' | 'float32'; columns?: { start: number; end: number } }): string[] {
  return bandBytes(options.dtype === 'float64' ? wavedecRows(m, wavelet, { ...options, dtype: 'float64' }).bands : wavedecRows(m, wavelet, { ...options, dtype: 'float32' }).bands);
}

describe('WaveletTransformer.wavedecRows', () => {
  it('gives the bytes of wavedecRows, float64 and float32, several wavelets and modes', () => {
    const m = signalMatrix(9, 80, 1);
    for (const wavelet of ['haar', 'db4', 'sym5', 'coif2'] as const) {
      for (const mode of ['symmetric', 'periodization', 'zero', 'reflect', 'antisymmetric'] as const) {
        for (const dtype of ['float64', 'float32'] as const) {
          const dwt = createWaveletTransformer(wavelet, { mode, level: 3, dtype });
          const result = dwt.wavedecRows(m, { columns: { start: 5, end: 80 } });
          expect(result.rows).toBe(9);
          expect(result.level).toBe(3);
          result.bands.forEach((band) => expect(band).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array));
          expect(bandBytes(result.bands)).toEqual(oldPath(m, wavelet, { mode, level: 3, dtype, columns: { start: 5, end: 80 } }));
        }
      }
    }
  });

  it('reuses its buffer across calls of different shapes, each call identical to a fresh wavedecRows', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const dwt = createWaveletTransformer('db4', { level: 2, dtype });
      const shapes = [
        { rows: 12, cols: 64, columns: undefined },
        { rows: 5, cols: 64, columns: undefined }, // fewer rows: fits
        { rows: 12, cols: 70, columns: { start: 3, end: 53 } }, // shorter signal: fits
        { rows: 3, cols: 40, columns: { start: 1, end: 39 } },
        { rows: 20, cols: 64, columns: undefined }, // more rows: grows
        { rows: 7, cols: 64, columns: undefined },
      ];
      const retained: number[] = [];
      shapes.forEach(({ rows, cols, columns }, k) => {
        const m = signalMatrix(rows, cols, k + 10);
        const result = columns === undefined ? dwt.wavedecRows(m) : dwt.wavedecRows(m, { columns });
        expect(bandBytes(result.bands)).toEqual(oldPath(m, 'db4', { mode: 'symmetric', level: 2, dtype, ...(columns === undefined ? {} : { columns }) }));
        result.bands.forEach((band, b) => expect(band.length).toBe(rows * result.lengths[b]!));
        retained.push(dwt.retainedBytes);
      });
      const size = dtype === 'float32' ? 4 : 8;
      // 12 × (lengths of a 64-sample db4 level-2 decomposition: 21, 21, 35, computed by hand as floor((n + 7) / 2)) values, kept until 20 rows arrive.
      expect(retained).toEqual([12 * 77 * size, 12 * 77 * size, 12 * 77 * size, 12 * 77 * size, 20 * 77 * size, 20 * 77 * size]);
    }
  });

  it('detaches the bands it lent when it is called again, so a kept result reads as empty, never as new values', () => {
    const dwt = createWaveletTransformer('haar', { level: 2 });
    const first = dwt.wavedecRows(signalMatrix(4, 16, 1));
    const copy = first.bands.map((band) => band.slice());
    expect(first.bands[0]!.length).toBe(4 * 4);
    const second = dwt.wavedecRows(signalMatrix(4, 16, 2));
    for (const band of first.bands) {
      expect(band.length).toBe(0);
      expect(band.buffer.byteLength).toBe(0);
    }
    // The copy taken before is intact and differs from the second result.
    expect(bandBytes(copy)).toEqual(bandBytes(wavedecRows(signalMatrix(4, 16, 1), 'haar', { level: 2 }).bands));
    expect(bandBytes(second.bands)).not.toEqual(bandBytes(copy));
    dwt.dispose();
    expect(second.bands[0]!.length).toBe(0);
    expect(dwt.retainedBytes).toBe(0);
    // Usable again after dispose.
    expect(bandBytes(dwt.wavedecRows(signalMatrix(4, 16, 3)).bands)).toEqual(bandBytes(wavedecRows(signalMatrix(4, 16, 3), 'haar', { level: 2 }).bands));
  });

  it('two transformers lend independent bands', () => {
    const a = createWaveletTransformer('db2', { level: 1, dtype: 'float32' });
    const b = createWaveletTransformer('db2', { level: 1, dtype: 'float32' });
    const m1 = signalMatrix(3, 20, 1);
    const m2 = signalMatrix(3, 20, 2);
    const r1 = a.wavedecRows(m1);
    const r2 = b.wavedecRows(m2);
    expect(bandBytes(r1.bands)).toEqual(bandBytes(wavedecRows(m1, 'db2', { level: 1, dtype: 'float32' }).bands));
    expect(bandBytes(r2.bands)).toEqual(bandBytes(wavedecRows(m2, 'db2', { level: 1, dtype: 'float32' }).bands));
  });

  it('resolves the level per signal length and logs pywt\'s warning once per length', () => {
    const logger = recordingLogger();
    const dwt = createWaveletTransformer('db4', { logger, level: 3 });
    // 16 samples: the maximum db4 level is 1.
    dwt.wavedecRows(signalMatrix(2, 16, 1));
    dwt.wavedecRows(signalMatrix(2, 16, 2));
    expect(logger.warnings).toEqual(['Level value of 3 is too high: all coefficients will experience boundary effects.']);
    const auto = createWaveletTransformer('db4');
    expect(auto.wavedecRows(signalMatrix(2, 64, 1)).level).toBe(3);
    expect(auto.wavedecRows(signalMatrix(2, 1250, 1)).level).toBe(7);
  });

  it('rejects bad options with E_USAGE', () => {
    const m = signalMatrix(2, 16, 1);
    expect(errorCode(() => createWaveletTransformer('nope' as WaveletName))).toBe('E_USAGE');
    expect(errorCode(() => createWaveletTransformer('haar', { mode: 'wrap' as ExtensionMode }))).toBe('E_USAGE');
    expect(errorCode(() => createWaveletTransformer('haar', { dtype: 'float16' as 'float32' }))).toBe('E_USAGE');
    expect(errorCode(() => createWaveletTransformer('haar', { level: -1 }))).toBe('E_USAGE');
    expect(errorCode(() => createWaveletTransformer('haar').wavedecRows(m, { columns: { start: 0, end: 17 } }))).toBe('E_USAGE');
    expect(errorCode(() => createWaveletTransformer('haar').wavedecRowBlocks(m, { blockRows: 0 }))).toBe('E_USAGE');
  });

  it('matches PyWavelets on every leveled case of the shared reference (float64 input) and its float32 section', () => {
    const f64 = new Map<string, WaveletTransformer>();
    let cases = 0;
    for (const c of compact.wavedec.filter((c) => c.level > 0)) {
      const signal = compact.signals[c.signal]!;
      const key = `${c.wavelet}/${c.mode}/${c.level}`;
      if (!f64.has(key)) f64.set(key, new WaveletTransformer(c.wavelet, { mode: c.mode, level: c.level }));
      // Rows of a Matrix are float32: the fixture's float64 signals are rounded, hence the tolerance.
      const m = matrix(2, signal.length, Float32Array.from([...signal, ...signal]));
      const { bands, lengths } = f64.get(key)!.wavedecRows(m);
      const reference = compact.bands[caseLabel(c)]!;
      const expected = [reference.a[c.level - 1]!, ...Array.from({ length: c.level }, (_, k) => reference.d[c.level - 1 - k]!)];
      for (let r = 0; r < 2; r++) {
        bands.forEach((band, b) => {
          expect(lengths[b]).toBe(expected[b]!.length);
          expect(maxAbsDiff(band.subarray(r * lengths[b]!, (r + 1) * lengths[b]!), expected[b]!)).toBeLessThan(1e-4 * Math.max(1, ...signal.map(Math.abs)));
        });
      }
      cases++;
    }
    expect(cases).toBeGreaterThan(100);
    for (const c of compact.float32) {
      // pywt's float32 output for a float32 input: ours computes in float64 and rounds once.
      const dwt = createWaveletTransformer(c.wavelet, { mode: c.mode, level: c.level, dtype: 'float32' });
      const signal = compact.signals[c.signal]!;
      const { bands } = dwt.wavedecRows(matrix(1, signal.length, Float32Array.from(signal)));
      expect(bands.map((band) => band.length)).toEqual(c.coeffs.map((band) => band.length));
      bands.forEach((band, b) => expect(maxAbsDiff(band, c.coeffs[b]!)).toBeLessThanOrEqual(1e-5));
    }
  });
});

describe('WaveletTransformer.wavedecRowBlocks', () => {
  /** Concatenates the blocks band by band (copied before the next block detaches them). */
  function streamed(blocks: Iterable<{ start: number; rows: number; bands: readonly (Float64Array | Float32Array)[] }>): { starts: number[]; rows: number[]; bands: string[] } {
    const starts: number[] = [];
    const rows: number[] = [];
    const parts: string[][] = [];
    for (const block of blocks) {
      starts.push(block.start);
      rows.push(block.rows);
      bandBytes(block.bands).forEach((hex, b) => (parts[b] ??= []).push(hex));
    }
    return { starts, rows, bands: parts.map((list) => list.join('')) };
  }

  it('yields the bytes of wavedecRows for block sizes that do not divide the row count, float64 and float32', () => {
    const m = signalMatrix(23, 70, 4);
    for (const dtype of ['float64', 'float32'] as const) {
      const dwt = createWaveletTransformer('coif2', { mode: 'symmetric', level: 3, dtype });
      const whole = oldPath(m, 'coif2', { mode: 'symmetric', level: 3, dtype });
      for (const blockRows of [1, 4, 5, 7, 10, 22, 23, 100]) {
        const result = streamed(dwt.wavedecRowBlocks(m, { blockRows }));
        expect(result.bands).toEqual(whole);
        const count = Math.ceil(23 / blockRows);
        expect(result.starts).toEqual(Array.from({ length: count }, (_, k) => k * blockRows));
        expect(result.rows).toEqual(Array.from({ length: count }, (_, k) => Math.min(blockRows, 23 - k * blockRows)));
      }
      // The same transformer then gives a whole-matrix result identical to the old path.
      expect(bandBytes(dwt.wavedecRows(m).bands)).toEqual(whole);
    }
  });

  it('detaches each block when the next one is produced and keeps memory at one block', () => {
    const dwt = createWaveletTransformer('haar', { level: 2, dtype: 'float32' });
    const m = signalMatrix(10, 40, 7);
    const kept: Float32Array[][] = [];
    for (const block of dwt.wavedecRowBlocks(m, { blockRows: 4 })) kept.push(block.bands.slice());
    expect(kept.map((bands) => bands[0]!.length)).toEqual([0, 0, 2 * 10]);
    // 4 rows × (10 + 10 + 20) float32 values.
    expect(dwt.retainedBytes).toBe(4 * 40 * 4);
  });

  it('an unfinished block iterator stops with E_USAGE once the transformer is called again', () => {
    const dwt = createWaveletTransformer('haar', { level: 1 });
    const m = signalMatrix(6, 8, 1);
    const blocks = dwt.wavedecRowBlocks(m, { blockRows: 2 });
    expect(blocks.next().done).toBe(false);
    dwt.wavedecRows(m);
    expect(errorCode(() => blocks.next())).toBe('E_USAGE');
  });
});
