import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineError, type Matrix } from '@pipeline/core';
import type { Matrix64 } from './matrix64.js';
import { refuseOverwrite } from './file-checks.js';
import { h5Cause, loadH5, withPinnedClock, type H5Runtime } from './h5-module.js';

type H5wasmFile = InstanceType<H5Runtime['h5wasm']['File']>;
type H5wasmGroup = InstanceType<H5Runtime['h5wasm']['Group']>;
type H5wasmDataset = InstanceType<H5Runtime['h5wasm']['Dataset']>;

/** An attribute value: written as a vlen string, int64 (safe integers), float64, or 1-D arrays of those. */
export type H5AttrValue = string | number | readonly string[] | readonly number[];

/** Values of any shape: a typed array (or strings) plus the shape. */
export interface H5Array {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | readonly string[];
}

export interface H5DatasetWriteOptions {
  /** Chunk shape; default contiguous (chunked when `compression` is set: ~1 MiB chunks of whole rows). */
  readonly chunks?: readonly number[];
  /** gzip level 1..9 (needs chunks). */
  readonly compression?: number;
  readonly attrs?: Readonly<Record<string, H5AttrValue>>;
}

export interface H5AppendableOptions {
  /** Columns of every appended matrix. */
  readonly cols: number;
  /** Element type on disk (default float32). */
  readonly dtype?: 'float32' | 'float64';
  /** Rows per chunk (default: ~1 MiB of rows, at least 1). */
  readonly chunkRows?: number;
  /** gzip level 1..9. */
  readonly compression?: number;
  readonly attrs?: Readonly<Record<string, H5AttrValue>>;
}

export interface CreateH5WriterOptions {
  /** Replace an existing file (default false: `E_USAGE`). */
  readonly overwrite?: boolean;
  /** Attributes of the root group. */
  readonly attrs?: Readonly<Record<string, H5AttrValue>>;
  /** HDF5 object timestamps, ms since 1970 (default 0): pinned so the same content gives the same bytes. */
  readonly timestampMs?: number;
}

const CHUNK_TARGET_BYTES = 1024 * 1024;

/**
 * Writes an HDF5 file with h5wasm: whole datasets ({@link H5Writer.writeDataset}) and row-appendable
 * float matrices ({@link H5Writer.createAppendable} + {@link H5Writer.append}, chunked with an
 * unlimited first dimension, so files larger than memory can be written batch by batch).
 *
 * The file is written under a temporary name and renamed on {@link H5Writer.close}, so a reader
 * never sees a half-written file. HDF5 object timestamps are pinned (see `withPinnedClock`), so the
 * same calls give byte-identical files. h5py reads every file written here.
 */
export class H5Writer {
  private closed = false;
  private readonly appendable = new Map<string, { dataset: H5wasmDataset; cols: number; rows: number; float64: boolean }>();

  private constructor(
    private readonly runtime: H5Runtime,
    private readonly file: H5wasmFile,
    /** Final path. */
    readonly path: string,
    private readonly temporary: string,
    private readonly timestampMs: number,
  ) {}

  static async create(path: string, options: CreateH5WriterOptions = {}): Promise<H5Writer> {
    const target = resolve(path);
    refuseOverwrite(target, options.overwrite);
    const runtime = await loadH5();
    const temporary = `${target}.tmp-${process.pid}`;
    const timestampMs = options.timestampMs ?? 0;
    let file: H5wasmFile;
    try {
      file = withPinnedClock(timestampMs, () => new runtime.h5wasm.File(temporary, 'w'));
    } catch (cause) {
      throw new PipelineError('E_INPUT', `cannot create the HDF5 file: ${h5Cause(cause)}`, {
        file: target,
        hint: 'check that the folder exists and is writable',
        cause,
      });
    }
    const writer = new H5Writer(runtime, file, target, temporary, timestampMs);
    if (options.attrs !== undefined) writer.pinned(() => writeAttrs(file, options.attrs!));
    return writer;
  }

  /** Writes a whole dataset: a float32 Matrix, a float64 matrix, or any typed array / strings with a shape. */
  writeDataset(key: string, value: Matrix | Matrix64 | H5Array, options: H5DatasetWriteOptions = {}): void {
    this.checkOpen();
    const array: H5Array = 'shape' in value ? value : { shape: [value.rows, value.cols], data: value.data };
    const count = array.shape.reduce((a, b) => a * b, 1);
    if (count !== array.data.length) {
      throw new PipelineError('E_USAGE', `dataset '${key}': shape [${array.shape.join(', ')}] needs ${count} values, got ${array.data.length}`, {
        file: this.path,
        field: key,
      });
    }
    let chunks = options.chunks === undefined ? null : [...options.chunks];
    if (chunks === null && options.compression !== undefined && array.shape.length > 0) {
      const rowBytes = (array.data.length / Math.max(1, array.shape[0]!)) * bytesPer(array.data);
      chunks = [Math.max(1, Math.min(array.shape[0]!, Math.floor(CHUNK_TARGET_BYTES / Math.max(1, rowBytes)))), ...array.shape.slice(1)];
    }
    this.pinned(() => {
      const { parent, name } = this.parentOf(key);
      const dataset = parent.create_dataset({
        name,
        data: Array.isArray(array.data) ? [...(array.data as string[])] : (array.data as Float32Array),
        shape: [...array.shape],
        ...(chunks === null ? {} : { chunks }),
        ...(options.compression === undefined ? {} : { compression: 'gzip' as const, compression_opts: options.compression }),
      });
      if (options.attrs !== undefined) writeAttrs(dataset, options.attrs);
    }, key);
  }

  /** Creates an empty `(0, cols)` float dataset that {@link append} grows row by row. */
  createAppendable(key: string, options: H5AppendableOptions): void {
    this.checkOpen();
    const { cols } = options;
    const float64 = options.dtype === 'float64';
    const chunkRows = options.chunkRows ?? Math.max(1, Math.floor(CHUNK_TARGET_BYTES / (Math.max(1, cols) * (float64 ? 8 : 4))));
    this.pinned(() => {
      const { parent, name } = this.parentOf(key);
      const dataset = parent.create_dataset({
        name,
        data: float64 ? new Float64Array(0) : new Float32Array(0),
        shape: [0, cols],
        maxshape: [null, cols],
        chunks: [chunkRows, cols],
        ...(options.compression === undefined ? {} : { compression: 'gzip' as const, compression_opts: options.compression }),
      });
      if (options.attrs !== undefined) writeAttrs(dataset, options.attrs);
      this.appendable.set(key, { dataset, cols, rows: 0, float64 });
    }, key);
  }

  /** Appends rows to a dataset made by {@link createAppendable} (values converted to its dtype). */
  append(key: string, rows: Matrix | Matrix64): void {
    this.checkOpen();
    const target = this.appendable.get(key);
    if (target === undefined) {
      throw new PipelineError('E_USAGE', `dataset '${key}' was not created with createAppendable`, { file: this.path, field: key });
    }
    if (rows.cols !== target.cols) {
      throw new PipelineError('E_USAGE', `dataset '${key}' has ${target.cols} columns; cannot append rows of ${rows.cols}`, {
        file: this.path,
        field: key,
      });
    }
    if (rows.rows === 0) return;
    const data = target.float64 ? toFloat64(rows.data) : toFloat32(rows.data);
    this.pinned(() => {
      const end = target.rows + rows.rows;
      target.dataset.resize([end, target.cols]);
      target.dataset.write_slice([[target.rows, end], [0, target.cols]], data);
      target.rows = end;
    }, key);
  }

  /** Closes the file and moves it to its final path. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pinned(() => this.file.close());
    try {
      await rename(this.temporary, this.path);
    } catch (cause) {
      await rm(this.temporary, { force: true });
      throw new PipelineError('E_INPUT', 'cannot move the written HDF5 file into place', { file: this.path, cause });
    }
  }

  /** Closes and deletes the partial file (after an error or an abort). */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      try {
        this.file.close();
      } catch {
        // the file is deleted below anyway
      }
    }
    await rm(this.temporary, { force: true });
  }

  private parentOf(key: string): { parent: H5wasmGroup; name: string } {
    const parts = key.split('/').filter((part) => part.length > 0);
    if (parts.length === 0) throw new PipelineError('E_USAGE', 'empty dataset key', { file: this.path });
    let group: H5wasmGroup = this.file;
    for (const part of parts.slice(0, -1)) {
      const existing = group.keys().includes(part) ? group.get(part) : group.create_group(part);
      if (!(existing instanceof this.runtime.h5wasm.Group)) {
        throw new PipelineError('E_USAGE', `'${part}' in '${key}' is a dataset, not a group`, { file: this.path, field: key });
      }
      group = existing;
    }
    const name = parts.at(-1)!;
    if (group.keys().includes(name)) {
      throw new PipelineError('E_USAGE', `dataset '${key}' is written twice`, { file: this.path, field: key });
    }
    return { parent: group, name };
  }

  private pinned<T>(write: () => T, key?: string): T {
    try {
      return withPinnedClock(this.timestampMs, write);
    } catch (cause) {
      if (cause instanceof PipelineError) throw cause;
      throw new PipelineError('E_INPUT', `HDF5 write failed${key === undefined ? '' : ` for '${key}'`}: ${h5Cause(cause)}`, {
        file: this.path,
        ...(key === undefined ? {} : { field: key }),
        cause,
      });
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new PipelineError('E_STATE', 'HDF5 writer is closed', { file: this.path });
  }
}

/** Entries of {@link writeH5}: one whole dataset each. */
export interface H5WriteEntry extends H5DatasetWriteOptions {
  readonly key: string;
  readonly value: Matrix | Matrix64 | H5Array;
}

/** Writes whole datasets (e.g. a feature matrix) to a new HDF5 file atomically. */
export async function writeH5(path: string, entries: readonly H5WriteEntry[], options: CreateH5WriterOptions = {}): Promise<void> {
  const writer = await H5Writer.create(path, options);
  try {
    for (const { key, value, ...rest } of entries) writer.writeDataset(key, value, rest);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.close();
}

function writeAttrs(target: H5wasmGroup | H5wasmDataset, attrs: Readonly<Record<string, H5AttrValue>>): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'string') target.create_attribute(name, value);
    else if (typeof value === 'number') target.create_attribute(name, numbers([value]), []);
    else if (value.every((v) => typeof v === 'string')) target.create_attribute(name, [...(value as string[])], [value.length]);
    else target.create_attribute(name, numbers(value as readonly number[]), [value.length]);
  }
}

/** Safe integers as int64, anything else as float64. */
function numbers(values: readonly number[]): BigInt64Array | Float64Array {
  return values.every(Number.isSafeInteger) ? BigInt64Array.from(values, (v) => BigInt(v)) : Float64Array.from(values);
}

function bytesPer(data: H5Array['data']): number {
  return ArrayBuffer.isView(data) ? (data as Float32Array).BYTES_PER_ELEMENT : 8;
}

function toFloat32(data: Float32Array | Float64Array): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

function toFloat64(data: Float32Array | Float64Array): Float64Array {
  return data instanceof Float64Array ? data : Float64Array.from(data);
}
