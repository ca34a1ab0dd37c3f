import { appendFile, readFile } from 'node:fs/promises';
import { PipelineError } from '@pipeline/core';
import { z } from 'zod';
import type { TrialRecord } from './trial-record.js';

/**
 * Where a study keeps its finished trials: an append-only log (`opt/trials.jsonl` in a run folder,
 * one JSON line per finished trial). The study only appends and, when resuming, reads; the owner
 * of the file (the run-folder writer) implements this interface — {@link jsonlTrialLog} is the
 * plain-file version, {@link memoryTrialLog} the in-memory one.
 */
export interface TrialLog {
  /** Every record written so far (any order); [] for a new log. */
  read(): Promise<TrialRecord[]>;
  /** Appends one finished trial; must be atomic (a reader never sees half a record as complete). */
  append(record: TrialRecord): Promise<void>;
}

const json: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));
const recordSchema = z.object({
  number: z.number().int().min(0),
  params: z.record(z.string(), json),
  state: z.enum(['complete', 'pruned', 'failed']),
  score: z.number().nullable(),
  foldScores: z.array(z.number()),
  error: z.string().optional(),
  durationMs: z.number().min(0),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

/** One record as its log line (JSON + "\n"; non-finite numbers are not valid JSON and are refused). */
export function formatTrialRecord(record: TrialRecord): string {
  const numbers = [record.score, ...record.foldScores];
  for (const value of numbers) {
    if (value !== null && !Number.isFinite(value)) throw new PipelineError('E_INTERNAL', `trial ${record.number}: non-finite score ${value} cannot be logged`);
  }
  return `${JSON.stringify(record)}\n`;
}

/**
 * Parses a trial log's text. A last line without its newline is a write cut short by a crash and
 * is dropped (that trial runs again on resume); any other bad line, or a trial number logged twice,
 * is `E_STATE` naming the file and the line.
 */
export function parseTrialLog(text: string, file = 'trials.jsonl'): TrialRecord[] {
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text.length === 0;
  const records: TrialRecord[] = [];
  const seen = new Set<number>();
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isTornTail = index === lines.length - 1 && !complete;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (isTornTail) return;
      throw new PipelineError('E_STATE', `line ${index + 1} is not JSON`, { file, cause: error, hint: 'the trial log is damaged; remove the line or start a new search' });
    }
    const parsed = recordSchema.safeParse(value);
    if (!parsed.success) {
      if (isTornTail) return;
      const issue = parsed.error.issues[0]!;
      throw new PipelineError('E_STATE', `line ${index + 1} is not a trial record: ${issue.message}`, { file, field: issue.path.join('.') });
    }
    if (seen.has(parsed.data.number)) throw new PipelineError('E_STATE', `trial ${parsed.data.number} is logged twice (line ${index + 1})`, { file });
    seen.add(parsed.data.number);
    records.push(parsed.data as TrialRecord);
  });
  return records;
}

/**
 * A trial log in a JSONL file: `append` writes one whole line with a single `O_APPEND` write, so
 * concurrent appends never interleave and a crash leaves at most one torn last line (dropped by
 * {@link parseTrialLog}). A missing file reads as an empty log.
 */
export function jsonlTrialLog(path: string): TrialLog {
  return {
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new PipelineError('E_INPUT', 'cannot read the trial log', { file: path, cause: error });
      }
      return parseTrialLog(text, path);
    },
    async append(record) {
      await appendFile(path, formatTrialRecord(record), { encoding: 'utf8', flag: 'a' });
    },
  };
}

/** An in-memory trial log (tests, and callers that persist elsewhere); `lines` holds what was appended. */
export function memoryTrialLog(initial: readonly TrialRecord[] = []): TrialLog & { readonly lines: string[] } {
  const lines = initial.map(formatTrialRecord);
  return {
    lines,
    read: async () => parseTrialLog(lines.join('')),
    append: async (record) => {
      lines.push(formatTrialRecord(record));
    },
  };
}
