import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng, deriveSeed, PipelineError } from '@pipeline/core';
import { encodeEdf } from './edf-writer.js';
import { formatEventsTsv, seizureEventRows } from './events-tsv.js';
import { TEN_TWENTY } from './montage.js';
import { atomicWrite } from '@pipeline/core';

export interface SeizureDemoOptions {
  readonly outDir: string;
  /** Number of recordings. Default 6. */
  readonly recordings?: number;
  /** Length of each recording in seconds. Default 300. */
  readonly durationSec?: number;
  readonly seed?: number;
  /** Sampling rate in Hz. Default 256. */
  readonly sampleRate?: number;
  /** Replace existing demo files. Default false (existing files → E_USAGE). */
  readonly overwrite?: boolean;
}

export interface SeizureDemoRecording {
  readonly id: string;
  readonly edfPath: string;
  readonly eventsPath: string;
  readonly durationSec: number;
  readonly seizures: ReadonlyArray<readonly [number, number]>;
}

/** A sine of `cyclesPerSample` starting at `phase0` (in cycles), by phasor rotation, renormalized every 1024 steps. */
function oscillator(cyclesPerSample: number, phase0: number): { next(): number } {
  const w = 2 * Math.PI * cyclesPerSample;
  const cw = Math.cos(w);
  const sw = Math.sin(w);
  let re = Math.cos(2 * Math.PI * phase0);
  let im = Math.sin(2 * Math.PI * phase0);
  let steps = 0;
  return {
    next(): number {
      const value = im;
      const r = re * cw - im * sw;
      im = im * cw + re * sw;
      re = r;
      if (++steps % 1024 === 0) {
        const norm = Math.hypot(re, im);
        re /= norm;
        im /= norm;
      }
      return value;
    },
  };
}

/** Electrode neighbourhoods a seizure starts in (then spreads to the whole hemisphere). */
const FOCI: ReadonlyArray<{ readonly focus: readonly string[]; readonly spread: readonly string[] }> = [
  { focus: ['F7', 'T3', 'T5'], spread: ['Fp1', 'F3', 'C3', 'P3', 'O1'] },
  { focus: ['F8', 'T4', 'T6'], spread: ['Fp2', 'F4', 'C4', 'P4', 'O2'] },
  { focus: ['C3', 'P3', 'Cz'], spread: ['F3', 'Fz', 'Pz', 'T3', 'T5'] },
  { focus: ['Fp1', 'Fp2', 'Fz'], spread: ['F3', 'F4', 'F7', 'F8', 'Cz'] },
];
const POSTERIOR = new Set(['O1', 'O2', 'P3', 'P4', 'T5', 'T6', 'Pz']);
/** Seizures per recording, cycled: one recording in six has none. */
const SEIZURE_COUNTS = [1, 2, 1, 0, 2, 1];

/**
 * Writes a small synthetic seizure data set: 19-channel EDF+ files (common-average referenced,
 * `Fp1-Avg` …, 256 Hz) with background rhythms (posterior alpha, theta, 1/f-like noise) and
 * seizures as evolving high-amplitude rhythmic bursts (8 → 3 Hz with a harmonic, 10–40 s, starting
 * on a focus and spreading over a hemisphere), each annotated in the EDF Annotations channel and
 * in `NAME_events.tsv` beside the EDF. Deterministic for a seed.
 */
export async function generateSeizureDemo(options: SeizureDemoOptions): Promise<SeizureDemoRecording[]> {
  const count = options.recordings ?? 6;
  const durationSec = options.durationSec ?? 300;
  const fs = options.sampleRate ?? 256;
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(count) && count >= 1)) throw new PipelineError('E_USAGE', `recordings ${count} must be a positive integer`, { field: 'recordings' });
  if (!(Number.isInteger(durationSec) && durationSec >= 60)) throw new PipelineError('E_USAGE', `durationSec ${durationSec} must be an integer ≥ 60`, { field: 'durationSec' });
  if (!(Number.isInteger(fs) && fs >= 64)) throw new PipelineError('E_USAGE', `sampleRate ${fs} must be an integer ≥ 64`, { field: 'sampleRate' });
  await mkdir(options.outDir, { recursive: true });
  const out: SeizureDemoRecording[] = [];
  for (let k = 0; k < count; k++) {
    const id = `demo_rec${String(k + 1).padStart(2, '0')}`;
    const edfPath = join(options.outDir, `${id}.edf`);
    const eventsPath = join(options.outDir, `${id}_events.tsv`);
    if (options.overwrite !== true) {
      for (const p of [edfPath, eventsPath]) {
        if (await stat(p).then(() => true, () => false)) throw new PipelineError('E_USAGE', 'demo file exists', { file: p, hint: 'choose an empty folder or pass overwrite' });
      }
    }
    const rng = createRng(deriveSeed(seed, 'seizure-demo', k));
    const n = durationSec * fs;
    const channels = TEN_TWENTY.map(() => new Float64Array(n));
    // Background: AR(1) noise + alpha (posterior) + theta, slowly modulated. Oscillators are
    // rotating phasors and the noise is uniform (unit variance): cheap, so the demo stays fast.
    const unit = (): number => (rng.nextUint32() / 4294967296 - 0.5) * 3.4641016151377544; // √12
    TEN_TWENTY.forEach((name, c) => {
      const x = channels[c]!;
      const alpha = oscillator((9 + 2 * rng.uniform()) / fs, rng.uniform());
      const theta = oscillator((5 + 2 * rng.uniform()) / fs, rng.uniform());
      const modulation = oscillator((0.05 + 0.1 * rng.uniform()) / fs, 0);
      const alphaA = POSTERIOR.has(name) ? 18 : 5;
      let ar = 0;
      for (let t = 0; t < n; t++) {
        ar = 0.97 * ar + 4 * unit();
        const mod = 0.6 + 0.4 * modulation.next();
        x[t] = ar + alphaA * mod * alpha.next() + 6 * theta.next() + 3 * unit();
      }
    });
    // Seizures: non-overlapping, at least 20 s from the edges and 30 s apart.
    const seizures: Array<[number, number]> = [];
    const wanted = SEIZURE_COUNTS[k % SEIZURE_COUNTS.length]!;
    for (let attempt = 0; seizures.length < wanted && attempt < 200; attempt++) {
      const length = 10 + Math.floor(30 * rng.uniform());
      const onset = 20 + Math.floor((durationSec - 40 - length) * rng.uniform());
      if (onset < 20 || onset + length > durationSec - 20) continue;
      if (seizures.some(([s, e]) => onset < e + 30 && onset + length > s - 30)) continue;
      seizures.push([onset, onset + length]);
    }
    seizures.sort((a, b) => a[0] - b[0]);
    for (const [onset, stop] of seizures) {
      const { focus, spread } = FOCI[rng.int(FOCI.length)]!;
      const length = stop - onset;
      const amplitude = 120 + 80 * rng.uniform();
      const delay = length / 3;
      let phase = 0;
      for (let t = Math.round(onset * fs); t < Math.round(stop * fs) && t < n; t++) {
        const u = (t / fs - onset) / length; // 0 → 1 through the seizure
        const freq = 8 - 5 * u; // evolving 8 → 3 Hz
        phase += (2 * Math.PI * freq) / fs;
        const envelope = Math.min(1, u / 0.15, (1 - u) / 0.1);
        const wave = Math.sin(phase) + 0.45 * Math.sin(2 * phase + 0.5);
        TEN_TWENTY.forEach((name, c) => {
          let gain = 0;
          if (focus.includes(name)) gain = 1;
          else if (spread.includes(name) && (t / fs - onset) > delay) gain = 0.6 * Math.min(1, (t / fs - onset - delay) / 3);
          if (gain > 0) channels[c]![t] = channels[c]![t]! + gain * amplitude * envelope * wave;
        });
      }
    }
    // Common average reference, as the challenge data.
    for (let t = 0; t < n; t++) {
      let sum = 0;
      for (const x of channels) sum += x[t]!;
      const mean = sum / channels.length;
      for (const x of channels) x[t] = x[t]! - mean;
    }
    const start = new Date(Date.UTC(2026, 0, 1 + k, 9, 0, 0));
    const bytes = encodeEdf({
      start,
      format: 'edf+c',
      recordDurationSec: 1,
      signals: TEN_TWENTY.map((name, c) => ({
        label: `${name}-Avg`,
        unit: 'uV',
        transducer: 'synthetic',
        physicalMin: -1000,
        physicalMax: 1000,
        sampleRate: fs,
        data: channels[c]!,
      })),
      annotations: seizures.map(([s, e]) => ({ onset: s, duration: e - s, text: 'sz' })),
    });
    await atomicWrite(edfPath, bytes);
    await atomicWrite(eventsPath, formatEventsTsv(seizureEventRows(seizures, { recordingDuration: durationSec, start })));
    out.push({ id, edfPath, eventsPath, durationSec, seizures });
  }
  return out;
}
