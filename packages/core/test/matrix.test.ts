import { describe, expect, it } from '@jest/globals';
import {
  argmaxRows,
  column,
  hstack,
  matrix,
  matrixFromRows,
  row,
  selectColumns,
  sliceRows,
  takeDataset,
  takeRows,
  toRows,
  validateDataset,
  vstack,
  PipelineError,
} from '@pipeline/core';

const m = matrixFromRows([
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
  [10, 11, 12],
]);

describe('Matrix helpers', () => {
  it('builds row-major data and checks the length', () => {
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(() => matrix(2, 2, new Float32Array(3))).toThrow(PipelineError);
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow(/row 1 has 1 values, expected 2/);
  });

  it('row() and sliceRows() are views on the same buffer', () => {
    const r = row(m, 1);
    expect(Array.from(r)).toEqual([4, 5, 6]);
    expect(r.buffer).toBe(m.data.buffer);
    const s = sliceRows(m, 1, 3);
    expect(toRows(s)).toEqual([
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(s.data.buffer).toBe(m.data.buffer);
    expect(() => sliceRows(m, 2, 5)).toThrow(/outside a matrix of 4 rows/);
    expect(() => row(m, 4)).toThrow(PipelineError);
  });

  it('takeRows() copies rows in the given order', () => {
    const t = takeRows(m, [3, 0, 3]);
    expect(toRows(t)).toEqual([
      [10, 11, 12],
      [1, 2, 3],
      [10, 11, 12],
    ]);
    expect(t.data.buffer).not.toBe(m.data.buffer);
  });

  it('selectColumns() copies a subset and returns the matrix itself for the identity', () => {
    expect(toRows(selectColumns(m, [2, 0]))).toEqual([
      [3, 1],
      [6, 4],
      [9, 7],
      [12, 10],
    ]);
    expect(selectColumns(m, [0, 1, 2])).toBe(m);
    expect(() => selectColumns(m, [3])).toThrow(/column 3/);
    expect(Array.from(column(m, 1))).toEqual([2, 5, 8, 11]);
  });

  it('hstack, vstack and argmaxRows', () => {
    const a = matrixFromRows([[1], [2]]);
    const b = matrixFromRows([
      [3, 4],
      [5, 6],
    ]);
    expect(toRows(hstack([a, b]))).toEqual([
      [1, 3, 4],
      [2, 5, 6],
    ]);
    expect(toRows(vstack([b, b])).length).toBe(4);
    expect(Array.from(argmaxRows(matrixFromRows([[0.2, 0.5, 0.3], [0.4, 0.4, 0.2]])))).toEqual([1, 0]);
    expect(() => hstack([a, m])).toThrow(PipelineError);
  });

  it('takeDataset() takes every per-row array alike; validateDataset() names the field', () => {
    const data = {
      features: m,
      labels: Int32Array.from([0, 1, 2, 1]),
      groups: Int32Array.from([5, 5, 6, 7]),
      ids: ['a', 'b', 'c', 'd'],
    };
    const sub = takeDataset(data, [2, 1]);
    expect(Array.from(sub.labels!)).toEqual([2, 1]);
    expect(Array.from(sub.groups!)).toEqual([6, 5]);
    expect(sub.ids).toEqual(['c', 'b']);
    expect(toRows(sub.features)).toEqual([
      [7, 8, 9],
      [4, 5, 6],
    ]);
    expect(() => validateDataset({ features: m, labels: Int32Array.from([0, 1]) }, 'y.csv')).toThrow(
      /y\.csv, field 'labels': labels has 2 entries but features have 4 rows/,
    );
  });
});
