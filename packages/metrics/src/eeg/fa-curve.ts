import { PipelineError, throwIfAborted, type ProgressCallback } from '@pipeline/core';
import { blockExtrema, type BlockExtrema } from './block-extrema.js';
import { postprocess as runPostprocess, withThreshold, type PostprocessOptions } from './postprocess.js';
import type { Interval, ProbabilityRecording, Recording } from './types.js';

/** One point of an FA curve. */
export interface FaCurveRow {
  readonly threshold: number;
  readonly sensitivity: number;
  readonly faPer24h: number;
}

/** Turns one recording's probabilities into seizure events for a given threshold. */
export type ThresholdPostprocess = (proba: ArrayLike<number>, fs: number, threshold: number) => Interval[];

/** Any scorer that gives a sensitivity and an FA/24h: `taes`, `ovlp`, `timescoringEvent`, … */
export type OperatingPointScorer = (recordings: readonly Recording[]) => { readonly sensitivity: number; readonly faPer24h: number };

export interface FaCurveOptions {
  readonly signal?: AbortSignal;
  /** Called after each threshold (`stage: 'fa-curve'`). */
  readonly onProgress?: ProgressCallback;
}

/**
 * Sensitivity and FA/24h at each threshold: every recording is post-processed at the threshold
 * (a {@link PostprocessOptions} chain whose threshold is replaced, see `withThreshold`, or any
 * function), then all recordings are scored together. With a chain, a block min/max index of each
 * trace is built once so that each threshold skips the blocks far from it. Thresholds are evaluated exhaustively and
 * returned in the given order: FA/24h need not be monotone in the threshold. `Infinity` is allowed
 * (no detections).
 */
export function faCurve(
  recordings: readonly ProbabilityRecording[],
  thresholds: ArrayLike<number>,
  postprocess: Omit<PostprocessOptions, 'fs'> | ThresholdPostprocess,
  scorer: OperatingPointScorer,
  options: FaCurveOptions = {},
): FaCurveRow[] {
  recordings.forEach((r, i) => {
    if (!(Number.isFinite(r.fs) && r.fs > 0)) {
      throw new PipelineError('E_INPUT', `fs must be a positive sampling rate, got ${r.fs}`, { file: r.id ?? `recordings[${i}]`, field: 'fs' });
    }
  });
  const indexes: (BlockExtrema | undefined)[] = recordings.map((r) => (typeof postprocess === 'function' ? undefined : blockExtrema(r.proba)));
  const toEvents = (r: ProbabilityRecording, k: number, threshold: number): Interval[] =>
    typeof postprocess === 'function'
      ? postprocess(r.proba, r.fs, threshold)
      : runPostprocess(r.proba, withThreshold({ ...postprocess, fs: r.fs }, threshold), indexes[k]);
  const rows: FaCurveRow[] = [];
  for (let t = 0; t < thresholds.length; t++) {
    throwIfAborted(options.signal, 'faCurve');
    const threshold = thresholds[t]!;
    if (Number.isNaN(threshold)) throw new PipelineError('E_USAGE', `threshold ${t} is NaN`, { field: 'thresholds' });
    const scored: Recording[] = recordings.map((r, k) => ({
      duration: r.duration ?? r.proba.length / r.fs,
      ref: r.ref,
      hyp: toEvents(r, k, threshold),
      ...(r.id === undefined ? {} : { id: r.id }),
    }));
    const { sensitivity, faPer24h } = scorer(scored);
    rows.push({ threshold, sensitivity, faPer24h });
    options.onProgress?.({ stage: 'fa-curve', current: t + 1, total: thresholds.length });
  }
  return rows;
}
