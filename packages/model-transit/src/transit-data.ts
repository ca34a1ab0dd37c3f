import { readFile } from 'node:fs/promises';
import { PipelineError } from '@pipeline/core';

/** The seed's three classes, in the order of the `label` head's softmax columns. */
export const TRANSIT_CLASSES = Object.freeze(['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE'] as const);
export type TransitClass = (typeof TRANSIT_CLASSES)[number];

/** Columns the transit curve is synthesized from. */
export const TRANSIT_CURVE_COLUMNS = Object.freeze(['period', 'duration', 'depth'] as const);
/** Columns of the dense (stellar / fit quality) branch, standardized on the training rows. */
export const TRANSIT_FEATURE_COLUMNS = Object.freeze(['impact', 'snr', 'steff', 'srad', 'slogg', 'tmag'] as const);
/** The seed's CSV columns, in order. */
export const TRANSIT_COLUMNS = Object.freeze([...TRANSIT_CURVE_COLUMNS, ...TRANSIT_FEATURE_COLUMNS, 'label'] as const);

export type TransitFeatureColumn = (typeof TRANSIT_CURVE_COLUMNS)[number] | (typeof TRANSIT_FEATURE_COLUMNS)[number];

/** One object of interest without its label: what `predict` takes. */
export type TransitFeatures = { readonly [K in TransitFeatureColumn]: number };

/** One labelled object of interest: what `fit` takes (a row of the seed's CSV). */
export interface TransitRecord extends TransitFeatures {
  readonly label: TransitClass;
}

/** A row as clients send it: column name → number, numeric string or null. */
export type LooseRow = Readonly<Record<string, unknown>>;

/**
 * Checks and converts loose rows (JSON objects or parsed CSV cells) to {@link TransitFeatures}:
 * every feature column present and a finite number (numeric strings accepted), `period` and
 * `duration` > 0, `depth` ≥ 0. Errors are `E_INPUT` naming the row and the column.
 */
export function toTransitFeatures(rows: readonly LooseRow[], source?: string): TransitFeatures[] {
  return rows.map((row, index) => featuresOf(row, index, source));
}

/** Like {@link toTransitFeatures}, plus a `label` that must be one of {@link TRANSIT_CLASSES}. */
export function toTransitRecords(rows: readonly LooseRow[], source?: string): TransitRecord[] {
  return rows.map((row, index) => {
    const label = typeof row.label === 'string' ? row.label.trim() : row.label;
    if (typeof label !== 'string' || !(TRANSIT_CLASSES as readonly string[]).includes(label)) {
      throw new PipelineError('E_INPUT', `row ${index + 1}: label ${JSON.stringify(row.label ?? null)} is not one of ${TRANSIT_CLASSES.join(', ')}`, {
        ...(source === undefined ? {} : { file: source }),
        field: 'label',
        hint: 'use the seed\'s labels: CANDIDATE, CONFIRMED or FALSE POSITIVE',
      });
    }
    return { ...featuresOf(row, index, source), label: label as TransitClass };
  });
}

function featuresOf(row: LooseRow, index: number, source: string | undefined): TransitFeatures {
  const out: Record<string, number> = {};
  for (const column of [...TRANSIT_CURVE_COLUMNS, ...TRANSIT_FEATURE_COLUMNS]) {
    const raw = row[column];
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    const where = { ...(source === undefined ? {} : { file: source }), field: column };
    if (!Number.isFinite(value)) {
      throw new PipelineError('E_INPUT', `row ${index + 1}: ${column} is ${raw === undefined ? 'missing' : `${JSON.stringify(raw)}, not a finite number`}`, {
        ...where,
        hint: `every row needs numeric ${[...TRANSIT_CURVE_COLUMNS, ...TRANSIT_FEATURE_COLUMNS].join(', ')}`,
      });
    }
    if ((column === 'period' || column === 'duration') && !(value > 0)) {
      throw new PipelineError('E_INPUT', `row ${index + 1}: ${column} must be > 0, got ${value}`, where);
    }
    if (column === 'depth' && value < 0) throw new PipelineError('E_INPUT', `row ${index + 1}: depth must be ≥ 0 ppm, got ${value}`, where);
    out[column] = value;
  }
  return out as TransitFeatures;
}

/**
 * Parses CSV text with a header row into loose rows (column → cell text). RFC 4180 quoting
 * (`"a,b"`, `""` for a quote), `\n` or `\r\n` line ends, blank lines skipped. Ragged rows are
 * `E_INPUT` naming the line.
 */
export function parseCsvRows(text: string, source?: string): Record<string, string>[] {
  const records = splitCsv(text);
  const header = records.shift();
  const where = source === undefined ? {} : { file: source };
  if (header === undefined) throw new PipelineError('E_INPUT', 'the CSV is empty', { ...where, hint: 'the first line must name the columns' });
  const names = header.cells.map((name) => name.trim());
  return records.map(({ cells, line }) => {
    if (cells.length !== names.length) {
      throw new PipelineError('E_INPUT', `line ${line} has ${cells.length} fields, the header has ${names.length}`, where);
    }
    return Object.fromEntries(names.map((name, k) => [name, cells[k]!]));
  });
}

/** Reads a CSV in the seed's column format into records (see {@link toTransitRecords}). */
export async function readTransitCsv(path: string): Promise<TransitRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'transit CSV not found', { file: path, cause });
  }
  const rows = parseCsvRows(text, path);
  const first = rows[0];
  if (first !== undefined) {
    const missing = TRANSIT_COLUMNS.filter((column) => !(column in first));
    if (missing.length > 0) {
      throw new PipelineError('E_INPUT', `missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, {
        file: path,
        field: missing[0]!,
        hint: `the transit CSV needs ${TRANSIT_COLUMNS.join(', ')}`,
      });
    }
  }
  return toTransitRecords(rows, path);
}

/** The seed's CSV text for records (header + one line per record, `\n` line ends). */
export function formatTransitCsv(records: readonly TransitRecord[]): string {
  const lines = [TRANSIT_COLUMNS.join(',')];
  for (const r of records) {
    lines.push(
      [
        r.period.toFixed(6),
        r.duration.toFixed(4),
        r.depth.toFixed(1),
        r.impact.toFixed(3),
        r.snr.toFixed(2),
        r.steff.toFixed(0),
        r.srad.toFixed(3),
        r.slogg.toFixed(3),
        r.tmag.toFixed(3),
        r.label,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

function splitCsv(text: string): Array<{ cells: string[]; line: number }> {
  const out: Array<{ cells: string[]; line: number }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0]!.trim() === '')) out.push({ cells, line: startLine });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else {
      cell += ch;
    }
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return out;
}
