import { describe, expect, it } from '@jest/globals';
import { CONTROL_LENGTH, failChain, firstRowOf, growableSharedBuffer, publishChunkEnd, type CsvChunkChain } from '../src/csv-chunk-chain.js';

function chain(chunks: number, rowBytes: number, maxRows: number): CsvChunkChain {
  return {
    control: new Int32Array(new SharedArrayBuffer(CONTROL_LENGTH * 4)),
    firstRows: new Float64Array(new SharedArrayBuffer((chunks + 1) * 8)),
    output: growableSharedBuffer(maxRows * rowBytes),
    rowBytes,
  };
}

describe('the chain of first rows of a one-pass parallel CSV read', () => {
  it('a thread counts the chunks before its own that nobody counted yet, and the output grows to each first row', () => {
    const counts = [2, 0, 3, 1];
    const c = chain(4, 16, 100);
    const counted: number[] = [];
    const count = (k: number): number => {
      counted.push(k);
      return counts[k]!;
    };
    expect(firstRowOf(c, 0, count)).toBe(0);
    expect(counted).toEqual([]);
    expect(firstRowOf(c, 3, count)).toBe(5); // 2 + 0 + 3, counted here
    expect(counted).toEqual([0, 1, 2]);
    expect(c.output.byteLength).toBe(5 * 16);
    publishChunkEnd(c, 3, 5, counts[3]!);
    expect(c.output.byteLength).toBe(6 * 16);
    expect(Array.from(c.firstRows)).toEqual([0, 2, 2, 5, 6]);
    // The slow owner of chunk 1 publishes late (the same value): no error, nothing moves or shrinks.
    publishChunkEnd(c, 1, 2, counts[1]!);
    publishChunkEnd(c, 0, 0, counts[0]!);
    expect(Array.from(c.firstRows)).toEqual([0, 2, 2, 5, 6]);
    expect(c.output.byteLength).toBe(6 * 16);
    expect(firstRowOf(c, 2, count)).toBe(2);
    expect(counted).toEqual([0, 1, 2]);
  });

  it('a failed read stops every thread; rows beyond the reserved size are an error', () => {
    const c = chain(3, 8, 4);
    failChain(c.control, 3);
    expect(() => firstRowOf(c, 2, () => 1)).toThrow('failed');
    expect(() => publishChunkEnd(c, 0, 0, 1)).toThrow('failed');
    const small = chain(3, 8, 4);
    expect(() => firstRowOf(small, 2, () => 3)).toThrow(RangeError); // 6 rows > 4 reserved
  });
});
