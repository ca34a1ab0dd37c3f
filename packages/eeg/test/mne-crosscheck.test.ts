import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { EdfReader, encodeEdf, type EdfSpec } from '@pipeline/eeg';
// @ts-expect-error -- plain .mjs fixture helper shared with write_ours.mjs
import { smallSpec } from './fixtures/mne/spec.mjs';

// ours_small.edf: written by our encodeEdf (fixtures/mne/write_ours.mjs); mne_expected.json: what Debian's
// python3-mne 1.3.0 read_raw_edf read from it (fixtures/mne/gen_mne.py).
const DIR = join(import.meta.dirname, 'fixtures', 'mne');
const expected = JSON.parse(await readFile(join(DIR, 'mne_expected.json'), 'utf8')) as {
  measDate: string;
  channels: Array<{ name: string; sfreq: number; uV: number[] }>;
  annotations: Array<{ onset: number; duration: number; description: string }>;
};

describe('cross-check with python3-mne', () => {
  it('our writer still produces the file MNE read', async () => {
    const committed = await readFile(join(DIR, 'ours_small.edf'));
    expect(Buffer.compare(Buffer.from(encodeEdf(smallSpec() as EdfSpec)), committed)).toBe(0);
  });

  it('our reader and MNE read the same values (within 1e-6 µV), rates, start and annotations', async () => {
    const reader = await EdfReader.open(join(DIR, 'ours_small.edf'));
    try {
      expect(reader.header.start?.toISOString()).toBe(new Date(expected.measDate).toISOString());
      expect(reader.dataSignals.map((s) => [s.label, s.sampleRate])).toEqual(expected.channels.map((c) => [c.name, c.sfreq]));
      for (const c of expected.channels) {
        const ours = await reader.readSignal(c.name);
        expect(ours.length).toBe(c.uV.length);
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - c.uV[i]!));
        expect(worst).toBeLessThanOrEqual(1e-6);
      }
      // MNE reports an absent duration as 0.
      expect((await reader.annotations()).map((a) => ({ onset: a.onset, duration: a.duration ?? 0, description: a.text }))).toEqual(expected.annotations);
    } finally {
      await reader.close();
    }
  });
});
