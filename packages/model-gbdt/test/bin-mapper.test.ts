import { describe, expect, it } from '@jest/globals';
import { binColumns, fitBinMapper } from '@pipeline/model-gbdt';
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
