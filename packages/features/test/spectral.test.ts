import { describe, expect, it } from '@jest/globals';
import { createRng } from '@pipeline/core';
import { EEG_BANDS, RealFft, bandPower, rfft, rfftFrequencies, welch, type WelchOptions } from '../src/index.js';
import { errorCode, maxAbsDiff, readFixture, recordingLogger } from './support/fixtures.js';

interface Spectral {
  rfft: Array<{ x: number[]; n: number | null; re: number[]; im: number[] }>;
  eeg: number[];
  welch: Array<{
    options: { nperseg?: number; noverlap?: number; nfft?: number; window?: 'hann' | 'hamming' | 'boxcar'; detrend?: false; scaling?: 'spectrum' };
    frequencies: number[];
    psd: number[];
    band_power: number[];
    relative_band_power: number[];
  }>;
}
const spectral = readFixture<Spectral>('spectral.json');

/** O(n²) DFT, bins 0..floor(n/2). */
function naiveRfft(x: ArrayLike<number>): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k <= Math.floor(n / 2); k++) {
    let sr = 0;
    let si = 0;
    for (let m = 0; m < n; m++) {
      const angle = (-2 * Math.PI * ((k * m) % n)) / n;
      sr += x[m]! * Math.cos(angle);
      si += x[m]! * Math.sin(angle);
    }
    re.push(sr);
    im.push(si);
  }
  return { re, im };
}

const relative = (actual: ArrayLike<number>, expected: number[]): number =>
  maxAbsDiff(actual, expected) / Math.max(1, ...expected.map(Math.abs));

describe('rfft', () => {
  it.each([1, 2, 3, 4, 7, 8, 12, 31, 64, 97, 125, 250, 256, 1250])('agrees with a naive DFT on random input, n = %i', (n) => {
    const rng = createRng(1000 + n);
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const expected = naiveRfft(x);
    const actual = rfft(x);
    expect(actual.re.length).toBe(Math.floor(n / 2) + 1);
    expect(relative(actual.re, expected.re)).toBeLessThan(1e-11);
    expect(relative(actual.im, expected.im)).toBeLessThan(1e-11);
  });

  it.each(spectral.rfft.map((c) => [`n=${c.x.length} n_arg=${c.n}`, c] as const))('matches numpy.fft.rfft %s', (_name, c) => {
    const actual = rfft(c.x, c.n === null ? {} : { n: c.n });
    expect(relative(actual.re, c.re)).toBeLessThan(1e-12);
    expect(relative(actual.im, c.im)).toBeLessThan(1e-12);
  });

  it('reuses a plan without allocating and rejects bad lengths instead of returning NaN', () => {
    const plan = new RealFft(1000);
    const re = new Float64Array(plan.bins);
    const im = new Float64Array(plan.bins);
    const x = Float64Array.from({ length: 1000 }, (_, i) => Math.cos((2 * Math.PI * 50 * i) / 1000));
    plan.forward(x, re, im);
    expect(re[50]).toBeCloseTo(500, 9);
    expect(Math.max(...Array.from(re).map((v, k) => (k === 50 ? 0 : Math.abs(v))))).toBeLessThan(1e-9);
    expect(errorCode(() => new RealFft(0))).toBe('E_USAGE');
    expect(errorCode(() => new RealFft(2.5))).toBe('E_USAGE');
    expect(errorCode(() => plan.forward(x, new Float64Array(10), im))).toBe('E_USAGE');
  });

  it('rfftFrequencies equals numpy.fft.rfftfreq', () => {
    expect(Array.from(rfftFrequencies(8, 250))).toEqual([0, 31.25, 62.5, 93.75, 125]);
    expect(Array.from(rfftFrequencies(5, 1))).toEqual([0, 0.2, 0.4]);
  });
});

describe('welch and bandPower', () => {
  const toOptions = (o: Spectral['welch'][number]['options']): WelchOptions => ({
    sampleRate: 250,
    ...(o.nperseg === undefined ? {} : { segmentLength: o.nperseg }),
    ...(o.noverlap === undefined ? {} : { overlap: o.noverlap }),
    ...(o.nfft === undefined ? {} : { fftLength: o.nfft }),
    ...(o.window === undefined ? {} : { window: o.window }),
    ...(o.detrend === false ? { detrend: 'none' as const } : {}),
    ...(o.scaling === undefined ? {} : { scaling: o.scaling }),
  });

  it.each(spectral.welch.map((c) => [JSON.stringify(c.options), c] as const))('matches scipy.signal.welch %s', (_name, c) => {
    const spectrum = welch(spectral.eeg, toOptions(c.options));
    expect(Array.from(spectrum.frequencies)).toEqual(c.frequencies);
    expect(relative(spectrum.power, c.psd)).toBeLessThan(1e-10);
    expect(relative(bandPower(spectrum), c.band_power)).toBeLessThan(1e-10);
    expect(maxAbsDiff(bandPower(spectrum, EEG_BANDS, { relative: true }), c.relative_band_power)).toBeLessThan(1e-12);
  });

  it.each([
    [2, 'delta'],
    [6, 'theta'],
    [10, 'alpha'],
    [14, 'sigma'],
    [22, 'beta'],
    [35, 'gamma'],
  ] as const)('a pure %i Hz sine puts its power in %s', (hz, band) => {
    const x = Float64Array.from({ length: 1250 }, (_, i) => 2 * Math.sin((2 * Math.PI * hz * i) / 250 + 0.4));
    const powers = bandPower(welch(x, { sampleRate: 250, segmentLength: 250 }), EEG_BANDS, { relative: true });
    const winner = EEG_BANDS[powers.indexOf(Math.max(...powers))]!.name;
    expect(winner).toBe(band);
    expect(Math.max(...powers)).toBeGreaterThan(0.9);
    // Total power equals the variance of the sine (A²/2 = 2) to within the leakage outside 0.5–40 Hz.
    const total = bandPower(welch(x, { sampleRate: 250, segmentLength: 250 }), [{ name: 'all', low: 0, high: 125 }])[0]!;
    expect(total).toBeCloseTo(2, 1);
  });

  it('adjacent bands split the power exactly', () => {
    const spectrum = welch(spectral.eeg, { sampleRate: 250 });
    const [a, b] = bandPower(spectrum, [
      { name: 'lo', low: 3.3, high: 9.9 },
      { name: 'hi', low: 9.9, high: 17.05 },
    ]);
    const [both] = bandPower(spectrum, [{ name: 'all', low: 3.3, high: 17.05 }]);
    expect(a! + b!).toBeCloseTo(both!, 12);
  });

  it('warns like scipy when the segment is longer than the signal', () => {
    const logger = recordingLogger();
    const spectrum = welch([1, 2, 3, 4, 5, 6, 7, 8], { segmentLength: 256, logger });
    expect(spectrum.power).toHaveLength(5);
    expect(logger.warnings).toEqual(['segmentLength = 256 is greater than the signal length = 8, using 8']);
  });
});
