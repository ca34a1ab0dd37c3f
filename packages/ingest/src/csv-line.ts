import { PipelineError } from '@pipeline/core';

/**
 * Splits one CSV line (no line break inside) into fields, RFC 4180 style: fields may be quoted with
 * `"`, a quote inside a quoted field is written `""`. Used for headers and label files; numeric
 * bodies go through the byte scanner. Throws `E_INPUT` for an unterminated quote.
 */
export function splitCsvLine(line: string, delimiter: string, file: string, lineNumber: number): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) {
          throw new PipelineError('E_INPUT', `line ${lineNumber} has an unterminated quoted field`, {
            file,
            hint: 'close the quote; fields with line breaks inside quotes are not supported',
          });
        }
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      // Text between the closing quote and the delimiter is kept (lenient, like pandas).
      const next = line.indexOf(delimiter, i);
      value += next < 0 ? line.slice(i) : line.slice(i, next);
      fields.push(value);
      if (next < 0) return fields;
      i = next + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

/** The delimiter of a file: the option, else tab for `.tsv`/`.tab`, else comma. */
export function csvDelimiter(path: string, option: string | undefined): string {
  if (option !== undefined) {
    if (option.length !== 1 || option === '"' || option === '\n' || option === '\r') {
      throw new PipelineError('E_USAGE', `delimiter must be one character other than a quote or line break, got ${JSON.stringify(option)}`, {
        field: 'delimiter',
      });
    }
    return option;
  }
  return /\.(tsv|tab)$/i.test(path) ? '\t' : ',';
}
