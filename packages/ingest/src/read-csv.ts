import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { PipelineError, throwIfAborted, type Matrix } from '@pipeline/core';
import { csvDelimiter } from './csv-line.js';
import { readCsvParallel, startCsvWorkers, type ChunkTextCodes } from './csv-parallel.js';
import { hasDuplicates } from './has-duplicates.js';
import { buildLayout, scanRows, textTarget, type CsvLayout, type LayoutOptions, type RowSink, type ScanState } from './csv-scanner.js';
import { requireFile } from './file-checks.js';
import type { NumericTableInfo } from './numeric-table.js';

const READ_CSV_BATCH_ROWS = 16384;
/** Files from this size up are parsed on several threads by default (a worker costs ~30–100 ms to start). */
const PARALLEL_MIN_BYTES = 16 << 20;
/** Default thread count cap. */
const MAX_DEFAULT_THREADS = 8;
const NUMERIC_TOKEN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface ReadCsvOptions {
  /** Column whose values are the row ids (kept as strings, not a feature). Default: `id` when the header has it; `false`: none. */
  readonly idColumn?: string | false;
  /** Read only these feature columns, in this order. Default: every column but the id. */
  readonly columns?: readonly string[];
  /** Columns to leave out (after `columns`). Unknown names are an error. */
  readonly dropCols?: readonly string[];
  /** Element type of the values. Default `float32` (a {@link Matrix}). */
  readonly dtype?: 'float32' | 'float64';
  /** One character. Default: tab for .tsv/.tab, else comma. */
  readonly delimiter?: string;
  /** Error when two rows share an id (default true). */
  readonly checkDuplicateIds?: boolean;
  /** Extra cell texts read as missing (NaN), besides pandas' defaults (empty, `NA`, `NaN`, `null`, …). */
  readonly naValues?: readonly string[];
  /**
   * `readCsv` only: threads parsing the file in parallel, this one plus `threads - 1` worker threads
   * (the values are then on a SharedArrayBuffer, as for any file of 16 MiB and more). Default: `os.availableParallelism()` (at most 8)
   * for files of 16 MiB and more, else 1. Values, ids and errors (with their line numbers) are the
   * same at every count. Ignored by `iterCsvBatches`, which reads on one thread.
   */
  readonly threads?: number;
}

/** A numeric CSV as a float32 matrix. */
export interface CsvTable extends NumericTableInfo {
  readonly dtype: 'float32';
  readonly matrix: Matrix;
}

/** A numeric CSV as a row-major float64 array. */
export interface CsvTable64 extends NumericTableInfo {
  readonly dtype: 'float64';
  readonly data: Float64Array;
}

/**
 * Reads a numeric CSV with a header line into a row-major matrix: a byte scanner (Clinger fast path,
 * `Number()` fallback, correctly rounded like Python's `float()`), LF or CRLF line ends, empty cells
 * and pandas' NA strings (`NaN`, `nan`, `NA`, …) as NaN, `inf`/`-inf`, quoted cells (no line breaks
 * inside quotes), blank lines skipped, a UTF-8 BOM ignored. Every row's field count is checked.
 *
 * Errors (`E_INPUT` unless noted) name the file, the line and the column: missing file
 * (`E_NOT_FOUND`), empty file, header only, ragged row, non-numeric cell, duplicate id, unknown
 * column in `columns`/`dropCols`/`idColumn` (`E_SCHEMA`).
 */
export function readCsv(path: string, options?: ReadCsvOptions & { readonly dtype?: 'float32' }): Promise<CsvTable>;
export function readCsv(path: string, options: ReadCsvOptions & { readonly dtype: 'float64' }): Promise<CsvTable64>;
export async function readCsv(path: string, options: ReadCsvOptions = {}): Promise<CsvTable | CsvTable64> {
  return readCsvWith(path, options, undefined);
}

/**
 * Text (categorical) columns read in the same pass as the numbers: each output column named in
 * `columns` holds its cells' first-seen indices into `maps[column]` (NaN: missing), or, after a
 * parallel read (`chunkCodes` set), each chunk's own indices, which `chunkCodes` maps to those.
 * Internal to the package (used by `readTypedCsv`).
 */
export interface TextColumnsSpec {
  readonly columns: ReadonlySet<string>;
  /** Filled by the read: per output column, text → first-seen index (undefined for numeric columns). */
  readonly maps: (Map<string, number> | undefined)[];
  /** Set by a parallel read: the cells hold chunk-local indices, mapped by these. */
  chunkCodes?: ChunkTextCodes | undefined;
}

/** {@link readCsv} with optional text columns (see {@link TextColumnsSpec}). */
export async function readCsvWith(path: string, options: ReadCsvOptions, text: TextColumnsSpec | undefined): Promise<CsvTable | CsvTable64> {
  {
    const { threads, size } = csvThreads(path, options.threads);
    // Big files go through the chunked reader on one thread too: it counts the rows first and
    // writes each value once into the output (the streaming reader below copies its batches).
    if (threads > 1 || size >= PARALLEL_MIN_BYTES) {
      const table = await readCsvInParallel(path, options, threads, text);
      if (table !== undefined) return table;
      // A bad cell, a ragged line, a duplicate id or a failed worker: the serial read below reports
      // the first problem in file order with its line number (or reads the file if a worker failed).
      // It starts the text maps afresh.
    }
  }
  // Streams the file (no whole-file buffer) and copies the batches into one array at the end:
  // measured faster and with half the peak memory of parsing one 100+ MB buffer (bench/).
  const batches: CsvBatch[] = [];
  for await (const batch of scanCsvBatches(path, { ...options, batchRows: READ_CSV_BATCH_ROWS }, text)) batches.push(batch);
  const first = batches[0]!; // iterCsvBatches throws on a file without data rows
  const rows = batches[batches.length - 1]!.end;
  const width = first.columns.length;
  const float64 = options.dtype === 'float64';
  let data: Float32Array | Float64Array;
  if (batches.length === 1) {
    data = first.data;
  } else {
    try {
      data = float64 ? new Float64Array(rows * width) : new Float32Array(rows * width);
    } catch (cause) {
      throw new PipelineError('E_INPUT', `${rows} × ${width} values do not fit in one array`, {
        file: resolve(path),
        hint: 'read the file in batches with iterCsvBatches()',
        cause,
      });
    }
    for (const batch of batches) data.set(batch.data, batch.start * width);
  }
  const ids = first.ids === undefined ? undefined : batches.flatMap((batch) => batch.ids!);
  const base = { file: resolve(path), columns: [...first.columns], rows, cols: width, ids, idColumn: first.idColumn };
  if (float64) return { ...base, dtype: 'float64', data: data as Float64Array };
  return { ...base, dtype: 'float32', matrix: { rows, cols: width, data: data as Float32Array } };
}

/** Threads for `readCsv` (see {@link ReadCsvOptions.threads}) and the file's size (0 when missing: the serial path reports it). */
function csvThreads(path: string, option: number | undefined): { threads: number; size: number } {
  if (option !== undefined && (!Number.isInteger(option) || option < 1)) {
    throw new PipelineError('E_USAGE', `threads must be a positive integer, got ${option}`, { file: resolve(path), field: 'threads' });
  }
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // missing: the serial path reports it
  }
  return { threads: option ?? (size >= PARALLEL_MIN_BYTES ? Math.min(availableParallelism(), MAX_DEFAULT_THREADS) : 1), size };
}

/**
 * {@link readCsv} on `threads` threads (see csv-parallel.ts). `undefined` when anything is wrong
 * with the file (or a worker failed): the caller then reads it serially for the exact error.
 */
async function readCsvInParallel(path: string, options: ReadCsvOptions, threads: number, text: TextColumnsSpec | undefined): Promise<CsvTable | CsvTable64 | undefined> {
  const file = resolve(path);
  try {
    startCsvWorkers(threads - 1); // they load their modules while this thread reads the header
    requireFile(file, 'CSV file');
    const delimiter = csvDelimiter(file, options.delimiter);
    const fd = openSync(file, 'r');
    let head = new Uint8Array(1 << 16);
    let filled = 0;
    let size: number;
    try {
      size = statSync(file).size;
      for (;;) {
        if (filled === head.length) {
          const bigger = new Uint8Array(head.length * 2);
          bigger.set(head);
          head = bigger;
        }
        const read = readSync(fd, head, filled, head.length - filled, filled);
        filled += read;
        if (head.subarray(0, filled).includes(10)) break;
        if (read === 0) return undefined; // no line end: at most a header
      }
    } finally {
      closeSync(fd);
    }
    const parsed = parseHeader(file, head.subarray(0, filled), delimiter, options);
    const bodyStart = parsed.bodyStart;
    const layout = text === undefined ? parsed.layout : withTextColumns(parsed.layout, text);
    const float64 = options.dtype === 'float64';
    const checkIds = options.checkDuplicateIds !== false;
    const result = await readCsvParallel(file, bodyStart, size, layout, float64, threads, checkIds, text?.maps);
    if (result === undefined) return undefined;
    const { rows, data, ids, idHashes, textCodes } = result;
    const width = layout.columns.length;
    // A duplicate id: the serial read reports the first one in file order (or an earlier bad line).
    if (ids !== undefined && checkIds && hasDuplicates(ids, idHashes)) return undefined;
    const naNumbers = numericNaValues(options.naValues, float64);
    if (naNumbers.length > 0) {
      const numericOut = text === undefined ? undefined : layout.columns.map((name, k) => (text.columns.has(name) ? -1 : k)).filter((k) => k >= 0);
      maskNaNumbers(data, naNumbers, width, numericOut);
    }
    if (text !== undefined) text.chunkCodes = textCodes;
    const base = { file, columns: [...layout.columns], rows, cols: width, ids, idColumn: layout.idColumn };
    if (float64) return { ...base, dtype: 'float64', data: data as Float64Array };
    return { ...base, dtype: 'float32', matrix: { rows, cols: width, data: data as Float32Array } };
  } catch {
    return undefined;
  }
}

/** NA tokens that are numbers (e.g. -999) match by value, as in pandas (the fast path parses them). */
function numericNaValues(naValues: readonly string[] | undefined, float64: boolean): number[] {
  return (naValues ?? []).filter((t) => NUMERIC_TOKEN.test(t.trim())).map((t) => (float64 ? Number(t) : Math.fround(Number(t))));
}

/** Sets the values equal to one of `naNumbers` to NaN, in every column or only in `numericOut`. */
function maskNaNumbers(data: Float32Array | Float64Array, naNumbers: readonly number[], width: number, numericOut: readonly number[] | undefined): void {
  if (numericOut === undefined || numericOut.length === width) {
    for (let i = 0; i < data.length; i++) if (naNumbers.includes(data[i]!)) data[i] = Number.NaN;
  } else {
    // Text columns hold category indices, not values: only the numeric columns are matched.
    for (let i = 0; i < data.length; i += width) {
      for (const k of numericOut) if (naNumbers.includes(data[i + k]!)) data[i + k] = Number.NaN;
    }
  }
}

export interface CsvBatchOptions extends ReadCsvOptions {
  /** Rows per batch (default 65536). */
  readonly batchRows?: number;
  /** Bytes read per file read (default 8 MiB; grows for longer lines). */
  readonly readBytes?: number;
  readonly signal?: AbortSignal;
}

/** One batch of {@link iterCsvBatches}: data rows `[start, end)` (0-based, header excluded). */
export interface CsvBatch {
  readonly start: number;
  readonly end: number;
  readonly columns: readonly string[];
  readonly ids: string[] | undefined;
  readonly idColumn: string | undefined;
  /** Row-major values: Float32Array for float32 (also as `matrix`), Float64Array for float64. */
  readonly data: Float32Array | Float64Array;
  /** The batch as a float32 matrix (only with dtype float32). */
  readonly matrix: Matrix | undefined;
}

/**
 * The streaming variant of {@link readCsv} for files larger than memory: reads `readBytes` at a time
 * and yields batches of `batchRows` rows with the same parsing, checks and errors (duplicate ids
 * are checked across batches).
 */
export function iterCsvBatches(path: string, options: CsvBatchOptions = {}): AsyncGenerator<CsvBatch, void, undefined> {
  return scanCsvBatches(path, options, undefined);
}

async function* scanCsvBatches(path: string, options: CsvBatchOptions, text: TextColumnsSpec | undefined): AsyncGenerator<CsvBatch, void, undefined> {
  const file = resolve(path);
  requireFile(file, 'CSV file');
  const batchRows = options.batchRows ?? 65536;
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new PipelineError('E_USAGE', `batchRows must be a positive integer, got ${batchRows}`, { file, field: 'batchRows' });
  }
  const delimiter = csvDelimiter(file, options.delimiter);
  const handle = await open(file, 'r');
  try {
    let buffer = new Uint8Array(Math.max(1024, options.readBytes ?? 8 * 1024 * 1024));
    let filled = 0;
    let eof = false;
    const fill = async (): Promise<void> => {
      if (filled === buffer.length) {
        const bigger = new Uint8Array(buffer.length * 2);
        bigger.set(buffer);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      filled += bytesRead;
      if (bytesRead === 0) {
        eof = true;
        if (filled > 0 && buffer[filled - 1] !== 10) {
          if (filled === buffer.length) {
            const bigger = new Uint8Array(buffer.length + 1);
            bigger.set(buffer);
            buffer = bigger;
          }
          buffer[filled++] = 10; // sentinel line end after a last line without one
        }
      }
    };
    // Header: read until the first line is complete.
    let headerEnd = -1;
    while (headerEnd < 0 && !eof) {
      await fill();
      headerEnd = buffer.subarray(0, filled).indexOf(10);
    }
    if (filled === 0) throw emptyFile(file);
    const parsed = parseHeader(file, buffer.subarray(0, filled), delimiter, options);
    const bodyStart = parsed.bodyStart;
    const layout = text === undefined ? parsed.layout : withTextColumns(parsed.layout, text);
    const width = layout.columns.length;
    const numericOut = layout.columns.map((name, k) => (text?.columns.has(name) ? -1 : k)).filter((k) => k >= 0);
    const float64 = options.dtype === 'float64';
    const state: ScanState = { line: 1 };
    const seenIds = options.checkDuplicateIds === false || layout.idColumn === undefined ? undefined : new Map<string, number>();
    let pos = bodyStart;
    let emitted = 0;
    const newSink = (): RowSink => ({
      data: uninitialised(batchRows * width, float64),
      ids: layout.idColumn === undefined ? undefined : [],
      capacity: batchRows,
      rows: 0,
      text: text?.maps,
    });
    let sink = newSink();
    const naNumbers = numericNaValues(options.naValues, float64);
    const finish = (): CsvBatch => {
      const data = sink.rows === batchRows ? sink.data : sink.data.slice(0, sink.rows * width);
      if (naNumbers.length > 0) maskNaNumbers(data, naNumbers, width, numericOut);
      if (seenIds !== undefined && sink.ids !== undefined) checkDuplicateIds(sink.ids, layout, seenIds, emitted);
      const batch: CsvBatch = {
        start: emitted,
        end: emitted + sink.rows,
        columns: layout.columns,
        ids: sink.ids,
        idColumn: layout.idColumn,
        data,
        matrix: float64 ? undefined : { rows: sink.rows, cols: width, data: data as Float32Array },
      };
      emitted += sink.rows;
      sink = newSink();
      return batch;
    };
    for (;;) {
      throwIfAborted(options.signal, `reading ${file}`);
      const complete = buffer.subarray(0, filled).lastIndexOf(10) + 1; // end of the last complete line
      if (pos < complete) {
        try {
          pos = scanRows(buffer, pos, complete, layout, sink, state);
        } catch (error) {
          // Report the first problem in file order, whatever the batch size: a duplicate id among
          // the rows before the bad line comes first.
          if (seenIds !== undefined && sink.ids !== undefined) checkDuplicateIds(sink.ids.slice(0, sink.rows), layout, seenIds, emitted);
          throw error;
        }
      }
      if (sink.rows === batchRows) {
        yield finish();
        continue;
      }
      if (eof) break;
      // Keep the partial last line, read more behind it.
      buffer.copyWithin(0, pos, filled);
      filled -= pos;
      pos = 0;
      await fill();
    }
    if (sink.rows > 0) yield finish();
    if (emitted === 0) throw headerOnly(file);
  } finally {
    await handle.close();
  }
}

/** The layout with the named output columns read as text ({@link TEXT} targets); their maps are created. */
function withTextColumns(layout: CsvLayout, text: TextColumnsSpec): CsvLayout {
  const targets = Int32Array.from(layout.targets, (t) => (t >= 0 && text.columns.has(layout.columns[t]!) ? textTarget(t) : t));
  layout.columns.forEach((name, k) => {
    text.maps[k] = text.columns.has(name) ? new Map() : undefined;
  });
  return { ...layout, targets };
}

function parseHeader(
  file: string,
  bytes: Uint8Array,
  delimiter: string,
  options: LayoutOptions,
): { layout: CsvLayout; bodyStart: number } {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let end = bytes.indexOf(10, start);
  if (end < 0) end = bytes.length;
  const line = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8').replace(/\r$/, '');
  if (line.trim() === '') {
    throw new PipelineError('E_INPUT', 'the first line is empty; expected a header with the column names', {
      file,
      hint: 'remove leading blank lines',
    });
  }
  return { layout: buildLayout(file, line, delimiter, options), bodyStart: Math.min(end + 1, bytes.length) };
}

function checkDuplicateIds(ids: readonly string[], layout: CsvLayout, seen: Map<string, number>, firstRow: number): void {
  ids.forEach((id, k) => {
    const previous = seen.get(id);
    if (previous !== undefined) {
      throw new PipelineError('E_INPUT', `duplicate id '${id}' in data rows ${previous + 1} and ${firstRow + k + 1}`, {
        file: layout.file,
        field: layout.idColumn!,
        hint: 'ids must be unique; remove the repeated rows or choose another id column',
      });
    }
    seen.set(id, firstRow + k);
  });
}

/** Every row a sink keeps is written in full (a partial last batch is sliced), so skip the zero-fill. */
function uninitialised(length: number, float64: boolean): Float32Array | Float64Array {
  const size = float64 ? 8 : 4;
  const bytes = Buffer.allocUnsafeSlow(length * size);
  if (bytes.byteOffset % size !== 0) return float64 ? new Float64Array(length) : new Float32Array(length);
  return float64 ? new Float64Array(bytes.buffer, bytes.byteOffset, length) : new Float32Array(bytes.buffer, bytes.byteOffset, length);
}

function emptyFile(file: string): PipelineError {
  return new PipelineError('E_INPUT', 'CSV file is empty (0 bytes)', { file, hint: 'expected a header line and data rows' });
}

function headerOnly(file: string): PipelineError {
  return new PipelineError('E_INPUT', 'CSV file has a header but no data rows', { file, hint: 'the file needs at least one data row' });
}
