/**
 * Closed formulas of the values in test/fixtures (see fixtures/gen_h5_fixtures.py), recomputed here so
 * tests check every value against an independent computation.
 */
import { fileURLToPath } from 'node:url';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** features value(i, j) = ((i * 1261 + j) * 37 % 1001 - 500) / 64, exact in float32. */
export function featureValues(rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = ((((i * 1261 + j) * 37) % 1001) - 500) / 64;
  }
  return out;
}

/** The 40 × 1261 `features` datasets of h5py_basic.h5, including the special cells. */
export function basicFeatures(): Float32Array {
  return withSpecialCells(featureValues(40, 1261), 1261);
}

/** A copy of `x` with the special cells of the h5py fixtures: NaN, ±Infinity, -0, the smallest subnormal, the largest float32. */
export function withSpecialCells(x: Float32Array, cols: number): Float32Array {
  const out = x.slice();
  out[3 * cols + 5] = Number.NaN;
  out[4 * cols + 6] = Number.POSITIVE_INFINITY;
  out[5 * cols + 7] = Number.NEGATIVE_INFINITY;
  out[6 * cols + 8] = -0;
  out[7 * cols + 9] = 1.401298464324817e-45;
  out[8 * cols + 10] = 3.4028234663852886e38;
  return out;
}

/** small64(n, c)[i, j] = (i * c + j) / 3 - 5 in float64. */
export function small64(rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = (i * cols + j) / 3 - 5;
  return out;
}

/** Rows [r0, r1) × columns [c0, c1) of a row-major array with `cols` columns. */
export function block(values: Float32Array, cols: number, r0: number, r1: number, c0 = 0, c1 = cols): Float32Array {
  const width = c1 - c0;
  const out = new Float32Array((r1 - r0) * width);
  for (let i = r0; i < r1; i++) out.set(values.subarray(i * cols + c0, i * cols + c1), (i - r0) * width);
  return out;
}

/** Bit patterns, so NaN, -0 and subnormals compare exactly. */
export const bits = (values: Float32Array): Uint32Array => new Uint32Array(values.buffer, values.byteOffset, values.length);
