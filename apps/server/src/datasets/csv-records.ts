/**
 * Streams the records of a CSV file (RFC 4180: quoted fields with `""` escapes and embedded commas
 * or newlines; `\n` or `\r\n` line ends). Yields each record as an array of strings with its
 * 1-based line number.
 */
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

export async function* csvRecords(file: string): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  let pendingCr = false;
  let sawAny = false;
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
  for await (const chunk of stream as AsyncIterable<string>) {
    const out: CsvRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const char = chunk[i]!;
      if (pendingCr) {
        pendingCr = false;
        if (char === '\n') continue;
      }
      if (quoted) {
        if (char === '"') {
          if (chunk[i + 1] === '"') {
            field += '"';
            i++;
          } else if (i + 1 === chunk.length) {
            // a quote at the end of a chunk: decide with the next chunk
            quoted = false;
            afterQuote = true;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (char === '\n') line++;
          field += char;
        }
        continue;
      }
      if (afterQuote && char === '"') {
        // `""` split across chunks inside a quoted field
        field += '"';
        quoted = true;
        afterQuote = false;
        continue;
      }
      afterQuote = false;
      if (char === ',') {
        fields.push(field);
        field = '';
        sawAny = true;
      } else if (char === '\n' || char === '\r') {
        fields.push(field);
        out.push({ fields, line: recordLine });
        fields = [];
        field = '';
        sawAny = false;
        line++;
        recordLine = line;
        pendingCr = char === '\r';
      } else if (char === '"' && field === '') {
        quoted = true;
        sawAny = true;
      } else {
        field += char;
        sawAny = true;
      }
    }
    yield* out;
  }
  if (sawAny || field !== '' || fields.length > 0) {
    fields.push(field);
    yield { fields, line: recordLine };
  }
}
