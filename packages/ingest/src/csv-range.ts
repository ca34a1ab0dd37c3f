import { readSync } from 'node:fs';
import { scanRows, type CsvLayout, type RowSink } from './csv-scanner.js';

const LF = 10;

/** What {@link scanCsvRange} parsed: `rows` rows in batches of `batchRows` rows (the last one partly filled). */
export interface CsvRangeResult {
  readonly rows: number;
  readonly batchRows: number;
  /** Row-major batches; batch `b` holds rows `b * batchRows …`, only the first `rows - b * batchRows` of the last are set. */
  readonly batches: (Float32Array | Float64Array)[];
  readonly ids: string[] | undefined;
}

/** One byte range of a CSV body to parse: the lines that start at a file offset in `[from, to)`. */
export interface CsvRange {
  /** File descriptor, read with `readSync` at explicit offsets. */
  readonly fd: number;
  /** Where the first data line starts (after the header). */
  readonly bodyStart: number;
  readonly from: number;
  readonly to: number;
  readonly layout: CsvLayout;
  readonly float64: boolean;
  readonly batchRows: number;
}

/**
 * Parses the lines of a CSV file that start at a byte offset in `[from, to)` (a line starts at
 * `bodyStart` or after a line feed), reading the file in blocks: the line that crosses `to` belongs
 * to this range, the next range starts after it. Ranges that tile the body therefore split it at
 * line ends, each line in exactly one range, whatever the offsets; a range may hold no line at all.
 * Same scanner as the serial reader (line feeds always end a line, inside quotes too, which is an
 * error there as here). Throws the scanner's errors; their line numbers are not the file's (callers
 * re-read the file serially for the message).
 */
export function scanCsvRange(range: CsvRange, scratch: Uint8Array): CsvRangeResult {
  const { fd, from, to, layout, float64, batchRows } = range;
  const width = layout.columns.length;
  let buffer = scratch;
  /** File offset of buffer[0]. */
  let base = from > range.bodyStart ? from - 1 : from;
  let filled = 0;
  let eof = false;
  const fill = (): void => {
    if (filled === buffer.length) {
      const bigger = new Uint8Array(buffer.length * 2);
      bigger.set(buffer);
      buffer = bigger;
    }
    const read = readSync(fd, buffer, filled, buffer.length - filled, base + filled);
    filled += read;
    if (read === 0) {
      eof = true;
      if (filled > 0 && buffer[filled - 1] !== LF) {
        if (filled === buffer.length) {
          const bigger = new Uint8Array(buffer.length + 1);
          bigger.set(buffer);
          buffer = bigger;
        }
        buffer[filled++] = LF; // the serial reader's sentinel after a last line without one
      }
    }
  };
  const batches: (Float32Array | Float64Array)[] = [];
  const ids: string[] | undefined = layout.idColumn === undefined ? undefined : [];
  const newSink = (): RowSink => {
    const data = float64 ? new Float64Array(batchRows * width) : new Float32Array(batchRows * width);
    batches.push(data);
    return { data, ids, capacity: batchRows, rows: 0 };
  };
  const empty: CsvRangeResult = { rows: 0, batchRows, batches: [], ids };
  // The first line start at or after `from`: after the first line feed at or after from - 1.
  let pos = 0;
  if (from > range.bodyStart) {
    for (;;) {
      fill();
      const lf = buffer.subarray(0, filled).indexOf(LF);
      if (lf >= 0) {
        pos = lf + 1;
        break;
      }
      if (eof) return empty;
      base += filled; // a long line: drop what was read, keep looking
      filled = 0;
    }
  } else {
    fill();
  }
  if (base + pos >= to) return empty;
  let sink = newSink();
  const state = { line: 0 };
  for (;;) {
    // Lines starting before `to` end at the first line feed at or after to - 1.
    const last = to - 1 - base;
    let end: number;
    let final = false;
    if (last < filled) {
      const lf = buffer.subarray(0, filled).indexOf(LF, Math.max(last, pos));
      if (lf >= 0) {
        end = lf + 1;
        final = true;
      } else end = buffer.subarray(0, filled).lastIndexOf(LF) + 1;
    } else end = buffer.subarray(0, filled).lastIndexOf(LF) + 1;
    if (pos < end) {
      pos = scanRows(buffer, pos, end, layout, sink, state);
      if (sink.rows === batchRows && pos < end) {
        sink = newSink();
        continue;
      }
      if (sink.rows === batchRows) sink = newSink();
    }
    if (final || eof) break;
    // Keep the partial last line, read more behind it.
    buffer.copyWithin(0, pos, filled);
    filled -= pos;
    base += pos;
    pos = 0;
    fill();
  }
  const rows = (batches.length - 1) * batchRows + sink.rows;
  if (sink.rows === 0) batches.pop();
  return { rows, batchRows, batches, ids };
}
