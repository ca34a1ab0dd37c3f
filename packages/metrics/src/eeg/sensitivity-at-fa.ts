import { PipelineError } from '@pipeline/core';
import type { FaCurveRow } from './fa-curve.js';

export interface SensitivityAtFa {
  /** The FA/24h budget. */
  readonly target: number;
  readonly sensitivity: number;
  /** Rule A: the chosen threshold (Infinity = no detections) and the FA/24h it reaches. Absent for rule B. */
  readonly threshold?: number;
  readonly faPer24h?: number;
}

export interface SensitivityAtFaOptions {
  /**
   * `'A'` (default), best feasible threshold: the highest sensitivity among thresholds with
   * FA/24h ≤ target; ties go to the lower FA/24h, then to the higher threshold. A usable
   * operating point. `'B'`, interpolated upper envelope: linear interpolation in FA/24h along the
   * points whose sensitivity beats every point with smaller or equal FA/24h (flat past the last
   * one). Always ≥ rule A, but it names no threshold that can be used.
   */
  readonly rule?: 'A' | 'B';
}

/**
 * Sensitivity at fixed FA/24h budgets from an FA curve. A no-detection point (threshold +∞,
 * sensitivity 0, FA 0) is added when the curve has no `Infinity` row, so a feasible point always
 * exists. Rows with a NaN sensitivity or FA are ignored. Nothing assumes FA/24h is monotone in the
 * threshold.
 */
export function sensitivityAtFa(
  curve: readonly FaCurveRow[],
  targets: readonly number[],
  options: SensitivityAtFaOptions = {},
): SensitivityAtFa[] {
  for (const target of targets) {
    if (!(target >= 0)) throw new PipelineError('E_USAGE', `FA/24h targets must be >= 0, got ${target}`, { field: 'targets' });
  }
  const points = curve.filter((r) => !Number.isNaN(r.sensitivity) && !Number.isNaN(r.faPer24h));
  if (!points.some((r) => r.threshold === Infinity)) points.push({ threshold: Infinity, sensitivity: 0, faPer24h: 0 });
  return (options.rule ?? 'A') === 'A' ? targets.map((t) => ruleA(points, t)) : ruleB(points, targets);
}

function ruleA(points: readonly FaCurveRow[], target: number): SensitivityAtFa {
  let best: FaCurveRow | undefined;
  for (const p of points) {
    if (!(p.faPer24h <= target)) continue;
    if (
      best === undefined ||
      p.sensitivity > best.sensitivity ||
      (p.sensitivity === best.sensitivity && (p.faPer24h < best.faPer24h || (p.faPer24h === best.faPer24h && p.threshold > best.threshold)))
    ) {
      best = p;
    }
  }
  if (best === undefined) {
    // Only reachable when the curve's own Infinity row has FA > 0 (a scorer that invents alarms).
    throw new PipelineError('E_INPUT', `no point of the curve has FA/24h <= ${target}`, {
      field: 'curve',
      hint: 'include the no-detection threshold (Infinity) with FA/24h 0',
    });
  }
  return { target, sensitivity: best.sensitivity, threshold: best.threshold, faPer24h: best.faPer24h };
}

function ruleB(points: readonly FaCurveRow[], targets: readonly number[]): SensitivityAtFa[] {
  const sorted = [...points].sort((a, b) => a.faPer24h - b.faPer24h || b.sensitivity - a.sensitivity);
  const envelope: { fa: number; sens: number }[] = [];
  for (const p of sorted) {
    const last = envelope[envelope.length - 1];
    if (last === undefined || p.sensitivity > last.sens) {
      if (last !== undefined && last.fa === p.faPer24h) last.sens = p.sensitivity;
      else envelope.push({ fa: p.faPer24h, sens: p.sensitivity });
    }
  }
  return targets.map((target) => {
    let k = -1;
    while (k + 1 < envelope.length && envelope[k + 1]!.fa <= target) k++;
    if (k < 0) return { target, sensitivity: 0 };
    const a = envelope[k]!;
    const b = envelope[k + 1];
    if (b === undefined) return { target, sensitivity: a.sens };
    return { target, sensitivity: a.sens + ((b.sens - a.sens) * (target - a.fa)) / (b.fa - a.fa) };
  });
}
