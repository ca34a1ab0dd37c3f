import { describe, expect, it } from '@jest/globals';
import { isPipelineError } from '@pipeline/core';
import { WAVELET_NAMES, getWavelet, type WaveletName } from '../src/index.js';
import { readFixture } from './support/fixtures.js';

interface FilterBank {
  dec_lo: number[];
  dec_hi: number[];
  rec_lo: number[];
  rec_hi: number[];
  dec_len: number;
}

describe('getWavelet', () => {
  const reference = readFixture<{ filters: Record<string, FilterBank> }>('pywt_filters.json').filters;

  it('covers exactly the wavelets of the PyWavelets reference file', () => {
    expect([...WAVELET_NAMES].sort()).toEqual(Object.keys(reference).sort());
  });

  it.each(WAVELET_NAMES.map((name) => [name]))('%s: all four filters equal pywt bit for bit', (name) => {
    const bank = reference[name]!;
    const wavelet = getWavelet(name as WaveletName);
    expect(wavelet.length).toBe(bank.dec_len);
    expect(Array.from(wavelet.decLo)).toEqual(bank.dec_lo);
    expect(Array.from(wavelet.decHi)).toEqual(bank.dec_hi);
    expect(Array.from(wavelet.recLo)).toEqual(bank.rec_lo);
    expect(Array.from(wavelet.recHi)).toEqual(bank.rec_hi);
  });

  it('rejects an unknown name with E_USAGE listing the choices', () => {
    let caught: unknown;
    try {
      getWavelet('db42' as WaveletName);
    } catch (error) {
      caught = error;
    }
    expect(isPipelineError(caught) && caught.code).toBe('E_USAGE');
    expect(String(caught)).toContain("unknown wavelet 'db42'");
    expect(String(caught)).toContain('coif5');
  });
});
