import { matrix, type Matrix } from '@pipeline/core';
import type { ExtensionMode, WaveletName } from '../../src/index.js';
import { readFixture } from './fixtures.js';

/** One case of the PyWavelets reference files: which signal, wavelet and extension mode. */
export interface CaseKey {
  signal: string;
  wavelet: WaveletName;
  mode: ExtensionMode;
}

/**
 * `test/fixtures/pywt_wavedec.compact.json` (compact_pywt_wavedec.py over the shared
 * gen_dwt_vectors.py output): the shared wavedec vectors with every band stored once, keyed by
 * `caseLabel`.
 */
export interface PywtCompact {
  signals: Record<string, number[]>;
  wavelets: Record<string, { dec_lo: number[]; dec_hi: number[] }>;
  dwt_coeff_len: Array<{ n: number; filter_len: number; mode: ExtensionMode; len: number }>;
  dwt_max_level: Array<{ n: number; wavelet: WaveletName; filter_len: number; max_level: number }>;
  bands: Record<string, { a: Array<number[] | null>; d: number[][] }>;
  dwt: CaseKey[];
  wavedec: Array<CaseKey & { level_arg: number | null; level: number; lengths: number[]; warnings?: string[] }>;
  float32: Array<CaseKey & { level: number; coeffs: number[][] }>;
}

export const pywtCompact = (): PywtCompact => readFixture<PywtCompact>('pywt_wavedec.compact.json');

/** The key of a case's bands in `PywtCompact.bands`. */
export const caseLabel = (c: CaseKey): string => `${c.signal}/${c.wavelet}/${c.mode}`;

/** A deterministic float32 signal matrix (rows × cols) for byte comparisons between code paths. */
export function signalMatrix(rows: number, cols: number, seed: number): Matrix {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37 + seed) * 10 + ((i * (seed + 3)) % 7);
  return matrix(rows, cols, data);
}

/** Each band's bytes as hex, for exact comparisons. */
export const bandBytes = (bands: readonly (Float64Array | Float32Array)[]): string[] =>
  bands.map((band) => Buffer.from(band.buffer, band.byteOffset, band.byteLength).toString('hex'));
