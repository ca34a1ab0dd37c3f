import { PipelineError } from '@pipeline/core';
import type { BlockExtrema } from './block-extrema.js';
import { RunBuilder, runsToMask, twoLevelRuns, type SampleRuns } from './sample-runs.js';

export interface HysteresisOptions {
  /** Enter the seizure state at `p >= tauOn`. Default 0.86. */
  readonly tauOn?: number;
  /** Leave it at `p < tauOff` (must be ≤ tauOn). Default 0.78. */
  readonly tauOff?: number;
  /**
   * Onset stability: entering needs a run of at least this many consecutive samples `>= tauOn`; the
   * event then starts at the beginning of that run. Default 1.
   */
  readonly minOnsetSamples?: number;
  /**
   * Offset stability: leaving needs a run of at least this many consecutive samples `< tauOff`;
   * the event ends `minOffsetSamples − 1` samples into that run, and shorter dips do not end it.
   * Default 1.
   */
  readonly minOffsetSamples?: number;
}

function positiveInteger(value: number, field: string): number {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new PipelineError('E_USAGE', `${field} must be an integer >= 1, got ${value}`, { field });
  }
  return value;
}

/**
 * Causal hysteresis thresholding, as runs. With the default stability windows (1, 1) it is the
 * state machine OFF→ON at the first `p >= tauOn`, ON→OFF at the first `p < tauOff`. With longer
 * windows it reproduces brain-go-brr-v2's `apply_hysteresis`: the timeline is cut into zones by
 * "firm" OFF runs (≥ `minOffsetSamples` samples below `tauOff`); in each zone the first run of
 * ≥ `minOnsetSamples` samples at or above `tauOn` opens an event that lasts to the zone's end. NaN
 * counts as below `tauOff`. One pass over the samples; with `index` (see {@link blockExtrema}) whole
 * blocks that cannot change the state are skipped, with the same result.
 */
export function hysteresisRuns(proba: ArrayLike<number>, options: HysteresisOptions = {}, index?: BlockExtrema): SampleRuns {
  const tauOn = options.tauOn ?? 0.86;
  const tauOff = options.tauOff ?? 0.78;
  if (!(tauOn >= tauOff)) {
    throw new PipelineError('E_USAGE', `hysteresis needs tauOn >= tauOff, got tauOn ${tauOn} and tauOff ${tauOff}`, { field: 'tauOff' });
  }
  const minOn = positiveInteger(options.minOnsetSamples ?? 1, 'minOnsetSamples');
  const minOff = positiveInteger(options.minOffsetSamples ?? 1, 'minOffsetSamples');
  // The plain state machine: ON at the first p >= tauOn, OFF at the next p < tauOff.
  if (minOn === 1 && minOff === 1) return twoLevelRuns(proba, tauOn, tauOff, false, index);
  const n = proba.length;
  const builder = new RunBuilder(n);
  let zoneOpen = true;
  let onset = -1;
  let lowLength = 0;
  let highStart = 0;
  let highLength = 0;
  const block = index?.blockSize ?? 0;
  for (let i = 0; i < n; i++) {
    if (index !== undefined && i % block === 0) {
      const b = i / block;
      // OFF with no pending onset and no sample reaching tauOn: nothing in the block can start an
      // event, and the first such sample resets the counters anyway.
      if (onset < 0 && index.max[b]! < tauOn) {
        highLength = 0;
        lowLength = 0;
        zoneOpen = true;
        i += block - 1;
        continue;
      }
      // Inside an event and no sample below tauOff: the event just continues.
      if (onset >= 0 && index.min[b]! >= tauOff) {
        lowLength = 0;
        zoneOpen = true;
        i += block - 1;
        continue;
      }
    }
    const p = proba[i]!;
    if (!(p >= tauOff)) {
      highLength = 0;
      lowLength++;
      if (zoneOpen && lowLength === minOff) {
        // A firm OFF run: the zone (and its event) ends minOff − 1 samples into it, i.e. at i.
        if (onset >= 0) builder.push(onset, i);
        onset = -1;
        zoneOpen = false;
      }
      continue;
    }
    zoneOpen = true;
    lowLength = 0;
    if (p >= tauOn) {
      if (highLength === 0) highStart = i;
      highLength++;
      if (highLength === minOn && onset < 0) onset = highStart;
    } else {
      highLength = 0;
    }
  }
  if (zoneOpen && onset >= 0) builder.push(onset, n);
  return builder.build();
}

/** {@link hysteresisRuns} as a `Uint8Array` mask. */
export function hysteresis(proba: ArrayLike<number>, options: HysteresisOptions = {}): Uint8Array {
  return runsToMask(hysteresisRuns(proba, options));
}

export interface HysteresisComponentsOptions {
  readonly high: number;
  readonly low: number;
}

/**
 * Non-causal (connected-component) hysteresis, the scikit-image style: a sample is ON when
 * `p > low` and its maximal run of `p > low` contains some `p > high`. Unlike the causal version it
 * extends events backwards to where `p` first rose above `low`.
 */
export function hysteresisComponentsRuns(proba: ArrayLike<number>, options: HysteresisComponentsOptions): SampleRuns {
  const { high, low } = options;
  if (!(high >= low)) throw new PipelineError('E_USAGE', `needs high >= low, got high ${high} and low ${low}`, { field: 'low' });
  const n = proba.length;
  const builder = new RunBuilder(n);
  let start = -1;
  let seenHigh = false;
  for (let i = 0; i < n; i++) {
    const p = proba[i]!;
    if (p > low) {
      if (start < 0) {
        start = i;
        seenHigh = false;
      }
      if (p > high) seenHigh = true;
    } else if (start >= 0) {
      if (seenHigh) builder.push(start, i);
      start = -1;
    }
  }
  if (start >= 0 && seenHigh) builder.push(start, n);
  return builder.build();
}

/** {@link hysteresisComponentsRuns} as a `Uint8Array` mask. */
export function hysteresisComponents(proba: ArrayLike<number>, options: HysteresisComponentsOptions): Uint8Array {
  return runsToMask(hysteresisComponentsRuns(proba, options));
}
