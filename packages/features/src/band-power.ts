import { PipelineError } from '@pipeline/core';
import type { PowerSpectrum } from './welch.js';

/** A named frequency band [low, high] in Hz. */
export interface FrequencyBand {
  readonly name: string;
  readonly low: number;
  readonly high: number;
}

/**
 * The classic EEG bands, contiguous and non-overlapping (the YASA convention): delta 0.5–4,
 * theta 4–8, alpha 8–12, sigma 12–16, beta 16–30, gamma 30–40 Hz.
 */
export const EEG_BANDS: readonly FrequencyBand[] = [
  { name: 'delta', low: 0.5, high: 4 },
  { name: 'theta', low: 4, high: 8 },
  { name: 'alpha', low: 8, high: 12 },
  { name: 'sigma', low: 12, high: 16 },
  { name: 'beta', low: 16, high: 30 },
  { name: 'gamma', low: 30, high: 40 },
];

export interface BandPowerOptions {
  /** Divide each band's power by the power between the lowest and the highest band edge. */
  readonly relative?: boolean;
}

/**
 * Power in each band: the integral of the spectrum (treated as piecewise linear between bins) from
 * `low` to `high`, with the spectrum interpolated at band edges that fall between bins. Adjacent
 * bands therefore split the power exactly: no bin is counted twice, none is dropped. Band edges
 * beyond the spectrum's frequency range are clipped to it. Returns one value per band, in order.
 */
export function bandPower(
  spectrum: PowerSpectrum,
  bands: readonly FrequencyBand[] = EEG_BANDS,
  options: BandPowerOptions = {},
): Float64Array {
  const { frequencies, power } = spectrum;
  if (frequencies.length !== power.length || frequencies.length < 2) {
    throw new PipelineError('E_INPUT', 'a power spectrum needs at least 2 bins and one frequency per bin', { field: 'spectrum' });
  }
  const out = new Float64Array(bands.length);
  let lowest = Infinity;
  let highest = -Infinity;
  bands.forEach((band, b) => {
    if (!(band.low >= 0 && band.high > band.low)) {
      throw new PipelineError('E_USAGE', `band '${band.name}' must have 0 ≤ low < high, got [${band.low}, ${band.high}]`, {
        field: 'bands',
      });
    }
    out[b] = integrate(frequencies, power, band.low, band.high);
    lowest = Math.min(lowest, band.low);
    highest = Math.max(highest, band.high);
  });
  if (options.relative === true) {
    const total = integrate(frequencies, power, lowest, highest);
    for (let b = 0; b < out.length; b++) out[b] = total > 0 ? out[b]! / total : 0;
  }
  return out;
}

/** ∫ from a to b of the piecewise-linear interpolation of (f, p); f ascending. */
function integrate(f: Float64Array, p: Float64Array, a: number, b: number): number {
  const first = f[0]!;
  const last = f[f.length - 1]!;
  const lo = Math.max(a, first);
  const hi = Math.min(b, last);
  if (!(hi > lo)) return 0;
  let total = 0;
  for (let k = 0; k + 1 < f.length; k++) {
    const f0 = f[k]!;
    const f1 = f[k + 1]!;
    const left = Math.max(lo, f0);
    const right = Math.min(hi, f1);
    if (right <= left) continue;
    const slope = (p[k + 1]! - p[k]!) / (f1 - f0);
    const pl = p[k]! + slope * (left - f0);
    const pr = p[k]! + slope * (right - f0);
    total += 0.5 * (pl + pr) * (right - left);
  }
  return total;
}
