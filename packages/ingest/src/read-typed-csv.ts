import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineError, type Matrix } from '@pipeline/core';
import { emptyCategoryEncoding, sortCategories, CATEGORY_ENCODING_VERSION, type CategoryEncoding, type CategoryTable } from './category-encoding.js';
import { isNumericCell, type ColumnType } from './column-types.js';
import { csvDelimiter, splitCsvLine } from './csv-line.js';
import { buildLayout, listNames, type CsvLayout } from './csv-scanner.js';
import { requireFile } from './file-checks.js';
import type { NumericTableInfo } from './numeric-table.js';
import { readCsvWith, type CsvTable, type TextColumnsSpec } from './read-csv.js';

const SAMPLE_BYTES = 1 << 20;

/** Rows per block of the categorical recode sweep (≈1024 rows × a few hundred bytes: in L2). */
const RECODE_BLOCK_ROWS = 1024;

export interface ReadTypedCsvOptions {
  /** Column whose values are the row ids. Default: `id` when the header has it; `false`: none. */
  readonly idColumn?: string | false;
  /** Read only these feature columns, in this order. Default: every column but the id. */
  readonly columns?: readonly string[];
  /** Columns to leave out. Unknown names are an error. */
  readonly dropCols?: readonly string[];
  /** One character. Default: tab for .tsv/.tab, else comma. */
  readonly delimiter?: string;
  /** Columns read as categories whatever their cells (e.g. integer codes). */
  readonly categoricalCols?: readonly string[];
  /** Columns read as numbers: a non-numeric cell is then an error naming the line and column. */
  readonly numericCols?: readonly string[];
  /** Extra cell texts read as missing, besides pandas' defaults (empty, `NA`, `NaN`, `null`, …). */
  readonly naValues?: readonly string[];
  /**
   * The training run's encoding (predict/evaluate): its columns are categorical and coded with its
   * tables (unseen categories → NaN, counted in `unknown`), every other column is numeric.
   */
  readonly encoding?: CategoryEncoding;
  /** Bytes of the file sampled to infer the column types (default 1 MiB); a later non-numeric cell still makes a column categorical. */
  readonly sampleBytes?: number;
  /**
   * Threads parsing the file, as `readCsv`'s `threads` (default: every core, at most 8, for files of
   * 16 MiB and more, else 1). Categories are interned per chunk and merged in file order, so values,
   * codes and errors are the same at every count.
   */
  readonly threads?: number;
}

/** A tabular CSV with numeric and categorical columns, as a float32 matrix of values and category codes. */
export interface TypedCsvTable extends NumericTableInfo {
  readonly dtype: 'float32';
  /** Numeric cells as numbers, categorical cells as their code (NaN: missing or unknown). */
  readonly matrix: Matrix;
  /** The type of each output column. */
  readonly types: ColumnType[];
  /** The code tables: learned from these rows, or the `encoding` option passed through. */
  readonly encoding: CategoryEncoding;
  /** Per categorical column: cells whose category is not in the given `encoding` (read as missing). */
  readonly unknown: Record<string, number>;
  /** True when the file was all numeric and read by the numeric scanner alone. */
  readonly numericOnly: boolean;
}

/**
 * Reads a tabular CSV whose columns may be numeric or categorical. Types come from the options
 * (`categoricalCols`, `numericCols`, an `encoding`), else from the inference rule of
 * {@link isNumericCell} over a sample, corrected when a later cell of an inferred-numeric column is
 * not a number. Numeric columns are always read by the numeric byte scanner of {@link readCsv}
 * (the only reader of an all-numeric file); categorical columns by a text pass over the same rows
 * (RFC 4180 quoting) whose codes follow {@link CategoryEncoding}.
 */
export async function readTypedCsv(path: string, options: ReadTypedCsvOptions = {}): Promise<TypedCsvTable> {
  const file = resolve(path);
  requireFile(file, 'CSV file');
  const delimiter = csvDelimiter(file, options.delimiter);
  const sample = await readSample(file, options.sampleBytes ?? SAMPLE_BYTES);
  const text = sample.toString('utf8').replace(/^\ufeff/, '');
  const lines = text.split('\n');
  const complete = sample.length < (options.sampleBytes ?? SAMPLE_BYTES) ? lines.length : lines.length - 1;
  const headerLine = (lines[0] ?? '').replace(/\r$/, '');
  if (headerLine.trim() === '') {
    throw new PipelineError('E_INPUT', 'the first line is empty; expected a header with the column names', { file, hint: 'remove leading blank lines' });
  }
  const layout = buildLayout(file, headerLine, delimiter, {
    idColumn: options.idColumn,
    columns: options.columns,
    dropCols: options.dropCols,
    naValues: options.naValues,
  });
  const columns = [...layout.columns];
  const forcedCategorical = checkNames(options.categoricalCols, columns, 'categoricalCols', file);
  const forcedNumeric = checkNames(options.numericCols, columns, 'numericCols', file);
  const both = [...forcedCategorical].find((name) => forcedNumeric.has(name));
  if (both !== undefined) {
    throw new PipelineError('E_USAGE', `column '${both}' is both in categoricalCols and numericCols`, { file, field: both, hint: 'declare it once' });
  }
  const encoding = options.encoding;
  if (encoding !== undefined) {
    for (const name of Object.keys(encoding.columns)) {
      if (!columns.includes(name)) {
        throw new PipelineError('E_SCHEMA', `categorical column '${name}' of the training data is not in the CSV`, { file, field: name, hint: 'pass a CSV with the training columns' });
      }
    }
  }
  const types: ColumnType[] = columns.map((name) => {
    if (encoding !== undefined) return name in encoding.columns ? 'categorical' : 'numeric';
    if (forcedCategorical.has(name)) return 'categorical';
    if (forcedNumeric.has(name)) return 'numeric';
    return 'numeric';
  });
  if (encoding === undefined) inferFromSample(lines.slice(1, complete), layout, types, forcedNumeric, forcedCategorical);
  const numericOnly = types.every((t) => t === 'numeric');
  // One pass over the file: the numeric scanner reads the numbers and interns the categorical cells
  // of the same rows. A later non-numeric cell in an inferred-numeric column makes that column
  // categorical and the file is read again (rare; at most once per column).
  let table: CsvTable;
  let textSpec: TextColumnsSpec;
  for (;;) {
    textSpec = { columns: new Set(columns.filter((_, k) => types[k] === 'categorical')), maps: [] };
    try {
      table = (await readCsvWith(
        file,
        {
          idColumn: layout.idColumn ?? false,
          columns,
          delimiter,
          ...(options.naValues === undefined ? {} : { naValues: options.naValues }),
          ...(options.threads === undefined ? {} : { threads: options.threads }),
        },
        textSpec.columns.size === 0 ? undefined : textSpec,
      )) as CsvTable;
      break;
    } catch (error) {
      const k = error instanceof PipelineError && error.code === 'E_INPUT' && error.message.includes(' is not a number') ? columns.indexOf(error.field ?? '') : -1;
      if (k < 0 || encoding !== undefined || forcedNumeric.has(columns[k]!) || types[k] === 'categorical') throw error;
      types[k] = 'categorical';
    }
  }
  if (types.every((t) => t === 'numeric')) {
    return { ...table, types, encoding: emptyCategoryEncoding(options.naValues), unknown: {}, numericOnly };
  }
  const rows = table.rows;
  const width = columns.length;
  const data = table.matrix.data;
  const tables: Record<string, CategoryTable> = {};
  const unknown: Record<string, number> = {};
  const maps = textSpec.maps;
  const categorical = columns.map((_, k) => k).filter((k) => types[k] === 'categorical');
  // Per categorical column: its first-seen texts and their codes (sorted, or the run's: NaN unknown).
  const seen = categorical.map((k) => [...maps[k]!.keys()]);
  const remaps = categorical.map((k, j) => {
    const given = encoding?.columns[columns[k]!];
    const remap = new Float32Array(seen[j]!.length);
    if (given === undefined) {
      const index = new Map(sortCategories(seen[j]!).map((c, code) => [c, code]));
      seen[j]!.forEach((c, s) => {
        remap[s] = index.get(c)!;
      });
    } else {
      const index = new Map(given.categories.map((c, code) => [c, code]));
      seen[j]!.forEach((c, s) => {
        remap[s] = index.get(c) ?? Number.NaN;
      });
    }
    return remap;
  });
  const counts = seen.map((list) => new Float64Array(list.length));
  const missing = new Float64Array(categorical.length);
  // One sweep counts and recodes every categorical cell, in blocks of rows that stay in cache while
  // each column is done (one pass per column over the whole matrix missed the cache every row):
  // the cells hold first-seen indices, or a parallel read's chunk-local ones (`chunkCodes` maps them).
  const segments = textSpec.chunkCodes ?? { firstRows: [0, rows], codes: [undefined] };
  for (let k = 0; k + 1 < segments.firstRows.length; k++) {
    const local = segments.codes[k];
    for (let block = segments.firstRows[k]!, last = segments.firstRows[k + 1]!; block < last; block += RECODE_BLOCK_ROWS) {
      const blockEnd = Math.min(last, block + RECODE_BLOCK_ROWS);
      for (let j = 0; j < categorical.length; j++) {
        const c = categorical[j]!;
        const toFile = local?.[c];
        const remap = remaps[j]!;
        const count = counts[j]!;
        let none = 0;
        for (let i = block * width + c, end = blockEnd * width; i < end; i += width) {
          const cell = data[i]!;
          if (cell !== cell) {
            none++;
            continue;
          }
          const s = toFile === undefined ? cell : toFile[cell]!;
          count[s]!++;
          data[i] = remap[s]!;
        }
        missing[j]! += none;
      }
    }
  }
  categorical.forEach((k, j) => {
    const name = columns[k]!;
    if (encoding?.columns[name] === undefined) {
      const sorted = sortCategories(seen[j]!);
      const countOf = new Map(seen[j]!.map((c, s) => [c, counts[j]![s]!]));
      tables[name] = { categories: sorted, counts: sorted.map((c) => countOf.get(c)!), missing: missing[j]! };
    } else {
      let unseen = 0;
      remaps[j]!.forEach((code, s) => {
        if (code !== code) unseen += counts[j]![s]!;
      });
      unknown[name] = unseen;
    }
  });
  return {
    file,
    dtype: 'float32',
    columns,
    rows,
    cols: width,
    ids: table.ids,
    idColumn: layout.idColumn,
    matrix: table.matrix,
    types,
    encoding: encoding ?? { version: CATEGORY_ENCODING_VERSION, unknown: 'missing', naValues: [...(options.naValues ?? [])], columns: tables },
    unknown,
    numericOnly: false,
  };
}

function inferFromSample(lines: string[], layout: CsvLayout, types: ColumnType[], forcedNumeric: ReadonlySet<string>, forcedCategorical: ReadonlySet<string>): void {
  const index = layout.columns.map((name) => layout.header.indexOf(name));
  const open = layout.columns.map((name) => !forcedNumeric.has(name) && !forcedCategorical.has(name));
  if (!open.some(Boolean)) return;
  lines.forEach((raw, n) => {
    const line = raw.replace(/\r$/, '');
    if (line === '') return;
    let fields: string[];
    try {
      fields = splitCsvLine(line, layout.delimiter, layout.file, n + 2);
    } catch {
      return; // the readers report it with their own message
    }
    if (fields.length !== layout.header.length) return;
    index.forEach((j, k) => {
      if (!open[k] || types[k] === 'categorical') return;
      const cell = fields[j]!.trim();
      if (!layout.na.has(cell) && !isNumericCell(cell)) types[k] = 'categorical';
    });
  });
}

function checkNames(names: readonly string[] | undefined, columns: readonly string[], option: string, file: string): Set<string> {
  for (const name of names ?? []) {
    if (!columns.includes(name)) {
      throw new PipelineError('E_SCHEMA', `column '${name}' of ${option} is not a feature column of the CSV`, {
        file,
        field: option,
        hint: `feature columns: ${listNames(columns)}`,
      });
    }
  }
  return new Set(names ?? []);
}

async function readSample(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
