import { describe, expect, it } from '@jest/globals';
import {
  balancedBatchOrder,
  bipolar,
  commonAverageReference,
  createWindowSet,
  electrodeOf,
  matchTenTwenty,
  splitRecordings,
  standardize,
  SZCORE_CHANNELS,
  TEN_TWENTY,
  type LabeledRecording,
} from '@pipeline/eeg';

describe('10-20 channel matching and montages', () => {
  it('matches labels case-insensitively, ignoring EEG prefixes and reference suffixes', () => {
    expect(['EEG Fp1-REF', 'FP1', 'Fp1-Avg', 'eeg fp1-le', 'EEG T7-REF', 'P8', 'Fp1-F7', 'ECG', 'EEG A1-REF'].map(electrodeOf)).toEqual([
      'Fp1',
      'Fp1',
      'Fp1',
      'Fp1',
      'T3',
      'T6',
      null,
      null,
      null,
    ]);
    expect(SZCORE_CHANNELS).toEqual(['Fp1-Avg', 'Fp2-Avg', 'F3-Avg', 'F4-Avg', 'C3-Avg', 'C4-Avg', 'P3-Avg', 'P4-Avg', 'O1-Avg', 'O2-Avg', 'F7-Avg', 'F8-Avg', 'T3-Avg', 'T4-Avg', 'T5-Avg', 'T6-Avg', 'Fz-Avg', 'Cz-Avg', 'Pz-Avg']);
  });

  it('maps TUH-style labels onto the 19 channels and names the missing ones', () => {
    const labels = ['EEG A1-REF', ...TEN_TWENTY.map((e) => `EEG ${e.toUpperCase()}-REF`).reverse(), 'EDF Annotations'];
    const indices = matchTenTwenty(labels);
    expect(indices.map((i) => labels[i])).toEqual(TEN_TWENTY.map((e) => `EEG ${e.toUpperCase()}-REF`));
    expect(() => matchTenTwenty(['Fp1', 'Fp2'], 'x.edf')).toThrow(expect.objectContaining({ code: 'E_INPUT', file: 'x.edf', field: 'signal.label' }));
  });

  it('common average reference subtracts the per-sample mean; bipolar takes differences', () => {
    const channels = [Float64Array.from([1, 2]), Float64Array.from([3, 6]), Float64Array.from([5, 10])];
    expect(commonAverageReference(channels).map((c) => Array.from(c))).toEqual([
      [-2, -4],
      [0, 0],
      [2, 4],
    ]);
    const ref = TEN_TWENTY.map((_, i) => Float64Array.from([i, 2 * i]));
    const [fp1F7, , , , , , , , , , , , , , , , fzCz] = bipolar(ref);
    expect(Array.from(fp1F7!)).toEqual([0 - 10, 0 - 20]); // Fp1 (0) − F7 (10)
    expect(Array.from(fzCz!)).toEqual([16 - 17, 32 - 34]);
  });

  it('standardize gives mean 0 and standard deviation 1', () => {
    const x = standardize(Float32Array.from([1, 2, 3, 4]));
    // mean 2.5, population sd sqrt(1.25)
    expect(Array.from(x).map((v) => Number(v.toFixed(5)))).toEqual([-1.34164, -0.44721, 0.44721, 1.34164]);
  });
});

function recording(id: string, n: number, seizures: Array<[number, number]>, fs = 4): LabeledRecording {
  const data = [0, 1].map((c) => Float32Array.from({ length: n }, (_, t) => 1000 * c + t));
  return { id, channels: ['A', 'B'], sampleRate: fs, data, durationSec: n / fs, start: null, seizures };
}

describe('createWindowSet', () => {
  it('slides windows with the stride, covers the end, flags positives and copies channel-major data', () => {
    // 4 Hz, 26 samples (6.5 s), seizure [2, 3) s = samples 8..11.
    const set = createWindowSet([recording('r1', 26, [[2, 3]])], { windowSamples: 8, strideSamples: 4 });
    expect(set.length).toBe(6); // starts 0,4,8,12,16 + end window at 18
    expect(Array.from({ length: set.length }, (_, i) => set.window(i).startSample)).toEqual([0, 4, 8, 12, 16, 18]);
    expect(Array.from(set.positive)).toEqual([0, 1, 1, 0, 0, 0]);
    const w = set.window(1);
    expect(w.recording).toBe('r1');
    expect(Array.from(w.x)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011]);
    expect(Array.from(w.mask)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(set.recordings).toEqual([{ id: 'r1', durationSec: 6.5, seizures: [{ start: 2, stop: 3 }] }]);
    expect(createWindowSet([recording('r1', 26, [])], { windowSamples: 8, strideSamples: 4, coverEnd: false }).length).toBe(5);
  });

  it('defaults to 60 s windows with a 10 s stride (15,360 / 2,560 samples at 256 Hz)', () => {
    const set = createWindowSet([recording('r', 256 * 80, [[70, 75]], 256)]);
    expect([set.windowSamples, set.strideSamples, set.length]).toEqual([15360, 2560, 3]);
    expect(Array.from(set.positive)).toEqual([0, 0, 1]); // windows [0,60) [10,70) [20,80) s; seizure [70,75) s
  });

  it('zero-pads a recording shorter than one window', () => {
    const set = createWindowSet([recording('short', 3, [[0, 0.5]])], { windowSamples: 5, strideSamples: 5 });
    expect(set.length).toBe(1);
    expect(Array.from(set.window(0).x)).toEqual([0, 1, 2, 0, 0, 1000, 1001, 1002, 0, 0]);
    expect(Array.from(set.window(0).mask)).toEqual([1, 1, 0, 0, 0]);
  });
});

describe('splitRecordings', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `r${i}`);
  it('puts no recording on both sides, is seeded and deterministic', () => {
    const a = splitRecordings(ids, { validationFraction: 0.3, seed: 5 });
    expect(a.validation.length).toBe(3);
    expect([...a.train, ...a.validation].sort()).toEqual([...ids].sort());
    expect(a.train.filter((id) => a.validation.includes(id))).toEqual([]);
    expect(splitRecordings(ids, { validationFraction: 0.3, seed: 5 })).toEqual(a);
    const others = [1, 2, 3, 4, 6, 7].map((seed) => splitRecordings(ids, { validationFraction: 0.3, seed }).validation.join());
    expect(new Set(others).size).toBeGreaterThan(1);
  });
  it('keeps each subject on one side', () => {
    const subjects = ids.map((_, i) => `sub-${Math.floor(i / 3)}`);
    for (let seed = 0; seed < 20; seed++) {
      const { train, validation } = splitRecordings(ids, { validationFraction: 0.25, seed, subjects });
      const sideOf = new Map<string, string>();
      for (const [side, list] of [['t', train], ['v', validation]] as const) {
        for (const id of list) {
          const s = subjects[ids.indexOf(id)]!;
          expect(sideOf.get(s) ?? side).toBe(side);
          sideOf.set(s, side);
        }
      }
      expect(validation.length).toBeGreaterThan(0);
    }
  });
});

describe('balancedBatchOrder', () => {
  const positive = Uint8Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 1 : 0)); // 10 positives, 90 negatives
  it('fills each batch with about half positives and uses every negative exactly once per epoch', () => {
    const batches = balancedBatchOrder(positive, 8, 42, 0);
    expect(batches.length).toBe(Math.ceil(90 / 4));
    const negatives: number[] = [];
    for (const b of batches.slice(0, -1)) {
      expect(b.length).toBe(8);
      expect(Array.from(b).filter((i) => positive[i] === 1).length).toBe(4);
    }
    for (const b of batches) for (const i of b) if (positive[i] === 0) negatives.push(i);
    expect(negatives.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 10 !== 0));
    const last = batches[batches.length - 1]!;
    expect(Array.from(last).filter((i) => positive[i] === 1).length).toBe(2); // 2 negatives left → 2 positives
  });
  it('is deterministic per (seed, epoch) and differs between epochs', () => {
    const a = balancedBatchOrder(positive, 8, 42, 3);
    expect(balancedBatchOrder(positive, 8, 42, 3)).toEqual(a);
    expect(balancedBatchOrder(positive, 8, 42, 4)).not.toEqual(a);
    expect(balancedBatchOrder(positive, 8, 43, 3)).not.toEqual(a);
  });
  it('falls back to a shuffled pass without positives', () => {
    const batches = balancedBatchOrder(new Uint8Array(10), 4, 1, 0);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => Array.from(b)).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });
});
