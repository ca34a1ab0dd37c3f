import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EdfReader, generateSeizureDemo, loadSeizureData, preprocessEdf, readEventsTsv, readSeizureAnnotations, SZCORE_CHANNELS, TEN_TWENTY, writeEdf, type SeizureDemoRecording } from '@pipeline/eeg';
import { createHash } from 'node:crypto';

let dir: string;
let demo: SeizureDemoRecording[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eeg-data-'));
  demo = await generateSeizureDemo({ outDir: join(dir, 'demo'), recordings: 3, durationSec: 90, seed: 7 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateSeizureDemo', () => {
  it('writes 19-channel CAR EDF+ files whose EDF annotations equal the events TSV', async () => {
    expect(demo.map((d) => d.id)).toEqual(['demo_rec01', 'demo_rec02', 'demo_rec03']);
    // Counts cycle 1, 2, 1, 0, …; in 90 s only what fits with 20 s margins and 30 s gaps is placed.
    expect(demo.map((d) => d.seizures.length >= 1 && d.seizures.length <= 2)).toEqual([true, true, true]);
    expect(demo[0]!.seizures.length).toBe(1);
    for (const d of demo) {
      const reader = await EdfReader.open(d.edfPath);
      try {
        expect(reader.header.format).toBe('edf+c');
        expect(reader.dataSignals.map((s) => s.label)).toEqual(SZCORE_CHANNELS);
        expect(reader.dataSignals.every((s) => s.sampleRate === 256 && s.unit === 'uV')).toBe(true);
        expect(await reader.durationSec()).toBe(90);
        const annotations = await reader.annotations();
        expect(annotations.map((a) => [a.onset, a.onset + a.duration!])).toEqual(d.seizures);
        expect((await readEventsTsv(d.eventsPath)).seizures).toEqual(d.seizures);
        for (const [s, e] of d.seizures) expect(e - s >= 10 && e - s <= 40).toBe(true);
        // Seizure segments carry much more power than background on the focus channels.
        const [s, e] = d.seizures[0]!;
        const power = async (from: number, len: number) => {
          let best = 0;
          for (const label of SZCORE_CHANNELS) {
            const x = await reader.readSignal(label, from, len);
            best = Math.max(best, x.reduce((a, v) => a + v * v, 0) / x.length);
          }
          return best;
        };
        expect(await power(s + (e - s) / 3, (e - s) / 3)).toBeGreaterThan(5 * (await power(2, 8)));
      } finally {
        await reader.close();
      }
    }
  });

  it('is deterministic for a seed and refuses to overwrite', async () => {
    const again = await generateSeizureDemo({ outDir: join(dir, 'again'), recordings: 1, durationSec: 90, seed: 7 });
    const hash = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');
    expect(await hash(again[0]!.edfPath)).toBe(await hash(demo[0]!.edfPath));
    await expect(generateSeizureDemo({ outDir: join(dir, 'again'), recordings: 1, durationSec: 90, seed: 7 })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

describe('loadSeizureData', () => {
  it('finds recordings with their annotations and builds a lazy standardized window set', async () => {
    const progress: string[] = [];
    const data = await loadSeizureData(join(dir, 'demo'), { onProgress: (p) => progress.push(`${p.current}/${p.total}`) });
    expect(data.recordings.map((r) => [r.id, r.durationSec, r.seizures])).toEqual(demo.map((d) => [d.id, 90, d.seizures]));
    const set = await data.windowSet({ ids: ['demo_rec01', 'demo_rec02'], windowSamples: 256 * 20, strideSamples: 256 * 10 });
    expect(progress).toEqual(['1/2', '2/2']);
    expect(set.channels).toEqual(SZCORE_CHANNELS);
    expect(set.sampleRate).toBe(256);
    expect(set.length).toBe(2 * 8); // starts 0,10,…,70 s in each 90 s recording
    expect(set.recordings.map((r) => r.id)).toEqual(['demo_rec01', 'demo_rec02']);
    // Positive flags agree with the annotations.
    for (let i = 0; i < set.length; i++) {
      const w = set.window(i);
      const seizures = demo.find((d) => d.id === w.recording)!.seizures;
      const t0 = w.startSample / 256;
      const overlaps = seizures.some(([s, e]) => s < t0 + 20 && e > t0);
      expect(set.positive[i]).toBe(overlaps ? 1 : 0);
      expect(w.x.length).toBe(19 * 256 * 20);
      expect(w.mask.reduce((a, v) => a + v, 0) > 0).toBe(overlaps);
    }
    // Channels are standardized over the recording.
    const p = await data.preprocess('demo_rec01');
    for (const c of p.data) {
      const mean = c.reduce((a, v) => a + v, 0) / c.length;
      const sd = Math.sqrt(c.reduce((a, v) => a + (v - mean) ** 2, 0) / c.length);
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(Math.abs(sd - 1)).toBeLessThan(1e-3);
    }
  });

  it('reads BIDS names and csv_bi annotations; a missing annotation is a clear error', async () => {
    const bids = join(dir, 'bids');
    const edf = await readFile(demo[0]!.edfPath);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(bids, 'sub-01', 'eeg'), { recursive: true });
    await writeFile(join(bids, 'sub-01', 'eeg', 'sub-01_run-00_eeg.edf'), edf);
    await writeFile(join(bids, 'sub-01', 'eeg', 'sub-01_run-00_events.tsv'), await readFile(demo[0]!.eventsPath));
    await writeFile(join(bids, 'tuh.edf'), edf);
    await writeFile(join(bids, 'tuh.csv_bi'), '# version = csv_v1.0.0\n# duration = 90.0000 secs\nchannel,start_time,stop_time,label,confidence\nTERM,0.0000,30.0000,bckg,1.0000\nTERM,30.0000,41.5000,seiz,1.0000\n');
    const data = await loadSeizureData(bids);
    expect(data.recordings.map((r) => [r.id, r.subject, r.seizures])).toEqual([
      ['sub-01_run-00', 'sub-01', demo[0]!.seizures],
      ['tuh', null, [[30, 41.5]]],
    ]);
    expect(await readSeizureAnnotations(join(bids, 'tuh.csv_bi'))).toEqual({ seizures: [[30, 41.5]], durationSec: 90 });
    expect(await readSeizureAnnotations(demo[0]!.eventsPath)).toEqual({ seizures: demo[0]!.seizures, durationSec: 90 });
    await expect(readSeizureAnnotations(join(bids, 'tuh.edf'))).rejects.toMatchObject({ code: 'E_INPUT', file: join(bids, 'tuh.edf') });
    await writeFile(join(bids, 'orphan.edf'), edf);
    await expect(loadSeizureData(bids)).rejects.toMatchObject({ code: 'E_INPUT', file: join(bids, 'orphan.edf') });
    const lenient = await loadSeizureData(bids, { requireAnnotations: false });
    expect(lenient.recordings.find((r) => r.id === 'orphan')).toMatchObject({ annotationPath: null, seizures: [] });
    await expect(loadSeizureData(join(dir, 'nope'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

describe('preprocessEdf', () => {
  it('selects 10-20 channels from TUH-style labels and resamples 200 → 256 Hz (a 10 Hz sine stays a 10 Hz sine)', async () => {
    const fs = 200;
    const seconds = 10;
    const signals = [
      { label: 'EEG A1-REF', physicalMin: -500, physicalMax: 500, sampleRate: fs, data: new Float64Array(fs * seconds) },
      ...TEN_TWENTY.map((e, c) => ({
        label: `EEG ${e.toUpperCase()}-REF`,
        unit: 'uV',
        physicalMin: -500,
        physicalMax: 500,
        sampleRate: fs,
        data: Float64Array.from({ length: fs * seconds }, (_, t) => 100 * Math.sin(2 * Math.PI * 10 * (t / fs) + c)),
      })),
    ];
    const path = join(dir, 'tuh200.edf');
    await writeEdf(path, { signals });
    const out = await preprocessEdf(path, 'tuh200', { montage: 'referential', bandpass: null, standardize: false });
    expect(out.channels).toEqual([...TEN_TWENTY]);
    expect(out.sampleRate).toBe(256);
    expect(out.data[0]!.length).toBe(256 * seconds);
    for (let c = 0; c < 19; c++) {
      let worst = 0;
      for (let t = 256; t < 256 * (seconds - 1); t++) worst = Math.max(worst, Math.abs(out.data[c]![t]! - 100 * Math.sin(2 * Math.PI * 10 * (t / 256) + c)));
      expect(worst).toBeLessThan(0.5); // 0.5 % of the amplitude (quantization 0.015 µV + FIR ripple)
    }
    // Common average: channels sum to zero at every sample (before z-scoring).
    const car = await preprocessEdf(path, 'tuh200', { montage: 'average', bandpass: [0.5, 40], notch: 50, standardize: false });
    expect(car.channels).toEqual(SZCORE_CHANNELS);
    for (let t = 0; t < car.data[0]!.length; t += 97) expect(Math.abs(car.data.reduce((a, c) => a + c[t]!, 0))).toBeLessThan(1e-3);
  });
});
