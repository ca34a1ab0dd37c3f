import { readFileSync } from 'node:fs';
import { expect } from '@jest/globals';

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** |actual − expected| ≤ tol for numbers (null in a fixture stands for NaN), element-wise for arrays. */
export function expectClose(actual: unknown, expected: unknown, tol: number, path = 'value'): void {
  if (expected === null) {
    if (!(typeof actual === 'number' && Number.isNaN(actual))) throw new Error(`${path}: expected NaN (null), got ${String(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    const a = Array.from(actual as ArrayLike<unknown>);
    expect({ path, length: a.length }).toEqual({ path, length: expected.length });
    expected.forEach((e, i) => expectClose(a[i], e, tol, `${path}[${i}]`));
    return;
  }
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !(Math.abs(actual - expected) <= tol)) {
      throw new Error(`${path}: expected ${expected} ± ${tol}, got ${String(actual)}`);
    }
    return;
  }
  expect(actual).toEqual(expected);
}
