import { PipelineError, type Matrix } from '@pipeline/core';
import type { CategoryEncoding } from '@pipeline/ingest';
import { DEFAULT_MAX_ONE_HOT_CATEGORIES, oneHotEncode, oneHotNames, type OneHotColumn } from '@pipeline/stacking';

/** `inputs.table.categorical`: one encoding for every categorical column, or one per column (absent: native). */
export type CategoricalSetting = 'native' | 'onehot' | Readonly<Record<string, 'native' | 'onehot'>>;

/**
 * The categorical columns to one-hot encode, in column order. A per-column setting must name
 * categorical columns of the table (E_USAGE naming `inputs.table.categorical.<name>` otherwise).
 */
export function oneHotColumnsOf(setting: CategoricalSetting | undefined, columns: readonly string[], encoding: CategoryEncoding, file?: string): string[] {
  const categorical = columns.filter((name) => name in encoding.columns);
  if (setting === undefined || setting === 'native') return [];
  if (setting === 'onehot') return categorical;
  for (const name of Object.keys(setting)) {
    if (!categorical.includes(name)) {
      throw new PipelineError('E_USAGE', `inputs.table.categorical names '${name}', which is not a categorical column of the table`, {
        ...(file === undefined ? {} : { file }),
        field: `inputs.table.categorical.${name}`,
        hint: `categorical columns: ${categorical.join(', ') || 'none'} (declare a column categorical with categoricalCols)`,
      });
    }
  }
  return categorical.filter((name) => setting[name] === 'onehot');
}

/** The table's view with the given categorical columns one-hot encoded by the run's code tables, and its column names. */
export function oneHotTable(
  table: { readonly matrix: Matrix; readonly columns: readonly string[]; readonly file?: string },
  oneHot: readonly string[],
  encoding: CategoryEncoding,
  maxCategories = DEFAULT_MAX_ONE_HOT_CATEGORIES,
): { matrix: Matrix; columns: string[] } {
  if (oneHot.length === 0) return { matrix: table.matrix, columns: [...table.columns] };
  const spec: OneHotColumn[] = oneHot.map((name) => {
    const column = table.columns.indexOf(name);
    const codes = encoding.columns[name];
    if (column < 0 || codes === undefined) {
      throw new PipelineError('E_SCHEMA', `one-hot column '${name}' is not a categorical column of the table`, {
        ...(table.file === undefined ? {} : { file: table.file }),
        field: name,
        hint: 'the run was trained with another table layout; retrain',
      });
    }
    return { column, categories: codes.categories };
  });
  spec.sort((a, b) => a.column - b.column);
  for (const { column, categories } of spec) {
    const name = table.columns[column]!;
    if (categories.length > maxCategories) {
      throw new PipelineError('E_INPUT', `categorical column '${name}' has ${categories.length} categories, more than the ${maxCategories} of a one-hot encoding`, {
        ...(table.file === undefined ? {} : { file: table.file }),
        field: `inputs.table.categorical.${name}`,
        hint: `encode it natively (inputs.table.categorical: { ${name}: native }, split by the GBDT), drop it (dropCols), or raise inputs.table.maxOneHotCategories to ${categories.length}`,
      });
    }
  }
  return {
    matrix: oneHotEncode(table.matrix, spec, { names: table.columns, what: table.file ?? 'the table', maxCategories: Number.MAX_SAFE_INTEGER }),
    columns: oneHotNames(table.columns, spec),
  };
}
