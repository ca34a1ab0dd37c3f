import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineError, type Matrix } from '@pipeline/core';
import { readTypedCsv, type CategoryEncoding, type ColumnType } from '@pipeline/ingest';

/** A tabular CSV split into features and ids. */
export interface TableInput {
  readonly file: string;
  readonly matrix: Matrix;
  /** Feature columns, in order. */
  readonly columns: string[];
  /** Columns of the file that are not features (dropped, label, group, fold columns): allowed at predict time. */
  readonly ignoredColumns: string[];
  /** Row ids from the id column, or undefined when the file has none (rows are then aligned by position). */
  readonly ids: string[] | undefined;
  /** The id column used, if any. */
  readonly idColumn: string | undefined;
  /** The type of each feature column (same order as `columns`). */
  readonly types: ColumnType[];
  /** The category → code tables (learned on these rows at training, the run's at predict). */
  readonly encoding: CategoryEncoding;
  /** At predict: per categorical column, cells whose category training never saw (read as missing). */
  readonly unknown: Record<string, number>;
}

/** The header line of a CSV (first 1 MiB at most), split on the delimiter; quotes are stripped. */
export async function readCsvHeader(file: string): Promise<string[]> {
  const handle = await open(file, 'r').catch((cause: unknown) => {
    throw new PipelineError('E_NOT_FOUND', 'input file not found', { file, cause });
  });
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\ufeff/, '');
    const line = text.split('\n', 1)[0]!.replace(/\r$/, '');
    const delimiter = /\.(tsv|tab)$/i.test(file) ? '\t' : ',';
    return line.split(delimiter).map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
  } finally {
    await handle.close();
  }
}

export interface ReadTableOptions {
  readonly idCol: string;
  readonly dropCols: readonly string[];
  /** Columns read by other inputs (label, group, fold): not features, not parsed as numbers here. */
  readonly exclude?: readonly string[];
  /** Config path of this input, for error messages (e.g. `inputs.table`). */
  readonly field?: string;
  /** Column type overrides and missing tokens (see `readTypedCsv`). */
  readonly categoricalCols?: readonly string[] | undefined;
  readonly numericCols?: readonly string[] | undefined;
  readonly naValues?: readonly string[] | undefined;
}

/**
 * Reads a tabular CSV: every column but the id, `dropCols` and `exclude` is a feature, numeric or
 * categorical (inferred, or declared by `categoricalCols`/`numericCols`); categories are coded with
 * tables learned on these rows. When the id column is absent from the file, rows are identified by position.
 */
export async function readTable(path: string, options: ReadTableOptions): Promise<TableInput> {
  const file = resolve(path);
  const header = await readCsvHeader(file);
  const field = options.field ?? 'inputs.table';
  const hasId = header.includes(options.idCol);
  for (const [names, key] of [
    [options.dropCols, 'dropCols'],
    [options.exclude ?? [], 'columns'],
  ] as const) {
    for (const name of names) {
      if (!header.includes(name)) {
        throw new PipelineError('E_SCHEMA', `column '${name}' is not in the CSV`, {
          file,
          field: `${field}.${key}`,
          hint: `columns are: ${header.slice(0, 20).join(', ')}${header.length > 20 ? ', …' : ''}`,
        });
      }
    }
  }
  const excluded = [...new Set([...options.dropCols, ...(options.exclude ?? [])])];
  const table = await readTypedCsv(file, {
    idColumn: hasId ? options.idCol : false,
    dropCols: excluded,
    ...(options.categoricalCols === undefined ? {} : { categoricalCols: options.categoricalCols }),
    ...(options.numericCols === undefined ? {} : { numericCols: options.numericCols }),
    ...(options.naValues === undefined ? {} : { naValues: options.naValues }),
  });
  return {
    file: table.file,
    matrix: table.matrix,
    columns: [...table.columns],
    ignoredColumns: excluded,
    ids: table.ids,
    idColumn: hasId ? options.idCol : undefined,
    types: table.types,
    encoding: table.encoding,
    unknown: table.unknown,
  };
}

/**
 * Reads a CSV for a trained run: every training feature column must be there; other columns are
 * allowed only if training ignored them too. Features come back in the training order.
 */
export async function readTableLike(
  path: string,
  idCol: string,
  expected: readonly string[],
  ignored: readonly string[],
  field = 'inputs.table',
  encoding?: CategoryEncoding,
): Promise<TableInput> {
  const file = resolve(path);
  const header = await readCsvHeader(file);
  const hasId = header.includes(idCol);
  const allowed = new Set([...expected, ...ignored, ...(hasId ? [idCol] : [])]);
  const missing = expected.filter((name) => !header.includes(name));
  const extra = header.filter((name) => !allowed.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const list = (names: string[]) => `${names.slice(0, 10).join(', ')}${names.length > 10 ? `, … (${names.length} in all)` : ''}`;
    const detail = [missing.length > 0 ? `missing: ${list(missing)}` : '', extra.length > 0 ? `not in training: ${list(extra)}` : ''].filter(Boolean).join('; ');
    throw new PipelineError('E_SCHEMA', `the CSV's columns differ from the ones the run was trained on (${detail})`, {
      file,
      field,
      hint: 'pass a CSV with the training feature columns (see views.tabular.columns in the run manifest)',
    });
  }
  // Categorical columns are coded with the run's tables (unseen → missing, counted); every other
  // feature column must hold numbers. Runs without tables are all-numeric.
  const table = await readTypedCsv(file, {
    idColumn: hasId ? idCol : false,
    columns: expected,
    ...(encoding === undefined ? { numericCols: expected } : { encoding, naValues: encoding.naValues }),
  });
  return {
    file: table.file,
    matrix: table.matrix,
    columns: [...expected],
    ignoredColumns: [...ignored],
    ids: table.ids,
    idColumn: hasId ? idCol : undefined,
    types: table.types,
    encoding: table.encoding,
    unknown: table.unknown,
  };
}

