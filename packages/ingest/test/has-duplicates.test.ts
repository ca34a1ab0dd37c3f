import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { concatArrays, hashTexts, hasDuplicates } from '../src/has-duplicates.js';

describe('the parallel read\'s id helpers', () => {
  it('hasDuplicates with hashes computed per chunk (as the threads do) equals a Set of the joined ids', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ maxLength: 4 }), { maxLength: 30 }), { maxLength: 12 }), (chunks) => {
        const joined = concatArrays(chunks);
        expect(joined).toEqual(chunks.flat());
        const hashes = new Int32Array(joined.length);
        let at = 0;
        for (const chunk of chunks) {
          hashes.set(hashTexts(chunk), at);
          at += chunk.length;
        }
        expect(hasDuplicates(joined, hashes)).toBe(new Set(joined).size !== joined.length);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('concatArrays keeps order across more parts than one concat call takes (4096)', () => {
    const parts = Array.from({ length: 10_000 }, (_, k) => (k % 3 === 0 ? [] : [`a${k}`, `b${k}`]));
    expect(concatArrays(parts)).toEqual(parts.flat());
  });
});
