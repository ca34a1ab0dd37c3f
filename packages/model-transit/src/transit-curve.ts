import { PipelineError } from '@pipeline/core';

/** How a transit curve is drawn from a row's `period`, `duration` and `depth` (plain JSON). */
export interface TransitCurveArgs {
  /** Points of the curve. The seed's 2001. */
  readonly points: number;
  /** Time span of the curve in hours, centred on a mid-transit. Default 96 (±2 days). */
  readonly windowHours: number;
  /** Ingress (and egress) time as a fraction of the duration: 0 = box, 0.5 = V shape. Default 0.1. */
  readonly ingressFraction: number;
}

/** The curve the seed's model reads: 2001 points over ±48 h, 10 % ingress/egress. */
export const TRANSIT_CURVE_DEFAULTS: Readonly<TransitCurveArgs> = Object.freeze({ points: 2001, windowHours: 96, ingressFraction: 0.1 });

/** What a curve is drawn from. */
export interface TransitShape {
  /** Orbital period, days (> 0). */
  readonly period: number;
  /** Transit duration (first to fourth contact), hours (> 0). */
  readonly duration: number;
  /** Transit depth, ppm (≥ 0). */
  readonly depth: number;
}

/**
 * Writes the model's view of a transit into `out` (length `args.points`), deterministically:
 *
 * 1. Time axis: point i sits at tᵢ = (i − (points − 1)/2) · Δ hours, Δ = windowHours / (points − 1),
 *    and stands for the bin [tᵢ − Δ/2, tᵢ + Δ/2]. Mid-transits fall at t = k · 24 · period for every
 *    integer k, so the window covers windowHours / (24 · period) orbits: short periods show their
 *    neighbouring transits (that is how the period reaches the curve), long ones a single dip.
 * 2. Each transit is a symmetric trapezoid of full width `duration`, flat bottom of width
 *    duration · (1 − 2 · ingressFraction) and linear ingress/egress; its bin value is the exact mean of
 *    the trapezoid over the bin (closed-form integral), so dips narrower than a bin keep their area.
 *    Overlapping transits (duration > period) add up, capped at the full depth.
 * 3. Flux deficit in ppm: depth · that mean; the value written is log10(1 + deficit) / 3 (0 out of
 *    transit, 1 at a 999 ppm deficit, ≈1.67 at 10 % deep), which keeps Earth-like and
 *    eclipsing-binary depths on one scale.
 */
export function transitCurve(shape: TransitShape, args: TransitCurveArgs = TRANSIT_CURVE_DEFAULTS, out: Float32Array = new Float32Array(args.points)): Float32Array {
  const { points, windowHours, ingressFraction } = args;
  const { period, duration, depth } = shape;
  const step = windowHours / (points - 1);
  const half = duration / 2;
  const ingress = ingressFraction * duration;
  const flat = half - ingress;
  const area = 2 * flat + ingress;
  const periodHours = 24 * period;
  for (let i = 0; i < points; i++) {
    const t = (i - (points - 1) / 2) * step;
    const a = t - step / 2;
    const b = t + step / 2;
    // transits k whose [centre − half, centre + half] meets the bin (at most MAX_TRANSITS_PER_BIN:
    // beyond that the bin is saturated by the cap anyway).
    const first = Math.ceil((a - half) / periodHours);
    const last = Math.min(Math.floor((b + half) / periodHours), first + MAX_TRANSITS_PER_BIN);
    let covered = 0;
    for (let k = first; k <= last; k++) {
      const centre = k * periodHours;
      covered += cumulative(b - centre, half, flat, ingress, area) - cumulative(a - centre, half, flat, ingress, area);
    }
    const deficit = depth * Math.min(1, covered / step);
    out[i] = Math.log10(1 + deficit) / 3;
  }
  return out;
}

const MAX_TRANSITS_PER_BIN = 64;

/** ∫_{−∞}^{x} of a unit trapezoid centred on 0 (half-width `half`, flat half-width `flat`). */
function cumulative(x: number, half: number, flat: number, ingress: number, area: number): number {
  if (x <= -half) return 0;
  if (x >= half) return area;
  if (x <= -flat) return ingress === 0 ? 0 : ((x + half) * (x + half)) / (2 * ingress);
  if (x <= flat) return ingress / 2 + (x + flat);
  return ingress === 0 ? area : area - ((half - x) * (half - x)) / (2 * ingress);
}

/** Checks curve arguments (`E_USAGE` naming the field). */
export function validateCurveArgs(args: TransitCurveArgs): void {
  if (!Number.isInteger(args.points) || args.points < 16) {
    throw new PipelineError('E_USAGE', `curve points must be an integer ≥ 16, got ${args.points}`, { field: 'curve.points' });
  }
  if (!(args.windowHours > 0) || !Number.isFinite(args.windowHours)) {
    throw new PipelineError('E_USAGE', `curve windowHours must be a positive number, got ${args.windowHours}`, { field: 'curve.windowHours' });
  }
  if (!(args.ingressFraction >= 0 && args.ingressFraction <= 0.5)) {
    throw new PipelineError('E_USAGE', `curve ingressFraction must be in [0, 0.5], got ${args.ingressFraction}`, { field: 'curve.ingressFraction' });
  }
}
