import { PipelineError } from '@pipeline/core';

/** Options of {@link powerToDb}; defaults are librosa's (`librosa.power_to_db`). */
export interface PowerToDbOptions {
  /** Reference power (0 dB): a number, or `'max'` for the largest value (`ref=np.max`). Default 1. */
  readonly ref?: number | 'max';
  /** Floor applied to the values and the reference before the logarithm. Default 1e-10. */
  readonly amin?: number;
  /** Clip to at most this many dB below the peak; null: no clipping. Default 80. */
  readonly topDb?: number | null;
}

/** 10·log10(max(amin, S)) − 10·log10(max(amin, ref)), then clipped to peak − topDb (librosa's `power_to_db`). */
export function powerToDb(power: ArrayLike<number>, options: PowerToDbOptions = {}): Float64Array {
  const amin = options.amin ?? 1e-10;
  const topDb = options.topDb === undefined ? 80 : options.topDb;
  if (!(amin > 0)) throw new PipelineError('E_USAGE', `amin must be positive, got ${amin}`, { field: 'amin' });
  if (topDb !== null && !(topDb >= 0)) throw new PipelineError('E_USAGE', `topDb must be ≥ 0, got ${topDb}`, { field: 'topDb' });
  let ref: number;
  if (options.ref === 'max') {
    ref = -Infinity;
    for (let i = 0; i < power.length; i++) ref = Math.max(ref, power[i]!);
  } else {
    ref = options.ref ?? 1;
  }
  const offset = 10 * Math.log10(Math.max(amin, ref));
  const out = Float64Array.from({ length: power.length }, (_, i) => 10 * Math.log10(Math.max(amin, power[i]!)) - offset);
  if (topDb !== null && out.length > 0) {
    let peak = -Infinity;
    for (const v of out) peak = Math.max(peak, v);
    const floor = peak - topDb;
    for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i]!, floor);
  }
  return out;
}
