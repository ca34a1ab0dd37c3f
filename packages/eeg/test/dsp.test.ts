import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { butterSos, notchSos, resamplePoly, resampleTo, sosfiltfilt, type Sos } from '@pipeline/eeg';

// Fixture: test/fixtures/gen_dsp.py (scipy.signal.resample_poly, butter(output='sos'), sosfiltfilt, iirnotch, filtfilt).
const dsp = JSON.parse(await readFile(join(import.meta.dirname, 'fixtures', 'dsp.json'), 'utf8')) as {
  x: number[];
  resample: Array<{ up: number; down: number; y: number[] }>;
  butter: Array<{ order: number; cutoff: number | [number, number]; type: 'lowpass' | 'highpass' | 'bandpass' | 'bandstop'; fs: number; freqs: number[]; magnitude: number[]; y: number[]; filtfilt_ba: number[] }>;
  notch: Array<{ f0: number; q: number; fs: number; b: number[]; a: number[]; filtfilt: number[]; sosfiltfilt: number[] }>;
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(Number(a[i]) - Number(b[i])));
  return worst;
}

/** |H(e^{jω})| of a cascade of sections at `f` Hz. */
function magnitude(sos: Sos, f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let re = 1;
  let im = 0;
  for (const [b0, b1, b2, , a1, a2] of sos) {
    const nr = b0 + b1 * Math.cos(-w) + b2 * Math.cos(-2 * w);
    const ni = b1 * Math.sin(-w) + b2 * Math.sin(-2 * w);
    const dr = 1 + a1 * Math.cos(-w) + a2 * Math.cos(-2 * w);
    const di = a1 * Math.sin(-w) + a2 * Math.sin(-2 * w);
    const d = dr * dr + di * di;
    const hr = (nr * dr + ni * di) / d;
    const hi = (ni * dr - nr * di) / d;
    [re, im] = [re * hr - im * hi, re * hi + im * hr];
  }
  return Math.hypot(re, im);
}

describe('resamplePoly against scipy.signal.resample_poly', () => {
  for (const { up, down, y } of dsp.resample) {
    it(`up ${up} / down ${down}`, () => {
      expect(maxAbsDiff(resamplePoly(dsp.x, up, down), y)).toBeLessThan(1e-9);
    });
  }
  it('resampleTo reduces the rate ratio (250 → 256 Hz is up 128 / down 125)', () => {
    const ref = dsp.resample.find((r) => r.up === 256 && r.down === 250)!;
    expect(maxAbsDiff(resampleTo(dsp.x, 250, 256), ref.y)).toBeLessThan(1e-9);
  });
});

describe('Butterworth design and zero-phase filtering against scipy', () => {
  for (const case_ of dsp.butter) {
    it(`${case_.type} order ${case_.order} at ${JSON.stringify(case_.cutoff)} Hz: response, sosfiltfilt and filtfilt within 1e-5`, () => {
      const sos = butterSos(case_.order, case_.cutoff, case_.type, case_.fs);
      case_.freqs.forEach((f, i) => expect(Math.abs(magnitude(sos, f, case_.fs) - case_.magnitude[i]!)).toBeLessThan(1e-9));
      const y = sosfiltfilt(sos, dsp.x);
      expect(maxAbsDiff(y, case_.y)).toBeLessThan(1e-5);
      // scipy's filtfilt on the (b, a) form pads as much (3 × (2·order + 1) for band filters) and starts from the same steady state.
      expect(maxAbsDiff(y, case_.filtfilt_ba)).toBeLessThan(1e-5);
    });
  }
  for (const n of dsp.notch) {
    it(`notch ${n.f0} Hz Q ${n.q}: coefficients as iirnotch, output as filtfilt and sosfiltfilt`, () => {
      const sos = notchSos(n.f0, n.q, n.fs);
      const [b0, b1, b2, , a1, a2] = sos[0]!;
      expect(maxAbsDiff([b0, b1, b2, 1, a1, a2], [...n.b, ...n.a])).toBeLessThan(1e-12);
      const y = sosfiltfilt(sos, dsp.x);
      expect(maxAbsDiff(y, n.filtfilt)).toBeLessThan(1e-5);
      expect(maxAbsDiff(y, n.sosfiltfilt)).toBeLessThan(1e-9);
    });
  }
});
