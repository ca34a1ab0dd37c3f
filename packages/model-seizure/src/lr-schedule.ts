import { PipelineError } from '@pipeline/core';

/** A learning-rate schedule over optimizer steps. */
export interface CosineScheduleOptions {
  /** Peak learning rate, reached at the end of the warmup. */
  readonly lr: number;
  /** Total optimizer steps of the run. */
  readonly totalSteps: number;
  /** Warmup steps (linear ramp). */
  readonly warmupSteps: number;
  /** Floor of the cosine decay as a fraction of `lr`. Default 0. */
  readonly minLrRatio?: number;
}

/**
 * Learning rate of optimizer step `step` (0-based): a linear warmup `lr · (step + 1) / warmupSteps`
 * for the first `warmupSteps` steps (so the first update already moves, unlike schedules whose first
 * value is 0), then a half cosine from `lr` down to `lr · minLrRatio` at `totalSteps`:
 *
 *   lr · (m + (1 − m) · ½ (1 + cos(π · (step − W) / (T − W))))
 *
 * Steps past `totalSteps` stay at the floor.
 */
export function cosineWithWarmup(step: number, options: CosineScheduleOptions): number {
  const { lr, totalSteps, warmupSteps } = options;
  const floor = options.minLrRatio ?? 0;
  if (!(lr > 0) || !Number.isInteger(totalSteps) || totalSteps < 1 || !Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new PipelineError('E_USAGE', `invalid schedule lr=${lr} totalSteps=${totalSteps} warmupSteps=${warmupSteps}`, { field: 'train' });
  }
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Warmup steps for a ratio of the total: `round(ratio · totalSteps)` (Hugging Face's `get_warmup_steps`, with ceil). */
export function warmupStepsFor(ratio: number, totalSteps: number): number {
  return Math.ceil(ratio * totalSteps);
}
