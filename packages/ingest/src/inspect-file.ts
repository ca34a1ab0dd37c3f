import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineError } from '@pipeline/core';
import { loadArrow } from './arrow-table.js';
import { csvDelimiter, splitCsvLine } from './csv-line.js';
import { requireFile } from './file-checks.js';
import { openH5, type H5DatasetInfo } from './h5.js';
import { readLabels } from './read-labels.js';

export type InspectedKind = 'hdf5' | 'arrow' | 'csv';

export interface InspectedColumn {
  readonly name: string;
  /** Arrow: the Arrow type. CSV: `integer`, `float` or `text`, from the first rows (`empty` if all blank). */
  readonly type: string;
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
  /** CSV rows sampled to guess column types (default 1000). */
  readonly sampleRows?: number;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const LABEL_NAMES = ['label', 'y', 'target', 'class'];
const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity)$/i;
const NA = new Set(['', 'nan', 'NaN', 'NA', 'N/A', 'null', 'NULL', 'None', '-nan']);

/**
 * Describes what a CSV, HDF5 or Arrow file holds, detecting the format from its first bytes (an
 * .h5/.hdf5 or .arrow/.feather name insists on that format, so a broken file is reported as such):
 * HDF5 datasets (shape, dtype, chunks, filters) and root attributes; Arrow schema, rows, batches
 * and metadata; CSV columns with guessed types, the row count (whole file, streamed) and, for a
 * label file, the label distribution.
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
  const delimiter = csvDelimiter(file, undefined);
  const sampleRows = options.sampleRows ?? 1000;
  const handle = await open(file, 'r');
  let header: string[] | undefined;
  const sample: string[][] = [];
  let rows = 0;
  let lineLength = 0;
  let pending = '';
  const decoder = new TextDecoder();
  try {
    const buffer = new Uint8Array(4 * 1024 * 1024);
    let lineNumber = 0;
    const takeLine = (line: string) => {
      lineNumber++;
      const text = line.replace(/\r$/, '');
      if (header === undefined) {
        header = splitCsvLine(text.replace(/^\ufeff/, ''), delimiter, file, 1).map((name) => name.trim());
      } else if (sample.length < sampleRows && text.trim() !== '') {
        sample.push(splitCsvLine(text, delimiter, file, lineNumber));
      }
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      // Count non-blank data lines on the bytes; decode only the lines still needed for the sample.
      for (let k = 0; k < bytesRead; k++) {
        const b = buffer[k]!;
        if (b === 10) {
          if (lineLength > 0) rows++;
          lineLength = 0;
        } else if (b !== 13) {
          lineLength++;
        }
      }
      if (header === undefined || sample.length < sampleRows) {
        pending += decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) takeLine(line);
      }
    }
    if (lineLength > 0) rows++;
    if (pending !== '' && (header === undefined || sample.length < sampleRows)) takeLine(pending);
  } finally {
    await handle.close();
  }
  if (header === undefined || header.every((name) => name === '')) {
    throw new PipelineError('E_INPUT', 'CSV file has no header line', { file, hint: 'the first line must name the columns' });
  }
  const names = header;
  const columns = names.map((name, j) => ({ name, type: guessType(sample.map((fields) => fields[j] ?? '')) }));
  const dataRows = Math.max(0, rows - 1);
  const looksLikeLabels =
    names.length <= 2 && (names.length === 1 || names.some((name) => LABEL_NAMES.includes(name.toLowerCase())));
  const result: InspectResult = { file, kind: 'csv', bytes, rows: dataRows, columns };
  if (options.labels === true || options.labelColumn !== undefined || (options.labels !== false && looksLikeLabels && dataRows > 0)) {
    const table = await readLabels(file, options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn });
    const total = table.labels.length;
    return {
      ...result,
      labels: {
        column: table.labelColumn,
        classes: table.classNames.map((label, k) => ({ label, count: table.counts[k]!, fraction: table.counts[k]! / total })),
      },
    };
  }
  return result;
}

function guessType(values: readonly string[]): string {
  const present = values.map((v) => v.trim().replace(/^"(.*)"$/, '$1')).filter((v) => !NA.has(v));
  if (present.length === 0) return 'empty';
  if (present.every((v) => INTEGER.test(v))) return 'integer';
  if (present.every((v) => FLOAT.test(v))) return 'float';
  return 'text';
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
