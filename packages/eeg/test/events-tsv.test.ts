import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatEventsTsv, parseEventsTsv, seizureEventRows, type EventRow } from '@pipeline/eeg';
import { isPipelineError } from '@pipeline/core';

export const RUNS = { roundTrip: 300, mutated: 500 };

describe('parseEventsTsv', () => {
  it('reads the SzCORE README example (aligned with spaces) — fixture copied from the benchmark README', async () => {
    const text = await readFile(join(import.meta.dirname, 'fixtures', 'events', 'szcore_example_events.tsv'), 'utf8');
    const parsed = parseEventsTsv(text, { file: 'x_events.tsv' });
    expect(parsed.recordingDuration).toBe(3600);
    expect(parsed.seizures).toEqual([
      [296, 336],
      [453, 465],
      [895, 916],
    ]);
    expect(parsed.events[0]).toEqual({ onset: 296, duration: 40, eventType: 'sz', confidence: null, channels: null, dateTime: '2016-11-06 13:43:04', recordingDuration: 3600 });
  });

  it('treats sz* as seizure and bckg as background; reads confidence and channel lists', () => {
    const text = 'onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n0.0\t100.0\tbckg\tn/a\tn/a\tn/a\t100.0\n10.5\t2.25\tsz_foc_ia\t0.9\tFp1-Avg,F3-Avg\tn/a\t100.0\n';
    const parsed = parseEventsTsv(text);
    expect(parsed.seizures).toEqual([[10.5, 12.75]]);
    expect(parsed.events[1]!.channels).toEqual(['Fp1-Avg', 'F3-Avg']);
    expect(parsed.events[1]!.confidence).toBe(0.9);
  });

  it('names the line and column of a bad cell', () => {
    const bad = 'onset\tduration\teventType\n1\t-2\tsz\n';
    expect(() => parseEventsTsv(bad, { file: 'a.tsv' })).toThrow(expect.objectContaining({ code: 'E_INPUT', file: 'a.tsv', field: 'line 2.duration' }));
    expect(() => parseEventsTsv('onset\teventType\n1\tsz\n', { file: 'a.tsv' })).toThrow(expect.objectContaining({ field: 'header' }));
    expect(() => parseEventsTsv('onset\tduration\teventType\n1\t2\n', { file: 'a.tsv' })).toThrow(expect.objectContaining({ field: 'line 2' }));
  });

  it('writes the challenge layout: one sz row per seizure, or one bckg row; dateTime is the recording start', () => {
    const start = new Date(Date.UTC(2016, 10, 6, 13, 43, 4));
    expect(formatEventsTsv(seizureEventRows([], { recordingDuration: 3600, start }))).toBe(
      'onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n0.0\t3600.0\tbckg\tn/a\tn/a\t2016-11-06 13:43:04\t3600.0\n',
    );
    expect(formatEventsTsv(seizureEventRows([[296, 336]], { recordingDuration: 3600, start, confidence: [0.875] }))).toBe(
      'onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n296.0\t40.0\tsz\t0.875\tn/a\t2016-11-06 13:43:04\t3600.0\n',
    );
  });
});

describe('events TSV (fast-check)', () => {
  const rowArbitrary: fc.Arbitrary<EventRow> = fc.record({
    onset: fc.double({ min: 0, max: 1e6, noNaN: true }),
    duration: fc.double({ min: 0, max: 1e4, noNaN: true }),
    eventType: fc.oneof(fc.constantFrom('sz', 'bckg', 'sz_foc_ia', 'SZ', 'artifact'), fc.stringMatching(/^[a-z_]{1,8}$/)),
    confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    channels: fc.option(fc.array(fc.stringMatching(/^[A-Za-z0-9-]{1,8}$/), { minLength: 1, maxLength: 4 }), { nil: null }),
    dateTime: fc.option(fc.constantFrom('2016-11-06 13:43:04', '2025-01-15 14:32:00'), { nil: null }),
    recordingDuration: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
  });

  it('format → parse is the identity on rows', () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { maxLength: 8 }), (rows) => {
        const parsed = parseEventsTsv(formatEventsTsv(rows));
        expect(parsed.events).toEqual(rows.map((r) => ({ ...r, onset: r.onset + 0, duration: r.duration + 0 })));
        const seizures = rows.filter((r) => r.eventType.toLowerCase().startsWith('sz')).length;
        expect(parsed.seizures.length).toBe(seizures);
      }),
      { numRuns: RUNS.roundTrip, seed: 11 },
    );
  });

  it('mutated files give E_INPUT or a parse, never another exception', () => {
    const alphabet = fc.constantFrom('\t', '\n', '\r', ' ', '-', '.', '1', 'e', 'n/a', 'sz', 'x', '\u0000', '\uFEFF');
    fc.assert(
      fc.property(fc.array(rowArbitrary, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), alphabet, fc.boolean()), { minLength: 1, maxLength: 5 }), fc.nat(), (rows, edits, cut) => {
        let text = formatEventsTsv(rows);
        for (const [where, piece, insert] of edits) {
          const at = where % (text.length + 1);
          text = insert ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + piece + text.slice(at + piece.length);
        }
        text = text.slice(0, text.length - (cut % 3 === 0 ? cut % text.length : 0));
        try {
          const parsed = parseEventsTsv(text, { file: 'm.tsv' });
          for (const e of parsed.events) expect(Number.isFinite(e.onset) && e.onset >= 0 && Number.isFinite(e.duration) && e.duration >= 0).toBe(true);
        } catch (error) {
          expect(isPipelineError(error) && error.code === 'E_INPUT' && error.file === 'm.tsv').toBe(true);
        }
      }),
      { numRuns: RUNS.mutated, seed: 12 },
    );
  });
});
