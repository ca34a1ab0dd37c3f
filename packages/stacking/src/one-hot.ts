import { matrix, PipelineError, type Matrix } from '@pipeline/core';

/** Default of {@link OneHotOptions.maxCategories}. */
export const DEFAULT_MAX_ONE_HOT_CATEGORIES = 64;

/** A categorical column of a matrix, coded 0…k-1 by its code table (`@pipeline/ingest` `CategoryTable`). */
export interface OneHotColumn {
  /** Index of the column in the matrix. */
  readonly column: number;
  /** The column's categories; a cell holding code `c` is `categories[c]`. */
  readonly categories: readonly string[];
}

export interface OneHotOptions {
  /** Most categories a column may expand to (one indicator column each). Default 64. */
  readonly maxCategories?: number;
  /** Names the matrix in error messages (a view, a file). */
  readonly what?: string;
  /** Column names of the matrix, for error messages and {@link oneHotNames}. */
  readonly names?: readonly string[];
}

/**
 * Refuses a one-hot layout that is not usable: a column index out of range, a column given twice,
 * or a column with more than `maxCategories` categories (E_INPUT naming the column, with the way out).
 */
export function checkOneHot(cols: number, columns: readonly OneHotColumn[], options: OneHotOptions = {}): void {
  const max = options.maxCategories ?? DEFAULT_MAX_ONE_HOT_CATEGORIES;
  const what = options.what ?? 'matrix';
  const seen = new Set<number>();
  for (const { column, categories } of columns) {
    const name = options.names?.[column] ?? `column ${column}`;
    if (!Number.isInteger(column) || column < 0 || column >= cols || seen.has(column)) {
      throw new PipelineError('E_USAGE', `one-hot column ${column} of ${what} is out of range (0…${cols - 1}) or given twice`, { field: name });
    }
    seen.add(column);
    if (categories.length > max) {
      throw new PipelineError('E_INPUT', `categorical column '${name}' of ${what} has ${categories.length} categories, more than the ${max} one-hot encoding allows`, {
        field: name,
        hint: `encode it natively (categorical: native, for the GBDT's categorical splits), drop it, or raise maxOneHotCategories to at least ${categories.length}`,
      });
    }
  }
}

/**
 * Column names after one-hot encoding: each categorical column is replaced, in place, by one
 * column per category named `<column>=<category>`; the other columns keep their names.
 */
export function oneHotNames(names: readonly string[], columns: readonly OneHotColumn[]): string[] {
  const byColumn = new Map(columns.map((c) => [c.column, c.categories]));
  return names.flatMap((name, j) => byColumn.get(j)?.map((category) => `${name}=${category}`) ?? [name]);
}

/**
 * One-hot encodes the categorical columns of a matrix (codes 0…k-1, as `readTypedCsv` writes them):
 * each becomes k indicator columns in place (1 for its category, else 0), other columns are copied.
 * A missing cell (NaN) — which includes, at predict time, a category the code table has not seen
 * (the "unknown" bucket reads as missing) — encodes as all zeros, as scikit-learn's
 * `OneHotEncoder(handle_unknown='ignore')` does; so the indicators never hold NaN.
 * A code that is not an integer in 0…k-1 is an `E_INPUT` naming the row and column.
 */
export function oneHotEncode(features: Matrix, columns: readonly OneHotColumn[], options: OneHotOptions = {}): Matrix {
  checkOneHot(features.cols, columns, options);
  const width = new Int32Array(features.cols).fill(1);
  for (const { column, categories } of columns) width[column] = -categories.length;
  const outCols = width.reduce((sum, w) => sum + Math.abs(w), 0);
  const out = matrix(features.rows, outCols);
  const cols = features.cols;
  const src = features.data;
  const dst = out.data;
  for (let i = 0; i < features.rows; i++) {
    let o = i * outCols;
    const from = i * cols;
    for (let j = 0; j < cols; j++) {
      const w = width[j]!;
      const x = src[from + j]!;
      if (w === 1) {
        dst[o++] = x;
        continue;
      }
      const k = -w;
      if (x === x) {
        if (!Number.isInteger(x) || x < 0 || x >= k) {
          const name = options.names?.[j] ?? `column ${j}`;
          throw new PipelineError('E_INPUT', `categorical column '${name}' of ${options.what ?? 'matrix'} holds ${x} in row ${i + 1}, not a code 0…${k - 1} of its ${k} categories`, {
            field: name,
            hint: 'categorical columns hold the codes of their code table (readTypedCsv with the same encoding)',
          });
        }
        dst[o + x] = 1;
      }
      o += k;
    }
  }
  return out;
}
