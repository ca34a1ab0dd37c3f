/** The role of a feature column of a tabular CSV. */
export type ColumnType = 'numeric' | 'categorical';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity)$/i;

/**
 * The inference rule for one column, applied to its non-missing cells (after quotes and blanks are
 * removed): **numeric** when every one is a number (`1`, `-2.5e3`, `inf`), else **categorical**
 * (strings, booleans such as `true`/`yes`, mixed cells). A column with no non-missing cell is
 * numeric (all NaN). Integer codes stay numeric unless declared categorical (`categoricalCols`).
 */
export function isNumericCell(text: string): boolean {
  return NUMBER.test(text);
}
