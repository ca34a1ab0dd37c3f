import { describe, expect, it } from '@jest/globals';
import { isPipelineError } from '@pipeline/core';
import {
  accuracy,
  averagePrecision,
  confusionMatrix,
  formatMeanStd,
  logLoss,
  normalizeConfusion,
  rocAuc,
  summarizeFolds,
} from '@pipeline/metrics';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isPipelineError(error) ? error.code : 'not a PipelineError';
  }
  return undefined;
}

describe('summarizeFolds', () => {
  it('gives the population std by default (numpy ddof=0) and the sample std with ddof 1', () => {
    const s = summarizeFolds([0.8, 0.9, 1.0]);
    expect(s.mean).toBeCloseTo(0.9, 15);
    expect(s.std).toBeCloseTo(Math.sqrt(0.02 / 3), 15);
    expect(s.ddof).toBe(0);
    expect([s.min, s.max, s.n]).toEqual([0.8, 1.0, 3]);
    expect(summarizeFolds([0.8, 0.9, 1.0], { ddof: 1 }).std).toBeCloseTo(0.1, 15);
    expect(summarizeFolds([0.5], { ddof: 1 }).std).toBeNaN();
    expect(formatMeanStd({ mean: 0.91234, std: 0.01234 })).toBe('0.9123 ± 0.0123');
  });
});

describe('confusion matrix details', () => {
  it('drops samples outside explicit labels and keeps listed-but-absent classes as zero rows', () => {
    expect(confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1], { labels: [2, 0, 5] })).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
  });
  it('normalizes by true class, predicted class and total', () => {
    const counts = [
      [3, 1],
      [0, 0],
    ];
    expect(normalizeConfusion(counts, 'true')).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
    expect(normalizeConfusion(counts, 'pred')).toEqual([
      [1, 1],
      [0, 0],
    ]);
    expect(normalizeConfusion(counts, 'all')).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
  });
});

describe('bad input gives PipelineError with a code', () => {
  it('length mismatch and empty input are E_INPUT', () => {
    expect(codeOf(() => accuracy([0, 1], [0]))).toBe('E_INPUT');
    expect(codeOf(() => accuracy([], []))).toBe('E_INPUT');
    expect(codeOf(() => logLoss([0, 1], { rows: 1, cols: 2, data: new Float64Array(2) }))).toBe('E_INPUT');
  });
  it('AUC with a single class, AP without positives and NaN scores are E_INPUT', () => {
    expect(codeOf(() => rocAuc([1, 1, 1], [0.1, 0.2, 0.3], { labels: [0, 1] }))).toBe('E_INPUT');
    expect(codeOf(() => averagePrecision([0, 0], [0.1, 0.2]))).toBe('E_INPUT');
    expect(codeOf(() => rocAuc([0, 1], [0.1, NaN]))).toBe('E_INPUT');
  });
  it('a true label missing from the log-loss labels is E_INPUT; a single label is E_USAGE', () => {
    expect(codeOf(() => logLoss([0, 3], [[0.5, 0.5], [0.5, 0.5]], { labels: [0, 1] }))).toBe('E_INPUT');
    expect(codeOf(() => logLoss([1, 1], [0.5, 0.5]))).toBe('E_USAGE');
  });
});

describe("Python's rounding", () => {
  it('round(x, 4) agrees with the exact decimal path, ties to even on the binary value', async () => {
    const { formatFixed } = await import('@pipeline/metrics');
    const { createRng } = await import('@pipeline/core');
    const { pyRoundTo } = await import('../src/python-round.js');
    const rng = createRng(3);
    for (let i = 0; i < 20000; i++) {
      const x = rng.int(10) === 0 ? rng.int(2000000) / 20000 : rng.uniform() * 10 ** rng.int(6);
      expect(pyRoundTo(x, 4)).toBe(Number(formatFixed(x, 4)));
    }
    // Values printed by Python 3.11: round(0.00005, 4), round(1.00005, 4), round(0.5), round(2.5), round(10.00015, 4).
    expect([pyRoundTo(0.00005, 4), pyRoundTo(1.00005, 4), pyRoundTo(0.5, 0), pyRoundTo(2.5, 0), pyRoundTo(10.00015, 4)]).toEqual([
      0.0001, 1.0001, 0, 2, 10.0001,
    ]);
  });
});
