import { readFile, stat } from 'node:fs/promises';
import { atomicWrite, PipelineError } from '@pipeline/core';

/** One row of a BIDS `*_events.tsv` (the seizure-detection challenge format). */
export interface EventRow {
  /** Seconds from the recording start. */
  readonly onset: number;
  /** Seconds. */
  readonly duration: number;
  /** `sz…` (seizure, e.g. `sz`, `sz_foc_ia`) or `bckg` (background), or any other label. */
  readonly eventType: string;
  /** A probability in [0, 1], or `null` for `n/a`. */
  readonly confidence: number | null;
  /** Channel names, or `null` for `n/a`. */
  readonly channels: readonly string[] | null;
  /** `YYYY-MM-DD HH:MM:SS`: the start of the recording (SzCORE convention, the same on every row), or `null` for `n/a`. */
  readonly dateTime: string | null;
  /** Recording length in seconds, or `null` for `n/a`. */
  readonly recordingDuration: number | null;
}

/** A parsed events file. */
export interface EventsFile {
  readonly events: readonly EventRow[];
  /** The recording duration stated by the rows (the first non-`n/a` value), if any. */
  readonly recordingDuration: number | null;
  /** Seizure events (`eventType` starting with `sz`, case-insensitive) as `[start, stop)` seconds, sorted. */
  readonly seizures: ReadonlyArray<readonly [number, number]>;
}

/** The columns in the order the challenge writes them. */
export const EVENTS_TSV_COLUMNS = ['onset', 'duration', 'eventType', 'confidence', 'channels', 'dateTime', 'recordingDuration'] as const;

/** True for seizure event types (`sz`, `sz_foc_ia`, `SZ`…). */
export function isSeizureEventType(eventType: string): boolean {
  return eventType.trim().toLowerCase().startsWith('sz');
}

const NA = 'n/a';
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TIME = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?$/;

/** Parses a BIDS events TSV; `onset`, `duration` and `eventType` are required columns, the others optional. */
export function parseEventsTsv(text: string, options: { readonly file?: string } = {}): EventsFile {
  const file = options.file ?? 'events.tsv';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new PipelineError('E_INPUT', 'empty events file: no header row', { file, field: 'header', hint: `expected columns ${EVENTS_TSV_COLUMNS.join(', ')}` });
  const columns = lines[headerIndex]!.split('\t').map((c) => c.trim());
  const index = new Map<string, number>();
  columns.forEach((c, i) => {
    if (index.has(c)) throw new PipelineError('E_INPUT', `column '${c}' appears twice`, { file, field: 'header' });
    index.set(c, i);
  });
  for (const required of ['onset', 'duration', 'eventType']) {
    if (!index.has(required)) {
      throw new PipelineError('E_INPUT', `missing column '${required}'`, { file, field: 'header', hint: `a tab-separated header with ${EVENTS_TSV_COLUMNS.join(', ')}` });
    }
  }
  const events: EventRow[] = [];
  for (let l = headerIndex + 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    const lineNo = l + 1;
    if (cells.length !== columns.length) {
      throw new PipelineError('E_INPUT', `line ${lineNo} has ${cells.length} tab-separated cells, the header has ${columns.length}`, { file, field: `line ${lineNo}` });
    }
    const cell = (name: string): string | undefined => {
      const i = index.get(name);
      return i === undefined ? undefined : cells[i]!.trim();
    };
    const fail = (name: string, message: string): never => {
      throw new PipelineError('E_INPUT', `line ${lineNo}: ${message}`, { file, field: `line ${lineNo}.${name}` });
    };
    const number = (name: string, optional: boolean, min: number, max = Number.POSITIVE_INFINITY): number | null => {
      const raw = cell(name);
      if (raw === undefined || (optional && raw === NA)) return null;
      if (!NUMBER.test(raw)) return fail(name, `${name} '${raw}' is not a number`);
      const value = Number(raw);
      if (!Number.isFinite(value) || value < min || value > max) return fail(name, `${name} ${raw} is outside [${min}, ${max}]`);
      return value;
    };
    const eventType = cell('eventType')!;
    if (eventType === '' || eventType === NA) fail('eventType', 'eventType is empty');
    const channelsRaw = cell('channels');
    const dateTime = cell('dateTime');
    if (dateTime !== undefined && dateTime !== NA && !DATE_TIME.test(dateTime)) fail('dateTime', `dateTime '${dateTime}' is not 'YYYY-MM-DD HH:MM:SS'`);
    events.push({
      onset: number('onset', false, 0)!,
      duration: number('duration', false, 0)!,
      eventType,
      confidence: number('confidence', true, 0, 1),
      channels: channelsRaw === undefined || channelsRaw === NA || channelsRaw === '' ? null : channelsRaw.split(',').map((c) => c.trim()),
      dateTime: dateTime === undefined || dateTime === NA ? null : dateTime,
      recordingDuration: number('recordingDuration', true, 0),
    });
  }
  const recordingDuration = events.find((e) => e.recordingDuration !== null)?.recordingDuration ?? null;
  const seizures = events
    .filter((e) => isSeizureEventType(e.eventType))
    .map((e) => [e.onset, e.onset + e.duration] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { events, recordingDuration, seizures };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be written to an events file`);
  // Shortest round-trip form (exponent only for very small or large values); integers as `3600.0` like Python.
  const text = String(value + 0);
  return Number.isInteger(value) && !/e/i.test(text) ? `${text}.0` : text;
}

/** Writes rows as a BIDS events TSV (all seven columns, `n/a` for nulls, a trailing newline). */
export function formatEventsTsv(events: readonly EventRow[]): string {
  const rows = events.map((e) => {
    for (const c of e.channels ?? []) if (/[\t\n\r,]/.test(c)) throw new RangeError(`channel name ${JSON.stringify(c)} contains a tab, newline or comma`);
    if (/[\t\n\r]/.test(e.eventType) || e.eventType.trim() !== e.eventType || e.eventType === '') throw new RangeError(`eventType ${JSON.stringify(e.eventType)} is empty or has tabs/newlines/outer spaces`);
    return [
      formatNumber(e.onset),
      formatNumber(e.duration),
      e.eventType,
      e.confidence === null ? NA : formatNumber(e.confidence),
      e.channels === null || e.channels.length === 0 ? NA : e.channels.join(','),
      e.dateTime ?? NA,
      e.recordingDuration === null ? NA : formatNumber(e.recordingDuration),
    ].join('\t');
  });
  return `${[EVENTS_TSV_COLUMNS.join('\t'), ...rows].join('\n')}\n`;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC fields) of `start + seconds`. */
export function formatEventDateTime(start: Date, seconds: number): string {
  const d = new Date(start.getTime() + Math.round(seconds * 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * Rows for seizure events the way the challenge writes them: one `sz` row per event, or a single
 * `bckg` row covering the recording when there are none.
 */
export function seizureEventRows(
  seizures: ReadonlyArray<readonly [number, number]>,
  options: { readonly recordingDuration: number; readonly start?: Date | null; readonly confidence?: readonly number[]; readonly eventType?: string; readonly channels?: readonly string[] },
): EventRow[] {
  // SzCORE: dateTime is the recording's start, repeated on every row.
  const dateTime = (_t: number) => (options.start ? formatEventDateTime(options.start, 0) : null);
  if (seizures.length === 0) {
    return [{ onset: 0, duration: options.recordingDuration, eventType: 'bckg', confidence: null, channels: null, dateTime: dateTime(0), recordingDuration: options.recordingDuration }];
  }
  return seizures.map(([s, e], i) => ({
    onset: s,
    duration: e - s,
    eventType: options.eventType ?? 'sz',
    confidence: options.confidence?.[i] ?? null,
    channels: options.channels ?? null,
    dateTime: dateTime(s),
    recordingDuration: options.recordingDuration,
  }));
}

/** Reads and parses an events TSV file. */
export async function readEventsTsv(path: string): Promise<EventsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'cannot read the events file', { file: path, cause });
  }
  return parseEventsTsv(text, { file: path });
}

/** Writes an events TSV atomically; refuses to overwrite unless `overwrite` is set. */
export async function writeEventsTsv(path: string, events: readonly EventRow[], options: { readonly overwrite?: boolean } = {}): Promise<void> {
  if (options.overwrite !== true && (await stat(path).then(() => true, () => false))) {
    throw new PipelineError('E_USAGE', 'file exists', { file: path, hint: 'pass overwrite: true or choose another path' });
  }
  await atomicWrite(path, formatEventsTsv(events));
}
