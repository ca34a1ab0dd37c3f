/** Parses a small CSV text (a predict request) into rows keyed by the header's column names. */
import { HttpError } from '../http/http-error.js';

export function parseCsvText(text: string, maxRows: number): Record<string, string>[] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let touched = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += char;
      continue;
    }
    if (char === '"' && field === '') {
      quoted = true;
      touched = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      touched = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (touched || field !== '') records.push(fields);
      fields = [];
      field = '';
      touched = false;
    } else {
      field += char;
      touched = true;
    }
  }
  if (touched || field !== '') {
    fields.push(field);
    records.push(fields);
  }
  const header = records.shift();
  if (header === undefined) throw new HttpError(422, 'invalid_input', 'the CSV is empty: a header line and rows are expected');
  if (records.length > maxRows) throw new HttpError(413, 'too_many_rows', `at most ${maxRows} rows per predict request`, { limit: maxRows });
  const names = header.map((name) => name.trim());
  return records.map((record, index) => {
    if (record.length !== names.length) {
      throw new HttpError(422, 'invalid_input', `line ${index + 2} has ${record.length} fields; the header has ${names.length}`, { line: index + 2 });
    }
    const row: Record<string, string> = {};
    names.forEach((name, column) => (row[name] = record[column]!));
    return row;
  });
}
