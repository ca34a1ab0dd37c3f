import { expect } from '@jest/globals';
import type { Outcome } from './fuzz-tasks.js';

/**
 * The contract for a file a user hands in: the reader returns, or throws a `PipelineError` whose
 * exit code (`exitCodeFor`) is in `exitCodes` (3 bad input data by default). Never another error type.
 */
export function expectResultOrInputError(outcome: Outcome | undefined, what: string, exitCodes: readonly number[] = [3]): void {
  expect(outcome).toBeDefined();
  if (outcome!.ok) return;
  const { pipelineError, code, exitCode, name, message } = outcome!;
  if (!pipelineError || !exitCodes.includes(exitCode)) {
    throw new Error(`${what}: expected a result or a PipelineError with exit code ${exitCodes.join('/')}, got ${name} ${code ?? ''} (exit ${exitCode}): ${message}`);
  }
}

/** Seeds and case counts of the properties (fixed so CI replays the same cases). */
export const FUZZ_SEED = 20261205;
