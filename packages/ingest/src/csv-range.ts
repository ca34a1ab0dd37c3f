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

/** The complete lines of a byte range, read into one buffer: `buf[start, end)`, `buf[end - 1]` a line feed (or `start === end`). */
export interface CsvLineBlock {
  readonly buf: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** Extra bytes read past a range's end, for the line that crosses it (more is read when it is longer). */
const TAIL_BYTES = 1 << 16;

/**
 * Reads the complete lines of a CSV file that start at a byte offset in `[from, to)` (a line starts
 * at `bodyStart` or after a line feed) into one buffer, with one read in the usual case. A line feed
 * is appended after a last line without one, as the serial reader does. The line that crosses `to`
 * belongs to this range; the next range starts after it. Ranges that tile the body therefore split
 * it at line ends, each line in exactly one range, whatever the offsets; a range may hold no line
 * at all. Line feeds always end a line (inside quotes too, which is an error for the scanner, in the
 * serial reader as here).
 *
 * `holder.buffer` is the read buffer, reused across calls and replaced by a bigger one when the
 * range (or a line) needs it.
 */
export function readRangeLines(range: CsvByteRange, holder: { buffer: Uint8Array }): CsvLineBlock {
  const { fd, from, to } = range;
  /** File offset of buffer[0]. */
  const base = from > range.bodyStart ? from - 1 : from;
  const want = to - base + TAIL_BYTES + 1;
  if (holder.buffer.length < want) holder.buffer = new Uint8Array(want + (want >> 3));
  let buffer = holder.buffer;
  let filled = 0;
  let eof = false;
  const fill = (): void => {
    if (filled === buffer.length) {
      const bigger = new Uint8Array(buffer.length * 2);
      bigger.set(buffer);
      holder.buffer = buffer = bigger;
    }
    const read = readSync(fd, buffer, filled, buffer.length - filled, base + filled);
    filled += read;
    if (read === 0) {
      eof = true;
      if (filled > 0 && buffer[filled - 1] !== LF) {
        if (filled === buffer.length) {
          const bigger = new Uint8Array(buffer.length + 1);
          bigger.set(buffer);
          holder.buffer = buffer = bigger;
        }
        buffer[filled++] = LF; // the serial reader's sentinel after a last line without one
      }
    }
  };
  const lineFeed = (at: number): number => Buffer.from(buffer.buffer, buffer.byteOffset, filled).indexOf(LF, at); // memchr
  fill();
  // The first line start at or after `from`: after the first line feed at or after from - 1.
  let start = 0;
  if (from > range.bodyStart) {
    for (;;) {
      const lf = lineFeed(start);
      if (lf >= 0) {
        start = lf + 1;
        break;
      }
      if (eof) return { buf: buffer, start: 0, end: 0 };
      start = filled;
      fill();
    }
  }
  if (base + start >= to) return { buf: buffer, start: 0, end: 0 };
  // Lines starting before `to` end at the first line feed at or after to - 1.
  for (;;) {
    const last = Math.max(to - 1 - base, start);
    if (last < filled) {
      const lf = lineFeed(last);
      if (lf >= 0) return { buf: buffer, start, end: lf + 1 };
    }
    if (eof) return { buf: buffer, start, end: filled }; // (unreachable: the sentinel ends the last line)
    fill();
  }
}

/** Rows (lines that are not blank: not just LF or CRLF, which the scanner skips) of a line block. */
export function countRows(block: CsvLineBlock): number {
  const { buf, start, end } = block;
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, end); // Buffer#indexOf: memchr
  let rows = 0;
  let p = start;
  while (p < end) {
    const lf = bytes.indexOf(LF, p);
    if (lf !== p && !(lf === p + 1 && bytes[p] === CR)) rows++;
    p = lf + 1;
  }
  return rows;
}

/** What {@link parseRows} returns besides the values. */
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
 * Parses the rows of a line block into `data` (row-major, exactly `rows` rows of the layout's
 * width: what {@link countRows} counted). Text columns hold indices into the block's own first-seen
 * lists (`texts`), which the caller maps to the file's. Throws the scanner's errors (their line
 * numbers are not the file's: callers re-read serially for the message), and an Error when the
 * block does not hold exactly `rows` rows.
 */
export function parseRows(block: CsvLineBlock, layout: CsvLayout, data: Float32Array | Float64Array, rows: number): ParsedCsvRange {
  const { buf, start, end } = block;
  const idBytes = layout.idColumn === undefined ? undefined : new IdBytes();
  const text = textMaps(layout);
  const sink: RowSink = { data, ids: undefined, idBytes, capacity: rows, rows: 0, text };
  if (start < end) {
    const stop = scanRows(buf, start, end, layout, sink, { line: 0 });
    if (stop !== end && !onlyBlankLines(buf, stop, end)) throw new Error('the range holds more rows than counted');
  }
  if (sink.rows !== rows) throw new Error(`the range holds ${sink.rows} rows, ${rows} were counted`);
  return { ids: idBytes?.texts(), texts: text?.map((map) => (map === undefined ? undefined : [...map.keys()])) };
}

/** Whether `buf[start, end)` is only blank lines (what `scanRows` leaves when its sink is full). */
function onlyBlankLines(buf: Uint8Array, start: number, end: number): boolean {
  for (let p = start; p < end; p++) if (buf[p] !== LF && !(buf[p] === CR && buf[p + 1] === LF)) return false;
  return true;
}
