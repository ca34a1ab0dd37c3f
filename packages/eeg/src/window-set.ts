/** One training/eval window: channel-major signal and per-sample seizure mask. */
export interface SeizureWindow {
  readonly recording: string; // recording id (file stem)
  readonly startSample: number; // offset in the recording at the window's sample rate
  readonly x: Float32Array; // channels × windowSamples, channel-major, standardized
  readonly mask: Float32Array; // windowSamples values, 1 = seizure, 0 = background
}

/** A lazy, indexable set of fixed-length windows over preprocessed recordings. */
export interface WindowSet {
  readonly channels: readonly string[];
  readonly sampleRate: number;
  readonly windowSamples: number;
  readonly strideSamples: number;
  readonly length: number;
  /** 1 when window i contains any seizure sample. */
  readonly positive: Uint8Array;
  window(i: number): SeizureWindow;
  /** The recordings behind the set, for event-level scoring: id, duration in seconds, reference seizure events. */
  readonly recordings: ReadonlyArray<{
    readonly id: string;
    readonly durationSec: number;
    readonly seizures: ReadonlyArray<{ readonly start: number; readonly stop: number }>;
  }>;
}
