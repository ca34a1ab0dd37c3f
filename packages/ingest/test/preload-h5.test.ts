import { describe, expect, it } from '@jest/globals';
import { openH5, preloadH5 } from '@pipeline/ingest';
import { basicFeatures, fixture } from './fixture-values.js';

describe('preloadH5', () => {
  it('returns at once, twice is harmless, and a later openH5 reads the h5py fixture as usual', async () => {
    expect(preloadH5()).toBeUndefined();
    preloadH5();
    const file = await openH5(fixture('h5py_basic.h5'));
    try {
      const m = file.dataset('features').readRows(0, 2);
      expect(m.cols).toBe(1261);
      expect(Array.from(m.data)).toEqual(Array.from(basicFeatures().subarray(0, 2 * 1261)));
    } finally {
      file.close();
    }
  });
});
