import { PipelineError } from './errors.js';

/**
 * A dense row-major matrix of float32 values: element (i, j) is `data[i * cols + j]`.
 * The data layer of every model. `data.length` is exactly `rows * cols`.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Wraps (no copy) or allocates a matrix. Throws if `data` has the wrong length. */
export function matrix(rows: number, cols: number, data?: Float32Array): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new PipelineError('E_INTERNAL', `matrix shape must be non-negative integers, got ${rows} × ${cols}`);
  }
  const values = data ?? new Float32Array(rows * cols);
  if (values.length !== rows * cols) {
    throw new PipelineError(
      'E_INTERNAL',
      `matrix data has ${values.length} values but the shape ${rows} × ${cols} needs ${rows * cols}`,
    );
  }
  return { rows, cols, data: values };
}

/** Builds a matrix by copying an array of equal-length rows. */
export function matrixFromRows(rows: ReadonlyArray<ArrayLike<number>>, cols?: number): Matrix {
  const width = cols ?? rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    if (row.length !== width) {
      throw new PipelineError('E_INPUT', `row ${i} has ${row.length} values, expected ${width}`);
    }
    for (let j = 0; j < width; j++) out[i * width + j] = row[j]!;
  });
  return { rows: rows.length, cols: width, data: out };
}

/** Element (i, j). No bounds check beyond the typed array's. */
export function at(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j]!;
}

/** Row `i` as a view (no copy). */
export function row(m: Matrix, i: number): Float32Array {
  checkRow(m, i);
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Rows [start, end) as a view sharing the same buffer (no copy). */
export function sliceRows(m: Matrix, start: number, end: number): Matrix {
  if (!(start >= 0 && start <= end && end <= m.rows)) {
    throw new PipelineError('E_INTERNAL', `row range [${start}, ${end}) is outside a matrix of ${m.rows} rows`);
  }
  return { rows: end - start, cols: m.cols, data: m.data.subarray(start * m.cols, end * m.cols) };
}

/** Copies the given rows, in the given order, into a new matrix. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const { cols } = m;
  const out = new Float32Array(indices.length * cols);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    checkRow(m, i);
    out.set(m.data.subarray(i * cols, (i + 1) * cols), k * cols);
  }
  return { rows: indices.length, cols, data: out };
}

/**
 * Selects columns. A contiguous ascending run covering every column returns `m` itself (no copy);
 * otherwise the columns are copied.
 */
export function selectColumns(m: Matrix, columns: ArrayLike<number>): Matrix {
  const width = columns.length;
  for (let k = 0; k < width; k++) {
    const j = columns[k]!;
    if (!Number.isInteger(j) || j < 0 || j >= m.cols) {
      throw new PipelineError('E_INTERNAL', `column ${j} is outside a matrix of ${m.cols} columns`);
    }
  }
  if (width === m.cols && Array.from({ length: width }, (_, k) => columns[k] === k).every(Boolean)) return m;
  const out = new Float32Array(m.rows * width);
  for (let i = 0; i < m.rows; i++) {
    const base = i * m.cols;
    const target = i * width;
    for (let k = 0; k < width; k++) out[target + k] = m.data[base + columns[k]!]!;
  }
  return { rows: m.rows, cols: width, data: out };
}

/** Copies column `j` into a new Float32Array. */
export function column(m: Matrix, j: number): Float32Array {
  if (!(j >= 0 && j < m.cols)) throw new PipelineError('E_INTERNAL', `column ${j} is outside a matrix of ${m.cols} columns`);
  const out = new Float32Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
  return out;
}

/** Concatenates matrices side by side (same number of rows). */
export function hstack(parts: readonly Matrix[]): Matrix {
  if (parts.length === 0) return matrix(0, 0);
  const rows = parts[0]!.rows;
  let cols = 0;
  for (const part of parts) {
    if (part.rows !== rows) {
      throw new PipelineError('E_INTERNAL', `hstack: matrices have ${rows} and ${part.rows} rows`);
    }
    cols += part.cols;
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let offset = i * cols;
    for (const part of parts) {
      out.set(part.data.subarray(i * part.cols, (i + 1) * part.cols), offset);
      offset += part.cols;
    }
  }
  return { rows, cols, data: out };
}

/** Concatenates matrices top to bottom (same number of columns). */
export function vstack(parts: readonly Matrix[]): Matrix {
  if (parts.length === 0) return matrix(0, 0);
  const cols = parts[0]!.cols;
  let rows = 0;
  for (const part of parts) {
    if (part.cols !== cols) throw new PipelineError('E_INTERNAL', `vstack: matrices have ${cols} and ${part.cols} columns`);
    rows += part.rows;
  }
  const out = new Float32Array(rows * cols);
  let offset = 0;
  for (const part of parts) {
    out.set(part.data, offset);
    offset += part.data.length;
  }
  return { rows, cols, data: out };
}

/** Index of the largest value of each row (first on ties), as an Int32Array. */
export function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    const base = i * m.cols;
    let best = 0;
    let bestValue = -Infinity;
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[base + j]!;
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Converts to nested arrays (for tests and small outputs). */
export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

function checkRow(m: Matrix, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= m.rows) {
    throw new PipelineError('E_INTERNAL', `row ${i} is outside a matrix of ${m.rows} rows`);
  }
}
