import type { Params } from './search-space.js';

/** Whether a larger or a smaller score is better (accuracy: maximize; log-loss: minimize). */
export type Direction = 'maximize' | 'minimize';

/** How a trial ended. */
export type TrialState = 'complete' | 'pruned' | 'failed';

/**
 * One finished trial: one line of `opt/trials.jsonl` (plain JSON). Trials are numbered from 0 in
 * proposal order; with parallel trials the lines may be written out of number order.
 */
export interface TrialRecord {
  /** 0-based trial number (proposal order). */
  readonly number: number;
  /** The sampled params (only the active ones). */
  readonly params: Params;
  readonly state: TrialState;
  /**
   * The trial's score: the objective's score when complete; the running score (mean of the reported
   * fold scores) when pruned; null when failed or when a pruned trial reported nothing.
   */
  readonly score: number | null;
  /** Fold scores in report order (fold 0, 1, …). */
  readonly foldScores: readonly number[];
  /** The error message of a failed trial. */
  readonly error?: string;
  /** Wall time of the objective call in milliseconds (not part of any decision). */
  readonly durationMs: number;
  /** Anything the objective returned as `attributes` (plain JSON). */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** The running score of fold scores 0..k: their mean (what pruners compare). */
export function runningScores(foldScores: readonly number[]): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < foldScores.length; i++) {
    sum += foldScores[i]!;
    out.push(sum / (i + 1));
  }
  return out;
}

/** `a` is better than `b` in this direction (strictly). */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === 'maximize' ? a > b : a < b;
}
