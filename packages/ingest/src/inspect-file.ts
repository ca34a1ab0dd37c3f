import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineError } from '@pipeline/core';
import { loadArrow } from './arrow-table.js';
import { csvDelimiter, splitCsvLine } from './csv-line.js';
import { buildLayout } from './csv-scanner.js';
import { requireFile } from './file-checks.js';
import { openH5, type H5DatasetInfo } from './h5.js';
import { iterCsvBatches } from './read-csv.js';
import { readLabels } from './read-labels.js';
import { readTypedCsv } from './read-typed-csv.js';

export type InspectedKind = 'hdf5' | 'arrow' | 'csv';

export interface InspectedColumn {
  readonly name: string;
  /**
   * Arrow: the Arrow type. CSV, over every row: `integer` (every value a whole number), `float`,
   * `empty` (every cell blank or NA), `categorical` (some cell is not a number: the inference rule
   * of `readTypedCsv`, or declared by `categoricalCols`), `text` (id or label columns only); `not
   * read` for the extra columns of a label file.
   */
  readonly type: string;
  /** Categorical CSV columns: distinct categories and missing cells. */
  readonly categories?: number;
  readonly missing?: number;
}

export interface LabelDistribution {
  readonly column: string;
  readonly classes: Array<{ readonly label: string; readonly count: number; readonly fraction: number }>;
}

export interface InspectResult {
  readonly file: string;
  readonly kind: InspectedKind;
  readonly bytes: number;
  /** HDF5: every dataset. */
  readonly datasets?: H5DatasetInfo[];
  /** HDF5: root attributes; Arrow: schema metadata. */
  readonly attrs?: Record<string, unknown>;
  /** CSV/Arrow: data rows. */
  readonly rows?: number;
  readonly columns?: InspectedColumn[];
  /** Arrow: record batches. */
  readonly batches?: number;
  /** CSV: the label distribution when the file looks like labels (≤ 2 columns, one named label/y/target/class) or when asked. */
  readonly labels?: LabelDistribution;
}

export interface InspectOptions {
  /** Treat a CSV as a label file (report the class distribution). Default: guessed from the header. */
  readonly labels?: boolean;
  /** Label column of a label CSV. */
  readonly labelColumn?: string;
  /** Id column of a CSV, as in `readCsv`/`readLabels` (default: `id` when the header has it). */
  readonly idColumn?: string;
  /** CSV delimiter, one character (default: tab for .tsv/.tab, else comma). */
  readonly delimiter?: string;
  /**
   * Infer column types as `readTypedCsv` (and `train`) do: a column with a non-numeric cell is
   * `categorical`. Default false: every non-id column must be numeric (the `readCsv` scanner's check).
   */
  readonly inferTypes?: boolean;
  /** Type overrides and extra missing tokens, as in `readTypedCsv` (and `train`'s table input). */
  readonly categoricalCols?: readonly string[];
  readonly numericCols?: readonly string[];
  readonly naValues?: readonly string[];
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const LABEL_NAMES = ['label', 'y', 'target', 'class'];
const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity)$/i;
const INSPECT_BATCH_ROWS = 65536;

/**
 * Describes what a CSV, HDF5 or Arrow file holds, detecting the format from its first bytes (an
 * .h5/.hdf5 or .arrow/.feather name insists on that format, so a broken file is reported as such):
 * HDF5 datasets (shape, dtype, chunks, filters) and root attributes; Arrow schema, rows, batches
 * and metadata; CSV columns with their types, the row count and, for a label file, the label
 * distribution.
 *
 * A CSV is validated in full, with the same code and messages as the readers `train` uses: a label
 * file (≤ 2 columns, one named label/y/target/class, or `labels`/`labelColumn` given) through
 * `readLabels`, any other CSV as a numeric table through the `readCsv` scanner (every cell but the
 * id column must be a number). A ragged row, a non-numeric cell, a bad quote or a duplicate id is an
 * `E_INPUT` naming the file, the line and (for a cell) the column; nothing is sampled.
 */
export async function inspectFile(path: string, options: InspectOptions = {}): Promise<InspectResult> {
  const file = resolve(path);
  const stats = requireFile(file, 'file');
  const head = await readHead(file, 8192);
  const extension = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase() ?? '';
  if (HDF5_SIGNATURE.every((byte, k) => head[k] === byte) || ['h5', 'hdf5', 'hdf', 'he5'].includes(extension)) {
    const h5 = await openH5(file);
    try {
      return { file, kind: 'hdf5', bytes: stats.size, datasets: h5.datasets(), attrs: h5.attrs() };
    } finally {
      h5.close();
    }
  }
  const arrowFile = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31].every((byte, k) => head[k] === byte);
  const arrowStream = head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
  if (arrowFile || arrowStream || ['arrow', 'arrows', 'feather', 'ipc'].includes(extension)) {
    const table = await loadArrow(file);
    return {
      file,
      kind: 'arrow',
      bytes: stats.size,
      rows: table.numRows,
      columns: table.schema.fields.map((field) => ({ name: field.name, type: String(field.type) })),
      batches: table.batches.length,
      attrs: Object.fromEntries(table.schema.metadata),
    };
  }
  if (head.includes(0)) {
    throw new PipelineError('E_INPUT', 'unknown file format: not HDF5, not Arrow, and binary so not CSV', {
      file,
      hint: 'inspect reads .csv/.tsv, .h5/.hdf5 and Arrow IPC (.arrow/.feather) files',
    });
  }
  return inspectCsv(file, stats.size, options);
}

async function inspectCsv(file: string, bytes: number, options: InspectOptions): Promise<InspectResult> {
  const delimiter = csvDelimiter(file, options.delimiter);
  const firstLine = await readFirstLine(file);
  if (firstLine.trim() === '') {
    throw new PipelineError('E_INPUT', 'the first line is empty; expected a header with the column names', {
      file,
      hint: 'remove leading blank lines',
    });
  }
  const names = splitCsvLine(firstLine, delimiter, file, 1).map((name) => name.trim());
  const looksLikeLabels =
    names.length <= 2 && (names.length === 1 || names.some((name) => LABEL_NAMES.includes(name.toLowerCase())));
  if (options.labels === true || options.labelColumn !== undefined || (options.labels !== false && looksLikeLabels)) {
    return inspectLabels(file, bytes, names, options);
  }
  const typed = options.categoricalCols !== undefined && options.categoricalCols.length > 0;
  if (!typed) {
    try {
      return await inspectNumeric(file, bytes, firstLine, delimiter, options);
    } catch (error) {
      // A non-numeric cell makes its column categorical (unless declared numeric): the typed reader decides.
      const notNumber = error instanceof PipelineError && error.code === 'E_INPUT' && error.message.includes(' is not a number');
      if (!notNumber || options.inferTypes !== true || options.numericCols?.includes(error.field ?? '') === true) throw error;
    }
  }
  return inspectTyped(file, bytes, delimiter, options);
}

/** A table with categorical columns, read by `readTypedCsv` (its rule, checks and messages). */
async function inspectTyped(file: string, bytes: number, delimiter: string, options: InspectOptions): Promise<InspectResult> {
  const table = await readTypedCsv(file, {
    delimiter,
    ...(options.idColumn === undefined ? {} : { idColumn: options.idColumn }),
    ...(options.categoricalCols === undefined ? {} : { categoricalCols: options.categoricalCols }),
    ...(options.numericCols === undefined ? {} : { numericCols: options.numericCols }),
    ...(options.naValues === undefined ? {} : { naValues: options.naValues }),
  });
  const { rows, cols, data } = table.matrix;
  const header = splitCsvLine(await readFirstLine(file), delimiter, file, 1).map((name, j) => (name.trim() === '' ? `unnamed_${j}` : name.trim()));
  const columns = header.map((name): InspectedColumn => {
    if (name === table.idColumn) return { name, type: table.ids!.every((id) => INTEGER.test(id)) ? 'integer' : 'text' };
    const k = table.columns.indexOf(name);
    const codes = table.encoding.columns[name];
    if (codes !== undefined) return { name, type: 'categorical', categories: codes.categories.length, missing: codes.missing };
    let present = false;
    let fractional = false;
    for (let i = 0; i < rows; i++) {
      const v = data[i * cols + k]!;
      if (v === v) {
        present = true;
        if (!Number.isInteger(v)) fractional = true;
      }
    }
    return { name, type: present ? (fractional ? 'float' : 'integer') : 'empty' };
  });
  return { file, kind: 'csv', bytes, rows, columns };
}

/**
 * A numeric table, read through `iterCsvBatches` (the scanner `readCsv` and `train` use) over the
 * whole file, so every check and message is theirs: ragged rows, non-numeric cells (line and
 * column), bad quotes, duplicate ids, header only. Column types come from every parsed value.
 */
async function inspectNumeric(file: string, bytes: number, firstLine: string, delimiter: string, options: InspectOptions): Promise<InspectResult> {
  const layout = buildLayout(file, firstLine, delimiter, { ...(options.idColumn === undefined ? {} : { idColumn: options.idColumn }), naValues: options.naValues });
  const width = layout.columns.length;
  const present = new Uint8Array(width); // some value is not NaN
  const fractional = new Uint8Array(width); // some value is not a whole number
  let idsInteger = true;
  let rows = 0;
  const readOptions = {
    dtype: 'float64' as const,
    batchRows: INSPECT_BATCH_ROWS,
    delimiter,
    ...(options.idColumn === undefined ? {} : { idColumn: options.idColumn }),
    ...(options.naValues === undefined ? {} : { naValues: options.naValues }),
  };
  for await (const batch of iterCsvBatches(file, readOptions)) {
    const data = batch.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v === v) {
        const j = i % width;
        present[j] = 1;
        if (!Number.isInteger(v)) fractional[j] = 1;
      }
    }
    if (idsInteger && batch.ids !== undefined) idsInteger = batch.ids.every((id) => INTEGER.test(id));
    rows = batch.end;
  }
  const output = new Map(layout.columns.map((name, k) => [name, k]));
  const columns = layout.header.map((name) => {
    if (name === layout.idColumn) return { name, type: idsInteger ? 'integer' : 'text' };
    const k = output.get(name)!;
    return { name, type: present[k] === 0 ? 'empty' : fractional[k] === 1 ? 'float' : 'integer' };
  });
  return { file, kind: 'csv', bytes, rows, columns };
}

/** A label file, read by `readLabels` (its checks and messages); column types from every row. */
async function inspectLabels(file: string, bytes: number, names: readonly string[], options: InspectOptions): Promise<InspectResult> {
  const table = await readLabels(file, {
    ...(options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn }),
    ...(options.idColumn === undefined ? {} : { idColumn: options.idColumn }),
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
  });
  const total = table.labels.length;
  const columns = names.map((name) => {
    if (name === table.labelColumn) return { name, type: guessType(table.classNames) };
    if (name === table.idColumn) return { name, type: guessType(table.ids ?? []) };
    return { name, type: 'not read' };
  });
  return {
    file,
    kind: 'csv',
    bytes,
    rows: total,
    columns,
    labels: {
      column: table.labelColumn,
      classes: table.classNames.map((label, k) => ({ label, count: table.counts[k]!, fraction: table.counts[k]! / total })),
    },
  };
}

function guessType(values: readonly string[]): string {
  if (values.length === 0) return 'empty';
  if (values.every((v) => INTEGER.test(v))) return 'integer';
  if (values.every((v) => FLOAT.test(v))) return 'float';
  return 'text';
}

/** The first line of a file (without BOM and CR), however long. */
async function readFirstLine(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    for (let position = 0; ; ) {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      const end = buffer.subarray(0, bytesRead).indexOf(10);
      chunks.push(buffer.subarray(0, end < 0 ? bytesRead : end));
      if (end >= 0 || bytesRead === 0) break;
      position += bytesRead;
    }
    return Buffer.concat(chunks).toString('utf8').replace(/^\ufeff/, '').replace(/\r$/, '');
  } finally {
    await handle.close();
  }
}

async function readHead(file: string, size: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
