import { PipelineError } from '@pipeline/core';
import { readLabels, type LabelTable } from '@pipeline/ingest';
import { readCsvHeader } from './table-input.js';

/**
 * Reads one column of a CSV aligned to the feature rows by id (by row order when the file has no
 * id column) — the label reader's alignment rules, for labels, groups and fold numbers alike.
 */
export async function readAlignedColumn(
  file: string,
  options: { column?: string | undefined; idCol?: string | undefined; ids: readonly string[] | undefined; rows: number; classNames?: readonly string[]; field: string },
): Promise<LabelTable> {
  const header = await readCsvHeader(file);
  for (const [name, key] of [
    [options.column, 'column'],
    [options.idCol, 'idCol'],
  ] as const) {
    if (name !== undefined && !header.includes(name)) {
      throw new PipelineError('E_SCHEMA', `column '${name}' is not in the CSV`, {
        file,
        field: `${options.field}.${key}`,
        hint: `columns are: ${header.slice(0, 20).join(', ')}${header.length > 20 ? ', …' : ''}`,
      });
    }
  }
  return readLabels(file, {
    ...(options.column === undefined ? {} : { labelColumn: options.column }),
    ...(options.idCol === undefined ? {} : { idColumn: options.idCol }),
    ...(options.ids === undefined ? {} : { ids: options.ids }),
    rows: options.rows,
    ...(options.classNames === undefined ? {} : { classNames: options.classNames }),
  });
}

/** Group ids as integer codes (one per distinct group value). */
export function groupCodes(table: LabelTable): Int32Array {
  return table.labels;
}

/** Fold numbers as integers; -1 = never in a test fold. */
export function foldNumbers(table: LabelTable, field: string): Int32Array {
  const values = table.classNames.map((name) => Number(name));
  values.forEach((v, k) => {
    if (!Number.isInteger(v) || v < -1) {
      throw new PipelineError('E_INPUT', `fold value '${table.classNames[k]}' is not an integer ≥ -1`, {
        file: table.file,
        field,
        hint: 'fold numbers are integers 0..k-1 (-1 = never in a test fold)',
      });
    }
  });
  return Int32Array.from(table.labels, (code) => values[code]!);
}
