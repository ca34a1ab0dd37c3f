import { open, type FileHandle } from 'node:fs/promises';
import { PipelineError } from '@pipeline/core';
import { parseEdfHeader, type EdfHeader, type EdfLayout, type EdfSignalHeader } from './edf-header.js';
import { parseTals, type EdfAnnotation } from './tal.js';

/** Random-access bytes behind a reader: a file or an in-memory buffer. */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Reads exactly `length` bytes at `position` (fewer only at the end of the source). */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A byte source over an in-memory buffer (tests, files already in memory). */
export function bufferSource(bytes: Uint8Array, name = 'memory.edf'): ByteSource {
  return {
    name,
    size: bytes.length,
    read: async (position, length) => bytes.slice(position, Math.min(bytes.length, position + length)),
    close: async () => {},
  };
}

async function fileSource(path: string): Promise<ByteSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new PipelineError(code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_INPUT', 'cannot open the EDF file', { file: path, cause });
  }
  const { size } = await handle.stat();
  return {
    name: path,
    size,
    read: async (position, length) => {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, size - position)));
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === buffer.length ? buffer : buffer.subarray(0, done);
    },
    close: () => handle.close(),
  };
}

/** One data record, decoded. */
export interface EdfRecord {
  readonly index: number;
  /** Start of the record in seconds from the file start (time-keeping TAL for EDF+, else index × duration). */
  readonly onset: number;
  /** Physical values per signal; `null` for annotation signals. */
  readonly signals: ReadonlyArray<Float64Array | null>;
  /** The record's annotations (EDF+ only), time-keeping TAL excluded. */
  readonly annotations: readonly EdfAnnotation[];
}

export interface ReadSignalOptions {
  /** Value for samples in the gaps of an EDF+D file and past the end. Default `NaN`. */
  readonly gapValue?: number;
}

export interface ReadSignalsOptions extends ReadSignalOptions {
  /**
   * Output buffers to fill instead of allocating (one per requested signal, each at least as long
   * as the range); the result holds views of them. Reusing buffers avoids first-touch page faults
   * of fresh memory, which dominate a whole-file read on some virtual machines.
   */
  readonly into?: readonly Float64Array[];
}

/** Most samples one read may return (2^28 float64 = 2 GiB); larger ranges must be read in pieces. */
export const MAX_READ_SAMPLES = 2 ** 28;

/** Bytes read per chunk when streaming records (records are never split). */
const CHUNK_BYTES = 4 << 20;

/**
 * A streaming EDF/EDF+ reader: the header is parsed on open; data are read record by record (in
 * chunks of about 4 MB), so a 24 h recording is never loaded whole. Errors are
 * `PipelineError('E_INPUT')` naming the file and the header field or record at fault.
 */
export class EdfReader {
  readonly file: string;
  readonly header: EdfHeader;
  readonly signals: readonly EdfSignalHeader[];
  /** Bytes of one data record. */
  readonly recordBytes: number;
  private readonly source: ByteSource;
  private onsets: Float64Array | null = null;
  private allAnnotations: EdfAnnotation[] | null = null;

  private constructor(source: ByteSource, layout: EdfLayout) {
    this.source = source;
    this.file = source.name;
    this.header = layout.header;
    this.signals = layout.signals;
    this.recordBytes = layout.recordBytes;
  }

  /** Opens a file (or a {@link ByteSource}) and parses its header. */
  static async open(pathOrSource: string | ByteSource): Promise<EdfReader> {
    const source = typeof pathOrSource === 'string' ? await fileSource(pathOrSource) : pathOrSource;
    try {
      const first = await source.read(0, 256);
      let bytes = first;
      if (first.length === 256) {
        const ns = Number(new TextDecoder('latin1').decode(first.subarray(252, 256)).trim());
        if (Number.isInteger(ns) && ns >= 1 && ns <= 4096) bytes = await source.read(0, 256 * (ns + 1));
      }
      return new EdfReader(source, parseEdfHeader(bytes, source.name, source.size));
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  /** Closes the underlying file. */
  close(): Promise<void> {
    return this.source.close();
  }

  /** The ordinary (non-annotation) signals. */
  get dataSignals(): EdfSignalHeader[] {
    return this.signals.filter((s) => !s.isAnnotation);
  }

  /** Total duration in seconds: last record onset + record duration (records × duration for EDF/EDF+C). */
  async durationSec(): Promise<number> {
    const n = this.header.numberOfDataRecords;
    if (n === 0) return 0;
    if (this.header.format !== 'edf+d') return n * this.header.recordDurationSec;
    const onsets = await this.recordOnsets();
    return onsets[n - 1]! + this.header.recordDurationSec;
  }

  /** Finds a signal by exact label (trimmed), then case-insensitively; or by index. */
  signal(labelOrIndex: string | number): EdfSignalHeader {
    if (typeof labelOrIndex === 'number') {
      const s = this.signals[labelOrIndex];
      if (s === undefined) throw new PipelineError('E_NOT_FOUND', `no signal ${labelOrIndex} (file has ${this.signals.length})`, { file: this.file, field: 'signal' });
      return s;
    }
    const wanted = labelOrIndex.trim();
    const found = this.signals.find((s) => s.label === wanted) ?? this.signals.find((s) => s.label.toLowerCase() === wanted.toLowerCase());
    if (found === undefined) {
      throw new PipelineError('E_NOT_FOUND', `no signal labelled '${wanted}'`, {
        file: this.file,
        field: 'signal.label',
        hint: `labels: ${this.signals.map((s) => s.label).join(', ')}`,
      });
    }
    return found;
  }

  /** Streams data records `[start, start + count)` as physical values plus annotations. */
  async *records(options: { readonly start?: number; readonly count?: number } = {}): AsyncGenerator<EdfRecord> {
    const n = this.header.numberOfDataRecords;
    const start = Math.max(0, Math.min(n, options.start ?? 0));
    const end = Math.min(n, start + (options.count ?? n));
    for await (const [index, bytes] of this.rawRecords(start, end)) {
      const signals = this.signals.map((s) => (s.isAnnotation ? null : decodeSignal(bytes, s)));
      const { onset, annotations } = this.recordTals(index, bytes);
      yield { index, onset, signals, annotations };
    }
  }

  /** Every annotation in the file, in record order (time-keeping TALs excluded). */
  async annotations(): Promise<EdfAnnotation[]> {
    await this.scanAnnotations();
    return this.allAnnotations!;
  }

  /** Onset (s) of every data record. */
  async recordOnsets(): Promise<Float64Array> {
    await this.scanAnnotations();
    return this.onsets!;
  }

  /**
   * Reads one signal's physical values from `startSec` for `durationSec` seconds (default: to the
   * end), streaming only the records that overlap the range. Samples in EDF+D gaps get `gapValue`.
   */
  async readSignal(labelOrIndex: string | number, startSec = 0, durationSec?: number, options: ReadSignalOptions = {}): Promise<Float64Array> {
    const s = this.signal(labelOrIndex);
    if (s.isAnnotation) throw new PipelineError('E_INPUT', `'${s.label}' is an annotation signal`, { file: this.file, field: 'signal.label', hint: 'use annotations()' });
    const total = await this.durationSec();
    const stopSec = durationSec === undefined ? total : startSec + durationSec;
    if (!(startSec >= 0) || !(stopSec >= startSec)) {
      throw new PipelineError('E_USAGE', `invalid range start ${startSec} s, duration ${durationSec} s`, { file: this.file, field: 'readSignal' });
    }
    const rate = s.sampleRate;
    const first = Math.round(startSec * rate);
    const count = Math.max(0, Math.round(stopSec * rate) - first);
    this.checkReadSize(count, durationSec);
    const out = new Float64Array(count);
    // Every sample is overwritten unless the file has gaps (EDF+D) or the range runs past the end.
    if (this.header.format === 'edf+d' || stopSec > total) out.fill(options.gapValue ?? Number.NaN);
    if (count === 0) return out;
    const spr = s.samplesPerRecord;
    const recDur = this.header.recordDurationSec;
    const n = this.header.numberOfDataRecords;
    let from: number;
    let to: number;
    let onsets: Float64Array | null = null;
    if (this.header.format === 'edf+d') {
      onsets = await this.recordOnsets();
      from = 0;
      while (from < n && onsets[from]! + recDur <= startSec) from++;
      to = from;
      while (to < n && onsets[to]! < stopSec) to++;
    } else {
      from = Math.min(n, Math.floor(first / spr));
      to = Math.min(n, Math.ceil((first + count) / spr));
    }
    const scale = (s.physicalMax - s.physicalMin) / (s.digitalMax - s.digitalMin);
    for await (const [index, bytes] of this.rawRecords(from, to)) {
      const recordFirst = onsets === null ? index * spr : Math.round(onsets[index]! * rate);
      const digital = new Int16Array(bytes.buffer, bytes.byteOffset + s.recordOffset, spr);
      const lo = Math.max(0, first - recordFirst);
      const hi = Math.min(spr, first + count - recordFirst);
      for (let k = lo; k < hi; k++) out[recordFirst + k - first] = (digital[k]! - s.digitalMin) * scale + s.physicalMin;
    }
    return out;
  }

  private checkReadSize(count: number, durationSec: number | undefined): void {
    if (count <= MAX_READ_SAMPLES) return;
    if (durationSec !== undefined) {
      throw new PipelineError('E_USAGE', `a read of ${count} samples is too large`, { file: this.file, field: 'durationSec', hint: 'read the signal in shorter pieces' });
    }
    throw new PipelineError('E_INPUT', `the record onsets span ${count} samples, too many to read at once`, {
      file: this.file,
      field: 'header.numberOfDataRecords',
      hint: 'check the EDF+D time-keeping TALs, or read the signal in pieces with startSec/durationSec',
    });
  }

  /**
   * Reads several signals (default: every ordinary signal) in one pass over the records, for the
   * whole file or `[startSec, startSec + durationSec)`. Equal to calling {@link readSignal} per
   * signal, with one read of the file instead of one per signal.
   */
  async readSignals(labels?: ReadonlyArray<string | number>, startSec = 0, durationSec?: number, options: ReadSignalsOptions = {}): Promise<Float64Array[]> {
    const wanted = (labels ?? this.dataSignals.map((s) => s.index)).map((l) => this.signal(l));
    for (const s of wanted) {
      if (s.isAnnotation) throw new PipelineError('E_INPUT', `'${s.label}' is an annotation signal`, { file: this.file, field: 'signal.label' });
    }
    const total = await this.durationSec();
    const stopSec = durationSec === undefined ? total : startSec + durationSec;
    if (!(startSec >= 0) || !(stopSec >= startSec)) {
      throw new PipelineError('E_USAGE', `invalid range start ${startSec} s, duration ${durationSec} s`, { file: this.file, field: 'readSignals' });
    }
    const onsets = this.header.format === 'edf+d' ? await this.recordOnsets() : null;
    const recDur = this.header.recordDurationSec;
    const n = this.header.numberOfDataRecords;
    if (options.into !== undefined && options.into.length !== wanted.length) {
      throw new PipelineError('E_USAGE', `${options.into.length} output buffers for ${wanted.length} signals`, { field: 'into' });
    }
    const plan = wanted.map((s, i) => {
      const first = Math.round(startSec * s.sampleRate);
      const count = Math.max(0, Math.round(stopSec * s.sampleRate) - first);
      this.checkReadSize(count, durationSec);
      const given = options.into?.[i];
      if (given !== undefined && given.length < count) {
        throw new PipelineError('E_USAGE', `output buffer ${i} holds ${given.length} samples, the range needs ${count}`, { field: `into[${i}]` });
      }
      const out = given === undefined ? new Float64Array(count) : given.subarray(0, count);
      if (onsets !== null || stopSec > total) out.fill(options.gapValue ?? Number.NaN);
      return { s, first, count, out, scale: (s.physicalMax - s.physicalMin) / (s.digitalMax - s.digitalMin) };
    });
    let from = 0;
    let to = n;
    if (onsets !== null) {
      while (from < n && onsets[from]! + recDur <= startSec) from++;
      to = from;
      while (to < n && onsets[to]! < stopSec) to++;
    } else if (recDur > 0) {
      from = Math.min(n, Math.floor(startSec / recDur + 1e-9));
      to = Math.min(n, Math.ceil(stopSec / recDur - 1e-9));
    }
    for await (const [index, bytes] of this.rawRecords(from, to)) {
      for (const p of plan) {
        const spr = p.s.samplesPerRecord;
        const recordFirst = onsets === null ? index * spr : Math.round(onsets[index]! * p.s.sampleRate);
        const lo = Math.max(0, p.first - recordFirst);
        const hi = Math.min(spr, p.first + p.count - recordFirst);
        if (hi <= lo) continue;
        decodeInto(bytes, p.s.recordOffset + 2 * lo, hi - lo, p.out, recordFirst + lo - p.first, p.s.digitalMin, p.scale, p.s.physicalMin);
      }
    }
    return plan.map((p) => p.out);
  }

  /** Raw record bytes, read in chunks; each yielded array is a record-aligned, even-offset view. */
  private async *rawRecords(start: number, end: number): AsyncGenerator<[number, Uint8Array]> {
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / this.recordBytes));
    for (let index = start; index < end; index += perChunk) {
      const count = Math.min(perChunk, end - index);
      const bytes = await this.source.read(this.header.headerBytes + index * this.recordBytes, count * this.recordBytes);
      if (bytes.length < count * this.recordBytes) {
        throw new PipelineError('E_INPUT', `file ended inside data record ${index + Math.floor(bytes.length / this.recordBytes)}`, {
          file: this.file,
          field: 'header.numberOfDataRecords',
        });
      }
      // Int16Array views need an even byteOffset: the chunk buffer starts at offset 0 and records have even sizes.
      const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
      for (let k = 0; k < count; k++) yield [index + k, aligned.subarray(k * this.recordBytes, (k + 1) * this.recordBytes)];
    }
  }

  private recordTals(index: number, bytes: Uint8Array): { onset: number; annotations: EdfAnnotation[] } {
    const annotations: EdfAnnotation[] = [];
    let onset = index * this.header.recordDurationSec;
    let first = true;
    for (const s of this.signals) {
      if (!s.isAnnotation) continue;
      const tals = parseTals(bytes.subarray(s.recordOffset, s.recordOffset + s.samplesPerRecord * 2), this.file, `record[${index}].signal[${s.index}]`, first);
      if (first && tals.recordOnset !== null) onset = tals.recordOnset;
      first = false;
      annotations.push(...tals.annotations);
    }
    return { onset, annotations };
  }

  private async scanAnnotations(): Promise<void> {
    if (this.onsets !== null) return;
    const n = this.header.numberOfDataRecords;
    const onsets = new Float64Array(n);
    const annotations: EdfAnnotation[] = [];
    const hasAnnotations = this.signals.some((s) => s.isAnnotation);
    if (!hasAnnotations) {
      for (let i = 0; i < n; i++) onsets[i] = i * this.header.recordDurationSec;
    } else {
      let previous = Number.NEGATIVE_INFINITY;
      for await (const [index, bytes] of this.rawRecords(0, n)) {
        const tals = this.recordTals(index, bytes);
        if (this.header.format === 'edf+d' && !(tals.onset >= previous + this.header.recordDurationSec - 1e-9)) {
          throw new PipelineError('E_INPUT', `record ${index} starts at ${tals.onset} s, before the end of the previous record`, {
            file: this.file,
            field: `record[${index}].annotations`,
            hint: 'EDF+D record onsets must increase',
          });
        }
        previous = tals.onset;
        onsets[index] = tals.onset;
        annotations.push(...tals.annotations);
      }
    }
    this.onsets = onsets;
    this.allAnnotations = annotations;
  }
}

function decodeSignal(bytes: Uint8Array, s: EdfSignalHeader): Float64Array {
  const digital = new Int16Array(bytes.buffer, bytes.byteOffset + s.recordOffset, s.samplesPerRecord);
  const scale = (s.physicalMax - s.physicalMin) / (s.digitalMax - s.digitalMin);
  const out = new Float64Array(s.samplesPerRecord);
  for (let k = 0; k < out.length; k++) out[k] = (digital[k]! - s.digitalMin) * scale + s.physicalMin;
  return out;
}

/** Decodes `count` little-endian int16 samples at `byteOffset` of `bytes` into `out[outOffset…]` as physical values. */
function decodeInto(bytes: Uint8Array, byteOffset: number, count: number, out: Float64Array, outOffset: number, dmin: number, scale: number, pmin: number): void {
  const digital = new Int16Array(bytes.buffer, bytes.byteOffset + byteOffset, count);
  for (let k = 0; k < count; k++) out[outOffset + k] = (digital[k]! - dmin) * scale + pmin;
}
