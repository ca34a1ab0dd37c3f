/**
 * Per-block minimum and maximum of a probability trace. Threshold sweeps scan the same samples
 * once per threshold; with this index the binarizers skip whole blocks that cannot change their
 * state (all below the onset threshold while OFF, all at or above the offset threshold while ON),
 * which makes each pass proportional to the number of blocks near a transition rather than to the
 * number of samples. NaN samples make their block unskippable.
 */
export interface BlockExtrema {
  readonly blockSize: number;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

export function blockExtrema(proba: ArrayLike<number>, blockSize = 256): BlockExtrema {
  const blocks = Math.ceil(proba.length / blockSize);
  const min = new Float64Array(blocks);
  const max = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let lo = Infinity;
    let hi = -Infinity;
    const end = Math.min(proba.length, (b + 1) * blockSize);
    for (let i = b * blockSize; i < end; i++) {
      const p = proba[i]!;
      if (p < lo) lo = p;
      if (p > hi) hi = p;
      if (p !== p) {
        lo = -Infinity;
        hi = Infinity;
      }
    }
    min[b] = lo;
    max[b] = hi;
  }
  return { blockSize, min, max };
}
