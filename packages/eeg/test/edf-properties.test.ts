import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EdfReader, bufferSource, encodeEdf, encodeTal, parseTals, type EdfSpec } from '@pipeline/eeg';
import { isPipelineError } from '@pipeline/core';

/** Case counts (reported in the README). */
export const RUNS = { roundTrip: 150, mutated: 400, truncated: 200, extended: 150, talRoundTrip: 300, talBytes: 500 };

const specArbitrary: fc.Arbitrary<EdfSpec> = fc
  .record({
    records: fc.integer({ min: 0, max: 4 }),
    recordDurationSec: fc.constantFrom(0.5, 1, 2),
    signals: fc.array(
      fc.record({
        label: fc.stringMatching(/^[A-Za-z0-9 -]{1,16}$/).filter((l) => l.trim() !== '' && l.trim() !== 'EDF Annotations'),
        perHalfSecond: fc.integer({ min: 1, max: 8 }),
        physicalMin: fc.integer({ min: -5000, max: 0 }),
        span: fc.integer({ min: 1, max: 10000 }),
        digitalMin: fc.integer({ min: -32768, max: 0 }),
        digitalSpan: fc.integer({ min: 1, max: 32767 }),
        seed: fc.integer(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    format: fc.constantFrom('edf' as const, 'edf+c' as const, 'edf+d' as const),
    gaps: fc.array(fc.constantFrom(0, 0.5, 3), { minLength: 4, maxLength: 4 }),
    annotations: fc.array(
      fc.record({
        onset: fc.integer({ min: -2000, max: 8000 }).map((v) => v / 1000),
        duration: fc.option(fc.integer({ min: 0, max: 5000 }).map((v) => v / 100), { nil: null }),
        text: fc.string({ minLength: 1, maxLength: 12 }).filter((t) => !/[\x00\x14\x15]/.test(t)),
      }),
      { maxLength: 5 },
    ),
  })
  .map(({ records, recordDurationSec, signals, format, gaps, annotations }) => ({
    recordDurationSec,
    format,
    annotations: format !== 'edf' && records > 0 ? annotations : [],
    ...(format === 'edf+d' ? { recordOnsets: Array.from({ length: records }, (_, r) => r * recordDurationSec + gaps.slice(0, r).reduce((a: number, g: number) => a + g, 0)) } : {}),
    signals: signals.map((s) => {
      const sampleRate = (s.perHalfSecond * 2) / 1; // samples per second; × 0.5 s is an integer
      const n = Math.round(sampleRate * recordDurationSec) * records;
      const data = new Float64Array(n);
      let x = s.seed >>> 0;
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
        data[i] = s.physicalMin + (x / 2 ** 32) * s.span;
      }
      return {
        label: s.label.trim(),
        unit: 'uV',
        sampleRate,
        physicalMin: s.physicalMin,
        physicalMax: s.physicalMin + s.span,
        digitalMin: s.digitalMin,
        digitalMax: Math.min(32767, s.digitalMin + s.digitalSpan),
        data,
      };
    }),
  }));

/** Reads everything a caller can ask for; resolves to the values or rejects. */
async function readAll(bytes: Uint8Array): Promise<{ signals: Float64Array[]; annotations: unknown[]; onsets: number[]; streamed: number[][] }> {
  const reader = await EdfReader.open(bufferSource(bytes, 'prop.edf'));
  const signals: Float64Array[] = [];
  for (const s of reader.dataSignals) signals.push(await reader.readSignal(s.index));
  const annotations = await reader.annotations();
  const onsets: number[] = [];
  const streamed: number[][] = reader.dataSignals.map(() => []);
  for await (const record of reader.records()) {
    onsets.push(record.onset);
    reader.dataSignals.forEach((s, i) => streamed[i]!.push(...record.signals[s.index]!));
  }
  return { signals, annotations, onsets, streamed };
}

async function cleanOutcome(bytes: Uint8Array): Promise<'ok' | 'E_INPUT'> {
  try {
    await readAll(bytes);
    return 'ok';
  } catch (error) {
    if (isPipelineError(error) && error.code === 'E_INPUT' && error.file === 'prop.edf' && error.field !== undefined) return 'E_INPUT';
    throw error;
  }
}

describe('EDF writer → reader round trip (fast-check)', () => {
  it('reads back every value within half a quantization step, and every annotation', async () => {
    await fc.assert(
      fc.asyncProperty(specArbitrary, async (spec) => {
        const { signals, annotations, onsets, streamed } = await readAll(encodeEdf(spec));
        const records = spec.signals[0]!.data.length / Math.round(spec.signals[0]!.sampleRate * spec.recordDurationSec!);
        expect(onsets).toEqual(spec.recordOnsets ?? Array.from({ length: records }, (_, r) => r * spec.recordDurationSec!));
        spec.signals.forEach((s, i) => {
          const step = (s.physicalMax - s.physicalMin) / (s.digitalMax! - s.digitalMin!);
          // Records in order (EDF+D: readSignal would put NaN in the gaps, so compare the streamed records).
          const got = spec.format === 'edf+d' ? streamed[i]! : signals[i]!;
          expect(got.length).toBe(s.data.length);
          let worst = 0;
          for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k]! - Number(s.data[k])));
          expect(worst).toBeLessThanOrEqual(step / 2 + 1e-9 * Math.max(Math.abs(s.physicalMax), Math.abs(s.physicalMin)));
        });
        const sorted = [...(spec.annotations ?? [])].map((a) => ({ onset: a.onset, duration: a.duration ?? null, text: a.text }));
        expect([...annotations].sort(byOnset)).toEqual(sorted.sort(byOnset));
      }),
      { numRuns: RUNS.roundTrip, seed: 1 },
    );
  });
});

const byOnset = (a: unknown, b: unknown): number => {
  const x = a as { onset: number; text: string };
  const y = b as { onset: number; text: string };
  return x.onset - y.onset || (x.text < y.text ? -1 : x.text > y.text ? 1 : 0);
};

describe('EDF reader on damaged files (fast-check): a clear E_INPUT or a correct read, never another exception', () => {
  const base = fc.tuple(specArbitrary, fc.integer({ min: 0, max: 2 ** 31 - 1 }));

  it('mutated bytes (header and data)', async () => {
    await fc.assert(
      fc.asyncProperty(base, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 6 }), async ([spec], edits) => {
        const bytes = encodeEdf(spec).slice();
        for (const [where, value, inHeader] of edits) {
          const limit = inHeader ? Math.min(bytes.length, 256 * (spec.signals.length + 2)) : bytes.length;
          bytes[where % limit] = value;
        }
        expect(['ok', 'E_INPUT']).toContain(await cleanOutcome(bytes));
      }),
      { numRuns: RUNS.mutated, seed: 2 },
    );
  });

  it('digits written into numeric header fields', async () => {
    // Printable mutations hit the parsers harder than random bytes.
    await fc.assert(
      fc.asyncProperty(specArbitrary, fc.nat(), fc.stringMatching(/^[-+0-9. eE]{1,8}$/), async (spec, where, text) => {
        const bytes = encodeEdf(spec).slice();
        const headerBytes = 256 * (spec.signals.length + (spec.format === 'edf' ? 1 : 2));
        const offset = 184 + (where % (headerBytes - 184 - 8));
        for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
        expect(['ok', 'E_INPUT']).toContain(await cleanOutcome(bytes));
      }),
      { numRuns: RUNS.mutated, seed: 3 },
    );
  });

  it('truncated files (any cut) always fail with E_INPUT naming a field', async () => {
    await fc.assert(
      fc.asyncProperty(base, fc.nat(), async ([spec], cut) => {
        const bytes = encodeEdf(spec);
        const length = cut % bytes.length;
        const outcome = await cleanOutcome(bytes.subarray(0, length));
        expect(outcome).toBe('E_INPUT');
      }),
      { numRuns: RUNS.truncated, seed: 4 },
    );
  });

  it('extended files read exactly as the original', async () => {
    await fc.assert(
      fc.asyncProperty(base, fc.uint8Array({ minLength: 1, maxLength: 600 }), async ([spec], extra) => {
        const bytes = encodeEdf(spec);
        const extended = new Uint8Array(bytes.length + extra.length);
        extended.set(bytes);
        extended.set(extra, bytes.length);
        const a = await readAll(bytes);
        const b = await readAll(extended);
        expect(b).toEqual(a);
      }),
      { numRuns: RUNS.extended, seed: 5 },
    );
  });
});

describe('TAL parser (fast-check)', () => {
  const talArbitrary = fc.record({
    onset: fc.integer({ min: -100000, max: 100000 }).map((v) => v / 64),
    duration: fc.option(fc.integer({ min: 0, max: 100000 }).map((v) => v / 8), { nil: null }),
    texts: fc.array(fc.string({ minLength: 1, maxLength: 10 }).filter((t) => !/[\x00\x14\x15]/.test(t)), { minLength: 1, maxLength: 3 }),
  });

  it('round-trips TAL lists, several texts per TAL, negative onsets, absent durations', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e5, max: 1e5, noNaN: true }).map((v) => Math.round(v * 1000) / 1000 + 0), fc.array(talArbitrary, { maxLength: 5 }), fc.nat(8), (recordOnset, tals, padding) => {
        const parts = [encodeTal(recordOnset, null, []), ...tals.map((t) => encodeTal(t.onset, t.duration, t.texts))];
        const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + padding);
        let offset = 0;
        for (const p of parts) {
          bytes.set(p, offset);
          offset += p.length;
        }
        const parsed = parseTals(bytes, 'x.edf', 'record[0].signal[1]', true);
        expect(parsed.recordOnset).toBe(recordOnset);
        expect(parsed.annotations).toEqual(tals.flatMap((t) => t.texts.map((text) => ({ onset: t.onset, duration: t.duration, text }))));
      }),
      { numRuns: RUNS.talRoundTrip, seed: 6 },
    );
  });

  it('random bytes give E_INPUT or a parse, never another exception', () => {
    const alphabet = fc.constantFrom(0, 0x14, 0x15, 0x2b, 0x2d, 0x2e, 0x30, 0x31, 0x39, 0x41, 0xc3);
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), fc.boolean(), (values, timekeeping) => {
        try {
          parseTals(Uint8Array.from(values), 'x.edf', 'record[0].signal[1]', timekeeping);
        } catch (error) {
          expect(isPipelineError(error) && error.code === 'E_INPUT').toBe(true);
        }
      }),
      { numRuns: RUNS.talBytes, seed: 7 },
    );
  });

  it('parses the specification examples', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    // EDF+ spec section 2.2.4: "+180\x14Lights off\x14Close door\x14\x00" and "+1800.2\x1525.5\x14Apnea\x14\x00".
    const parsed = parseTals(enc('+0\x14\x14\x00+180\x14Lights off\x14Close door\x14\x00+1800.2\x1525.5\x14Apnea\x14\x00\x00\x00'), 'x', 'r', true);
    expect(parsed).toEqual({
      recordOnset: 0,
      annotations: [
        { onset: 180, duration: null, text: 'Lights off' },
        { onset: 180, duration: null, text: 'Close door' },
        { onset: 1800.2, duration: 25.5, text: 'Apnea' },
      ],
    });
    expect(parseTals(enc('-0.065\x14\x14\x00'), 'x', 'r', true).recordOnset).toBe(-0.065);
  });
});
