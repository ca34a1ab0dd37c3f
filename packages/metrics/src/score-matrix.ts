import { PipelineError } from '@pipeline/core';

/**
 * Scores or probabilities, one row per sample and one column per class (in label order). A core
 * `Matrix` (Float32Array) fits; so does a `Float64Array`-backed one, or an array of rows.
 */
export type ScoreMatrix =
  | { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> }
  | ReadonlyArray<ArrayLike<number>>;

/** A dense view of a score matrix (rows × cols, row-major). */
export interface DenseScores {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
  /** True when the values are float32 (sets the log-loss clipping epsilon, as scikit-learn does). */
  readonly float32: boolean;
}

/** True for a matrix object or an array of rows; false for a flat array of numbers (one score per sample). */
export function isScoreMatrix(value: unknown): value is ScoreMatrix {
  if (Array.isArray(value)) return value.length > 0 && typeof value[0] !== 'number';
  return typeof value === 'object' && value !== null && 'rows' in value && 'cols' in value;
}

export function denseScores(input: ScoreMatrix, what: string): DenseScores {
  if (!Array.isArray(input)) {
    const m = input as { rows: number; cols: number; data: ArrayLike<number> };
    if (m.data.length !== m.rows * m.cols) {
      throw new PipelineError('E_INPUT', `${what}: score matrix data has ${m.data.length} values for ${m.rows} × ${m.cols}`, {
        field: 'scores',
      });
    }
    return { rows: m.rows, cols: m.cols, data: m.data, float32: m.data instanceof Float32Array };
  }
  const rows = input as ReadonlyArray<ArrayLike<number>>;
  const cols = rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) {
      throw new PipelineError('E_INPUT', `${what}: score row ${i} has ${row.length} values, expected ${cols}`, { field: 'scores' });
    }
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j]!;
  });
  return { rows: rows.length, cols, data, float32: false };
}

/** Column `j` as a Float64Array. */
export function scoreColumn(m: DenseScores, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
  return out;
}
