import { deriveSeed, PipelineError, type Split, type SplitInput, type Splitter } from '@pipeline/core';
import { assertNoGroupLeak } from './assert-no-group-leak.js';

/** The splits of a cross-validation, checked to be out-of-fold ready. */
export interface FoldPlan {
  readonly splits: readonly Split[];
  /** Number of repetitions; splits come repeat by repeat, `splits.length / repeats` per repeat. */
  readonly repeats: number;
  /** Per repeat, the fold (0-based, within the repeat) whose test set holds each row. */
  readonly foldOf: readonly Int32Array[];
  /** The seed the splitter received: `deriveSeed(seed, 'split')`. */
  readonly splitSeed: number;
  readonly splitter: { readonly kind: string; readonly args: Readonly<Record<string, unknown>> };
}

export interface ResolveFoldsOptions {
  /** Check every split with `assertNoGroupLeak` when the input has groups. Default true. */
  readonly checkGroups?: boolean;
}

/**
 * Runs a splitter with the seed `deriveSeed(seed, 'split')` and checks the result is a partition
 * per repeat (each row in exactly one test set), which out-of-fold prediction needs, and that no
 * group leaks across a split. Refuses splitters that are not partitions.
 */
export function resolveFolds(splitter: Splitter, input: SplitInput, seed: number, options: ResolveFoldsOptions = {}): FoldPlan {
  if (!splitter.isPartition) {
    throw new PipelineError('E_USAGE', `splitter '${splitter.kind}' is not a partition: out-of-fold prediction needs every row tested exactly once`, {
      field: 'splitter',
      hint: 'use kFold, stratifiedKFold, groupKFold, stratifiedGroupKFold, predefinedSplit or repeated(...) of one',
    });
  }
  const splitSeed = deriveSeed(seed, 'split');
  const splits = splitter.split(input, splitSeed);
  const repeats = splitter.repeats;
  if (splits.length === 0 || splits.length % repeats !== 0) {
    throw new PipelineError('E_INTERNAL', `splitter '${splitter.kind}' gave ${splits.length} splits for ${repeats} repeats`);
  }
  const perRepeat = splits.length / repeats;
  const foldOf: Int32Array[] = [];
  const seen = new Uint8Array(input.nRows);
  for (let r = 0; r < repeats; r++) {
    const assignment = new Int32Array(input.nRows).fill(-1);
    for (let f = 0; f < perRepeat; f++) {
      const split = splits[r * perRepeat + f]!;
      const { test } = split;
      for (let k = 0; k < test.length; k++) {
        const i = test[k]!;
        if (assignment[i] !== -1) {
          throw new PipelineError('E_INPUT', `row ${i} is in the test sets of folds ${assignment[i]} and ${f}`, {
            field: 'folds',
            hint: 'each row must be tested exactly once per repeat',
          });
        }
        assignment[i] = f;
      }
      checkDisjoint(split, seen, r * perRepeat + f);
    }
    let untested = 0;
    for (let i = 0; i < assignment.length; i++) if (assignment[i] === -1) untested++;
    if (untested > 0) {
      throw new PipelineError(
        'E_INPUT',
        `${untested} of ${input.nRows} rows are in no test set (e.g. row ${assignment.indexOf(-1)}), so they would have no out-of-fold prediction`,
        { field: 'folds', hint: 'give every row a fold (no -1 values in the fold column), or drop those rows' },
      );
    }
    foldOf.push(assignment);
  }
  if (input.groups !== undefined && (options.checkGroups ?? true)) {
    splits.forEach((split, k) => assertNoGroupLeak(split, input.groups!, k));
  }
  return { splits, repeats, foldOf, splitSeed, splitter: { kind: splitter.kind, args: splitter.args } };
}

/** Throws if a row is on both sides of the split; `seen` is scratch space (all zero on entry and exit). */
function checkDisjoint({ train, test }: Split, seen: Uint8Array, index: number): void {
  for (let k = 0; k < test.length; k++) seen[test[k]!] = 1;
  let shared = -1;
  for (let k = 0; k < train.length; k++) if (seen[train[k]!] === 1) shared = train[k]!;
  for (let k = 0; k < test.length; k++) seen[test[k]!] = 0;
  if (shared !== -1) throw new PipelineError('E_INTERNAL', `row ${shared} is both a training and a test row of split ${index}`);
}
