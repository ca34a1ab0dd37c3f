import { PipelineError } from '@pipeline/core';
import { splitCsvLine } from './csv-line.js';
import { eiselLemire } from './eisel-lemire.js';

/** `targets` entry of a column that is not read. */
export const SKIP = -1;
/** `targets` entry of the id column. */
export const ID = -2;
/** `targets` entries ≤ TEXT are text (categorical) columns: output column `TEXT - target`. */
export const TEXT = -3;

/** The `targets` entry of a text column written to output column `out`. */
export function textTarget(out: number): number {
  return TEXT - out;
}

/** How the columns of a numeric CSV map to the output. */
export interface CsvLayout {
  readonly file: string;
  /** Every column name of the header, in file order. */
  readonly header: readonly string[];
  readonly delimiter: string;
  /** Per file column: the output column index (≥ 0), {@link SKIP} or {@link ID}. */
  readonly targets: Int32Array;
  /** Output column names, in output order. */
  readonly columns: readonly string[];
  readonly idColumn: string | undefined;
  /** Cell texts read as missing (NaN): pandas' defaults plus `naValues`. */
  readonly na: ReadonlySet<string>;
}

/** Where scanned rows go: a row-major array with room for `capacity` rows. */
export interface RowSink {
  readonly data: Float32Array | Float64Array;
  readonly ids: string[] | undefined;
  /**
   * Instead of `ids`: the id texts joined by line feeds as UTF-8 bytes (one decode and split for
   * many ids, see {@link IdBytes}). Only for reads that do not report errors from the sink's ids.
   */
  readonly idBytes?: IdBytes | undefined;
  readonly capacity: number;
  /** Complete rows so far (also when `scanRows` throws; `ids` may then hold one more, the bad line's). */
  rows: number;
  /**
   * Per output column that is a text column ({@link TEXT} targets): its distinct non-missing texts,
   * each mapped to its first-seen index, which is what the row's cell holds (NaN: a missing cell).
   * Shared across the sinks of one file.
   */
  readonly text?: readonly (Map<string, number> | undefined)[] | undefined;
}

/** Id texts as UTF-8, each followed by a line feed (ids never hold one): `text()` gives them all. */
export class IdBytes {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;

  /** Appends the id of the field `buf[start, end)`: its bytes as they are when that is its text, else its text. */
  add(buf: Uint8Array, start: number, end: number): void {
    const first = buf[start]!;
    const last = buf[end - 1]!;
    // Printable ASCII at both ends and no opening quote: the text is the bytes (nothing to trim or unquote).
    if (end > start && first > 0x20 && first < 0x7f && first !== QUOTE && last > 0x20 && last < 0x7f) {
      this.append(buf, start, end);
    } else {
      const text = Buffer.from(fieldText(buf, start, end), 'utf8');
      this.append(text, 0, text.length);
    }
  }

  /** The ids, in order. */
  texts(): string[] {
    if (this.length === 0) return [];
    const joined = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length - 1).toString('utf8');
    return joined.split('\n');
  }

  private append(source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.length + n + 1 > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n + 1));
      bigger.set(this.bytes.subarray(0, this.length));
      this.bytes = bigger;
    }
    const bytes = this.bytes;
    let k = this.length;
    for (let i = start; i < end; i++) bytes[k++] = source[i]!;
    bytes[k++] = LF;
    this.length = k;
  }
}

/** Line counter carried across calls (1-based number of the last line consumed; the header is line 1). */
export interface ScanState {
  line: number;
}

/** Which columns to read: see `ReadCsvOptions` in read-csv.ts. */
export interface LayoutOptions {
  readonly idColumn?: string | false | undefined;
  readonly columns?: readonly string[] | undefined;
  readonly dropCols?: readonly string[] | undefined;
  /** Extra cell texts read as missing, besides pandas' defaults ({@link DEFAULT_NA_VALUES}). */
  readonly naValues?: readonly string[] | undefined;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const D0 = 48;
const D9 = 57;
const UPPER_E = 69;
const LOWER_E = 101;
const TWO_53 = 9007199254740992;
const TWO_32 = 4294967296;
const NAN = Number.NaN;
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Digits (sign and point aside) the word-at-a-time path accepts: the integer stays below 10^15 < 2^53. */
const FAST_DIGITS = 15;

// The word-at-a-time fast path of scanRows, on a little-endian 4-byte word w (first byte lowest):
// - leading digits: a byte x is an ASCII digit iff (x & 0x7f) + 0x46 has its high bit clear
//   (x < 0x3a), (x & 0x7f) + 0x50 has it set (x ≥ 0x30) and x itself has it clear; no sum carries
//   into the next byte, so the lowest set high bit of the "not a digit" mask ends the run (0–4);
// - their value: shifted to the top (the bytes left over become leading zeros), then 10·d0 + d1 in
//   each odd byte (× 2561 = 10·256 + 1) and 100·(d0d1) + d2d3 in the top half (× 6553601 = 100·2^16 + 1).

/** pandas' default NA strings (read_csv `na_values`), all read as NaN. */
export const DEFAULT_NA_VALUES: readonly string[] = [
  '',
  '-1.#IND',
  '1.#QNAN',
  '1.#IND',
  '-1.#QNAN',
  '#N/A N/A',
  '#N/A',
  'N/A',
  'n/a',
  'NA',
  '<NA>',
  '#NA',
  'NULL',
  'null',
  'NaN',
  '-NaN',
  'nan',
  '-nan',
  'None',
];
const NA_STRINGS: ReadonlySet<string> = new Set(DEFAULT_NA_VALUES);

/** The missing-value tokens: pandas' defaults plus `extra`. */
export function naSet(extra: readonly string[] | undefined): ReadonlySet<string> {
  return extra === undefined || extra.length === 0 ? NA_STRINGS : new Set([...DEFAULT_NA_VALUES, ...extra]);
}
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses the header line and decides which columns are read, and where they go. */
export function buildLayout(file: string, headerLine: string, delimiter: string, options: LayoutOptions): CsvLayout {
  const header = splitCsvLine(headerLine, delimiter, file, 1).map((name, j) => {
    const trimmed = name.trim();
    return trimmed === '' ? `unnamed_${j}` : trimmed;
  });
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new PipelineError('E_INPUT', `duplicate column name '${name}' (columns ${previous + 1} and ${j + 1} of the header)`, {
        file,
        field: name,
        hint: 'give every column a unique name',
      });
    }
    seen.set(name, j);
  });
  if (header.every((name) => NUMBER.test(name))) {
    throw new PipelineError('E_INPUT', `the first line (${JSON.stringify(headerLine.slice(0, 60))}) looks like data, not a header`, {
      file,
      hint: 'numeric CSV files need a header line with the column names',
    });
  }
  const require = (name: string, option: string): number => {
    const index = seen.get(name);
    if (index === undefined) {
      throw new PipelineError('E_SCHEMA', `column '${name}' is not in the header`, {
        file,
        field: option,
        hint: `columns in the file: ${listNames(header)}`,
      });
    }
    return index;
  };
  let idIndex = -1;
  if (options.idColumn !== false) {
    if (options.idColumn !== undefined) idIndex = require(options.idColumn, 'idColumn');
    else idIndex = seen.get('id') ?? -1;
  }
  const idColumn = idIndex >= 0 ? header[idIndex] : undefined;
  let selected: number[];
  if (options.columns !== undefined) {
    selected = options.columns.map((name) => require(name, 'columns'));
    if (idIndex >= 0 && selected.includes(idIndex)) {
      throw new PipelineError('E_USAGE', `column '${idColumn}' is the id column and cannot also be a feature`, {
        file,
        field: 'columns',
        hint: "remove it from columns, or pass idColumn: false to read it as a number",
      });
    }
    const duplicate = options.columns.find((name, k) => options.columns!.indexOf(name) !== k);
    if (duplicate !== undefined) {
      throw new PipelineError('E_USAGE', `column '${duplicate}' is selected twice`, { file, field: 'columns' });
    }
  } else {
    selected = header.map((_, j) => j).filter((j) => j !== idIndex);
  }
  if (options.dropCols !== undefined) {
    const drop = new Set(options.dropCols.map((name) => require(name, 'dropCols')));
    selected = selected.filter((j) => !drop.has(j));
  }
  const targets = new Int32Array(header.length).fill(SKIP);
  if (idIndex >= 0) targets[idIndex] = ID;
  selected.forEach((j, k) => {
    targets[j] = k;
  });
  return { file, header, delimiter, targets, columns: selected.map((j) => header[j]!), idColumn, na: naSet(options.naValues) };
}

/**
 * Parses the lines of `buf[pos, end)` into `sink` until the lines or the sink's room run out.
 * `buf[end - 1]` must be a line feed (callers append one after a last line without it), so the
 * inner loops need no bounds checks. Returns the position after the last line parsed.
 *
 * Numbers: Clinger's fast path (≤ 2^53 mantissa, |exponent| ≤ 22: one exact multiplication or
 * division, correctly rounded) with `Number()` on the field text as fallback, so values equal a
 * correctly rounded float64 parse (Python's `float()`); float32 output rounds that double.
 */
export function scanRows(buf: Uint8Array, pos: number, end: number, layout: CsvLayout, sink: RowSink, state: ScanState): number {
  const { targets } = layout;
  const delimiter = layout.delimiter.charCodeAt(0);
  const ncols = targets.length;
  const width = layout.columns.length;
  const data = sink.data;
  const ids = sink.ids;
  const idBytes = sink.idBytes;
  let row = sink.rows;
  let p = pos;
  // The fast path reads 4-byte words up to 21 bytes past a field's start (at most 15 digits, a sign
  // and a point); fields closer to the buffer's end take the byte loop.
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const wordLimit = buf.length - 24;
  let value64 = 0;
  while (p < end && row < sink.capacity) {
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
    const base = row * width;
    for (let c = 0; c < ncols; c++) {
      const target = targets[c]!;
      if (target >= 0) {
        cell: {
          fast: if (p <= wordLimit) {
            // Word-at-a-time fast path for [-]digits[.digits] with at most 15 digits, ended by the
            // delimiter or a line end: 4 bytes per DataView read, the run of leading digits found
            // with bit masks, its value with two multiplications (far fewer typed-array reads and
            // branches than the byte loop below). Same value as the byte loop's Clinger path: an
            // integer below 10^15 divided by an exact power of ten, correctly rounded. Anything
            // else (exponent, '+', '.5', quotes, blanks, long mantissas) goes to the byte loop.
            // Written out, not helper calls: TurboFan did not always inline helpers into this big loop.
            let q = p;
            let mask = 0;
            let quad = 0;
            let w = view.getUint32(q, true);
            const minus = (w & 0xff) === MINUS;
            if (minus) w = view.getUint32(++q, true);
            mask = w & 0x7f7f7f7f;
            mask = ((mask + 0x46464646) | ~(mask + 0x50505050) | w) & 0x80808080;
            let n = mask === 0 ? 4 : (31 - Math.clz32(mask & -mask)) >>> 3;
            if (n === 0) break fast;
            quad = Math.imul((w << (32 - 8 * n)) & 0x0f0f0f0f, 2561) >>> 8;
            let mantissa = (Math.imul(quad & 0x00ff00ff, 6553601) >>> 16);
            let count = n;
            q += n;
            while (n === 4) {
              w = view.getUint32(q, true);
              mask = w & 0x7f7f7f7f;
              mask = ((mask + 0x46464646) | ~(mask + 0x50505050) | w) & 0x80808080;
              n = mask === 0 ? 4 : (31 - Math.clz32(mask & -mask)) >>> 3;
              if (n > 0) {
                quad = Math.imul((w << (32 - 8 * n)) & 0x0f0f0f0f, 2561) >>> 8;
                mantissa = mantissa * POW10[n]! + (Math.imul(quad & 0x00ff00ff, 6553601) >>> 16);
                q += n;
                count += n;
              }
              if (count > FAST_DIGITS) break fast;
            }
            b = buf[q]!;
            let scale = 0;
            if (b === DOT) {
              q++;
              do {
                w = view.getUint32(q, true);
                mask = w & 0x7f7f7f7f;
                mask = ((mask + 0x46464646) | ~(mask + 0x50505050) | w) & 0x80808080;
                n = mask === 0 ? 4 : (31 - Math.clz32(mask & -mask)) >>> 3;
                if (n > 0) {
                  quad = Math.imul((w << (32 - 8 * n)) & 0x0f0f0f0f, 2561) >>> 8;
                  mantissa = mantissa * POW10[n]! + (Math.imul(quad & 0x00ff00ff, 6553601) >>> 16);
                  q += n;
                  scale += n;
                }
                if (count + scale > FAST_DIGITS) break fast;
              } while (n === 4);
              b = buf[q]!;
            }
            if (b !== delimiter && b !== LF && b !== CR) break fast;
            const magnitude = mantissa / POW10[scale]!;
            data[base + target] = minus ? -magnitude : magnitude;
            p = q;
            break cell;
          }
          let q = p;
          b = buf[q]!;
          let negative = false;
          if (b === MINUS) {
            negative = true;
            b = buf[++q]!;
          } else if (b === PLUS) {
            b = buf[++q]!;
          }
          // Digits: leading zeros skipped, then up to 9 significant digits accumulate exactly in an
          // int32 (short dependency chain); longer mantissas are re-read below as a double.
          const intStart = q;
          while (b === D0) b = buf[++q]!;
          const sigStart = q;
          let small = 0;
          let d = b - D0;
          while (d >= 0 && d <= 9) {
            small = (small * 10 + d) | 0;
            d = buf[++q]! - D0;
          }
          let significant = q - sigStart;
          let digits = q - intStart;
          let exponent = 0;
          if (d === DOT - D0) {
            const fractionStart = ++q;
            b = buf[q]!;
            if (significant === 0) while (b === D0) b = buf[++q]!; // 0.000123: zeros before the first significant digit
            const fractionSignificant = q;
            d = b - D0;
            while (d >= 0 && d <= 9) {
              small = (small * 10 + d) | 0;
              d = buf[++q]! - D0;
            }
            significant += q - fractionSignificant;
            exponent = fractionStart - q;
            digits += q - fractionStart;
          }
          b = d + D0;
          let mantissa = small;
          // The significand as an exact uint64 in two uint32 halves (for Eisel–Lemire), up to 19 digits.
          let wHigh = 0;
          let wLow = small;
          if (significant > 9) {
            if (significant <= 19) {
              wLow = 0;
              for (let k = sigStart; k < q; k++) {
                const v = buf[k]! - D0;
                if (v >= 0 && v <= 9) {
                  // skips the point
                  const low = wLow * 10 + v;
                  wLow = low >>> 0;
                  wHigh = wHigh * 10 + Math.floor(low / TWO_32);
                }
              }
              mantissa = wHigh * TWO_32 + wLow; // exact below 2^53, which is all the Clinger test below needs
            } else {
              mantissa = Number.POSITIVE_INFINITY; // > 19 digits: Number() on the text
            }
          }
          let exponentExact = true;
          if ((b === LOWER_E || b === UPPER_E) && digits > 0) {
            let r = q + 1;
            let e = buf[r]!;
            let negativeExponent = false;
            if (e === MINUS) {
              negativeExponent = true;
              e = buf[++r]!;
            } else if (e === PLUS) {
              e = buf[++r]!;
            }
            let value = 0;
            let exponentDigits = 0;
            while (e >= D0 && e <= D9) {
              if (value < 100000) value = value * 10 + (e - D0);
              exponentDigits++;
              e = buf[++r]!;
            }
            if (exponentDigits === 0) digits = -1; // "1e" or "1e+": not a number; the slow path reports it
            if (value >= 100000) exponentExact = false; // digits past 10^5 were not added: Number() on the text
            exponent += negativeExponent ? -value : value;
            q = r;
            b = e;
          }
          const ended = b === delimiter || b === LF || b === CR;
          if (ended && digits > 0 && mantissa < TWO_53 && exponent >= -22 && exponent <= 22) {
            const magnitude = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
            data[base + target] = negative ? -magnitude : magnitude;
            p = q;
          } else if (ended && digits > 0 && significant <= 19 && exponentExact && (value64 = eiselLemire(wHigh, wLow, exponent, negative)) === value64) {
            // 16–19 significant digits or a power of ten beyond 10^22 (NaN: undecided, falls through to Number()).
            data[base + target] = value64;
            p = q;
          } else if (ended && q === p) {
            data[base + target] = NAN; // empty cell
          } else {
            const fieldEnd = findFieldEnd(buf, p, delimiter, layout, state);
            data[base + target] = parseSlow(buf, p, fieldEnd, layout, c, state);
            p = fieldEnd;
          }
        }
      } else {
        const fieldEnd = findFieldEnd(buf, p, delimiter, layout, state);
        if (target === ID) {
          if (idBytes !== undefined) idBytes.add(buf, p, fieldEnd);
          else ids?.push(fieldText(buf, p, fieldEnd));
        }
        else if (target <= TEXT) {
          // A categorical cell: interned, written as its first-seen index (same pass as the numbers).
          const out = TEXT - target;
          const text = fieldText(buf, p, fieldEnd);
          if (layout.na.has(text)) data[base + out] = NAN;
          else {
            const map = sink.text![out]!;
            let code = map.get(text);
            if (code === undefined) {
              code = map.size;
              if (code >= MAX_TEXT_CODES) throw tooManyCategories(layout, c);
              map.set(text, code);
            }
            data[base + out] = code;
          }
        }
        p = fieldEnd;
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
    sink.rows = ++row; // kept current, so after a throw it counts the rows completed before the bad line
  }
  return p;
}

/** Distinct texts a column may hold: codes stay exact in float32 below 2^24. */
const MAX_TEXT_CODES = 1 << 24;

function tooManyCategories(layout: CsvLayout, column: number): PipelineError {
  const name = layout.header[column]!;
  return new PipelineError('E_INPUT', `categorical column '${name}' has more than ${MAX_TEXT_CODES} distinct values`, {
    file: layout.file,
    field: name,
    hint: `drop it (dropCols: ['${name}']) or make it the id column`,
  });
}

/** End of the field starting at `p` (at the delimiter, CR or LF after it), honouring quotes. */
function findFieldEnd(buf: Uint8Array, p: number, delimiter: number, layout: CsvLayout, state: ScanState): number {
  let q = p;
  if (buf[q] === QUOTE) {
    q++;
    for (;;) {
      const b = buf[q]!;
      if (b === LF) {
        throw new PipelineError('E_INPUT', `line ${state.line} has a quoted field that does not close before the line ends`, {
          file: layout.file,
          hint: 'close the quote; line breaks inside quoted fields are not supported in numeric CSVs',
        });
      }
      if (b === QUOTE) {
        if (buf[q + 1] === QUOTE) q += 2;
        else {
          q++;
          break;
        }
      } else q++;
    }
  }
  for (;;) {
    const b = buf[q]!;
    if (b === delimiter || b === LF || b === CR) return q;
    q++;
  }
}

/** The field's text: quotes removed (`""` → `"`), surrounding blanks trimmed. */
function fieldText(buf: Uint8Array, start: number, end: number): string {
  let text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
  if (text.includes('"')) {
    const trimmed = text.trim();
    if (trimmed.startsWith('"')) {
      const close = trimmed.lastIndexOf('"');
      text = trimmed.slice(1, close > 0 ? close : undefined).replaceAll('""', '"') + (close > 0 ? trimmed.slice(close + 1) : '');
    }
  }
  return text.trim();
}

function parseSlow(buf: Uint8Array, start: number, end: number, layout: CsvLayout, column: number, state: ScanState): number {
  const text = fieldText(buf, start, end);
  if (NUMBER.test(text)) return Number(text);
  if (layout.na.has(text)) return Number.NaN;
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  const name = layout.header[column]!;
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  throw new PipelineError('E_INPUT', `line ${state.line}, column '${name}': ${JSON.stringify(shown)} is not a number`, {
    file: layout.file,
    field: name,
    hint: `fix the cell, drop the column (dropCols: ['${name}']) or make it the id column (idColumn: '${name}')`,
  });
}

export function raggedError(buf: Uint8Array, lineStart: number, delimiter: number, layout: CsvLayout, state: ScanState): PipelineError {
  let lineEnd = lineStart;
  while (buf[lineEnd] !== LF) lineEnd++;
  const text = Buffer.from(buf.buffer, buf.byteOffset + lineStart, lineEnd - lineStart).toString('utf8').replace(/\r$/, '');
  const fields = splitCsvLine(text, String.fromCharCode(delimiter), layout.file, state.line).length;
  const expected = layout.header.length;
  if (fields === expected) {
    return new PipelineError('E_INPUT', `line ${state.line} has a stray carriage return or quote`, {
      file: layout.file,
      hint: 'lines must end with LF or CRLF; quoted fields must close before the next delimiter',
    });
  }
  return new PipelineError('E_INPUT', `line ${state.line} has ${fields} fields but the header has ${expected}`, {
    file: layout.file,
    // Fewer fields: the first column left without a value.
    ...(fields < expected ? { field: layout.header[fields]! } : {}),
    hint: 'every row needs one value per header column (write an empty cell for a missing value)',
  });
}

/** The text of a field as the readers see it: quotes removed (`""` → `"`), blanks trimmed. */
export const csvFieldText = fieldText;

export function listNames(names: readonly string[], limit = 20): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown}, … (${names.length} in all)` : shown;
}
