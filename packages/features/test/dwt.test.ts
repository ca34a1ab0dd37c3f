import { describe, expect, it } from '@jest/globals';
import { matrix } from '@pipeline/core';
import {
  EXTENSION_MODES,
  WAVELET_NAMES,
  WavedecPlan,
  dwt,
  dwtCoeffLength,
  dwtMaxLevel,
  getWavelet,
  idwt,
  wavedec,
  wavedecRows,
  waverec,
  type DwtEngine,
  type ExtensionMode,
  type WaveletName,
} from '../src/index.js';
import { errorCode, maxAbsDiff, readFixture, recordingLogger } from './support/fixtures.js';
import { caseLabel, pywtCompact, type CaseKey } from './support/pywt-compact.js';

interface Modes {
  signals: Record<string, number[]>;
  dwt: Array<CaseKey & { cA: number[]; cD: number[] }>;
  wavedec: Array<CaseKey & { level_arg: number | null; level: number; coeffs: number[][]; warnings: string[] }>;
  dwt_coeff_len: Array<{ n: number; filter_len: number; mode: ExtensionMode; len: number }>;
  dwt_max_level: Array<{ n: number; wavelet: WaveletName; max_level: number }>;
  idwt: Array<{ wavelet: WaveletName; mode: ExtensionMode; cA: number[] | null; cD: number[] | null; x: number[] }>;
  roundtrip: Array<{ wavelet: WaveletName; mode: ExtensionMode; invertible: boolean }>;
}

const compact = pywtCompact();
const modes = readFixture<Modes>('pywt_modes.json');
const label = caseLabel;

/** Rebuilds a wavedec case of the shared reference file from its de-duplicated bands. */
function referenceCoeffs(c: CaseKey & { level: number }): number[][] {
  if (c.level === 0) return [compact.signals[c.signal]!];
  const bands = compact.bands[label(c)]!;
  const details = [];
  for (let l = c.level; l >= 1; l--) details.push(bands.d[l - 1]!);
  return [bands.a[c.level - 1]!, ...details];
}

function expectBands(actual: ArrayLike<number>[], expected: number[][], tolerance: number): void {
  expect(actual.map((band) => band.length)).toEqual(expected.map((band) => band.length));
  const worst = Math.max(0, ...expected.map((band, b) => maxAbsDiff(actual[b]!, band)));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('DWT against PyWavelets 1.1.1 (shared reference: haar/db4 × symmetric/periodization/zero)', () => {
  it('has every case of the source file', () => {
    expect(compact.wavedec).toHaveLength(144);
    expect(compact.dwt).toHaveLength(24);
    expect(compact.float32).toHaveLength(12);
  });

  it.each(compact.wavedec.map((c) => [`${label(c)} level=${c.level_arg}`, c] as const))('wavedec %s', (_name, c) => {
    const logger = recordingLogger();
    const coeffs = wavedec(compact.signals[c.signal]!, c.wavelet, { mode: c.mode, level: c.level_arg, logger });
    expect(coeffs.map((band) => band.length)).toEqual(c.lengths);
    expectBands(coeffs, referenceCoeffs(c), 1e-10);
    expect(logger.warnings.map((w) => `UserWarning: ${w}`)).toEqual(c.warnings ?? []);
  });

  it.each(compact.dwt.map((c) => [label(c), c] as const))('dwt %s', (_name, c) => {
    const { cA, cD } = dwt(compact.signals[c.signal]!, c.wavelet, c.mode);
    expectBands([cA, cD], referenceCoeffs({ ...c, level: 1 }), 1e-10);
  });

  it.each(compact.float32.map((c) => [`${label(c)} level=${c.level}`, c] as const))('float32 input %s within 1e-5 of pywt float32', (_name, c) => {
    const input = Float32Array.from(compact.signals[c.signal]!);
    expectBands(wavedec(input, c.wavelet, { mode: c.mode, level: c.level }), c.coeffs, 1e-5);
  });

  it('dwtCoeffLength and dwtMaxLevel match the reference tables', () => {
    for (const c of compact.dwt_coeff_len) expect([c, dwtCoeffLength(c.n, c.filter_len, c.mode)]).toEqual([c, c.len]);
    for (const c of compact.dwt_max_level) expect([c, dwtMaxLevel(c.n, c.wavelet)]).toEqual([c, c.max_level]);
  });
});

describe('DWT against PyWavelets 1.1.1 (every mode, more wavelets, short signals: gen_pywt_modes.py)', () => {
  it('covers every mode', () => {
    expect(new Set(modes.dwt.map((c) => c.mode))).toEqual(new Set(EXTENSION_MODES));
  });

  it.each(modes.dwt.map((c) => [label(c), c] as const))('dwt %s', (_name, c) => {
    const { cA, cD } = dwt(modes.signals[c.signal]!, c.wavelet, c.mode);
    expectBands([cA, cD], [c.cA, c.cD], 1e-10);
  });

  it.each(modes.wavedec.map((c) => [`${label(c)} level=${c.level_arg}`, c] as const))('wavedec %s', (_name, c) => {
    const logger = recordingLogger();
    const coeffs = wavedec(modes.signals[c.signal]!, c.wavelet, { mode: c.mode, level: c.level_arg, logger });
    expectBands(coeffs, c.coeffs, 1e-10);
    expect(logger.warnings.map((w) => `UserWarning: ${w}`)).toEqual(c.warnings);
  });

  it('dwtCoeffLength and dwtMaxLevel match pywt for every mode', () => {
    for (const c of modes.dwt_coeff_len) expect([c, dwtCoeffLength(c.n, c.filter_len, c.mode)]).toEqual([c, c.len]);
    for (const c of modes.dwt_max_level) expect([c, dwtMaxLevel(c.n, c.wavelet)]).toEqual([c, c.max_level]);
  });

  it.each(modes.idwt.map((c, i) => [`${i} ${c.wavelet}/${c.mode} cA=${c.cA ? 'yes' : 'null'} cD=${c.cD ? 'yes' : 'null'}`, c] as const))(
    'idwt %s',
    (_name, c) => {
      expectBands([idwt(c.cA, c.cD, c.wavelet, c.mode)], [c.x], 1e-10);
    },
  );

  it.each(modes.roundtrip.filter((c) => c.invertible).map((c) => [`${c.wavelet}/${c.mode}`, c] as const))(
    'waverec(wavedec(x)) ≈ x for %s (invertible in pywt)',
    (_name, c) => {
      // Absolute error on signals of amplitude ~10. The worst pair, sym3/smooth, reaches 9.95e-10: exactly
      // pywt's own round-trip error there (the precision of pywt's sym3 filter table).
      for (const signal of ['n64', 'n77', 'n33', 'n17']) {
        const x = modes.signals[signal]!;
        for (const level of [null, 1, 3]) {
          const coeffs = wavedec(x, c.wavelet, { mode: c.mode, level });
          const rebuilt = waverec(coeffs, c.wavelet, c.mode);
          expect(rebuilt.length - x.length).toBeGreaterThanOrEqual(0);
          expect(rebuilt.length - x.length).toBeLessThanOrEqual(1);
          expect(maxAbsDiff(rebuilt.subarray(0, x.length), x)).toBeLessThanOrEqual(1e-9);
        }
      }
    },
  );
});

describe('wavedecRows', () => {
  it('equals per-row wavedec, reads only the signal columns, and allocates one array per band', () => {
    const rows = 5;
    const cols = 3 + 40;
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 10 + (i % 7);
    const m = matrix(rows, cols, data);
    for (const mode of EXTENSION_MODES) {
      const result = wavedecRows(m, 'db4', { mode, level: 2, columns: { start: 3, end: cols } });
      expect(result.bands).toHaveLength(3);
      for (let r = 0; r < rows; r++) {
        const single = wavedec(data.subarray(r * cols + 3, (r + 1) * cols), 'db4', { mode, level: 2 });
        single.forEach((band, b) => {
          const length = result.lengths[b]!;
          expect(Array.from(result.bands[b]!.subarray(r * length, (r + 1) * length))).toEqual(Array.from(band));
        });
      }
    }
  });

  it('float32 output holds the float64 results rounded to float32', () => {
    const m = matrix(3, 50, Float32Array.from({ length: 150 }, (_, i) => Math.cos(i * 0.21) * 30));
    const wide = wavedecRows(m, 'sym5', { level: 3 });
    const narrow = wavedecRows(m, 'sym5', { level: 3, dtype: 'float32' });
    expect(narrow.lengths).toEqual(wide.lengths);
    narrow.bands.forEach((band, b) => {
      expect(band).toBeInstanceOf(Float32Array);
      expect(Array.from(band)).toEqual(Array.from(Float32Array.from(wide.bands[b]!)));
    });
  });

  it('defaults to the maximum level and warns above it', () => {
    const m = matrix(2, 16, Float32Array.from({ length: 32 }, (_, i) => i));
    expect(wavedecRows(m, 'haar').level).toBe(4);
    const logger = recordingLogger();
    expect(wavedecRows(m, 'db4', { level: 2, logger }).level).toBe(2);
    expect(logger.warnings).toEqual(['Level value of 2 is too high: all coefficients will experience boundary effects.']);
  });

  it('rejects bad columns, levels, modes and too-short signals with typed errors', () => {
    const m = matrix(1, 8);
    expect(errorCode(() => wavedecRows(m, 'haar', { columns: { start: 4, end: 9 } }))).toBe('E_USAGE');
    expect(errorCode(() => wavedec([1, 2, 3], 'haar', { level: -1 }))).toBe('E_USAGE');
    expect(errorCode(() => wavedec([1, 2, 3], 'haar', { mode: 'mirror' as ExtensionMode }))).toBe('E_USAGE');
    expect(errorCode(() => dwt([1], 'haar', 'reflect'))).toBe('E_INPUT');
    expect(errorCode(() => dwt([], 'haar'))).toBe('E_INPUT');
    expect(errorCode(() => idwt([1, 2], [1, 2, 3], 'haar'))).toBe('E_INPUT');
    expect(errorCode(() => idwt([1, 2], [1, 2], 'db4'))).toBe('E_INPUT');
    expect(errorCode(() => waverec([[1, 2, 3], [1]], 'haar'))).toBe('E_INPUT');
    expect(getWavelet('db4').length).toBe(8);
  });
});

describe('DWT engines', () => {
  const decompose = (x: ArrayLike<number>, wavelet: WaveletName, mode: ExtensionMode, level: number, engine: DwtEngine) => {
    const plan = new WavedecPlan(x.length, getWavelet(wavelet), mode, level, engine);
    const bands = plan.lengths.map((length) => new Float64Array(length));
    plan.run(x, 0, bands, 0);
    return { engine: plan.engine, bits: bands.map((band) => Buffer.from(band.buffer).toString('hex')) };
  };

  it('the WebAssembly SIMD and JavaScript kernels give the same bits for every wavelet, mode and length', () => {
    let cases = 0;
    for (const wavelet of WAVELET_NAMES) {
      for (const mode of EXTENSION_MODES) {
        for (const signal of ['n5', 'n17', 'n33', 'n77']) {
          const x = modes.signals[signal]!;
          for (const level of [1, 3]) {
            const wasm = decompose(x, wavelet, mode, level, 'wasm');
            const js = decompose(x, wavelet, mode, level, 'js');
            expect([wasm.engine, js.engine]).toEqual(['wasm', 'js']);
            expect(wasm.bits).toEqual(js.bits);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(25 * 9 * 4 * 2);
  });

  it('the JavaScript kernel alone matches the shared pywt reference', () => {
    for (const c of compact.wavedec.filter((c) => c.level > 0)) {
      const { bits } = decompose(compact.signals[c.signal]!, c.wavelet, c.mode, c.level, 'js');
      const bands = bits.map((hex) => new Float64Array(new Uint8Array(Buffer.from(hex, 'hex')).buffer));
      expectBands(bands, referenceCoeffs(c), 1e-10);
    }
  });
});
