import { PipelineError, type Split } from '@pipeline/core';

/**
 * Throws if any group has rows on both sides of the split (a leak: the model would be tested on a
 * subject, recording or patient it was trained on). Used by default whenever groups are present.
 */
export function assertNoGroupLeak(split: Split, groups: Int32Array, splitIndex?: number): void {
  const inTrain = new Set<number>();
  for (const i of split.train) inTrain.add(groups[i]!);
  const shared = new Set<number>();
  for (const i of split.test) if (inTrain.has(groups[i]!)) shared.add(groups[i]!);
  if (shared.size > 0) {
    const examples = [...shared].sort((a, b) => a - b).slice(0, 5).join(', ');
    throw new PipelineError(
      'E_INPUT',
      `${shared.size} group(s) appear in both the training and the test rows of split ${splitIndex ?? 0} (e.g. ${examples})`,
      {
        field: 'groups',
        hint: 'use groupKFold or stratifiedGroupKFold, or fix the fold column so each group sits in one fold',
      },
    );
  }
}
