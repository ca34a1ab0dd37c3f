import { PipelineError } from '@pipeline/core';
import { mergeEventGaps, removeShortRuns, splitLongEvents } from './event-filters.js';
import type { BlockExtrema } from './block-extrema.js';
import { hysteresisComponentsRuns, hysteresisRuns } from './hysteresis.js';
import { closeRuns, openRuns, type MorphologyBorder } from './morphology.js';
import { checkFs, runsToEvents, thresholdRuns, type SampleRuns } from './sample-runs.js';
import type { Interval } from './types.js';

/** How probabilities become a binary timeline. */
export type Binarization =
  | { readonly kind: 'threshold'; readonly threshold: number; readonly strict?: boolean }
  | {
      readonly kind: 'hysteresis';
      readonly tauOn: number;
      readonly tauOff: number;
      readonly minOnsetSamples?: number;
      readonly minOffsetSamples?: number;
    }
  | { readonly kind: 'hysteresis-components'; readonly high: number; readonly low: number };

/**
 * A post-processing chain, applied in this order: binarize → opening → closing → minimum duration
 * (on samples) → events in seconds → gap merging → splitting of long events. Kernels are in
 * samples, durations in seconds. Every step is optional except binarization.
 */
export interface PostprocessOptions {
  /** Sampling rate of the probabilities in Hz. */
  readonly fs: number;
  /** Default: causal hysteresis with tauOn 0.86 and tauOff 0.78. */
  readonly binarize?: Binarization;
  /** Opening kernel in samples (removes ON runs shorter than it). Omitted or 1: no opening. */
  readonly openingKernel?: number;
  /** Closing kernel in samples (fills gaps shorter than it). Omitted or 1: no closing. */
  readonly closingKernel?: number;
  /** Edge convention of the morphology. Default `'ignore'` (see {@link MorphologyBorder}). */
  readonly border?: MorphologyBorder;
  /** Drop events shorter than this many seconds: runs need `>= int(minDuration · fs)` samples. */
  readonly minDuration?: number;
  /** Merge events separated by less than this many seconds (`<`, or `<=` with `mergeInclusive`). */
  readonly mergeGap?: number;
  readonly mergeInclusive?: boolean;
  /** Split events longer than this many seconds into chunks of this length. */
  readonly maxDuration?: number;
}

export const DEFAULT_BINARIZATION: Binarization = { kind: 'hysteresis', tauOn: 0.86, tauOff: 0.78 };

/**
 * The sample-level part of the chain (binarize, opening, closing, minimum duration), as runs.
 * `index` (see {@link blockExtrema}) speeds up threshold and causal-hysteresis binarization when the
 * same trace is processed many times; the result is identical.
 */
export function postprocessRuns(proba: ArrayLike<number>, options: PostprocessOptions, index?: BlockExtrema): SampleRuns {
  checkFs(options.fs);
  const binarize = options.binarize ?? DEFAULT_BINARIZATION;
  let runs: SampleRuns;
  switch (binarize.kind) {
    case 'threshold':
      runs = thresholdRuns(proba, binarize.threshold, binarize.strict === undefined ? {} : { strict: binarize.strict }, index);
      break;
    case 'hysteresis':
      runs = hysteresisRuns(proba, binarize, index);
      break;
    case 'hysteresis-components':
      runs = hysteresisComponentsRuns(proba, binarize);
      break;
    default:
      throw new PipelineError('E_USAGE', `unknown binarization ${(binarize as { kind: string }).kind}`, { field: 'binarize.kind' });
  }
  const border = { border: options.border ?? 'ignore' } as const;
  if (options.openingKernel !== undefined && options.openingKernel > 1) runs = openRuns(runs, options.openingKernel, border);
  if (options.closingKernel !== undefined && options.closingKernel > 1) runs = closeRuns(runs, options.closingKernel, border);
  if (options.minDuration !== undefined) runs = removeShortRuns(runs, Math.trunc(options.minDuration * options.fs));
  return runs;
}

/** The whole chain: per-sample probabilities → seizure events `[start, stop)` in seconds. */
export function postprocess(proba: ArrayLike<number>, options: PostprocessOptions, index?: BlockExtrema): Interval[] {
  let events = runsToEvents(postprocessRuns(proba, options, index), options.fs);
  if (options.mergeGap !== undefined) {
    events = mergeEventGaps(events, options.mergeGap, options.mergeInclusive === undefined ? {} : { inclusive: options.mergeInclusive });
  }
  if (options.maxDuration !== undefined) events = splitLongEvents(events, options.maxDuration);
  return events;
}

/**
 * The chain with its threshold replaced by `threshold`: a plain threshold takes it as is; causal
 * hysteresis sets `tauOn = threshold` and keeps the gap `tauOn − tauOff` (clamping nothing); the
 * component variant sets `high = threshold` and keeps `high − low`. Used by operating-point sweeps.
 */
export function withThreshold(options: PostprocessOptions, threshold: number): PostprocessOptions {
  const b = options.binarize ?? DEFAULT_BINARIZATION;
  let binarize: Binarization;
  if (b.kind === 'threshold') binarize = { ...b, threshold };
  else if (b.kind === 'hysteresis') binarize = { ...b, tauOn: threshold, tauOff: threshold - (b.tauOn - b.tauOff) };
  else binarize = { ...b, high: threshold, low: threshold - (b.high - b.low) };
  return { ...options, binarize };
}
