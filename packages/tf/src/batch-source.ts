/**
 * Examples fed to a model batch by batch, without ever holding the whole data set in one tensor: the
 * training loop asks for the rows of one batch at a time and copies them into a reused buffer.
 */
export interface BatchSource {
  /** Number of examples. */
  readonly size: number;
  /** Shape of one example, e.g. `[steps, channels]`. */
  readonly exampleShape: readonly number[];
  /**
   * Writes the examples at `indices` (positions in 0..size-1), in that order, into `out`, which has
   * room for `indices.length × prod(exampleShape)` values.
   */
  fill(indices: ArrayLike<number>, out: Float32Array): void;
}

/** Number of values in one example of a source. */
export function exampleSize(source: BatchSource): number {
  return source.exampleShape.reduce((a, b) => a * b, 1);
}
