import { PipelineError } from '@pipeline/core';
import { maskToRuns, RunBuilder, runsToMask, type SampleRuns } from './sample-runs.js';

/**
 * What lies outside the timeline for erosion:
 * - `'ignore'` (default): nothing; the structuring element is cut at the edges, so closing never
 *   shortens an event that touches the start or end (brain-go-brr-v2's max-pool morphology).
 * - `'zero'`: zeros, as `scipy.ndimage` with its default `border_value=0` (SeizureTransformer);
 *   erosion then eats up to `k//2` samples of events touching the edges, and closing shortens them.
 */
export type MorphologyBorder = 'ignore' | 'zero';

export interface MorphologyOptions {
  readonly border?: MorphologyBorder;
}

/**
 * The window of a flat structuring element of `k` samples, centred like scipy (`origin = 0`): the
 * output at i looks at `[i − before, i + after]`, `before = k // 2`, `after = k − 1 − before`. Even
 * kernels are asymmetric, as in scipy.
 */
function windowOf(k: number): { before: number; after: number } {
  if (!(Number.isInteger(k) && k >= 1)) {
    throw new PipelineError('E_USAGE', `a morphology kernel is a whole number of samples >= 1, got ${k}`, { field: 'kernel' });
  }
  const before = Math.floor(k / 2);
  return { before, after: k - 1 - before };
}

/** Erosion: a run `[s, e)` shrinks to `[s + before, e − after)` (not at an edge with `'ignore'`). */
export function erodeRuns(runs: SampleRuns, k: number, options: MorphologyOptions = {}): SampleRuns {
  const { before, after } = windowOf(k);
  const ignore = (options.border ?? 'ignore') === 'ignore';
  const builder = new RunBuilder(runs.length);
  for (let r = 0; r < runs.starts.length; r++) {
    const s = runs.starts[r]!;
    const e = runs.ends[r]!;
    builder.push(ignore && s === 0 ? 0 : s + before, ignore && e === runs.length ? e : e - after);
  }
  return builder.build();
}

/** Dilation: a run `[s, e)` grows to `[s − before, e + after)`, clipped to the timeline; runs that meet merge. */
export function dilateRuns(runs: SampleRuns, k: number): SampleRuns {
  const { before, after } = windowOf(k);
  const builder = new RunBuilder(runs.length);
  for (let r = 0; r < runs.starts.length; r++) {
    builder.push(Math.max(0, runs.starts[r]! - before), Math.min(runs.length, runs.ends[r]! + after));
  }
  return builder.build();
}

/** Opening (erosion then dilation): removes ON runs shorter than `k` samples. */
export function openRuns(runs: SampleRuns, k: number, options: MorphologyOptions = {}): SampleRuns {
  return dilateRuns(erodeRuns(runs, k, options), k);
}

/** Closing (dilation then erosion): fills OFF gaps shorter than `k` samples. */
export function closeRuns(runs: SampleRuns, k: number, options: MorphologyOptions = {}): SampleRuns {
  return erodeRuns(dilateRuns(runs, k), k, options);
}

/** Binary opening of a mask with a flat element of `k` samples (see {@link MorphologyBorder}). */
export function binaryOpening(mask: ArrayLike<number | boolean>, k: number, options: MorphologyOptions = {}): Uint8Array {
  return runsToMask(openRuns(maskToRuns(mask), k, options));
}

/** Binary closing of a mask with a flat element of `k` samples (see {@link MorphologyBorder}). */
export function binaryClosing(mask: ArrayLike<number | boolean>, k: number, options: MorphologyOptions = {}): Uint8Array {
  return runsToMask(closeRuns(maskToRuns(mask), k, options));
}
