import { PipelineError } from '@pipeline/core';

/** The fixed part of an EDF/EDF+ header (the first 256 bytes). */
export interface EdfHeader {
  /** `0` for EDF/EDF+. */
  readonly version: string;
  readonly patient: string;
  readonly recording: string;
  /** `dd.mm.yy` as written. */
  readonly startDate: string;
  /** `hh.mm.ss` as written. */
  readonly startTime: string;
  /** The start: the header's clock date and time stored in the UTC fields of a `Date` (EDF has no time zone), or `null` when they do not parse. */
  readonly start: Date | null;
  readonly headerBytes: number;
  /** The 44-byte reserved field: `EDF+C`, `EDF+D` or blank for plain EDF. */
  readonly reserved: string;
  /** `edf` (plain), `edf+c` (continuous) or `edf+d` (discontinuous). */
  readonly format: 'edf' | 'edf+c' | 'edf+d';
  /** Number of data records; resolved from the file size when the header says -1. */
  readonly numberOfDataRecords: number;
  /** Duration of one data record in seconds. */
  readonly recordDurationSec: number;
  readonly numberOfSignals: number;
}

/** One signal's header (256 bytes spread over the signal fields). */
export interface EdfSignalHeader {
  readonly index: number;
  readonly label: string;
  readonly transducer: string;
  /** Physical dimension (unit), e.g. `uV`. */
  readonly unit: string;
  readonly physicalMin: number;
  readonly physicalMax: number;
  readonly digitalMin: number;
  readonly digitalMax: number;
  readonly prefiltering: string;
  readonly samplesPerRecord: number;
  readonly reserved: string;
  /** True for an `EDF Annotations` signal of an EDF+ file. */
  readonly isAnnotation: boolean;
  /** Samples per second (`samplesPerRecord / recordDurationSec`; 0 for annotation-only files). */
  readonly sampleRate: number;
  /** Byte offset of this signal inside a data record. */
  readonly recordOffset: number;
}

/** A parsed header: the fixed part, every signal, and the byte size of one data record. */
export interface EdfLayout {
  readonly header: EdfHeader;
  readonly signals: readonly EdfSignalHeader[];
  readonly recordBytes: number;
}

const SIGNAL_FIELDS = [
  ['label', 16],
  ['transducer', 80],
  ['unit', 8],
  ['physicalMin', 8],
  ['physicalMax', 8],
  ['digitalMin', 8],
  ['digitalMax', 8],
  ['prefiltering', 80],
  ['samplesPerRecord', 8],
  ['reserved', 32],
] as const;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** Maximum signals we accept (keeps a corrupt `ns` from allocating gigabytes). */
export const MAX_SIGNALS = 4096;

/**
 * Parses and validates an EDF/EDF+ header. `bytes` must hold at least the first 256 bytes; when it
 * holds fewer than `256 × (ns + 1)`, the error names the truncated header. `fileSize` resolves
 * `numberOfDataRecords = -1` and detects truncated data.
 */
export function parseEdfHeader(bytes: Uint8Array, file: string, fileSize: number): EdfLayout {
  const fail = (field: string, message: string, hint?: string): never => {
    throw new PipelineError('E_INPUT', message, hint === undefined ? { file, field } : { file, field, hint });
  };
  if (bytes.length < 256) fail('header', `file has ${fileSize} bytes, fewer than the 256-byte EDF header`, 'is this an EDF file?');
  const number = (field: string, start: number, length: number, integer: boolean): number => {
    const text = ascii(bytes, start, length).trim();
    if (!NUMBER.test(text)) fail(field, `'${printable(text)}' is not a number`);
    const value = Number(text);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) fail(field, `'${printable(text)}' is not ${integer ? 'an integer' : 'a finite number'}`);
    return value;
  };
  const version = ascii(bytes, 0, 8).trim();
  if (version !== '0') {
    fail('header.version', `version '${printable(version)}' is not '0'`, bytes[0] === 0xff ? 'BDF (24-bit) files are not supported' : 'only EDF and EDF+ files are read');
  }
  const patient = ascii(bytes, 8, 80).trimEnd();
  const recording = ascii(bytes, 88, 80).trimEnd();
  const startDate = ascii(bytes, 168, 8);
  const startTime = ascii(bytes, 176, 8);
  const headerBytes = number('header.headerBytes', 184, 8, true);
  const reserved = ascii(bytes, 192, 44).trimEnd();
  const declaredRecords = number('header.numberOfDataRecords', 236, 8, true);
  const recordDurationSec = number('header.recordDuration', 244, 8, false);
  const ns = number('header.numberOfSignals', 252, 4, true);
  if (ns < 1 || ns > MAX_SIGNALS) fail('header.numberOfSignals', `${ns} signals; expected 1 to ${MAX_SIGNALS}`);
  if (headerBytes !== 256 * (ns + 1)) {
    fail('header.headerBytes', `header size ${headerBytes} does not match 256 × (1 + ${ns} signals) = ${256 * (ns + 1)}`);
  }
  if (bytes.length < headerBytes) {
    fail('header', `file is truncated inside the header: ${fileSize} bytes, header needs ${headerBytes}`);
  }
  if (recordDurationSec < 0) fail('header.recordDuration', `record duration ${recordDurationSec} is negative`);
  const format: EdfHeader['format'] = reserved.startsWith('EDF+D') ? 'edf+d' : reserved.startsWith('EDF+C') ? 'edf+c' : 'edf';

  const raw: Record<string, string[]> = {};
  let offset = 256;
  for (const [name, width] of SIGNAL_FIELDS) {
    const values: string[] = [];
    for (let s = 0; s < ns; s++) values.push(ascii(bytes, offset + s * width, width));
    raw[name] = values;
    offset += width * ns;
  }
  const signals: EdfSignalHeader[] = [];
  let recordOffset = 0;
  for (let s = 0; s < ns; s++) {
    const field = (name: string): string => `signal[${s}].${name}`;
    const fieldStart = (name: string): number => {
      let start = 256;
      for (const [n, width] of SIGNAL_FIELDS) {
        if (n === name) return start + s * width;
        start += width * ns;
      }
      return start;
    };
    const num = (name: (typeof SIGNAL_FIELDS)[number][0], integer: boolean): number =>
      number(field(name), fieldStart(name), SIGNAL_FIELDS.find(([n]) => n === name)![1], integer);
    const label = raw.label![s]!.trim();
    const isAnnotation = format !== 'edf' && label === 'EDF Annotations';
    const physicalMin = num('physicalMin', false);
    const physicalMax = num('physicalMax', false);
    const digitalMin = num('digitalMin', true);
    const digitalMax = num('digitalMax', true);
    const samplesPerRecord = num('samplesPerRecord', true);
    if (digitalMin < -32768 || digitalMin > 32767) fail(field('digitalMin'), `${digitalMin} is outside the 16-bit range -32768..32767`);
    if (digitalMax < -32768 || digitalMax > 32767) fail(field('digitalMax'), `${digitalMax} is outside the 16-bit range -32768..32767`);
    if (digitalMax <= digitalMin) fail(field('digitalMax'), `digital maximum ${digitalMax} is not above the digital minimum ${digitalMin}`);
    if (!isAnnotation && physicalMax === physicalMin) fail(field('physicalMax'), `physical maximum equals the physical minimum (${physicalMin})`);
    if (samplesPerRecord < 1) fail(field('samplesPerRecord'), `${samplesPerRecord} samples per record; expected at least 1`);
    if (samplesPerRecord > 1 << 24) fail(field('samplesPerRecord'), `${samplesPerRecord} samples per record is implausibly large`);
    if (!isAnnotation && recordDurationSec === 0) {
      fail('header.recordDuration', 'record duration is 0 but the file holds ordinary signals', 'only annotation-only EDF+ files may have 0 s records');
    }
    signals.push({
      index: s,
      label,
      transducer: raw.transducer![s]!.trim(),
      unit: raw.unit![s]!.trim(),
      physicalMin,
      physicalMax,
      digitalMin,
      digitalMax,
      prefiltering: raw.prefiltering![s]!.trim(),
      samplesPerRecord,
      reserved: raw.reserved![s]!.trim(),
      isAnnotation,
      sampleRate: recordDurationSec > 0 ? samplesPerRecord / recordDurationSec : 0,
      recordOffset,
    });
    recordOffset += samplesPerRecord * 2;
  }
  const recordBytes = recordOffset;
  const available = Math.floor((fileSize - headerBytes) / recordBytes);
  let numberOfDataRecords = declaredRecords;
  if (declaredRecords === -1) {
    numberOfDataRecords = available;
  } else if (declaredRecords < 0) {
    fail('header.numberOfDataRecords', `${declaredRecords} data records; expected -1 (unknown) or a count ≥ 0`);
  } else if (declaredRecords > available) {
    fail(
      'header.numberOfDataRecords',
      `file is truncated: the header promises ${declaredRecords} data records of ${recordBytes} bytes but only ${available} complete records follow (${fileSize} bytes)`,
    );
  }
  if (format !== 'edf' && !signals.some((s) => s.isAnnotation)) {
    fail('header.reserved', `${format.toUpperCase()} file has no 'EDF Annotations' signal`, 'EDF+ requires one; write plain EDF (blank reserved field) instead');
  }
  const header: EdfHeader = {
    version,
    patient,
    recording,
    startDate,
    startTime,
    start: parseStart(startDate, startTime, recording),
    headerBytes,
    reserved,
    format,
    numberOfDataRecords,
    recordDurationSec,
    numberOfSignals: ns,
  };
  return { header, signals, recordBytes };
}

/** Start date/time; EDF's two-digit year: 85–99 → 19xx, 00–84 → 20xx. EDF+ `Startdate dd-MMM-yyyy` wins for the year. */
function parseStart(date: string, time: string, recording: string): Date | null {
  const d = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(date);
  const t = /^(\d\d)\.(\d\d)\.(\d\d)$/.exec(time);
  if (!d || !t) return null;
  let year = Number(d[3]);
  year += year >= 85 ? 1900 : 2000;
  const plus = /^Startdate \d\d-[A-Z]{3}-(\d{4})/.exec(recording);
  if (plus) year = Number(plus[1]);
  const value = new Date(Date.UTC(year, Number(d[2]) - 1, Number(d[1]), Number(t[1]), Number(t[2]), Number(t[3])));
  return Number.isNaN(value.getTime()) ? null : value;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
