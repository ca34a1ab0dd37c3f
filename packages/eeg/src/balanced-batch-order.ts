import { createRng, deriveSeed } from '@pipeline/core';

/**
 * Batches for one epoch in which about half the windows contain seizure: each batch holds
 * `ceil(batchSize / 2)` positive windows (cycling through a shuffled list of positives, so they
 * are oversampled) and the rest negatives (each negative once per epoch, shuffled). The epoch has
 * `ceil(negatives / (batchSize − ceil(batchSize / 2)))` batches; the last may be smaller. Without
 * positives (or negatives) it is a plain shuffled pass over the windows.
 *
 * Deterministic per `(seed, epoch)`: a resumed training asks for the same epoch and gets the same
 * batches, so it sees the same next batch.
 */
export function balancedBatchOrder(positive: Uint8Array, batchSize: number, seed: number, epoch: number): Int32Array[] {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`batchSize ${batchSize} must be a positive integer`);
  const rng = createRng(deriveSeed(seed, 'balancedBatchOrder', epoch));
  const pos: number[] = [];
  const neg: number[] = [];
  positive.forEach((p, i) => (p ? pos : neg).push(i));
  const batches: Int32Array[] = [];
  if (pos.length === 0 || neg.length === 0 || batchSize === 1) {
    const all = rng.shuffle(Array.from(positive, (_, i) => i));
    for (let i = 0; i < all.length; i += batchSize) batches.push(Int32Array.from(all.slice(i, i + batchSize)));
    return batches;
  }
  const nPos = Math.ceil(batchSize / 2);
  const nNeg = batchSize - nPos;
  rng.shuffle(neg);
  let posOrder = rng.shuffle([...pos]);
  let posCursor = 0;
  const nextPositive = (): number => {
    if (posCursor === posOrder.length) {
      posOrder = rng.shuffle([...pos]);
      posCursor = 0;
    }
    return posOrder[posCursor++]!;
  };
  for (let i = 0; i < neg.length; i += nNeg) {
    const negatives = neg.slice(i, i + nNeg);
    const positives = Array.from({ length: Math.min(nPos, Math.max(1, Math.round((negatives.length * nPos) / nNeg))) }, nextPositive);
    batches.push(Int32Array.from(rng.shuffle([...positives, ...negatives])));
  }
  return batches;
}
