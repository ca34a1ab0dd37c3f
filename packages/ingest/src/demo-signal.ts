import type { Rng } from '@pipeline/core';

/** Sampling rate of the demo signal (Hz). */
export const DEMO_SFREQ = 250;
/** Samples per demo window: 5 s at 250 Hz. */
export const DEMO_SAMPLES = 1250;
/** The 19 channels of the 10-20 system; `channel` meta values index this list. */
export const DEMO_CHANNELS = [
  'Fp1', 'Fp2', 'F7', 'F3', 'Fz', 'F4', 'F8', 'T3', 'C3', 'Cz', 'C4', 'T4', 'T5', 'P3', 'Pz', 'P4', 'T6', 'O1', 'O2',
] as const;

/** Per-row parameters of {@link synthesizeDemoSignal}. */
export interface DemoSignalParams {
  /** 0 normal (alpha rhythm), 1 slowing (theta/delta rhythm, weak alpha), 2 spike-and-wave bursts. */
  readonly label: number;
  /** Subject's alpha peak frequency (Hz) and amplitude (µV). */
  readonly alphaHz: number;
  readonly alphaUv: number;
  /** Subject's background noise scale (≈1). */
  readonly noiseScale: number;
  readonly channel: number;
  /** 0..1: low quality adds white noise and 50 Hz mains. */
  readonly quality: number;
}

// Module-scope aliases: a global lookup per sample is several times slower inside a vm context (jest).
const { exp, sin, PI } = Math;
const TWO_PI = 2 * PI;

/** Alpha is strongest over the back of the head, eye blinks hit the front. */
function channelGain(channel: number): { alpha: number; frontal: boolean } {
  const name = DEMO_CHANNELS[channel] ?? 'Cz';
  if (name.startsWith('O') || name.startsWith('P') || name === 'T5' || name === 'T6') return { alpha: 1.35, frontal: false };
  if (name.startsWith('Fp') || name.startsWith('F')) return { alpha: 0.65, frontal: true };
  return { alpha: 1, frontal: false };
}

/**
 * One 5 s EEG-like window (µV), written into `out` (length {@link DEMO_SAMPLES}).
 *
 * Every window: AR(1) "pink" background + white noise, an amplitude-modulated alpha rhythm at the
 * subject's peak, 50 Hz mains and extra noise when quality is low, occasional eye blinks on frontal
 * channels. Class 1 weakens alpha and adds a 3–7 Hz rhythm; class 2 adds 1–3 bursts of 2.5–3.5 Hz
 * spike-and-wave complexes. Confusers keep the task imperfect: mild theta in 25 % of other windows,
 * an isolated sharp transient in 12 %, and class strengths that vary from faint to strong.
 */
export function synthesizeDemoSignal(rng: Rng, params: DemoSignalParams, out: Float32Array): void {
  const dt = 1 / DEMO_SFREQ;
  const gain = channelGain(params.channel);
  const signal = new Float64Array(DEMO_SAMPLES);
  // Background: AR(1) + white noise.
  const white = 1.2 + 3 * (1 - params.quality);
  let ar = rng.normal() * 6;
  for (let t = 0; t < DEMO_SAMPLES; t++) {
    ar = 0.95 * ar + 2 * params.noiseScale * rng.normal();
    signal[t] = ar + white * rng.normal();
  }
  // Alpha rhythm, amplitude-modulated.
  const alphaFactor = params.label === 1 ? 0.25 + 0.45 * rng.uniform() : 0.75 + 0.5 * rng.uniform();
  addRhythm(signal, params.alphaHz + 0.3 * rng.normal(), params.alphaUv * gain.alpha * alphaFactor, rng, dt);
  // Slowing: a theta/delta rhythm (class 1 strong; a mild one as a confuser elsewhere).
  if (params.label === 1) {
    addRhythm(signal, 3 + 4 * rng.uniform(), 6 + 16 * rng.uniform() ** 0.7, rng, dt);
  } else if (rng.uniform() < 0.25) {
    addRhythm(signal, 3 + 4 * rng.uniform(), 2 + 6 * rng.uniform(), rng, dt);
  }
  // Spike-and-wave bursts (class 2) or an isolated sharp transient (confuser).
  if (params.label === 2) {
    const bursts = 1 + rng.int(3);
    const amplitude = 18 + 50 * rng.uniform();
    for (let b = 0; b < bursts; b++) {
      const duration = 0.5 + rng.uniform();
      const onset = rng.uniform() * (DEMO_SAMPLES * dt - duration);
      const rate = 2.5 + rng.uniform();
      for (let s = onset; s < onset + duration; s += 1 / rate) addSpikeWave(signal, s, amplitude * (0.8 + 0.4 * rng.uniform()), dt);
    }
  } else if (rng.uniform() < 0.12) {
    addSpikeWave(signal, rng.uniform() * (DEMO_SAMPLES * dt - 0.4), 20 + 30 * rng.uniform(), dt);
  }
  // Eye blink on frontal channels: a slow 150–300 ms deflection.
  if (gain.frontal && rng.uniform() < 0.3) {
    const center = rng.uniform() * DEMO_SAMPLES * dt;
    const width = 0.075 + 0.075 * rng.uniform();
    const height = 40 + 60 * rng.uniform();
    for (let t = 0; t < DEMO_SAMPLES; t++) signal[t]! += height * exp(-0.5 * ((t * dt - center) / width) ** 2);
  }
  // Mains interference when quality is low.
  const mains = (1 - params.quality) * 4 * rng.uniform();
  const phase = TWO_PI * rng.uniform();
  for (let t = 0; t < DEMO_SAMPLES; t++) out[t] = signal[t]! + mains * sin(TWO_PI * 50 * t * dt + phase);
}

function addRhythm(signal: Float64Array, hz: number, amplitude: number, rng: Rng, dt: number): void {
  const phase = TWO_PI * rng.uniform();
  const envelopeHz = 0.1 + 0.4 * rng.uniform();
  const envelopePhase = TWO_PI * rng.uniform();
  for (let t = 0; t < signal.length; t++) {
    const time = t * dt;
    const envelope = 1 + 0.4 * sin(TWO_PI * envelopeHz * time + envelopePhase);
    signal[t]! += amplitude * envelope * sin(TWO_PI * hz * time + phase);
  }
}

/** A sharp negative spike (σ ≈ 12 ms) followed by a positive slow wave (σ ≈ 70 ms, 130 ms later). */
function addSpikeWave(signal: Float64Array, at: number, amplitude: number, dt: number): void {
  const from = Math.max(0, Math.floor((at - 0.06) / dt));
  const to = Math.min(signal.length, Math.ceil((at + 0.45) / dt));
  for (let t = from; t < to; t++) {
    const time = t * dt - at;
    signal[t]! += -amplitude * exp(-0.5 * (time / 0.012) ** 2) + 0.55 * amplitude * exp(-0.5 * ((time - 0.13) / 0.07) ** 2);
  }
}
