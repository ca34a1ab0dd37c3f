import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeImage,
  encodeImage,
  hannWindow,
  hzToMel,
  logMelSpectrogram,
  magnitudeSpectrogram,
  melFilterBank,
  melSpectrogram,
  melToHz,
  powerToDb,
  readImage,
  spectrogramToImage,
  stft,
  writeImage,
  type PadMode,
} from '../src/index.js';

interface Case {
  name: string;
  sampleRate: number;
  nFft: number;
  hopLength: number | null;
  nMels: number;
  padMode: PadMode;
  fmin: number;
  fmax: number | null;
  signal: number[];
  frames: number;
  stftMagnitudeFrame1: number[];
  melSpectrogram: number[];
  melDb: number[];
  melDbRefMax: number[];
  melFilterBank?: number[];
}

// Source: packages/spectrogram/scripts/make-fixtures.py (NumPy implementation of librosa 0.11's definitions).
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/librosa-defs.json', import.meta.url), 'utf8')) as { source: string; cases: Case[] };

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, relative = false): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const scale = relative ? Math.max(1, Math.abs(expected[i]!)) : 1;
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  }
  expect(worst).toBeLessThan(tolerance);
}

function optionsOf(c: Case) {
  return {
    sampleRate: c.sampleRate,
    nFft: c.nFft,
    ...(c.hopLength === null ? {} : { hopLength: c.hopLength }),
    nMels: c.nMels,
    padMode: c.padMode,
    fmin: c.fmin,
    ...(c.fmax === null ? {} : { fmax: c.fmax }),
  };
}

describe('spectrogram vs the NumPy reference of librosa definitions', () => {
  it('names its source', () => {
    expect(fixtures.source).toContain('make-fixtures.py');
    expect(fixtures.cases.map((c) => c.name)).toEqual(['small-constant', 'reflect-fmin-fmax', 'librosa-defaults']);
  });

  it('mel filter bank (Slaney scale, slaney norm) within 1e-5', () => {
    const c = fixtures.cases[0]!;
    const bank = melFilterBank({ sampleRate: c.sampleRate, nFft: c.nFft, nMels: c.nMels });
    expect([bank.nMels, bank.bins]).toEqual([32, 129]);
    expectClose(bank.weights, c.melFilterBank!, 1e-5);
  });

  it.each([0, 1, 2])('STFT magnitude, mel power and dB of case %i within 1e-5', (k) => {
    const c = fixtures.cases[k]!;
    const spectrum = stft(c.signal, optionsOf(c));
    expect(spectrum.frames).toBe(c.frames);
    const magnitude = magnitudeSpectrogram(spectrum, 1);
    const frame1 = Array.from({ length: spectrum.bins }, (_, f) => magnitude[f * spectrum.frames + 1]!);
    expectClose(frame1, c.stftMagnitudeFrame1, 1e-5, true);
    const mel = melSpectrogram(c.signal, optionsOf(c));
    expect([mel.bands, mel.frames]).toEqual([c.nMels, c.frames]);
    expectClose(mel.data, c.melSpectrogram, 1e-5, true);
    expectClose(logMelSpectrogram(c.signal, optionsOf(c)).data, c.melDb, 1e-5);
    expectClose(powerToDb(mel.data, { ref: 'max' }), c.melDbRefMax, 1e-5);
  });

  it('uses librosa defaults: nFft 2048, hop 512, periodic Hann, 128 bands', () => {
    const c = fixtures.cases[2]!;
    const mel = melSpectrogram(c.signal, { sampleRate: c.sampleRate });
    expect([mel.bands, mel.frames]).toEqual([128, 1 + Math.floor(c.signal.length / 512)]);
    expectClose(mel.data, c.melSpectrogram, 1e-5, true);
    const w = hannWindow(4);
    expectClose(w, [0, 0.5, 1, 0.5], 1e-15);
  });

  it('mel scale round-trips and is linear below 1 kHz', () => {
    expect(hzToMel(600)).toBeCloseTo(9, 12);
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    for (const hz of [0, 123.4, 999, 1000, 4321, 11025]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 8);
    expect(melToHz(hzToMel(440, true), true)).toBeCloseTo(440, 8);
  });

  it('powerToDb clips to topDb below the peak and floors at amin', () => {
    expect(Array.from(powerToDb([1, 1e-3, 0, 100]))).toEqual([0, -30, -80 + 20, 20]);
    expect(Array.from(powerToDb([1, 0], { topDb: null }))).toEqual([0, -100]);
  });
});

describe('spectrogram images', () => {
  const spectrogram = { bands: 3, frames: 4, data: Float64Array.from([-80, -60, -40, -20, 0, 0, 0, 0, -80, -80, -80, -80]) };

  it('maps dB to 0..255 with the lowest band at the bottom', () => {
    const image = spectrogramToImage(spectrogram);
    expect([image.width, image.height]).toEqual([4, 3]);
    // top row = band 2 (all -80 → 0), middle = band 1 (0 dB → 255), bottom = band 0.
    expect(Array.from(image.data)).toEqual([0, 0, 0, 0, 255, 255, 255, 255, 0, 64, 128, 191]);
    expect(Array.from(spectrogramToImage(spectrogram, { range: [-40, 0] }).data.subarray(8))).toEqual([0, 0, 0, 128]); // -20 dB is halfway: round(127.5)
  });

  it('PNG round-trips exactly and JPEG within a few grey levels, through files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spectrogram-'));
    try {
      const image = {
        width: 16,
        height: 8,
        data: Uint8Array.from({ length: 128 }, (_, i) => Math.round(127 + 120 * Math.sin(i / 9))),
      };
      await writeImage(join(dir, 'a.png'), image);
      expect(await readImage(join(dir, 'a.png'))).toEqual(image);
      await writeImage(join(dir, 'a.jpg'), image, { quality: 100 });
      const back = await readImage(join(dir, 'a.jpg'));
      expect([back.width, back.height]).toEqual([16, 8]);
      let worst = 0;
      for (let i = 0; i < 128; i++) worst = Math.max(worst, Math.abs(back.data[i]! - image.data[i]!));
      expect(worst).toBeLessThanOrEqual(4);
      await expect(readImage(join(dir, 'missing.png'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
      await expect(writeImage(join(dir, 'a.gif'), image)).rejects.toMatchObject({ code: 'E_USAGE' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('decodes colour pixels to BT.601 luma and refuses other formats', () => {
    const png = encodeImage({ width: 1, height: 1, data: Uint8Array.of(200) }, 'png');
    expect(Array.from(decodeImage(png).data)).toEqual([200]);
    expect(() => decodeImage(Uint8Array.of(1, 2, 3, 4), 'x.bmp')).toThrow(/neither a PNG nor a JPEG/);
  });
});
