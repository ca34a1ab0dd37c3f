import { readSync } from 'node:fs';
import { IdBytes, scanRows, TEXT, type CsvLayout, type RowSink } from './csv-scanner.js';

const LF = 10;
const CR = 13;

/** One byte range of a CSV body: the lines that start at a file offset in `[from, to)`. */
export interface CsvByteRange {
  /** File descriptor, read with `readSync` at explicit offsets. */
  readonly fd: number;
  /** Where the first data line starts (after the header). */
  readonly bodyStart: number;
  readonly from: number;
  readonly to: number;
}

/**
 * Calls `visit` on the complete lines of a CSV file that start at a byte offset in `[from, to)` (a
 * line starts at `bodyStart` or after a line feed), block by block: `buf[start, end)` holds whole
 * lines, `buf[end - 1]` is a line feed (one is appended after a last line without it, as the serial
 * reader does). The line that crosses `to` belongs to this range; the next range starts after it.
 * Ranges that tile the body therefore split it at line ends, each line in exactly one range,
 * whatever the offsets; a range may hold no line at all. Line feeds always end a line (inside
 * quotes too, which is an error for the scanner, in the serial reader as here).
 *
 * `scratch` is the read buffer (reused across calls; a longer line is read into a bigger copy).
 */
export function forEachLineBlock(range: CsvByteRange, scratch: Uint8Array, visit: (buf: Uint8Array, start: number, end: number) => void): void {
  const { fd, from, to } = range;
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
      if (eof) return;
      base += filled; // a long line: drop what was read, keep looking
      filled = 0;
    }
  } else {
    fill();
  }
  if (base + pos >= to) return;
  for (;;) {
    // Lines starting before `to` end at the first line feed at or after to - 1.
    const last = to - 1 - base;
    const view = buffer.subarray(0, filled);
    let end = -1;
    if (last < filled) {
      const lf = view.indexOf(LF, Math.max(last, pos));
      if (lf >= 0) end = lf + 1;
    }
    const final = end >= 0;
    if (!final) end = view.lastIndexOf(LF) + 1;
    if (pos < end) {
      visit(buffer, pos, end);
      pos = end;
    }
    if (final || eof) return;
    // Keep the partial last line, read more behind it.
    buffer.copyWithin(0, pos, filled);
    filled -= pos;
    base += pos;
    pos = 0;
    fill();
  }
}

/** Rows (lines that are not blank: not just LF or CRLF, which the scanner skips) of a range. */
export function countCsvRows(range: CsvByteRange, scratch: Uint8Array): number {
  let rows = 0;
  forEachLineBlock(range, scratch, (buf, start, end) => {
    const bytes = Buffer.from(buf.buffer, buf.byteOffset, end); // Buffer#indexOf: memchr
    let p = start;
    while (p < end) {
      const lf = bytes.indexOf(LF, p);
      if (lf !== p && !(lf === p + 1 && bytes[p] === CR)) rows++;
      p = lf + 1;
    }
  });
  return rows;
}

/** What {@link parseCsvRows} returns besides the values. */
export interface ParsedCsvRange {
  /** The ids (id column), or `undefined`. */
  readonly ids: string[] | undefined;
  /**
   * Per output column that is a text (categorical) column: its distinct non-missing texts in
   * first-seen order within the range (a cell holds the index into this list); `undefined` when the
   * layout has no text column.
   */
  readonly texts: (string[] | undefined)[] | undefined;
}

/** Per output column, a fresh text → first-seen index map for the layout's text columns; `undefined` when it has none. */
export function textMaps(layout: CsvLayout): (Map<string, number> | undefined)[] | undefined {
  let maps: (Map<string, number> | undefined)[] | undefined;
  for (const target of layout.targets) {
    if (target <= TEXT) {
      maps ??= new Array<Map<string, number> | undefined>(layout.columns.length).fill(undefined);
      maps[TEXT - target] = new Map();
    }
  }
  return maps;
}

/**
 * Parses the rows of a range into `data` (row-major, exactly `rows` rows of the layout's width:
 * what {@link countCsvRows} counted). Text columns hold indices into the range's own first-seen
 * lists (`texts`), which the caller maps to the file's. Throws the scanner's errors (their line
 * numbers are not the file's: callers re-read serially for the message), and an Error when the
 * range does not hold exactly `rows` rows.
 */
export function parseCsvRows(range: CsvByteRange, scratch: Uint8Array, layout: CsvLayout, data: Float32Array | Float64Array, rows: number): ParsedCsvRange {
  const idBytes = layout.idColumn === undefined ? undefined : new IdBytes();
  const text = textMaps(layout);
  const sink: RowSink = { data, ids: undefined, idBytes, capacity: rows, rows: 0, text };
  const state = { line: 0 };
  forEachLineBlock(range, scratch, (buf, start, end) => {
    const stop = scanRows(buf, start, end, layout, sink, state);
    if (stop !== end && !onlyBlankLines(buf, stop, end)) throw new Error('the range holds more rows than counted');
  });
  if (sink.rows !== rows) throw new Error(`the range holds ${sink.rows} rows, ${rows} were counted`);
  return { ids: idBytes?.texts(), texts: text?.map((map) => (map === undefined ? undefined : [...map.keys()])) };
}

/** Whether `buf[start, end)` is only blank lines (what `scanRows` leaves when its sink is full). */
function onlyBlankLines(buf: Uint8Array, start: number, end: number): boolean {
  for (let p = start; p < end; p++) if (buf[p] !== LF && !(buf[p] === CR && buf[p + 1] === LF)) return false;
  return true;
}
