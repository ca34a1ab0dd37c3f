/** One train/test split: row indices into the data set, ascending. */
export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** What a splitter may look at. */
export interface SplitInput {
  readonly nRows: number;
  readonly labels?: Int32Array;
  readonly groups?: Int32Array;
  /** A predefined fold number per row (e.g. the `fold` column); -1 = never in a test set. */
  readonly folds?: Int32Array;
}

/**
 * A cross-validation scheme. `args` are plain JSON for the run manifest; `split` is deterministic
 * for a given input and seed.
 */
export interface Splitter {
  readonly kind: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** Number of splits `split` yields for this input. */
  nSplits(input: SplitInput): number;
  /** The splits. Seeded; the same input and seed give the same indices. */
  split(input: SplitInput, seed?: number): Split[];
  /**
   * True when every row is in exactly one test set (per repeat, when `repeats > 1`), which is what
   * out-of-fold prediction needs.
   */
  readonly isPartition: boolean;
  /** Number of repetitions of a partition (1 for a plain K-fold). */
  readonly repeats: number;
}
