import { sequentialExecutor, type FoldExecutor } from '@pipeline/model-selection';

/**
 * The executor a run gets when the caller names none: sequential for now (the models already use
 * both cores internally); see `localParallelExecutor` for fold-level parallelism.
 */
export function defaultExecutor(_kinds: readonly string[]): FoldExecutor {
  return sequentialExecutor;
}
