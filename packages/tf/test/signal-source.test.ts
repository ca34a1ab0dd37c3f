import { describe, expect, it } from '@jest/globals';
import { matrix } from '@pipeline/core';
import { fitStandardization, signalSource, signalSteps } from '@pipeline/tf';

// 3 rows of 2 channels × 5 steps, time-major: row i, step t, channel c = 100·i + 10·t + c.
const values = new Float32Array(30);
for (let i = 0; i < 3; i++) for (let t = 0; t < 5; t++) for (let c = 0; c < 2; c++) values[i * 10 + t * 2 + c] = 100 * i + 10 * t + c;
const features = matrix(3, 10, values);

describe('signal batches', () => {
  it('downsamples like x[:, ::k] and standardizes per channel on the given rows only', () => {
    const layout = { channels: 2, downsample: 2 };
    expect(signalSteps(10, layout)).toBe(3);
    // rows 0 and 2, steps 0, 2, 4: channel 0 values {0, 20, 40, 200, 220, 240}
    const stats = fitStandardization(features, [0, 2], layout);
    const channel0 = [0, 20, 40, 200, 220, 240];
    const mean0 = channel0.reduce((a, b) => a + b) / 6;
    const std0 = Math.sqrt(channel0.reduce((a, b) => a + (b - mean0) ** 2, 0) / 6);
    expect(stats.mean[0]).toBeCloseTo(mean0, 10);
    expect(stats.mean[1]).toBeCloseTo(mean0 + 1, 10);
    expect(stats.std[0]).toBeCloseTo(std0, 10);
    expect(stats.std[1]).toBeCloseTo(std0, 10);
    const source = signalSource(features, layout, stats, [2, 0]);
    expect(source.size).toBe(2);
    expect(source.exampleShape).toEqual([3, 2]);
    const out = new Float32Array(12);
    source.fill([1, 0], out); // positions into [2, 0]: row 0 then row 2
    const expected = [0, 1, 20, 21, 40, 41, 200, 201, 220, 221, 240, 241].map((v, k) => (v - stats.mean[k % 2]!) / stats.std[k % 2]!);
    Array.from(out).forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 5));
  });

  it('gives a constant channel std 1 and refuses non-finite samples, naming the row', () => {
    const flat = matrix(2, 3, new Float32Array([5, 5, 5, 5, 5, 5]));
    expect(fitStandardization(flat, [0, 1], { channels: 1, downsample: 1 })).toEqual({ mean: [5], std: [1] });
    const holes = matrix(2, 3, new Float32Array([1, 2, 3, 4, Number.NaN, 6]));
    expect(() => fitStandardization(holes, [0, 1], { channels: 1, downsample: 1 }, 'x.h5')).toThrow(
      expect.objectContaining({ code: 'E_INPUT', file: 'x.h5', message: expect.stringContaining('row 1, signal column 1') }),
    );
    expect(() => fitStandardization(holes, [0, 1], { channels: 2, downsample: 1 })).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
    expect(() => fitStandardization(holes, [0], { channels: 1, downsample: 0 })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
