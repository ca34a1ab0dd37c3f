import { deriveSeed, PipelineError, type Split, type SplitInput, type Splitter } from '@pipeline/core';

/**
 * Repeats a splitter `nRepeats` times with a different derived seed per repeat
 * (`deriveSeed(seed, 'repeat', r)`). Splits come repeat by repeat; out-of-fold predictions average
 * the repeats.
 */
export function repeated(splitter: Splitter, nRepeats: number): Splitter {
  if (!Number.isInteger(nRepeats) || nRepeats < 1) {
    throw new PipelineError('E_USAGE', `repeated needs nRepeats to be a positive integer, got ${nRepeats}`, {
      field: 'nRepeats',
    });
  }
  return {
    kind: 'repeated',
    args: { splitter: { kind: splitter.kind, args: splitter.args }, nRepeats },
    isPartition: splitter.isPartition,
    repeats: splitter.repeats * nRepeats,
    nSplits: (input: SplitInput) => splitter.nSplits(input) * nRepeats,
    split(input: SplitInput, seed = 0): Split[] {
      const splits: Split[] = [];
      for (let r = 0; r < nRepeats; r++) splits.push(...splitter.split(input, deriveSeed(seed, 'repeat', r)));
      return splits;
    },
  };
}
