import { resolve } from 'node:path';
import { argmaxRows, atomicWrite, PipelineError, type Matrix } from '@pipeline/core';
import { refuseOverwrite } from './file-checks.js';
import { csvField, formatFloat32 } from './format-number.js';

export interface PredictionsInput {
  /** Class probabilities, rows × classes (class index order). */
  readonly proba: Matrix;
  /** Row ids; default the row numbers 0..n-1. */
  readonly ids?: readonly string[];
  /** Predicted class index per row; default the argmax of `proba` (first on ties). */
  readonly pred?: ArrayLike<number>;
  /** The label of each class index, written in `pred` (default: the index itself). */
  readonly classNames?: readonly string[];
}

export interface WritePredictionsOptions {
  /** Replace an existing file (default false: `E_USAGE`). */
  readonly overwrite?: boolean;
}

/**
 * Writes `id,pred,proba_0,…,proba_{k-1}` (LF line ends): `pred` is the predicted class's label,
 * `proba_j` the probability of class index j in the shortest text that reads back as the same
 * float32. Written atomically; refuses to replace an existing file unless `overwrite: true`.
 */
export async function writePredictionsCsv(path: string, input: PredictionsInput, options: WritePredictionsOptions = {}): Promise<void> {
  const file = resolve(path);
  const { proba } = input;
  const { rows, cols } = proba;
  const check = (name: string, length: number | undefined, expected: number, what: string) => {
    if (length !== undefined && length !== expected) {
      throw new PipelineError('E_USAGE', `${name} has ${length} entries but proba has ${expected} ${what}`, { file, field: name });
    }
  };
  check('ids', input.ids?.length, rows, 'rows');
  check('pred', input.pred?.length, rows, 'rows');
  check('classNames', input.classNames?.length, cols, 'columns');
  refuseOverwrite(file, options.overwrite);
  const pred = input.pred ?? argmaxRows(proba);
  const header = ['id', 'pred', ...Array.from({ length: cols }, (_, j) => `proba_${j}`)].join(',');
  const lines: string[] = [header];
  for (let i = 0; i < rows; i++) {
    const k = pred[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= cols) {
      throw new PipelineError('E_USAGE', `pred[${i}] = ${k} is not a class index 0..${cols - 1}`, { file, field: 'pred' });
    }
    const fields = [csvField(input.ids?.[i] ?? String(i)), csvField(input.classNames?.[k] ?? String(k))];
    for (let j = 0; j < cols; j++) fields.push(formatFloat32(proba.data[i * cols + j]!));
    lines.push(fields.join(','));
  }
  await atomicWrite(file, `${lines.join('\n')}\n`);
}
