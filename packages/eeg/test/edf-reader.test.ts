import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { EdfReader, bufferSource, encodeEdf } from '@pipeline/eeg';
import { isPipelineError } from '@pipeline/core';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'edf');

interface ExpectedSignal {
  label: string;
  unit: string;
  sampleRate: number;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  values: number[];
}
interface ExpectedFile {
  format: string;
  recordDurationSec: number;
  numberOfDataRecords: number;
  durationSec: number;
  signals: ExpectedSignal[];
  annotations: Array<{ onset: number; duration: number | null; text: string }>;
  recordOnsets: number[];
  start?: string;
}
const expected = JSON.parse(await readFile(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, ExpectedFile>;

function expectClose(actual: ArrayLike<number>, wanted: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(wanted.length);
  let worst = 0;
  for (let i = 0; i < wanted.length; i++) worst = Math.max(worst, Math.abs(Number(actual[i]) - Number(wanted[i])));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

// Fixtures: test/fixtures/gen_edf.py, an EDF writer written from the specification in Python (numpy + struct).
describe('EdfReader on files written by an independent Python writer (gen_edf.py)', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: header, physical values within 1e-6, record onsets and annotations`, async () => {
      const reader = await EdfReader.open(join(FIXTURES, name));
      try {
        expect(reader.header.format).toBe(want.format);
        expect(reader.header.recordDurationSec).toBe(want.recordDurationSec);
        expect(reader.header.numberOfDataRecords).toBe(want.numberOfDataRecords);
        expect(await reader.durationSec()).toBeCloseTo(want.durationSec, 12);
        if (want.start !== undefined) expect(reader.header.start?.toISOString()).toBe(want.start);
        expect(reader.dataSignals.map((s) => s.label)).toEqual(want.signals.map((s) => s.label));
        for (const s of want.signals) {
          const header = reader.signal(s.label);
          expect([header.unit, header.sampleRate, header.physicalMin, header.physicalMax, header.digitalMin, header.digitalMax]).toEqual([
            s.unit,
            s.sampleRate,
            s.physicalMin,
            s.physicalMax,
            s.digitalMin,
            s.digitalMax,
          ]);
          if (want.format === 'edf+d') {
            // Gaps read as NaN: place the expected record values at their onsets.
            const all = await reader.readSignal(s.label);
            const spr = header.samplesPerRecord;
            const placed = new Float64Array(Math.round(want.durationSec * s.sampleRate)).fill(Number.NaN);
            want.recordOnsets.forEach((onset, r) => {
              for (let k = 0; k < spr; k++) placed[Math.round(onset * s.sampleRate) + k] = s.values[r * spr + k]!;
            });
            expect(all.length).toBe(placed.length);
            for (let i = 0; i < placed.length; i++) {
              if (Number.isNaN(placed[i]!)) expect(all[i]).toBeNaN();
              else expect(Math.abs(all[i]! - placed[i]!)).toBeLessThanOrEqual(1e-6);
            }
          } else {
            expectClose(await reader.readSignal(s.label), s.values, 1e-6);
            // A sub-range, not aligned to records.
            const from = Math.round(0.75 * s.sampleRate);
            const count = Math.round(1.5 * s.sampleRate);
            expectClose(await reader.readSignal(s.label, 0.75, 1.5), s.values.slice(from, from + count), 1e-6);
          }
        }
        // readSignals (one pass) equals readSignal per signal, including a sub-range and EDF+D gaps.
        const labels = want.signals.map((s) => s.label);
        const together = await reader.readSignals(labels, 0.5, 2);
        for (const [i, label] of labels.entries()) expect(together[i]).toEqual(await reader.readSignal(label, 0.5, 2));
        const whole = await reader.readSignals();
        for (const [i, label] of labels.entries()) expect(whole[i]).toEqual(await reader.readSignal(label));
        // Into caller buffers (longer than needed, dirty): same values, views of those buffers.
        const buffers = whole.map((w) => new Float64Array(w.length + 3).fill(7));
        const reused = await reader.readSignals(undefined, 0, undefined, { into: buffers });
        for (const [i, w] of whole.entries()) {
          expect(reused[i]).toEqual(w);
          expect(reused[i]!.buffer).toBe(buffers[i]!.buffer);
        }
        expect(Array.from(await reader.recordOnsets())).toEqual(want.recordOnsets);
        expect(await reader.annotations()).toEqual(want.annotations);
        // The record iterator gives the same values as readSignal.
        const firstSignal = want.signals[0]!;
        const streamed: number[] = [];
        for await (const record of reader.records()) {
          expect(record.onset).toBe(want.recordOnsets[record.index]);
          streamed.push(...record.signals[0]!);
        }
        expectClose(streamed, firstSignal.values, 1e-6);
      } finally {
        await reader.close();
      }
    });
  }
});

describe('EdfReader errors', () => {
  const valid = () =>
    encodeEdf({
      signals: [
        { label: 'A', physicalMin: -1, physicalMax: 1, sampleRate: 4, data: new Float64Array(8) },
        { label: 'B', physicalMin: -1, physicalMax: 1, sampleRate: 2, data: new Float64Array(4) },
      ],
      annotations: [{ onset: 0.5, text: 'x' }],
    });
  const failWith = async (bytes: Uint8Array, field: string): Promise<void> => {
    let caught: unknown;
    try {
      const reader = await EdfReader.open(bufferSource(bytes, 'bad.edf'));
      await reader.annotations();
      await reader.readSignal(0);
    } catch (error) {
      caught = error;
    }
    expect(isPipelineError(caught)).toBe(true);
    const error = caught as { code: string; file: string; field: string; message: string };
    expect([error.code, error.file, error.field]).toEqual(['E_INPUT', 'bad.edf', field]);
  };
  const patch = (bytes: Uint8Array, offset: number, text: string): Uint8Array => {
    const copy = bytes.slice();
    for (let i = 0; i < text.length; i++) copy[offset + i] = text.charCodeAt(i);
    return copy;
  };
  // Signal field offsets for ns = 3 (A, B, EDF Annotations): label 256, ..., digitalMax at 256+3*(16+80+8+8+8+8).
  const ns = 3;
  const at = (before: number, index: number, width: number) => 256 + before * ns + index * width;

  it('names the header field at fault', async () => {
    const bytes = valid();
    await failWith(bytes.slice(0, 100), 'header');
    await failWith(patch(bytes, 252, 'x   '), 'header.numberOfSignals');
    await failWith(patch(bytes, 252, '9   '), 'header.headerBytes');
    await failWith(patch(bytes, 0, '1'), 'header.version');
    await failWith(patch(bytes, 244, '-1      '), 'header.recordDuration');
    await failWith(patch(bytes, at(16 + 80 + 8 + 8 + 8 + 8, 1, 8), '-40000  '), 'signal[1].digitalMax');
    await failWith(patch(bytes, at(16 + 80 + 8 + 8 + 8, 1, 8), '40000   '), 'signal[1].digitalMin');
    await failWith(patch(bytes, at(16 + 80 + 8, 0, 8), 'abc     '), 'signal[0].physicalMin');
    await failWith(patch(bytes, at(16 + 80 + 8 + 8 + 8 + 8 + 8 + 80, 1, 8), '0       '), 'signal[1].samplesPerRecord');
    await failWith(bytes.slice(0, bytes.length - 1), 'header.numberOfDataRecords');
    await failWith(patch(bytes, 236, '-7      '), 'header.numberOfDataRecords');
  });

  it('rejects malformed TALs naming the record and signal', async () => {
    const bytes = valid();
    const recordStart = 256 * 4;
    const annotationOffset = recordStart + 2 * (4 + 2);
    await failWith(patch(bytes, annotationOffset, 'x'), 'record[0].signal[2].annotations');
    await failWith(patch(bytes, annotationOffset, '+0\x14z'), 'record[0].signal[2].annotations');
  });

  it('refuses EDF+D onsets that would need an absurd allocation, and non-increasing onsets', async () => {
    const spec = {
      format: 'edf+d' as const,
      recordOnsets: [0, 99999999],
      signals: [{ label: 'A', physicalMin: -1, physicalMax: 1, sampleRate: 4, data: new Float64Array(8) }],
    };
    const reader = await EdfReader.open(bufferSource(encodeEdf(spec), 'bad.edf'));
    await expect(reader.readSignal('A')).rejects.toMatchObject({ code: 'E_INPUT', file: 'bad.edf', field: 'header.numberOfDataRecords' });
    expect((await reader.readSignal('A', 99999999, 1)).length).toBe(4);
    await failWith(encodeEdf({ ...spec, recordOnsets: [5, 1] }), 'record[1].annotations');
  });

  it('streams: a range read touches only the records it overlaps', async () => {
    // 600 records of 1 s, 2 signals at 256 Hz: 1 KiB per record.
    const n = 600 * 256;
    const bytes = encodeEdf({
      format: 'edf',
      signals: [0, 1].map((c) => ({ label: `S${c}`, physicalMin: -1000, physicalMax: 1000, sampleRate: 256, data: Float64Array.from({ length: n }, (_, t) => ((t * (c + 1)) % 2000) - 1000) })),
    });
    const reads: Array<[number, number]> = [];
    const inner = bufferSource(bytes, 'big.edf');
    const counting = { ...inner, read: (position: number, length: number) => (reads.push([position, length]), inner.read(position, length)) };
    const reader = await EdfReader.open(counting);
    reads.length = 0;
    const x = await reader.readSignal('S1', 100.5, 2);
    expect(x.length).toBe(512);
    expect(x[0]).toBeCloseTo(((100.5 * 256 * 2) % 2000) - 1000, 1);
    expect(reads).toEqual([[reader.header.headerBytes + 100 * reader.recordBytes, 3 * reader.recordBytes]]);
    reads.length = 0;
    let records = 0;
    for await (const record of reader.records({ start: 590 })) records += record.signals.length;
    expect(records).toBe(20);
    expect(reads.every(([, length]) => length <= 4 << 20)).toBe(true);
    expect(reads.reduce((a, [, length]) => a + length, 0)).toBe(10 * reader.recordBytes);
  });

  it('reads a file with -1 data records from the file size, and ignores trailing bytes', async () => {
    const bytes = valid();
    const unknown = patch(bytes, 236, '-1      ');
    const reader = await EdfReader.open(bufferSource(unknown));
    expect(reader.header.numberOfDataRecords).toBe(2);
    const extended = new Uint8Array(bytes.length + 5);
    extended.set(bytes);
    const reader2 = await EdfReader.open(bufferSource(extended));
    expect(reader2.header.numberOfDataRecords).toBe(2);
    expect(await reader2.annotations()).toEqual([{ onset: 0.5, duration: null, text: 'x' }]);
  });

  it('reports a missing file as E_NOT_FOUND', async () => {
    await expect(EdfReader.open('/nonexistent/x.edf')).rejects.toMatchObject({ code: 'E_NOT_FOUND', file: '/nonexistent/x.edf' });
  });
});
