import { describe, expect, it } from '@jest/globals';
import { applyClassWeights, classWeightsAuto, undersampleBalanced } from '@pipeline/model-selection';

describe('classWeightsAuto', () => {
  it("is scikit-learn's 'balanced' formula n / (k · count)", () => {
    // compute_class_weight('balanced', classes=[0, 1, 2], y) for counts 6, 3, 1 → 10/18, 10/9, 10/3
    const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
    expect(Array.from(classWeightsAuto(labels))).toEqual([10 / 18, 10 / 9, 10 / 3]);
    // An absent class weighs 0 and does not count in k.
    expect(Array.from(classWeightsAuto(Int32Array.from([0, 0, 2]), 4))).toEqual([3 / 4, 0, 3 / 2, 0]);
    expect(Array.from(applyClassWeights(Int32Array.from([2, 0]), [0.5, 1, 4], Float64Array.from([2, 3])))).toEqual([8, 1.5]);
  });
});

describe('undersampleBalanced', () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : i < 90 ? 1 : 2));

  it('keeps as many rows of every class as the smallest class has, ascending', () => {
    const kept = undersampleBalanced(labels, 4);
    expect(kept.length).toBe(30);
    expect(Array.from(kept)).toEqual(Array.from(kept).sort((a, b) => a - b));
    const counts = [0, 0, 0];
    for (const i of kept) counts[labels[i]!]!++;
    expect(counts).toEqual([10, 10, 10]);
    expect(Array.from(kept).filter((i) => i >= 90)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  });

  it('is reproducible from its seed', () => {
    expect(Array.from(undersampleBalanced(labels, 4))).toEqual(Array.from(undersampleBalanced(labels, 4)));
    expect(Array.from(undersampleBalanced(labels, 4))).not.toEqual(Array.from(undersampleBalanced(labels, 5)));
  });

  it('refuses a single class', () => {
    expect(() => undersampleBalanced(Int32Array.from([1, 1, 1]), 0)).toThrow('at least two classes');
  });
});
