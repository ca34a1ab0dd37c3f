import { readFile } from 'node:fs/promises';
import { PipelineError } from '@pipeline/core';

/** A CSV read as text: header names and rows of cells (quoted fields, `""` escapes). */
export interface TextCsv {
  readonly file: string;
  readonly header: readonly string[];
  /** Data rows; `line` is the 1-based line number in the file. */
  readonly rows: ReadonlyArray<{ readonly line: number; readonly cells: readonly string[] }>;
}

/** Reads a small comma-separated text table (labels, split files). */
export async function readTextCsv(file: string, bytes?: Uint8Array): Promise<TextCsv> {
  let text: string;
  try {
    text = bytes === undefined ? await readFile(file, 'utf8') : new TextDecoder().decode(bytes);
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', `cannot read ${file}`, { file, cause });
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitLine(lines[0] ?? '', file, 1).map((h) => h.trim());
  if (header.length === 0 || header.every((h) => h === '')) throw new PipelineError('E_INPUT', `${file} has no header line`, { file });
  const rows: Array<{ line: number; cells: string[] }> = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    rows.push({ line: i + 1, cells: splitLine(lines[i]!, file, i + 1) });
  }
  return { file, header, rows };
}

/** The index of a column, or `E_INPUT` naming the file, the column and the columns there are. */
export function columnIndex(csv: TextCsv, name: string, field: string): number {
  const index = csv.header.indexOf(name);
  if (index < 0) {
    throw new PipelineError('E_INPUT', `${csv.file} has no column '${name}' (columns: ${csv.header.join(', ')})`, {
      file: csv.file,
      field,
      hint: `set ${field} to one of the file's columns`,
    });
  }
  return index;
}

function splitLine(line: string, file: string, lineNumber: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw new PipelineError('E_INPUT', `${file}, line ${lineNumber}: unterminated quoted field`, { file, field: `line ${lineNumber}` });
  fields.push(field);
  return fields;
}
