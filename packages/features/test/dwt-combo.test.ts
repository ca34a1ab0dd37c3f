import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { matrix, sliceRows } from '@pipeline/core';
import {
  DWT_COMBO_DEFAULTS,
  compileRecipe,
  computeFeatures,
  createRecipe,
  dwtComboRecipe,
  featureNames,
  parseRecipe,
  type DwtComboParams,
} from '../src/index.js';
import { errorCode, readFixture } from './support/fixtures.js';

interface ComboFixture {
  rows: number;
  cols: number;
  input: number[];
  cases: Array<{ label: string; params: DwtComboParams; names: string[]; features: number[][] }>;
}
const fixture = readFixture<ComboFixture>('dwt_combo.json');
const golden = readFixture<{ sha256: Record<string, string> }>('dwt_combo_golden.json');
const input = matrix(fixture.rows, fixture.cols, Float32Array.from(fixture.input));


describe('dwt-combo recipe', () => {
  it('has 118 columns by default: 11 meta + 107 DWT features with stable names', () => {
    const names = featureNames(dwtComboRecipe());
    expect(names).toHaveLength(118);
    expect(names.slice(0, 12)).toEqual([...DWT_COMBO_DEFAULTS.metaNames, 'haar_a6_mean']);
    expect(names).toContain('db4_d3_logenergy');
    expect(names).toContain('db4_w4_d1_logenergy');
    expect(names).toContain('haar_d6_entropy');
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(fixture.cases.map((c) => [c.label, c] as const))('%s parameters match an independent pywt + numpy implementation', (_label, c) => {
    const recipe = dwtComboRecipe(c.params);
    expect(recipe.params).toEqual(c.params);
    expect(featureNames(recipe)).toEqual(c.names);
    const out = computeFeatures(recipe, input);
    expect([out.rows, out.cols]).toEqual([fixture.rows, c.names.length]);
    let worst = 0;
    let where = '';
    c.features.forEach((expected, r) => {
      expected.forEach((value, j) => {
        const actual = out.data[r * out.cols + j]!;
        // float32 output of float64 math: within float32 rounding of the reference.
        const error = Math.abs(actual - value) / (Math.abs(value) + 1e-6);
        if (!(error <= worst)) {
          worst = error;
          where = `row ${r} ${c.names[j]}: ${actual} vs ${value}`;
        }
      });
    });
    expect([worst < 2e-7, where]).toEqual([true, where]);
  });

  it('reproduces the golden bytes on every run (recipe version 1 must never change its output)', () => {
    for (const c of fixture.cases) {
      const out = computeFeatures(dwtComboRecipe(c.params), input);
      const again = computeFeatures(parseRecipe(JSON.parse(JSON.stringify(dwtComboRecipe(c.params)))), input);
      const digest = createHash('sha256').update(out.data).digest('hex');
      expect(createHash('sha256').update(again.data).digest('hex')).toBe(digest);
      expect(digest).toBe(golden.sha256[c.label]);
    }
  });

  it('gives the same values row by row, in batches and in one call', () => {
    const recipe = dwtComboRecipe();
    const whole = computeFeatures(recipe, input);
    const plan = compileRecipe(recipe);
    const out = new Float32Array(whole.data.length);
    plan.computeRows(sliceRows(input, 0, 2), out, 0);
    plan.computeRows(sliceRows(input, 2, 3), out, 2);
    plan.computeRows(sliceRows(input, 3, 6), out, 3);
    expect(Buffer.from(out.buffer).equals(Buffer.from(whole.data.buffer))).toBe(true);
  });

  it('meta names, dropMeta and offsets are configurable', () => {
    const recipe = dwtComboRecipe({ metaNames: ['id', 'age'], dropMeta: ['id'], decompositions: [{ wavelet: 'haar', level: 1 }], windowed: null });
    expect(recipe.params.signalStart).toBe(2);
    expect(recipe.params.signalEnd).toBe(1252);
    expect(featureNames(recipe)).toEqual([
      'age',
      'haar_a1_mean',
      'haar_a1_std',
      'haar_a1_mav',
      'haar_a1_logenergy',
      'haar_a1_maxabs',
      'haar_d1_mean',
      'haar_d1_std',
      'haar_d1_mav',
      'haar_d1_logenergy',
      'haar_d1_maxabs',
      'haar_d1_relenergy',
      'haar_d1_entropy',
    ]);
    // Signal [2, 6) of a 6-column row: haar a1 = (x0 + x1)/√2, (x2 + x3)/√2.
    const row = matrix(1, 6, Float32Array.from([99, 41, 1, 3, 5, 7]));
    const small = dwtComboRecipe({ metaNames: ['id', 'age'], dropMeta: ['id'], signalEnd: 6, decompositions: [{ wavelet: 'haar', level: 1 }], windowed: null });
    const out = computeFeatures(small, row);
    const a = [4 / Math.SQRT2, 12 / Math.SQRT2];
    expect(out.data[0]).toBe(41);
    expect(out.data[1]).toBeCloseTo((a[0]! + a[1]!) / 2, 6);
    expect(out.data[4]).toBeCloseTo(Math.log(80), 6); // energy of a1 = 8 + 72
    expect(out.data[5]).toBeCloseTo(12 / Math.SQRT2, 6);
    // d1 = (x0 - x1)/√2 = [-√2, -√2]: energy 4 of the signal's 84; two equal coefficients → entropy ln 2.
    expect(out.data[6]).toBeCloseTo(-Math.SQRT2, 6);
    expect(out.data[11]).toBeCloseTo(4 / 84, 7);
    expect(out.data[12]).toBeCloseTo(Math.LN2, 6);
  });

  it('rejects bad parameters and manifests with typed errors', () => {
    expect(errorCode(() => dwtComboRecipe({ dropMeta: ['nope'] }))).toBe('E_USAGE');
    expect(errorCode(() => dwtComboRecipe({ decompositions: [{ wavelet: 'db4', level: 9 }] }))).toBe('E_USAGE');
    expect(errorCode(() => dwtComboRecipe({ signalStart: 5 }))).toBe('E_USAGE');
    expect(errorCode(() => createRecipe('fft-combo'))).toBe('E_USAGE');
    const json = JSON.parse(JSON.stringify(dwtComboRecipe()));
    expect(errorCode(() => parseRecipe({ ...json, version: 2 }))).toBe('E_SCHEMA');
    expect(errorCode(() => parseRecipe({ ...json, params: { ...json.params, extra: 1 } }))).toBe('E_SCHEMA');
    expect(errorCode(() => parseRecipe({ ...json, params: { ...json.params, epsilon: -1 } }))).toBe('E_SCHEMA');
    expect(errorCode(() => computeFeatures(dwtComboRecipe(), matrix(2, 100)))).toBe('E_SCHEMA');
    expect(parseRecipe(json)).toEqual(dwtComboRecipe());
  });
});
