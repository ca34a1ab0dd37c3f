import { atomicWrite, createRng, deriveSeed, pathExists, PipelineError, type Rng } from '@pipeline/core';
import { formatTransitCsv, TRANSIT_CLASSES, type TransitClass, type TransitRecord } from './transit-data.js';

/** Options of {@link generateKeplerDemo}. */
export interface KeplerDemoOptions {
  /** Number of rows. */
  readonly rows: number;
  /** Seed of every draw: same seed and options → the same rows (and CSV bytes). */
  readonly seed: number;
  /** Expected class shares, CANDIDATE / CONFIRMED / FALSE POSITIVE. Default 0.25 / 0.35 / 0.40. */
  readonly classShares?: readonly [number, number, number];
  /** Fraction of rows whose label is replaced by another class at random. Default 0.03. */
  readonly labelNoise?: number;
}

/**
 * A Kepler-like table of objects of interest in the seed's columns. The class drives the draws, so a
 * model can learn it, with overlaps and label noise so that it cannot be perfect:
 *
 * - the host star (all classes): `steff` ~ N(5600, 600) K in [3200, 9000], `slogg` ~ N(4.4, 0.25) in
 *   [3, 5], `srad` = 10^(−0.8·(slogg − 4.44) + N(0, 0.08)) solar radii, `tmag` ~ U(9, 16);
 * - the expected duration of a central transit, T₀ = 13 h · (P / 365 d)^(1/3) · srad;
 * - **CONFIRMED**: P = 10^U(0, 2.5) d, impact U(0, 0.85), duration T₀·√(1 − b²)·N(1, 0.1),
 *   radius ratio k = 10^U(−2, −0.9) so depth = k²·10⁶ ppm (100–16,000), snr = 10^U(1.15, 2.6) (14–400);
 * - **CANDIDATE**: P = 10^U(0, 2.6) d, impact U(0, 0.95), duration T₀·√(1 − b²)·N(1, 0.2),
 *   k = 10^U(−2.2, −1.0) (40–10,000 ppm), snr = 10^U(0.85, 1.5) (7–32): fainter, between the others;
 * - **FALSE POSITIVE**, one of three: an eclipsing binary (50 %: grazing impact U(0.85, 1.3), depth
 *   10^U(3.7, 5.5) ppm, i.e. 0.5–30 %, duration T₀·N(1.3, 0.3), short P = 10^U(−0.3, 1.5), snr 10^U(1.3, 3));
 *   a V-shaped graze (25 %: impact U(0.9, 1.2), depth 10^U(2.5, 4), snr 10^U(0.9, 1.8)); or a
 *   systematic (25 %: snr 10^U(0.85, 1.1) just over the threshold, depth 10^U(1.5, 3), a duration
 *   10^U(0, 1.3) h unrelated to the period, impact U(0, 1.2)).
 *
 * Durations are at least 0.5 h. Then `labelNoise` of the rows get another label.
 */
export function generateKeplerDemo(options: KeplerDemoOptions): TransitRecord[] {
  const { rows, seed } = options;
  const shares = options.classShares ?? [0.25, 0.35, 0.4];
  const labelNoise = options.labelNoise ?? 0.03;
  if (!Number.isInteger(rows) || rows < 1) throw new PipelineError('E_USAGE', `rows must be a positive integer, got ${rows}`, { field: 'rows' });
  if (shares.length !== 3 || shares.some((s) => !(s >= 0)) || !(shares[0] + shares[1] + shares[2] > 0)) {
    throw new PipelineError('E_USAGE', 'classShares must be three non-negative numbers with a positive sum', { field: 'classShares' });
  }
  if (!(labelNoise >= 0 && labelNoise <= 1)) throw new PipelineError('E_USAGE', `labelNoise must be in [0, 1], got ${labelNoise}`, { field: 'labelNoise' });
  const total = shares[0] + shares[1] + shares[2];
  const rng = createRng(deriveSeed(seed, 'kepler-demo'));
  const out: TransitRecord[] = [];
  for (let i = 0; i < rows; i++) {
    const u = rng.uniform() * total;
    const truth: TransitClass = u < shares[0] ? 'CANDIDATE' : u < shares[0] + shares[1] ? 'CONFIRMED' : 'FALSE POSITIVE';
    const record = drawObject(truth, rng);
    let label = truth;
    if (rng.uniform() < labelNoise) {
      const others = TRANSIT_CLASSES.filter((c) => c !== truth);
      label = others[rng.int(others.length)]!;
    }
    out.push({ ...record, label });
  }
  return out;
}

/** Writes {@link generateKeplerDemo}'s rows as the seed's CSV (atomically; refuses to overwrite unless asked). */
export async function writeKeplerDemoCsv(path: string, options: KeplerDemoOptions & { readonly overwrite?: boolean }): Promise<TransitRecord[]> {
  if (options.overwrite !== true && (await pathExists(path))) {
    throw new PipelineError('E_USAGE', 'the output file already exists', { file: path, hint: 'choose another path or pass overwrite: true' });
  }
  const records = generateKeplerDemo(options);
  await atomicWrite(path, new TextEncoder().encode(formatTransitCsv(records)));
  return records;
}

function drawObject(truth: TransitClass, rng: Rng): Omit<TransitRecord, 'label'> {
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
  const logUniform = (lo: number, hi: number) => 10 ** uniform(lo, hi);
  const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
  const steff = clamp(5600 + 600 * rng.normal(), 3200, 9000);
  const slogg = clamp(4.4 + 0.25 * rng.normal(), 3, 5);
  const srad = 10 ** (-0.8 * (slogg - 4.44) + 0.08 * rng.normal());
  const tmag = uniform(9, 16);
  const centralDuration = (period: number) => 13 * Math.cbrt(period / 365) * srad;
  let period: number;
  let impact: number;
  let duration: number;
  let depth: number;
  let snr: number;
  if (truth === 'CONFIRMED') {
    period = logUniform(0, 2.5);
    impact = uniform(0, 0.85);
    duration = centralDuration(period) * Math.sqrt(1 - impact * impact) * (1 + 0.1 * rng.normal());
    depth = logUniform(-2, -0.9) ** 2 * 1e6;
    snr = logUniform(1.15, 2.6);
  } else if (truth === 'CANDIDATE') {
    period = logUniform(0, 2.6);
    impact = uniform(0, 0.95);
    duration = centralDuration(period) * Math.sqrt(1 - impact * impact) * (1 + 0.2 * rng.normal());
    depth = logUniform(-2.2, -1) ** 2 * 1e6;
    snr = logUniform(0.85, 1.5);
  } else {
    const kind = rng.uniform();
    if (kind < 0.5) {
      period = logUniform(-0.3, 1.5);
      impact = uniform(0.85, 1.3);
      duration = centralDuration(period) * (1.3 + 0.3 * rng.normal());
      depth = logUniform(3.7, 5.5);
      snr = logUniform(1.3, 3);
    } else if (kind < 0.75) {
      period = logUniform(-0.3, 2.3);
      impact = uniform(0.9, 1.2);
      duration = centralDuration(period) * 0.5 * (1 + 0.2 * rng.normal());
      depth = logUniform(2.5, 4);
      snr = logUniform(0.9, 1.8);
    } else {
      period = logUniform(-0.3, 2.7);
      impact = uniform(0, 1.2);
      duration = logUniform(0, 1.3);
      depth = logUniform(1.5, 3);
      snr = logUniform(0.85, 1.1);
    }
  }
  duration = Math.max(0.5, duration);
  return { period, duration, depth, impact, snr, steff, srad, slogg, tmag };
}
