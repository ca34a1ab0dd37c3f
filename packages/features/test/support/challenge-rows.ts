import { createRng, matrix, type Logger, type Matrix } from '@pipeline/core';

/** Columns of a row in the challenge layout: 11 meta columns, then 1250 samples (5 s at 250 Hz). */
export const CHALLENGE_COLS = 11 + 1250;

/** `rows` rows in the challenge layout: meta columns r * 11 + j, then a sine of 1–40 Hz plus noise. */
export function challengeRows(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  const m = matrix(rows, CHALLENGE_COLS);
  for (let r = 0; r < rows; r++) {
    const row = m.data.subarray(r * CHALLENGE_COLS, (r + 1) * CHALLENGE_COLS);
    for (let j = 0; j < 11; j++) row[j] = r * 11 + j;
    const f = 1 + 39 * rng.uniform();
    for (let t = 0; t < 1250; t++) row[11 + t] = 20 * Math.sin((2 * Math.PI * f * t) / 250) + 3 * rng.normal();
  }
  return m;
}

/** A matrix's bytes as base64, for byte-exact comparisons with short failure messages. */
export const matrixBase64 = (m: Matrix): string => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64');

/** A logger that keeps each warning with its fields (which worker, which error). */
export function warningLogger(): { logger: Logger; warnings: Array<{ message: string; worker?: number; error?: string }> } {
  const warnings: Array<{ message: string; worker?: number; error?: string }> = [];
  const ignore = () => {};
  return { logger: { debug: ignore, info: ignore, error: ignore, warn: (message, fields) => warnings.push({ message, ...fields }) }, warnings };
}
