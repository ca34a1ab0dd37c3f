import { hostname } from 'node:os';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError } from '@pipeline/core';
import { maskedCrc32c } from './crc32c.js';

/** A scalar read back from an event file. */
export interface ScalarEvent {
  readonly tag: string;
  readonly step: number;
  readonly value: number;
  readonly wallTime: number;
}

// ---- protobuf encoding (only the fields TensorBoard's Event/Summary use for scalars) ----

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array): number[] {
  return [...varint(BigInt((field << 3) | 2)), ...varint(BigInt(bytes.length)), ...bytes];
}

const utf8 = new TextEncoder();

/** `Summary { value { tag = 1; simple_value = 2 } }` for one scalar. */
function encodeScalarSummary(tag: string, value: number): Uint8Array {
  const f32 = new Uint8Array(4);
  new DataView(f32.buffer).setFloat32(0, value, true);
  const summaryValue = Uint8Array.from([...lengthDelimited(1, utf8.encode(tag)), (2 << 3) | 5, ...f32]);
  return Uint8Array.from(lengthDelimited(1, summaryValue));
}

/**
 * `Event { wall_time = 1 (double); step = 2 (int64); file_version = 3 (string) | summary = 5 }`.
 * Fields are written in field-number order and defaults (step 0) omitted, as protobuf serializers do.
 */
export function encodeEvent(event: { readonly wallTime: number; readonly step?: number; readonly fileVersion?: string; readonly summary?: Uint8Array }): Uint8Array {
  const out: number[] = [];
  const wall = new Uint8Array(8);
  new DataView(wall.buffer).setFloat64(0, event.wallTime, true);
  if (event.wallTime !== 0) out.push((1 << 3) | 1, ...wall);
  if (event.step !== undefined && event.step !== 0) out.push((2 << 3) | 0, ...varint(BigInt(event.step)));
  if (event.fileVersion !== undefined) out.push(...lengthDelimited(3, utf8.encode(event.fileVersion)));
  if (event.summary !== undefined) out.push(...lengthDelimited(5, event.summary));
  return Uint8Array.from(out);
}

/** One TFRecord: u64 LE length, masked CRC32C of the length, data, masked CRC32C of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** Encodes a scalar event record (`Event` with a one-value `Summary`) for `tag` at `step`. */
export function scalarRecord(tag: string, value: number, step: number, wallTime: number): Uint8Array {
  return tfRecord(encodeEvent({ wallTime, step, summary: encodeScalarSummary(tag, value) }));
}

export interface SummaryWriterOptions {
  /** Host name in the file name. Default `os.hostname()`. */
  readonly host?: string;
  /** Clock in seconds (for tests). Default `Date.now() / 1000`. */
  readonly now?: () => number;
  /** Also append every scalar as a JSON line to this file (e.g. `scalars.jsonl`), relative to `logDir` unless absolute. */
  readonly jsonl?: string;
}

/**
 * Writes TensorBoard event files (`events.out.tfevents.<seconds>.<host>`) with scalar summaries:
 * TFRecord framing with masked CRC32C, hand-encoded `Event`/`Summary` protobufs, a first
 * `brain.Event:2` version record. Records are buffered and appended on `flush()`/`close()` (and
 * every 64 scalars), so a crash loses at most the unflushed tail; every appended record is whole.
 * Optionally mirrors scalars to a JSONL log (`{"tag","step","value","wallTime"}` per line; NaN/±Infinity as `null`).
 */
export class SummaryWriter {
  readonly logDir: string;
  readonly path: string;
  readonly jsonlPath: string | null;
  private readonly now: () => number;
  private pending: Uint8Array[] = [];
  private pendingJson: string[] = [];
  private ready: Promise<void>;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(logDir: string, options: SummaryWriterOptions = {}) {
    this.logDir = logDir;
    this.now = options.now ?? (() => Date.now() / 1000);
    const start = this.now();
    const host = (options.host ?? hostname()).replace(/[/\\]/g, '_');
    const path = join(logDir, `events.out.tfevents.${Math.floor(start)}.${host}`);
    this.path = path;
    this.jsonlPath = options.jsonl === undefined ? null : options.jsonl.startsWith('/') ? options.jsonl : join(logDir, options.jsonl);
    const first = tfRecord(encodeEvent({ wallTime: start, fileVersion: 'brain.Event:2' }));
    this.ready = (async () => {
      await mkdir(logDir, { recursive: true });
      const exists = await stat(path).then(() => true, () => false);
      if (exists) throw new PipelineError('E_STATE', 'event file exists', { file: path, hint: 'another writer started in the same second on this host; use another log directory' });
      await appendFile(path, first);
    })();
    this.ready.catch(() => {});
  }

  /** Queues a scalar; `wallTime` defaults to now. Non-finite values are written as they are (TensorBoard shows NaN/inf). */
  addScalar(tag: string, value: number, step: number, wallTime?: number): void {
    if (this.closed) throw new PipelineError('E_STATE', 'SummaryWriter is closed', { file: this.path });
    if (!Number.isInteger(step) || step < 0) throw new PipelineError('E_USAGE', `step ${step} must be a non-negative integer`, { field: 'step' });
    if (tag === '') throw new PipelineError('E_USAGE', 'empty tag', { field: 'tag' });
    const time = wallTime ?? this.now();
    this.pending.push(scalarRecord(tag, value, step, time));
    if (this.jsonlPath !== null) this.pendingJson.push(`${JSON.stringify({ tag, step, value: Number.isFinite(value) ? value : null, wallTime: time })}\n`);
    if (this.pending.length >= 64) void this.flush().catch(() => {});
  }

  /** Appends the queued records. */
  flush(): Promise<void> {
    const records = this.pending;
    const lines = this.pendingJson;
    this.pending = [];
    this.pendingJson = [];
    this.chain = this.chain.then(async () => {
      await this.ready;
      if (records.length > 0) {
        const total = records.reduce((n, r) => n + r.length, 0);
        const buffer = new Uint8Array(total);
        let offset = 0;
        for (const r of records) {
          buffer.set(r, offset);
          offset += r.length;
        }
        await appendFile(this.path, buffer);
      }
      if (lines.length > 0 && this.jsonlPath !== null) await appendFile(this.jsonlPath, lines.join(''));
    });
    return this.chain;
  }

  /** Flushes and refuses further scalars. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    await this.flush();
  }
}

// ---- reading (for tests and for tools that want the scalars back) ----

function readVarint(bytes: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= bytes.length || shift > 63n) throw new RangeError('bad varint');
    const b = bytes[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

interface Field {
  readonly number: number;
  readonly wire: number;
  readonly varint?: bigint;
  readonly bytes?: Uint8Array;
}

function fields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const [key, p] = readVarint(bytes, pos);
    pos = p;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, q] = readVarint(bytes, pos);
      pos = q;
      out.push({ number, wire, varint: v });
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > bytes.length) throw new RangeError('truncated fixed field');
      out.push({ number, wire, bytes: bytes.subarray(pos, pos + n) });
      pos += n;
    } else if (wire === 2) {
      const [len, q] = readVarint(bytes, pos);
      pos = q;
      const end = pos + Number(len);
      if (end > bytes.length) throw new RangeError('truncated length-delimited field');
      out.push({ number, wire, bytes: bytes.subarray(pos, end) });
      pos = end;
    } else {
      throw new RangeError(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

/**
 * Reads the scalar summaries (`simple_value`) of a TensorBoard event file, checking both CRCs of
 * every record. A bad frame → `PipelineError('E_INPUT')` naming the file and the record.
 */
export function parseEventFile(bytes: Uint8Array, file = 'events'): { fileVersion: string | null; scalars: ScalarEvent[] } {
  const scalars: ScalarEvent[] = [];
  let fileVersion: string | null = null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let index = 0;
  const fail = (message: string): never => {
    throw new PipelineError('E_INPUT', message, { file, field: `record[${index}]` });
  };
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) fail('truncated record header');
    const length = view.getBigUint64(pos, true);
    if (view.getUint32(pos + 8, true) !== maskedCrc32c(bytes.subarray(pos, pos + 8))) fail('length CRC mismatch');
    const n = Number(length);
    if (pos + 12 + n + 4 > bytes.length) fail('truncated record data');
    const data = bytes.subarray(pos + 12, pos + 12 + n);
    if (view.getUint32(pos + 12 + n, true) !== maskedCrc32c(data)) fail('data CRC mismatch');
    try {
      let wallTime = 0;
      let step = 0;
      for (const f of fields(data)) {
        if (f.number === 1 && f.wire === 1) wallTime = new DataView(f.bytes!.buffer, f.bytes!.byteOffset, 8).getFloat64(0, true);
        else if (f.number === 2 && f.wire === 0) step = Number(BigInt.asIntN(64, f.varint!));
        else if (f.number === 3 && f.wire === 2) fileVersion = new TextDecoder().decode(f.bytes!);
        else if (f.number === 5 && f.wire === 2) {
          for (const v of fields(f.bytes!)) {
            if (v.number !== 1 || v.wire !== 2) continue;
            let tag = '';
            let value: number | null = null;
            for (const g of fields(v.bytes!)) {
              if (g.number === 1 && g.wire === 2) tag = new TextDecoder().decode(g.bytes!);
              else if (g.number === 2 && g.wire === 5) value = new DataView(g.bytes!.buffer, g.bytes!.byteOffset, 4).getFloat32(0, true);
            }
            if (value !== null) scalars.push({ tag, step, value, wallTime });
          }
        }
      }
    } catch (error) {
      if (error instanceof PipelineError) throw error;
      fail(`malformed Event protobuf: ${(error as Error).message}`);
    }
    pos += 12 + n + 4;
    index++;
  }
  return { fileVersion, scalars };
}

/** Reads an event file from disk; see {@link parseEventFile}. */
export async function readEventFile(path: string): Promise<{ fileVersion: string | null; scalars: ScalarEvent[] }> {
  return parseEventFile(new Uint8Array(await readFile(path)), path);
}
