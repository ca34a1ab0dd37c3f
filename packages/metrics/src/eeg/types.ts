/** An event `[start, stop)` in seconds from the start of the recording. */
export type Interval = readonly [start: number, stop: number];

/**
 * One recording to score: its duration and the seizure events of the reference (`ref`) and the
 * hypothesis (`hyp`), in seconds. Everything outside the events is background. This is the layout
 * of the `files` of the NEDC vectors.
 */
export interface Recording {
  /** Recording length in seconds (NEDC's `# duration = D secs`). */
  readonly duration: number;
  readonly ref: readonly Interval[];
  readonly hyp: readonly Interval[];
  /** A name used in error messages (e.g. the annotation file). */
  readonly id?: string;
}

/** A recording's per-sample seizure probabilities, for post-processing, FA curves and AUROC. */
export interface ProbabilityRecording {
  /** One probability per sample. */
  readonly proba: ArrayLike<number>;
  /** Sampling rate of `proba` in Hz. */
  readonly fs: number;
  /** Reference seizure events in seconds. */
  readonly ref: readonly Interval[];
  /** Recording length in seconds. Default `proba.length / fs`. */
  readonly duration?: number;
  readonly id?: string;
}

/** The two classes NEDC scores (its default map): seizure and background. */
export type NedcLabel = 'seiz' | 'bckg';

/** An event of a filled NEDC timeline. */
export interface LabeledEvent {
  readonly start: number;
  readonly stop: number;
  readonly label: NedcLabel;
}

/**
 * What to do with overlapping events of one annotation: `'error'` (default) rejects them with a
 * `PipelineError('E_INPUT')`; `'merge'` unions them first; `'nedc'` feeds them to the NEDC loader
 * unchanged (a negative-length background filler appears and scores come out garbled, exactly as
 * NEDC v6.0.0 computes them; for reproducing published numbers only). `'nedc'` also skips the range
 * checks.
 */
export type OverlapPolicy = 'error' | 'merge' | 'nedc';
