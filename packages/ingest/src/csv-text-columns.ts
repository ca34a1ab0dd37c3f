import { PipelineError } from '@pipeline/core';
import { ID, csvFieldText, raggedError, type CsvLayout, type ScanState } from './csv-scanner.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Text columns read by {@link scanTextColumns}: per column, a code per row in first-seen order. */
export interface TextColumns {
  readonly rows: number;
  /** Per wanted column: per row the index into `seen` of its text, or -1 for a missing cell. */
  readonly codes: Int32Array[];
  /** Per wanted column: the distinct non-missing texts in first-seen order. */
  readonly seen: string[][];
  /** Row ids, when the layout has an id column and `ids` was asked for. */
  readonly ids: string[] | undefined;
}

/**
 * Reads the cells of some columns of a whole CSV body as text (RFC 4180: quoted fields may hold the
 * delimiter and `""`; no line breaks inside quotes, as in the numeric scanner), interning each
 * column's texts. Blank lines are skipped and every row's field count is checked, exactly as the
 * numeric scanner does, so both give the same rows. `buf` must end with a line feed.
 *
 * `wanted[c]` is the output slot of file column `c` (≥ 0) or -1; the layout's NA set marks missing cells.
 */
export function scanTextColumns(buf: Uint8Array, bodyStart: number, layout: CsvLayout, wanted: Int32Array, outputs: number, ids: boolean): TextColumns {
  const delimiter = layout.delimiter.charCodeAt(0);
  const ncols = layout.header.length;
  const idIndex = ids && layout.idColumn !== undefined ? layout.targets.indexOf(ID) : -1;
  const maps = Array.from({ length: outputs }, () => new Map<string, number>());
  let capacity = 1024;
  let codes = Array.from({ length: outputs }, () => new Int32Array(capacity));
  const idList: string[] | undefined = idIndex >= 0 ? [] : undefined;
  const state: ScanState = { line: 1 };
  const end = buf.length;
  let row = 0;
  let p = bodyStart;
  while (p < end) {
    const lineStart = p;
    state.line++;
    let b = buf[p]!;
    if (b === LF) {
      p++;
      continue;
    }
    if (b === CR && buf[p + 1] === LF) {
      p += 2;
      continue;
    }
    if (row === capacity) {
      capacity *= 2;
      codes = codes.map((c) => {
        const bigger = new Int32Array(capacity);
        bigger.set(c);
        return bigger;
      });
    }
    for (let c = 0; c < ncols; c++) {
      const start = p;
      if (buf[p] === QUOTE) {
        p++;
        for (;;) {
          b = buf[p]!;
          if (b === LF) {
            throw new PipelineError('E_INPUT', `line ${state.line} has a quoted field that does not close before the line ends`, {
              file: layout.file,
              hint: 'close the quote; line breaks inside quoted fields are not supported',
            });
          }
          p++;
          if (b === QUOTE) {
            if (buf[p] === QUOTE) p++;
            else break;
          }
        }
      }
      for (;;) {
        b = buf[p]!;
        if (b === delimiter || b === LF || b === CR) break;
        p++;
      }
      const k = wanted[c]!;
      if (k >= 0) {
        const text = csvFieldText(buf, start, p);
        let code = -1;
        if (!layout.na.has(text)) {
          const map = maps[k]!;
          code = map.get(text) ?? -1;
          if (code < 0) {
            code = map.size;
            map.set(text, code);
          }
        }
        codes[k]![row] = code;
      } else if (c === idIndex) {
        idList!.push(csvFieldText(buf, start, p));
      }
      if (c < ncols - 1) {
        if (buf[p] !== delimiter) throw raggedError(buf, lineStart, delimiter, layout, state);
        p++;
      }
    }
    b = buf[p]!;
    if (b === CR) b = buf[++p]!;
    if (b !== LF) throw raggedError(buf, lineStart, delimiter, layout, state);
    p++;
    row++;
  }
  return { rows: row, codes: codes.map((c) => c.subarray(0, row)), seen: maps.map((m) => [...m.keys()]), ids: idList };
}
