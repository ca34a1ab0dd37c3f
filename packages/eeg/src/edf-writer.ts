import { stat } from 'node:fs/promises';
import { atomicWrite, PipelineError } from '@pipeline/core';
import { encodeTal } from './tal.js';

/** One signal to write. `data.length` must be a multiple of its samples per record. */
export interface EdfSignalSpec {
  readonly label: string;
  /** Physical dimension, e.g. `uV`. */
  readonly unit?: string;
  readonly transducer?: string;
  readonly prefiltering?: string;
  readonly physicalMin: number;
  readonly physicalMax: number;
  /** Default -32768. */
  readonly digitalMin?: number;
  /** Default 32767. */
  readonly digitalMax?: number;
  /** Samples per second; `sampleRate × recordDurationSec` must be a positive integer. */
  readonly sampleRate: number;
  /** Physical values (clipped to the physical range when digitized). */
  readonly data: ArrayLike<number>;
}

/** An annotation to write in the `EDF Annotations` signal. */
export interface EdfAnnotationSpec {
  readonly onset: number;
  readonly duration?: number | null;
  readonly text: string;
}

/** Everything {@link encodeEdf} needs. */
export interface EdfSpec {
  readonly patient?: string;
  readonly recording?: string;
  /** Start date/time (UTC fields are written). Default 2000-01-01 00:00:00. */
  readonly start?: Date;
  /** Default 1 s. */
  readonly recordDurationSec?: number;
  readonly signals: readonly EdfSignalSpec[];
  /** `edf` writes plain EDF (annotations not allowed); `edf+c` (default) and `edf+d` add an `EDF Annotations` signal. */
  readonly format?: 'edf' | 'edf+c' | 'edf+d';
  readonly annotations?: readonly EdfAnnotationSpec[];
  /** EDF+D only: the onset (s) of each data record; default contiguous. */
  readonly recordOnsets?: readonly number[];
}

/** Formats a number into at most `width` ASCII characters (EDF header fields). */
export function formatEdfNumber(value: number, width = 8): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be written to an EDF header`);
  if (Number.isInteger(value) && String(value).length <= width) return String(value);
  for (let digits = width; digits >= 0; digits--) {
    const text = value.toFixed(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    if (text.length <= width) return text;
  }
  throw new RangeError(`${value} does not fit in ${width} characters`);
}

function field(text: string, width: number, name: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new PipelineError('E_USAGE', `${name} '${text}' has characters outside printable ASCII`, { field: name });
  if (text.length > width) throw new PipelineError('E_USAGE', `${name} '${text}' is longer than ${width} characters`, { field: name });
  return text.padEnd(width, ' ');
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Encodes an EDF/EDF+ file in memory (physical → digital by the specification's linear map, rounded). */
export function encodeEdf(spec: EdfSpec): Uint8Array {
  const format = spec.format ?? 'edf+c';
  const recDur = spec.recordDurationSec ?? 1;
  const annotations = spec.annotations ?? [];
  if (format === 'edf' && annotations.length > 0) throw new PipelineError('E_USAGE', 'plain EDF cannot hold annotations', { field: 'format', hint: "use 'edf+c'" });
  if (spec.signals.length === 0 && format === 'edf') throw new PipelineError('E_USAGE', 'no signals to write', { field: 'signals' });
  const samplesPerRecord = spec.signals.map((s, i) => {
    const n = s.sampleRate * recDur;
    if (!(Math.abs(n - Math.round(n)) < 1e-9) || Math.round(n) < 1) {
      throw new PipelineError('E_USAGE', `sample rate ${s.sampleRate} × record duration ${recDur} s is not a positive integer`, { field: `signals[${i}].sampleRate` });
    }
    return Math.round(n);
  });
  let records = 0;
  spec.signals.forEach((s, i) => {
    const r = s.data.length / samplesPerRecord[i]!;
    if (!Number.isInteger(r)) throw new PipelineError('E_USAGE', `${s.data.length} samples is not a whole number of ${samplesPerRecord[i]}-sample records`, { field: `signals[${i}].data` });
    if (i > 0 && r !== records) throw new PipelineError('E_USAGE', `signal ${i} has ${r} records, signal 0 has ${records}`, { field: `signals[${i}].data` });
    records = r;
  });
  const onsets = spec.recordOnsets ?? Array.from({ length: records }, (_, i) => i * recDur);
  if (onsets.length !== records) throw new PipelineError('E_USAGE', `${onsets.length} record onsets for ${records} records`, { field: 'recordOnsets' });

  // Annotation signal: the time-keeping TAL of each record, then each annotation in the record where its onset falls.
  const plus = format !== 'edf';
  const tals: Uint8Array[][] = onsets.map((onset) => [encodeTal(onset, null, [])]);
  if (plus) {
    for (const a of annotations) {
      let r = 0;
      while (r + 1 < records && onsets[r + 1]! <= a.onset) r++;
      if (records === 0) throw new PipelineError('E_USAGE', 'annotations need at least one data record', { field: 'annotations' });
      tals[r]!.push(encodeTal(a.onset, a.duration ?? null, [a.text]));
    }
  }
  const annotationBytes = plus ? Math.max(2, ...tals.map((list) => list.reduce((n, t) => n + t.length, 0))) : 0;
  const annotationSamples = Math.ceil(annotationBytes / 2);

  const headerSignals = [
    ...spec.signals.map((s, i) => ({
      label: s.label,
      transducer: s.transducer ?? '',
      unit: s.unit ?? '',
      physicalMin: s.physicalMin,
      physicalMax: s.physicalMax,
      digitalMin: s.digitalMin ?? -32768,
      digitalMax: s.digitalMax ?? 32767,
      prefiltering: s.prefiltering ?? '',
      samples: samplesPerRecord[i]!,
    })),
    ...(plus
      ? [{ label: 'EDF Annotations', transducer: '', unit: '', physicalMin: -1, physicalMax: 1, digitalMin: -32768, digitalMax: 32767, prefiltering: '', samples: annotationSamples }]
      : []),
  ];
  headerSignals.forEach((s, i) => {
    if (!(s.digitalMax > s.digitalMin) || s.digitalMin < -32768 || s.digitalMax > 32767) {
      throw new PipelineError('E_USAGE', `digital range ${s.digitalMin}..${s.digitalMax} is invalid`, { field: `signals[${i}].digitalMin` });
    }
    if (!(s.physicalMax !== s.physicalMin)) throw new PipelineError('E_USAGE', 'physical minimum equals maximum', { field: `signals[${i}].physicalMax` });
  });
  const ns = headerSignals.length;
  const start = spec.start ?? new Date(Date.UTC(2000, 0, 1));
  const year = start.getUTCFullYear();
  let header = '';
  header += field('0', 8, 'version');
  header += field(spec.patient ?? (plus ? 'X X X X' : ''), 80, 'patient');
  const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  const recordingDefault = plus ? `Startdate ${two(start.getUTCDate())}-${months[start.getUTCMonth()]}-${year} X X X` : '';
  header += field(spec.recording ?? recordingDefault, 80, 'recording');
  header += `${two(start.getUTCDate())}.${two(start.getUTCMonth() + 1)}.${two(year % 100)}`;
  header += `${two(start.getUTCHours())}.${two(start.getUTCMinutes())}.${two(start.getUTCSeconds())}`;
  header += field(String(256 * (ns + 1)), 8, 'headerBytes');
  header += field(format === 'edf+c' ? 'EDF+C' : format === 'edf+d' ? 'EDF+D' : '', 44, 'reserved');
  header += field(String(records), 8, 'numberOfDataRecords');
  header += field(formatEdfNumber(recDur), 8, 'recordDuration');
  header += field(String(ns), 4, 'numberOfSignals');
  const put = (get: (s: (typeof headerSignals)[number]) => string, width: number, name: string): void => {
    headerSignals.forEach((s, i) => (header += field(get(s), width, `signals[${i}].${name}`)));
  };
  put((s) => s.label, 16, 'label');
  put((s) => s.transducer, 80, 'transducer');
  put((s) => s.unit, 8, 'unit');
  put((s) => formatEdfNumber(s.physicalMin), 8, 'physicalMin');
  put((s) => formatEdfNumber(s.physicalMax), 8, 'physicalMax');
  put((s) => String(s.digitalMin), 8, 'digitalMin');
  put((s) => String(s.digitalMax), 8, 'digitalMax');
  put((s) => s.prefiltering, 80, 'prefiltering');
  put((s) => String(s.samples), 8, 'samplesPerRecord');
  put(() => '', 32, 'reserved');

  const recordBytes = headerSignals.reduce((n, s) => n + 2 * s.samples, 0);
  const out = new Uint8Array(header.length + records * recordBytes);
  for (let i = 0; i < header.length; i++) out[i] = header.charCodeAt(i);
  const view = new DataView(out.buffer);
  // The physical values written to the header are what a reader uses: digitize with those.
  const written = headerSignals.map((s) => ({ pmin: Number(formatEdfNumber(s.physicalMin)), pmax: Number(formatEdfNumber(s.physicalMax)) }));
  for (let r = 0; r < records; r++) {
    let offset = header.length + r * recordBytes;
    spec.signals.forEach((s, i) => {
      const h = headerSignals[i]!;
      const { pmin, pmax } = written[i]!;
      const gain = (h.digitalMax - h.digitalMin) / (pmax - pmin);
      const n = h.samples;
      for (let k = 0; k < n; k++) {
        const value = Number(s.data[r * n + k]);
        let d = Math.round((value - pmin) * gain + h.digitalMin);
        if (!(d >= h.digitalMin)) d = h.digitalMin; // also NaN
        if (d > h.digitalMax) d = h.digitalMax;
        view.setInt16(offset + 2 * k, d, true);
      }
      offset += 2 * n;
    });
    if (plus) {
      for (const tal of tals[r]!) {
        out.set(tal, offset);
        offset += tal.length;
      }
    }
  }
  return out;
}

/** Writes an EDF/EDF+ file atomically. Refuses to overwrite an existing file unless `overwrite` is set. */
export async function writeEdf(path: string, spec: EdfSpec, options: { readonly overwrite?: boolean } = {}): Promise<void> {
  if (options.overwrite !== true) {
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new PipelineError('E_USAGE', 'file exists', { file: path, hint: 'pass overwrite: true or choose another path' });
  }
  await atomicWrite(path, encodeEdf(spec));
}
