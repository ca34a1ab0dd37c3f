import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { inspectEdf, renderEdfInspection } from '@pipeline/eeg';

// plus_c.edf: written by test/fixtures/gen_edf.py (independent Python writer).
describe('inspectEdf', () => {
  it('reports header, channels, duration and annotations, and renders them as text', async () => {
    const info = await inspectEdf(join(import.meta.dirname, 'fixtures', 'edf', 'plus_c.edf'));
    expect(info.header).toEqual({
      format: 'edf+c',
      patient: 'MCH-0234567 F 02-MAY-1951 Haagse_Harry',
      recording: 'Startdate 05-DEC-2026 EMG561 BK/JOP Sony. MNC R',
      start: '2026-12-05T10:00:00.000Z',
      numberOfDataRecords: 4,
      recordDurationSec: 1,
      numberOfSignals: 3,
    });
    expect(info.channels.map(({ label, sampleRate, physicalMin, physicalMax, unit }) => ({ label, sampleRate, physicalMin, physicalMax, unit }))).toEqual([
      { label: 'Fp1-Avg', sampleRate: 256, physicalMin: -500, physicalMax: 500, unit: 'uV' },
      { label: 'Cz-Avg', sampleRate: 256, physicalMin: -200.5, physicalMax: 199.5, unit: 'uV' },
    ]);
    expect(info.durationSec).toBe(4);
    expect(info.annotations).toHaveLength(8);
    const text = renderEdfInspection(info, { maxAnnotations: 2 });
    expect(text).toContain('format      EDF+C');
    expect(text).toContain('duration    00:00:04.000 (4 s, 4 records × 1 s)');
    expect(text).toContain('#  label    rate (Hz)  physical min  physical max  unit\n0  Fp1-Avg        256          -500           500  uV\n1  Cz-Avg         256        -200.5         199.5  uV\n');
    expect(text).toContain('  -00:00:00.500          -  Recording prepared');
    expect(text).toContain('  00:00:00.250    1.500 s  sz');
    expect(text).toContain('  … 6 more');
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });
});
