/**
 * Validates a stored CSV against its dataset kind's schema, streaming, and measures it (rows,
 * columns, label distribution). Kinds:
 * - `transit` (the seed's columns): `period, duration, depth, impact, snr, steff, srad, slogg, tmag`
 *   numeric and finite, `label` one of CANDIDATE, CONFIRMED, FALSE POSITIVE; other columns allowed.
 * - `tabular`: any CSV with a `label` column; every row as wide as the header, labels non-empty.
 * Errors are `HttpError`s: 422 `invalid_dataset` naming the missing columns or the line and column at
 * fault, 413 `too_many_rows` / `too_many_columns` over the limits.
 */
import { HttpError } from '../http/http-error.js';
import type { DatasetKind } from '../model-kinds.js';
import { csvRecords } from './csv-records.js';

export const TRANSIT_NUMERIC_COLUMNS = ['period', 'duration', 'depth', 'impact', 'snr', 'steff', 'srad', 'slogg', 'tmag'] as const;
export const TRANSIT_LABELS = ['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE'] as const;
export const DATASET_KINDS: readonly DatasetKind[] = ['transit', 'tabular'];

export interface DatasetLimits {
  readonly maxRows: number;
  readonly maxColumns: number;
}

export interface DatasetSummary {
  readonly columns: string[];
  readonly rowCount: number;
  readonly labelDistribution: Record<string, number>;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export async function validateDataset(file: string, kind: DatasetKind, limits: DatasetLimits): Promise<DatasetSummary> {
  let columns: string[] | undefined;
  let labelIndex = -1;
  let numeric: number[] = [];
  let rowCount = 0;
  const labelDistribution: Record<string, number> = {};
  for await (const record of csvRecords(file)) {
    if (columns === undefined) {
      columns = record.fields.map((name) => name.trim());
      if (columns.length > limits.maxColumns) {
        throw new HttpError(413, 'too_many_columns', `the CSV has ${columns.length} columns; the limit is ${limits.maxColumns}`, { limit: limits.maxColumns });
      }
      const required = kind === 'transit' ? [...TRANSIT_NUMERIC_COLUMNS, 'label'] : ['label'];
      const missing = required.filter((name) => !columns!.includes(name));
      if (missing.length > 0) {
        throw new HttpError(422, 'invalid_dataset', `missing required column${missing.length > 1 ? 's' : ''} for kind '${kind}': ${missing.join(', ')}`, {
          missing_columns: missing,
          kind,
        });
      }
      const duplicate = columns.find((name, i) => columns!.indexOf(name) !== i);
      if (duplicate !== undefined) throw new HttpError(422, 'invalid_dataset', `column '${duplicate}' appears twice in the header`, { column: duplicate });
      labelIndex = columns.indexOf('label');
      numeric = kind === 'transit' ? TRANSIT_NUMERIC_COLUMNS.map((name) => columns!.indexOf(name)) : [];
      continue;
    }
    if (record.fields.length === 1 && record.fields[0] === '') continue; // blank line
    if (record.fields.length !== columns.length) {
      throw new HttpError(422, 'invalid_dataset', `line ${record.line} has ${record.fields.length} fields; the header has ${columns.length}`, { line: record.line });
    }
    rowCount++;
    if (rowCount > limits.maxRows) {
      throw new HttpError(413, 'too_many_rows', `the CSV has more than ${limits.maxRows} rows (the limit)`, { limit: limits.maxRows });
    }
    for (const index of numeric) {
      const value = record.fields[index]!.trim();
      if (!NUMBER.test(value) || !Number.isFinite(Number(value))) {
        throw new HttpError(422, 'invalid_dataset', `line ${record.line}, column '${columns[index]}': '${value.slice(0, 40)}' is not a number`, {
          line: record.line,
          column: columns[index],
        });
      }
    }
    const label = record.fields[labelIndex]!.trim();
    if (label === '') throw new HttpError(422, 'invalid_dataset', `line ${record.line}, column 'label': the label is empty`, { line: record.line, column: 'label' });
    if (kind === 'transit' && !(TRANSIT_LABELS as readonly string[]).includes(label)) {
      throw new HttpError(422, 'invalid_dataset', `line ${record.line}, column 'label': '${label.slice(0, 40)}' is not one of ${TRANSIT_LABELS.join(', ')}`, {
        line: record.line,
        column: 'label',
      });
    }
    labelDistribution[label] = (labelDistribution[label] ?? 0) + 1;
  }
  if (columns === undefined) throw new HttpError(422, 'invalid_dataset', 'the file is empty: a CSV with a header line is expected');
  if (rowCount === 0) throw new HttpError(422, 'invalid_dataset', 'the CSV has a header but no rows');
  return { columns, rowCount, labelDistribution };
}
