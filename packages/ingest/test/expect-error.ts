import { expect } from '@jest/globals';
import { PipelineError } from '@pipeline/core';

/** Awaits/calls `action`, expects a PipelineError with `code` whose message matches every pattern. */
export async function expectError(action: Promise<unknown> | (() => unknown), code: string, ...patterns: RegExp[]): Promise<PipelineError> {
  let caught: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PipelineError);
  const error = caught as PipelineError;
  expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.any(String) });
  for (const pattern of patterns) expect(error.message).toMatch(pattern);
  return error;
}
