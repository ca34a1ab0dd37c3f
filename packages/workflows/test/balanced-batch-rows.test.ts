import { describe, expect, it } from '@jest/globals';
import { balancedBatchRows } from '../src/inputs/signal-input.js';

describe('balancedBatchRows', () => {
  it('gives each thread about four batches of whole chunks, never more rows than chunkSize', () => {
    // 6,000 rows, 3 threads: 6000 / 12 = 500 → 600 (three 200-row chunks): 10 batches, not 3 of 2,000.
    expect(balancedBatchRows(6000, 2000, 200, 3)).toBe(600);
    // 20,000 rows: 20000 / 12 = 1666.7 → 1800 (nine chunks): 12 batches.
    expect(balancedBatchRows(20_000, 2000, 200, 3)).toBe(1800);
    // Large inputs keep the configured batch size.
    expect(balancedBatchRows(1_000_000, 2000, 200, 3)).toBe(2000);
    // A smaller configured size wins, as before.
    expect(balancedBatchRows(6000, 300, 200, 3)).toBe(300);
    // Tiny inputs: one chunk at least; contiguous data: rows, not chunks.
    expect(balancedBatchRows(100, 2000, 200, 3)).toBe(200);
    expect(balancedBatchRows(6000, 2000, undefined, 3)).toBe(500);
    expect(balancedBatchRows(5, 2000, undefined, 3)).toBe(1);
  });
});
