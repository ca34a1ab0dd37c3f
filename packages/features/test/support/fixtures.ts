import { readFileSync } from 'node:fs';
import { isPipelineError, type Logger } from '@pipeline/core';

/** Reads a JSON fixture from test/fixtures. */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Largest absolute difference between two equal-length sequences (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** A logger that records warnings (and everything else) for assertions. */
export function recordingLogger(): Logger & { warnings: string[]; messages: string[] } {
  const warnings: string[] = [];
  const messages: string[] = [];
  return {
    warnings,
    messages,
    debug: (m) => void messages.push(m),
    info: (m) => void messages.push(m),
    warn: (m) => {
      warnings.push(m);
      messages.push(m);
    },
    error: (m) => void messages.push(m),
  };
}

/** The PipelineError code `f` throws ('no error' if it returns, 'not a PipelineError' for other errors). */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return isPipelineError(error) ? error.code : 'not a PipelineError';
  }
  return 'no error';
}
