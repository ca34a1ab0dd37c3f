import { PipelineError } from '@pipeline/core';

/** The 19 electrodes of the 10-20 system, in the SzCORE order. */
export const TEN_TWENTY = ['Fp1', 'Fp2', 'F3', 'F4', 'C3', 'C4', 'P3', 'P4', 'O1', 'O2', 'F7', 'F8', 'T3', 'T4', 'T5', 'T6', 'Fz', 'Cz', 'Pz'] as const;

/** SzCORE channel names after common-average referencing: `Fp1-Avg` … `Pz-Avg`. */
export const SZCORE_CHANNELS: readonly string[] = TEN_TWENTY.map((e) => `${e}-Avg`);

/** The 18 pairs of the longitudinal bipolar ("double banana") montage. */
export const DOUBLE_BANANA: ReadonlyArray<readonly [string, string]> = [
  ['Fp1', 'F7'], ['F7', 'T3'], ['T3', 'T5'], ['T5', 'O1'],
  ['Fp2', 'F8'], ['F8', 'T4'], ['T4', 'T6'], ['T6', 'O2'],
  ['Fp1', 'F3'], ['F3', 'C3'], ['C3', 'P3'], ['P3', 'O1'],
  ['Fp2', 'F4'], ['F4', 'C4'], ['C4', 'P4'], ['P4', 'O2'],
  ['Fz', 'Cz'], ['Cz', 'Pz'],
];

/** 10-10 names of the 10-20 temporal electrodes (T7 = T3, T8 = T4, P7 = T5, P8 = T6). */
const ALIASES: Record<string, string> = { T7: 'T3', T8: 'T4', P7: 'T5', P8: 'T6' };

/**
 * The 10-20 electrode a channel label refers to, or `null`: case-insensitive, ignoring an `EEG `
 * prefix and a reference suffix (`-REF`, `-LE`, `-AR`, `-Avg`, `-M1`…), and mapping 10-10 names
 * (T7/T8/P7/P8) onto T3/T4/T5/T6. `EEG Fp1-REF`, `FP1`, `Fp1-Avg` → `Fp1`. A bipolar label such as
 * `Fp1-F7` is not an electrode and gives `null`.
 */
export function electrodeOf(label: string): string | null {
  let text = label.trim().replace(/^EEG[\s_:-]*/i, '');
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const suffix = text.slice(dash + 1).trim().toUpperCase();
    const isElectrode = [...TEN_TWENTY, ...Object.keys(ALIASES)].some((e) => e.toUpperCase() === suffix);
    if (isElectrode) return null; // bipolar derivation
    text = text.slice(0, dash);
  }
  const upper = text.trim().toUpperCase();
  const direct = TEN_TWENTY.find((e) => e.toUpperCase() === upper);
  if (direct) return direct;
  const alias = Object.keys(ALIASES).find((a) => a === upper);
  return alias ? ALIASES[alias]! : null;
}

/** For each of the 19 electrodes, the index of the first label that names it. Missing ones → E_INPUT. */
export function matchTenTwenty(labels: readonly string[], file?: string): number[] {
  const found = new Map<string, number>();
  labels.forEach((label, i) => {
    const e = electrodeOf(label);
    if (e !== null && !found.has(e)) found.set(e, i);
  });
  const missing = TEN_TWENTY.filter((e) => !found.has(e));
  if (missing.length > 0) {
    throw new PipelineError('E_INPUT', `missing 10-20 channels ${missing.join(', ')}`, {
      ...(file === undefined ? {} : { file }),
      field: 'signal.label',
      hint: `labels present: ${labels.join(', ')}; labels like 'EEG Fp1-REF', 'Fp1' or 'Fp1-Avg' are recognised (T7/T8/P7/P8 count as T3/T4/T5/T6)`,
    });
  }
  return TEN_TWENTY.map((e) => found.get(e)!);
}

/** Common average reference in place: subtracts the across-channel mean at every sample. */
export function commonAverageReference<T extends Float32Array | Float64Array>(channels: T[]): T[] {
  if (channels.length === 0) return channels;
  const n = channels[0]!.length;
  for (const c of channels) if (c.length !== n) throw new RangeError('channels differ in length');
  const inv = 1 / channels.length;
  for (let t = 0; t < n; t++) {
    let sum = 0;
    for (const c of channels) sum += c[t]!;
    const mean = sum * inv;
    for (const c of channels) c[t] = c[t]! - mean;
  }
  return channels;
}

/** Bipolar derivations `a − b` from 19 referential channels in {@link TEN_TWENTY} order. */
export function bipolar(channels: ReadonlyArray<Float32Array | Float64Array>, pairs: ReadonlyArray<readonly [string, string]> = DOUBLE_BANANA): Float32Array[] {
  return pairs.map(([a, b]) => {
    const x = channels[TEN_TWENTY.indexOf(a as (typeof TEN_TWENTY)[number])];
    const y = channels[TEN_TWENTY.indexOf(b as (typeof TEN_TWENTY)[number])];
    if (x === undefined || y === undefined) throw new RangeError(`bipolar pair ${a}-${b} is not made of 10-20 electrodes`);
    const out = new Float32Array(x.length);
    for (let t = 0; t < x.length; t++) out[t] = x[t]! - y[t]!;
    return out;
  });
}
