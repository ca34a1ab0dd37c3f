import { describe, expect, it } from '@jest/globals';
import { binColumns, binOf, fitBinMapper } from '@pipeline/model-gbdt';
import { createRng } from '@pipeline/core';
import { reference } from './fixtures.js';

// scikit-learn's _BinMapper thresholds (gen_fixtures.py): percentiles ('midpoint') when a column
// has more distinct values than bins, midpoints of distinct values otherwise, NaN ignored and
// binned to the last bin. Exact to 1e-12 relative.
describe('fitBinMapper', () => {
  const { binning } = reference();
  const rows = binning.columns[0]!.length;
  const cols = binning.columns.length;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = binning.columns[j]![i] ?? NaN;
  const features = { rows, cols, data };

  it('sorts float32 edge values numerically: midpoints of the distinct values (−0 and 0 one value, ±Infinity, subnormals, NaN left out)', () => {
    const specials = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1, 0.5, -2.75];
    const rng = createRng(5);
    const n = 5000;
    const d = 6;
    const values = new Float32Array(n * d);
    for (let i = 0; i < values.length; i++) {
      const f = i % d;
      values[i] = f < 3 ? specials[rng.int(specials.length)]! : Math.fround(rng.normal() * 10 ** (f - 3));
      if (f >= 3 && rng.uniform() < 0.01) values[i] = specials[rng.int(specials.length)]!;
    }
    const mapper = fitBinMapper({ rows: n, cols: d, data: values }, 255, 0);
    for (let f = 0; f < d; f++) {
      const column: number[] = [];
      for (let i = 0; i < n; i++) if (!Number.isNaN(values[i * d + f]!)) column.push(values[i * d + f]!);
      column.sort((a, b) => a - b);
      const distinct = column.filter((v, k) => k === 0 || v !== column[k - 1]);
      if (distinct.length > 255) continue; // percentiles: scikit-learn's fixtures above
      const expected = distinct.slice(1).map((v, k) => Math.min((distinct[k]! + v) * 0.5, 1e300));
      expect(Array.from(mapper.thresholds[f]!)).toEqual(expected);
    }
    // features 0..2 hold only the specials: 11 distinct values without NaN, once −0 and 0 are one
    expect(mapper.nBinsNonMissing[0]).toBe(11);
    // binColumns (padded fixed-step search) against binOf (the plain lower bound), all rows and a subset
    for (const rows of [undefined, Int32Array.from({ length: 700 }, (_, k) => (k * 37) % n)]) {
      const m = rows === undefined ? n : rows.length;
      const binned = binColumns({ rows: n, cols: d, data: values }, mapper, new Uint8Array(m * d), rows);
      const mismatches: string[] = [];
      for (let k = 0; k < m; k++) {
        const i = rows === undefined ? k : rows[k]!;
        for (let f = 0; f < d; f++) {
          const want = binOf(mapper.thresholds[f]!, 255, values[i * d + f]!);
          if (binned[f * m + k] !== want) mismatches.push(`row ${i} feature ${f}: ${binned[f * m + k]} vs ${want}`);
        }
      }
      expect(mismatches).toEqual([]);
    }
  });

  it.each([
    [255, 'thresholds_255'],
    [16, 'thresholds_16'],
  ] as const)('matches scikit-learn thresholds with maxBins %d', (maxBins, key) => {
    const mapper = fitBinMapper(features, maxBins, 0);
    expect(mapper.missingBin).toBe(maxBins);
    for (let j = 0; j < cols; j++) {
      const expected = binning[key][j]!;
      const got = Array.from(mapper.thresholds[j]!);
      expect(got.length).toBe(expected.length);
      expect(mapper.nBinsNonMissing[j]).toBe(expected.length + 1);
      got.forEach((t, k) => expect(Math.abs(t - expected[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected[k]!))));
    }
  });

  it('bins values like scikit-learn (NaN in the last bin)', () => {
    const mapper = fitBinMapper(features, 255, 0);
    const bins = binColumns(features, mapper, new Uint8Array(rows * cols));
    for (let j = 0; j < cols; j++) expect(Array.from(bins.subarray(j * rows, (j + 1) * rows))).toEqual(binning.binned_255[j]);
  });
});
