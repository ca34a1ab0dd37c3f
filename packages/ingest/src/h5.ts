import { closeSync, openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PipelineError, silentLogger, throwIfAborted, type Logger, type Matrix } from '@pipeline/core';
import { requireFile } from './file-checks.js';
import { H5ChunkReader, NARROW_FRACTION, readNarrow, swapBytes } from './h5-chunk-reader.js';
import { locateContiguousData, preadFully } from './h5-contiguous.js';
import { dtypeName, numericKind, type NumericArray } from './h5-dtype.js';
import { H5FormatError, readStorage, type H5Storage } from './h5-layout.js';
import { H5Unsupported, readH5Meta, type H5Meta, type H5MetaDataset, type H5MetaGroup, type H5TypeInfo } from './h5-meta.js';
import { h5Cause, loadH5, type H5Module, type H5Runtime } from './h5-module.js';

type H5wasm = H5Runtime['h5wasm'];
type H5wasmFile = InstanceType<H5wasm['File']>;
type H5wasmGroup = InstanceType<H5wasm['Group']>;
type H5wasmDataset = InstanceType<H5wasm['Dataset']>;
/** The element type fields reads use: h5wasm's metadata or the metadata parser's. */
type H5Metadata = Pick<H5TypeInfo, 'type' | 'size' | 'signed' | 'littleEndian'> & { readonly enum_type?: unknown };

/** What a dataset holds, as listed by {@link H5File.datasets}. */
export interface H5DatasetInfo {
  /** Full path without the leading slash, e.g. `features` or `data/train/features`. */
  readonly key: string;
  readonly shape: number[];
  /** `float32`, `float64`, `float16`, `int8`…`int64`, `uint8`…`uint64`, `string`, or `compound`/`enum`/`array`/`reference`/`opaque`/`vlen`/`bitfield`/`time`. */
  readonly dtype: string;
  /** Chunk shape, or null for contiguous/compact storage. */
  readonly chunks: number[] | null;
  /** The filter pipeline, e.g. `[{ id: 1, name: 'deflate' }]` for gzip. */
  readonly filters: Array<{ id: number; name: string }>;
}

/** A half-open column range `[start, end)`. */
export interface ColumnRange {
  readonly start: number;
  readonly end: number;
}

export interface H5ReadOptions {
  /** Columns `[start, end)` (2-D datasets only). Default: every column. */
  readonly columns?: ColumnRange;
  /**
   * Read into this array (like h5py's `read_direct`) instead of a new one: it must hold at least
   * rows × columns values; the returned matrix is a view of its start.
   */
  readonly into?: Float32Array;
}

export interface H5BatchOptions {
  /** Columns `[start, end)` (2-D datasets only). Default: every column. */
  readonly columns?: ColumnRange;
  /** Rows per batch. Default: whole chunks worth about {@link H5_BATCH_BYTES} (2 MiB, at least one chunk), or 2 MiB of rows when contiguous. */
  readonly batchRows?: number;
  /** First row (default 0). */
  readonly start?: number;
  /** End row, exclusive (default: every row). */
  readonly end?: number;
  /** Checked before every batch. */
  readonly signal?: AbortSignal;
  /**
   * Reuse one buffer for every batch: each batch's matrix is overwritten by the next one, so use (or
   * copy) it before advancing. Saves a fresh allocation per batch; JS frees arrays only at GC, so
   * fresh multi-MB arrays keep costing page faults, which `reuse` avoids (see bench/). The buffer
   * stays with the dataset and the next `reuse` scan of it overwrites it too (a scan started while
   * another one is running gets its own). Default false.
   */
  readonly reuse?: boolean;
}

/** One batch of {@link H5Dataset.iterBatches}: rows `[start, end)`. */
export interface H5Batch {
  readonly start: number;
  readonly end: number;
  readonly matrix: Matrix;
}

/** A dataset's values in their native type (no conversion). */
export interface H5RawData {
  readonly shape: number[];
  /** Typed array for numbers (float16 as raw Uint16 bits), string[] for strings. */
  readonly data: NumericArray | string[];
}

export interface H5Dataset {
  readonly info: H5DatasetInfo;
  /**
   * Rows `[start, end)` (and optionally columns) as a float32 row-major matrix. Rows are element 0 of
   * the shape; a 1-D dataset is one column; trailing dimensions of an N-D dataset are flattened into
   * columns. Reads go through hyperslab selections of ≈{@link H5_READ_BLOCK_BYTES} (whole chunks)
   * into one output array. Bounds are
   * checked (h5wasm would clamp silently). Integers convert exactly up to 2^24, float64 rounds to
   * nearest float32. Any size works: only one block is ever in the wasm heap.
   */
  readRows(start: number, end: number, options?: H5ReadOptions): Matrix;
  /**
   * Batches of rows (default ≈{@link H5_BATCH_BYTES} of whole chunks), each filled by hyperslab
   * reads of ≈{@link H5_READ_BLOCK_BYTES}. Chunked data: batches start on chunk boundaries.
   */
  iterBatches(options?: H5BatchOptions): Iterable<H5Batch>;
  /** Rows `[start, end)` (default all) in the dataset's native type, e.g. int64 ids as BigInt64Array, strings as string[]. */
  readRaw(start?: number, end?: number): H5RawData;
  /** The dataset's attributes as JSON-compatible values. */
  attrs(): Record<string, unknown>;
}

export interface H5File {
  /** Absolute path of the file. */
  readonly path: string;
  /**
   * Whether HDF5 (h5wasm) serves this file. False when it was opened without HDF5 (its metadata was
   * read by the TypeScript parser and every dataset is read directly): opening it again, e.g. in a
   * worker thread, then costs a few small reads instead of loading h5wasm.
   */
  readonly usesHdf5: boolean;
  /** Every dataset in the file, recursively, in HDF5 link order. */
  datasets(): H5DatasetInfo[];
  /** A dataset by key. Missing → `E_NOT_FOUND` listing the keys that exist; a group → `E_INPUT`. */
  dataset(key: string): H5Dataset;
  /** Attributes of the root group (or of the group/dataset `key`) as JSON-compatible values. */
  attrs(key?: string): Record<string, unknown>;
  /** Closes the file; later reads throw `E_STATE`. Idempotent. */
  close(): void;
}

export interface OpenH5Options {
  /** Receives warnings (e.g. batches not aligned to chunks) and debug timings. */
  readonly logger?: Logger;
  /**
   * Bytes one hyperslab read aims for (default {@link H5_READ_BLOCK_BYTES}; chunked data: whole
   * chunks, at least one). The wasm heap never holds more than one block.
   */
  readonly readBlockBytes?: number;
  /**
   * Read contiguous data, and chunked data whose filters are deflate and/or shuffle, straight from
   * the file with Node's `fs` and native zlib (default true; the storage is found in the dataset's
   * object header). `false` sends every read through HDF5 (h5wasm).
   */
  readonly directReads?: boolean;
}

/**
 * Default bytes per hyperslab read. Measured on 20000 × 1261 float32 (bench/): blocks of a few MB
 * beat both 256 KiB blocks (per-call overhead: every h5wasm read reopens the dataset) and 32+ MiB
 * blocks (the wasm heap buffer and the fresh output no longer fit the cache / malloc's reuse).
 */
export const H5_READ_BLOCK_BYTES = 8 * 1024 * 1024;
/**
 * Default bytes per {@link H5Dataset.iterBatches} batch (rounded to whole chunks, at least one).
 * Small on purpose: every batch is a fresh array that JS frees only at GC, and fresh multi-MB arrays
 * cost page faults; 2 MiB batches scanned 20000 × 1261 float32 about twice as fast as 8 MiB ones.
 */
export const H5_BATCH_BYTES = 2 * 1024 * 1024;

const FILTER_NAMES: Record<number, string> = {
  1: 'deflate',
  2: 'shuffle',
  3: 'fletcher32',
  4: 'szip',
  5: 'nbit',
  6: 'scaleoffset',
  32000: 'lzf',
  32001: 'blosc',
  32004: 'lz4',
  32008: 'bitshuffle',
  32015: 'zstd',
};

/**
 * Starts loading h5wasm (reading its 4 MB module and compiling the wasm) without waiting for it, so
 * that a later {@link openH5} finds it ready or under way. Call it as early as a process knows it
 * will read HDF5, before starting worker threads: their module loading shares libuv's four file
 * threads, and h5wasm's file read queued behind it left this thread idle for 0.4 s (a training
 * run's profile at load 11). Never rejects (a failure is reported by `openH5`).
 *
 * With `file`, nothing is loaded when that file can be opened without HDF5 (its metadata is
 * understood by the TypeScript parser and every dataset is read directly; a few small reads decide).
 */
export function preloadH5(file?: string): void {
  if (file !== undefined) {
    try {
      const pure = openWithoutHdf5(resolve(file), statSync(resolve(file)).size, silentLogger);
      if (pure !== undefined) {
        pure.close();
        return; // openH5 will not need HDF5 for this file
      }
    } catch {
      // a missing or unreadable file: openH5 reports it
    }
  }
  loadH5().catch(() => {});
}

/**
 * Opens an HDF5 file for reading with h5wasm (h5wasm's throwing error handler on; keys,
 * dataset-vs-group and bounds are validated here because h5wasm returns null for a missing key and
 * clamps out-of-range slices silently).
 *
 * Errors: missing file → `E_NOT_FOUND`; empty, not HDF5, truncated or corrupt → `E_INPUT` naming
 * the file and HDF5's innermost cause, also when the damage (an object header, a heap, an
 * attribute) is only met later by `datasets()`, `dataset()`, `attrs()` or a read.
 */
export async function openH5(path: string, options: OpenH5Options = {}): Promise<H5File> {
  const absolute = resolve(path);
  const logger = options.logger ?? silentLogger;
  if (options.directReads !== false) {
    const stats = requireFile(absolute, 'HDF5 file');
    const started = performance.now();
    const pure = openWithoutHdf5(absolute, stats.size, logger);
    if (pure !== undefined) {
      logger.debug('opened HDF5 file without HDF5', { file: absolute, ms: Math.round(performance.now() - started) });
      const readBlockBytes = options.readBlockBytes ?? H5_READ_BLOCK_BYTES;
      if (!(readBlockBytes >= 1)) {
        pure.close();
        throw new PipelineError('E_USAGE', `readBlockBytes must be ≥ 1, got ${readBlockBytes}`, { field: 'readBlockBytes' });
      }
      return pure.open(logger, readBlockBytes);
    }
  }
  const runtime = await loadH5();
  const stats = requireFile(absolute, 'HDF5 file');
  const started = performance.now();
  let file: H5wasmFile;
  try {
    file = new runtime.h5wasm.File(absolute, 'r');
  } catch (cause) {
    throw openError(absolute, stats.size, cause);
  }
  logger.debug('opened HDF5 file', { file: absolute, ms: Math.round(performance.now() - started) });
  const readBlockBytes = options.readBlockBytes ?? H5_READ_BLOCK_BYTES;
  if (!(readBlockBytes >= 1)) {
    file.close();
    throw new PipelineError('E_USAGE', `readBlockBytes must be ≥ 1, got ${readBlockBytes}`, { field: 'readBlockBytes' });
  }
  return new H5FileImpl(new H5wasmTree(runtime, file), absolute, logger, readBlockBytes, { closed: false, fd: undefined, size: stats.size, directReads: options.directReads ?? true });
}

/**
 * Opens the file with the TypeScript metadata parser (`readH5Meta`) when it understands every
 * object and every dataset can be read directly (numeric, contiguous or chunked 1-D/2-D with
 * deflate/shuffle, every chunk allocated); undefined otherwise, and HDF5 (h5wasm) opens it.
 */
function openWithoutHdf5(path: string, size: number, logger: Logger): { open(logger: Logger, readBlockBytes: number): H5File; close(): void } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let storages: Map<H5MetaDataset, H5Storage>;
  let meta: H5Meta;
  try {
    meta = readH5Meta(fd, size);
    storages = new Map();
    for (const { dataset } of meta.datasets) {
      const storage = directStorage(fd, size, dataset);
      if (storage === undefined) throw new H5Unsupported(`dataset '${dataset.path}' needs HDF5 to read`);
      storages.set(dataset, storage);
    }
  } catch (cause) {
    closeSync(fd);
    if (!(cause instanceof H5Unsupported) && !(cause instanceof H5FormatError)) throw cause;
    logger.debug('HDF5 metadata not read directly; HDF5 opens the file', { file: path, reason: cause.message });
    return undefined;
  }
  return {
    open: (log, readBlockBytes) => new H5FileImpl(new MetaTree(meta, storages), path, log, readBlockBytes, { closed: false, fd, size, directReads: true }),
    close: () => closeSync(fd),
  };
}

/** The storage of a dataset the direct readers can read completely, else undefined. */
function directStorage(fd: number, size: number, dataset: H5MetaDataset): H5Storage | undefined {
  const { shape, dtype } = dataset;
  if (numericKind(dtype) === undefined || shape.length === 0) return undefined;
  const storage = readStorage(fd, size, dataset.address, shape, dtype.size);
  if (storage === undefined) return undefined;
  if (storage.kind === 'contiguous') return dataset.filters.length === 0 && dataset.layoutClass === 1 ? storage : undefined;
  const sameFilters = storage.filters.map((f) => f.id).join() === dataset.filters.map((f) => f.id).join();
  return dataset.layoutClass === 2 && sameFilters && (shape.length === 1 || shape.length === 2) ? storage : undefined;
}

function openError(path: string, size: number, cause: unknown): PipelineError {
  const reason = h5Cause(cause);
  if (/file signature not found/.test(reason)) {
    return new PipelineError('E_INPUT', 'not an HDF5 file (no HDF5 signature)', {
      file: path,
      hint: 'pass an .h5/.hdf5 file written by h5py, pandas/PyTables or this pipeline',
      cause,
    });
  }
  const truncated = /truncated file: eof = (\d+).*stored_eof = (\d+)/.exec(reason);
  if (truncated !== null) {
    return new PipelineError(
      'E_INPUT',
      `truncated HDF5 file: it has ${truncated[1]} bytes but its superblock says ${truncated[2]}`,
      { file: path, hint: 'the file was cut short (interrupted copy or download); copy it again', cause },
    );
  }
  return new PipelineError('E_INPUT', `corrupt or unreadable HDF5 file (${size} bytes): ${reason}`, {
    file: path,
    hint: 'the file is damaged; regenerate or copy it again',
    cause,
  });
}

interface FileState {
  closed: boolean;
  /** A plain descriptor for direct reads of contiguous datasets, opened on first use. */
  fd: number | undefined;
  readonly size: number;
  /** Whether reads may bypass HDF5 (OpenH5Options.directReads). */
  readonly directReads: boolean;
}

/**
 * Where an {@link H5FileImpl} finds groups, datasets and attributes: h5wasm ({@link H5wasmTree}) or
 * the metadata parser ({@link MetaTree}). Entities are opaque to the file.
 */
interface H5Tree {
  readonly root: unknown;
  /** Every dataset, as HDF5's `H5Lvisit` lists them. */
  list(): H5DatasetInfo[];
  isGroup(entity: unknown): boolean;
  isDataset(entity: unknown): boolean;
  /** Link names of a group, in HDF5's iteration order. */
  keys(group: unknown): string[];
  child(group: unknown, name: string): unknown;
  /** Attributes of a group or dataset entity. */
  attrs(entity: unknown, file: string): Record<string, unknown>;
  openDataset(entity: unknown, key: string, path: string, state: FileState, logger: Logger, readBlockBytes: number): H5DatasetImpl;
  close(): void;
}

/** The h5wasm tree: HDF5 itself. */
class H5wasmTree implements H5Tree {
  constructor(
    private readonly runtime: H5Runtime,
    private readonly file: H5wasmFile,
  ) {}

  get root(): unknown {
    return this.file;
  }

  list(): H5DatasetInfo[] {
    const out: H5DatasetInfo[] = [];
    for (const key of this.file.paths()) {
      const entity = this.file.get(key);
      if (entity instanceof this.runtime.h5wasm.Dataset) out.push(describe(entity, key.replace(/^\//, '')));
    }
    return out;
  }

  isGroup(entity: unknown): boolean {
    return entity instanceof this.runtime.h5wasm.Group;
  }

  isDataset(entity: unknown): boolean {
    return entity instanceof this.runtime.h5wasm.Dataset;
  }

  keys(group: unknown): string[] {
    return (group as H5wasmGroup).keys();
  }

  child(group: unknown, name: string): unknown {
    return (group as H5wasmGroup).get(name);
  }

  attrs(entity: unknown, file: string): Record<string, unknown> {
    return readAttrs(entity as H5wasmGroup | H5wasmDataset, file);
  }

  openDataset(entity: unknown, key: string, path: string, state: FileState, logger: Logger, readBlockBytes: number): H5DatasetImpl {
    const dataset = entity as H5wasmDataset;
    return new H5DatasetImpl({ module: this.runtime.module, dataset }, dataset.metadata, undefined, describe(dataset, key), path, state, logger, readBlockBytes);
  }

  close(): void {
    this.file.close();
  }
}

/** The tree read by the metadata parser: no HDF5 at all (every dataset is read directly). */
class MetaTree implements H5Tree {
  constructor(
    private readonly meta: H5Meta,
    private readonly storages: ReadonlyMap<H5MetaDataset, H5Storage>,
  ) {}

  get root(): unknown {
    return this.meta.root;
  }

  list(): H5DatasetInfo[] {
    return this.meta.datasets.map(({ key, dataset }) => this.describe(dataset, key));
  }

  private describe(dataset: H5MetaDataset, key: string): H5DatasetInfo {
    const storage = this.storages.get(dataset)!;
    return {
      key,
      shape: [...dataset.shape],
      dtype: dtypeName(dataset.dtype),
      chunks: storage.kind === 'chunked' ? [...storage.chunk] : null,
      filters: dataset.filters.map((filter) => ({ id: filter.id, name: FILTER_NAMES[filter.id]! })),
    };
  }

  isGroup(entity: unknown): boolean {
    return (entity as H5MetaGroup | H5MetaDataset).type === 'Group';
  }

  isDataset(entity: unknown): boolean {
    return (entity as H5MetaGroup | H5MetaDataset).type === 'Dataset';
  }

  keys(group: unknown): string[] {
    return [...(group as H5MetaGroup).children.keys()];
  }

  child(group: unknown, name: string): unknown {
    return (group as H5MetaGroup).children.get(name) ?? null;
  }

  attrs(entity: unknown): Record<string, unknown> {
    return structuredClone((entity as H5MetaGroup | H5MetaDataset).attrs);
  }

  openDataset(entity: unknown, key: string, path: string, state: FileState, logger: Logger, readBlockBytes: number): H5DatasetImpl {
    const dataset = entity as H5MetaDataset;
    const opened = new H5DatasetImpl(undefined, dataset.dtype, this.storages.get(dataset)!, this.describe(dataset, key), path, state, logger, readBlockBytes);
    opened.metaAttrs = dataset.attrs;
    return opened;
  }

  close(): void {}
}

class H5FileImpl implements H5File {
  readonly usesHdf5: boolean;
  private listing: H5DatasetInfo[] | undefined;
  /** One object per key, so the read-path probe runs once per dataset. */
  private readonly opened = new Map<string, H5DatasetImpl>();

  constructor(
    private readonly tree: H5Tree,
    readonly path: string,
    private readonly logger: Logger,
    private readonly readBlockBytes: number,
    private readonly state: FileState,
  ) {
    this.usesHdf5 = tree instanceof H5wasmTree;
  }

  datasets(): H5DatasetInfo[] {
    this.checkOpen();
    if (this.listing === undefined) {
      this.listing = guarded(this.path, 'list the datasets', () => this.tree.list());
    }
    return this.listing.map((info) => ({ ...info, shape: [...info.shape] }));
  }

  dataset(key: string): H5Dataset {
    this.checkOpen();
    return guarded(this.path, `open dataset '${key}'`, () => this.openDataset(key));
  }

  private openDataset(key: string): H5Dataset {
    const { entity, key: normalized } = this.resolve(key);
    if (!this.tree.isDataset(entity)) {
      if (this.tree.isGroup(entity)) {
        const inside = this.datasets()
          .map((info) => info.key)
          .filter((k) => k.startsWith(`${normalized}/`));
        throw new PipelineError('E_INPUT', `'${normalized}' is a group, not a dataset`, {
          file: this.path,
          field: normalized,
          hint:
            inside.length > 0
              ? `name a dataset inside it: ${listKeys(inside)}`
              : 'the group holds no datasets; name a dataset key',
        });
      }
      throw new PipelineError('E_INPUT', `'${normalized}' is not a dataset (it is a ${describeEntity(entity)})`, {
        file: this.path,
        field: normalized,
        hint: `name one of the datasets: ${listKeys(this.datasets().map((info) => info.key))}`,
      });
    }
    let dataset = this.opened.get(normalized);
    if (dataset === undefined) {
      dataset = this.tree.openDataset(entity, normalized, this.path, this.state, this.logger, this.readBlockBytes);
      this.opened.set(normalized, dataset);
    }
    return dataset;
  }

  attrs(key = ''): Record<string, unknown> {
    this.checkOpen();
    return guarded(this.path, `read the attributes of '${key || '/'}'`, () => {
      const entity = key === '' || key === '/' ? this.tree.root : this.resolve(key).entity;
      if (!this.tree.isGroup(entity) && !this.tree.isDataset(entity)) return {};
      return this.tree.attrs(entity, this.path);
    });
  }

  close(): void {
    if (this.state.closed) return;
    this.state.closed = true;
    for (const dataset of this.opened.values()) dataset.release();
    if (this.state.fd !== undefined) closeSync(this.state.fd);
    this.state.fd = undefined;
    this.tree.close();
  }

  /** Walks `key` one link at a time so a missing component or a path through a dataset is reported precisely. */
  private resolve(key: string): { entity: unknown; key: string } {
    const parts = key.split('/').filter((part) => part.length > 0);
    const normalized = parts.join('/');
    if (parts.length === 0) {
      throw new PipelineError('E_USAGE', 'empty dataset key', {
        file: this.path,
        hint: `name one of the datasets: ${listKeys(this.datasets().map((info) => info.key))}`,
      });
    }
    let group: unknown = this.tree.root;
    let walked = '';
    let entity: unknown = this.tree.root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (!this.tree.keys(group).includes(part)) throw this.notFound(normalized, walked);
      entity = this.tree.child(group, part);
      walked = walked === '' ? part : `${walked}/${part}`;
      if (i < parts.length - 1) {
        if (!this.tree.isGroup(entity)) {
          throw new PipelineError('E_INPUT', `'${walked}' is a ${describeEntity(entity)}, so '${normalized}' cannot exist`, {
            file: this.path,
            field: normalized,
            hint: `name one of the datasets: ${listKeys(this.datasets().map((info) => info.key))}`,
          });
        }
        group = entity;
      }
    }
    return { entity, key: normalized };
  }

  private notFound(key: string, existingParent: string): PipelineError {
    const keys = this.datasets().map((info) => info.key);
    const lower = key.toLowerCase();
    const base = key.split('/').pop()!.toLowerCase();
    const close = keys.find((k) => k.toLowerCase() === lower) ?? keys.find((k) => k.split('/').pop()!.toLowerCase() === base);
    const where = existingParent === '' ? '' : ` (group '${existingParent}' exists)`;
    return new PipelineError('E_NOT_FOUND', `dataset '${key}' not found${where}`, {
      file: this.path,
      field: key,
      hint: `${close === undefined ? '' : `did you mean '${close}'? `}datasets in the file: ${listKeys(keys)}`,
    });
  }

  private checkOpen(): void {
    if (this.state.closed) throw new PipelineError('E_STATE', 'HDF5 file is closed', { file: this.path });
  }
}

class H5DatasetImpl implements H5Dataset {
  private readonly rows: number;
  private readonly cols: number;
  private readonly metadata: H5Metadata;
  private warnedMisaligned = false;
  /** File offset of contiguous data for direct reads; null when HDF5 must read; undefined until probed. */
  private directBase: number | null | undefined;
  /** Reader of chunked data without HDF5; null when HDF5 must read; undefined until probed. */
  private chunkReader: H5ChunkReader | null | undefined;
  /** The storage read from the object header (undefined: not read yet; null: unsupported or unreadable). */
  private storage: H5Storage | null | undefined;

  /**
   * @param hdf5 h5wasm's handle of the dataset, or undefined when the file was opened without HDF5
   *   (then `storage` is given and every read is direct).
   */
  constructor(
    private readonly hdf5: { readonly module: H5Module; readonly dataset: H5wasmDataset } | undefined,
    metadata: H5Metadata,
    storage: H5Storage | undefined,
    readonly info: H5DatasetInfo,
    private readonly path: string,
    private readonly state: FileState,
    private readonly logger: Logger,
    private readonly readBlockBytes: number,
  ) {
    this.metadata = metadata;
    if (storage !== undefined) this.storage = storage;
    const shape = info.shape;
    this.rows = shape[0] ?? 1;
    this.cols = shape.slice(1).reduce((a, b) => a * b, 1);
  }

  readRows(start: number, end: number, options: H5ReadOptions = {}): Matrix {
    this.checkReadable();
    this.checkRowRange(start, end);
    const columns = this.checkColumns(options.columns);
    const width = columns.end - columns.start;
    const n = (end - start) * width;
    if (options.into !== undefined && options.into.length < n) {
      throw new PipelineError('E_USAGE', `'into' holds ${options.into.length} values; rows ${start}..${end} × ${width} columns need ${n}`, {
        file: this.path,
        field: 'into',
      });
    }
    const out = options.into?.subarray(0, n) ?? allocate(end - start, width, this.path, this.info.key);
    const chunked = this.chunked();
    if (chunked !== null) {
      try {
        chunked.read(start, end, columns, out, 0);
      } catch (cause) {
        throw this.readError(start, end, cause);
      }
      return { rows: end - start, cols: width, data: out };
    }
    // Direct reads of a column range still read whole rows, so size those blocks by whole rows.
    const block = this.rowsFor(this.readBlockBytes, this.direct() !== null ? this.cols : width);
    let offset = 0;
    for (let s = start; s < end; ) {
      const e = Math.min(end, this.alignedEnd(s, block));
      this.readBlockInto(s, e, columns, out, offset);
      offset += (e - s) * width;
      s = e;
    }
    return { rows: end - start, cols: width, data: out };
  }

  *iterBatches(options: H5BatchOptions = {}): Generator<H5Batch, void, undefined> {
    this.checkReadable();
    const start = options.start ?? 0;
    const end = options.end ?? this.rows;
    this.checkRowRange(start, end);
    const columns = this.checkColumns(options.columns);
    const batchRows = options.batchRows ?? this.rowsFor(H5_BATCH_BYTES, columns.end - columns.start);
    if (!Number.isInteger(batchRows) || batchRows < 1) {
      throw new PipelineError('E_USAGE', `batchRows must be a positive integer, got ${batchRows}`, {
        file: this.path,
        field: 'batchRows',
      });
    }
    const chunkRows = this.info.chunks?.[0];
    const aligned = chunkRows !== undefined && batchRows % chunkRows === 0;
    if (chunkRows !== undefined && !aligned && !this.warnedMisaligned) {
      this.warnedMisaligned = true;
      this.logger.warn('batchRows is not a multiple of the chunk rows: chunks are decompressed more than once', {
        file: this.path,
        dataset: this.info.key,
        batchRows,
        chunkRows,
      });
    }
    // reuse: the dataset keeps its batch buffer for the next reuse scan (fresh memory costs a page
    // fault per 4 KiB on first touch), unless another reuse scan of this dataset is still running.
    let shared: Float32Array | undefined;
    let holds = false;
    if (options.reuse === true) {
      const needed = Math.min(batchRows, end - start) * (columns.end - columns.start);
      if (!this.reuseBusy) {
        if (this.reuseBuffer === undefined || this.reuseBuffer.length < needed) {
          this.reuseBuffer = undefined;
          this.reuseBuffer = allocate(Math.min(batchRows, end - start), columns.end - columns.start, this.path, this.info.key);
        }
        shared = this.reuseBuffer;
        this.reuseBusy = holds = true;
      } else {
        shared = allocate(Math.min(batchRows, end - start), columns.end - columns.start, this.path, this.info.key);
      }
    }
    try {
      for (let s = start; s < end; ) {
        throwIfAborted(options.signal, `reading '${this.info.key}' of ${this.path}`);
        const e = Math.min(end, aligned ? s - (s % chunkRows) + batchRows : s + batchRows);
        yield {
          start: s,
          end: e,
          matrix: this.readRows(s, e, {
            ...(options.columns === undefined ? {} : { columns }),
            ...(shared === undefined ? {} : { into: shared }),
          }),
        };
        s = e;
      }
    } finally {
      if (holds) this.reuseBusy = false;
    }
  }

  /** The batch buffer of `reuse: true` scans, kept for the next one (dropped on close). */
  private reuseBuffer: Float32Array | undefined;
  private reuseBusy = false;

  readRaw(start = 0, end = this.rows): H5RawData {
    this.checkReadable(true);
    const rank = this.info.shape.length;
    if (rank === 0) {
      if (start !== 0 || end !== 1) this.checkRowRange(start, end);
    } else {
      this.checkRowRange(start, end);
    }
    const shape = rank === 0 ? [] : [end - start, ...this.info.shape.slice(1)];
    if (this.hdf5 === undefined) return { shape, data: this.readRawDirect(start, end) };
    const { dataset } = this.hdf5;
    if (this.info.dtype === 'string') {
      const ranges: Array<[number, number]> = rank === 0 ? [] : [[start, end]];
      let values: unknown;
      try {
        values = rank === 0 ? dataset.value : dataset.slice(ranges);
      } catch (cause) {
        throw this.readError(start, end, cause);
      }
      const list = Array.isArray(values) ? values.map(String) : [String(values)];
      return { shape, data: list };
    }
    const kind = numericKind(this.metadata);
    if (kind === undefined) {
      throw new PipelineError('E_SCHEMA', `dataset '${this.info.key}' has dtype ${this.info.dtype}, which cannot be read as numbers or strings`, {
        file: this.path,
        field: this.info.key,
      });
    }
    const count = shape.reduce((a, b) => a * b, 1);
    const bytes = this.withHyperslab(
      rank === 0 ? [] : [start, ...this.info.shape.slice(1).map(() => 0)],
      shape,
      count * this.metadata.size,
      (heap, ptr, nbytes) => heap.slice(ptr, ptr + nbytes),
      start,
      end,
    );
    return { shape, data: new kind.array(bytes.buffer, 0, count) as H5RawData['data'] };
  }

  attrs(): Record<string, unknown> {
    this.checkReadable(true);
    if (this.hdf5 === undefined) return structuredClone(this.metaAttrs);
    return readAttrs(this.hdf5.dataset, this.path);
  }

  /** Attributes read by the metadata parser (files opened without HDF5). */
  metaAttrs: Record<string, unknown> = {};

  /**
   * Rows `[start, end)` in the native type without HDF5 (files opened without it; every dataset
   * there is numeric with direct storage): the bytes as stored, in little-endian order.
   */
  private readRawDirect(start: number, end: number): NumericArray {
    const kind = numericKind(this.metadata)!;
    const itemSize = this.metadata.size;
    const rowBytes = this.cols * itemSize;
    const bytes = new Uint8Array((end - start) * rowBytes);
    try {
      const storage = this.storage!;
      if (storage.kind === 'contiguous') {
        preadFully(this.state.fd!, bytes, storage.position + start * rowBytes);
        if (!this.metadata.littleEndian) swapBytes(bytes, itemSize);
      } else {
        this.chunked()!.readBytes(start, end, bytes);
      }
    } catch (cause) {
      throw this.readError(start, end, cause);
    }
    return new kind.array(bytes.buffer, 0, (end - start) * this.cols);
  }

  /** Reads rows `[s, e)` × `columns` as one hyperslab and converts into `out` at `offset`. */
  private readBlockInto(s: number, e: number, columns: ColumnRange, out: Float32Array, offset: number): void {
    if (e <= s || columns.end <= columns.start) return;
    const base = this.direct();
    if (base !== null) {
      this.readDirect(base, s, e, columns, out, offset);
      return;
    }
    const rank = this.info.shape.length;
    const trailing = this.info.shape.slice(1);
    const hyperOffset = rank === 1 ? [s] : rank === 2 ? [s, columns.start] : [s, ...trailing.map(() => 0)];
    const hyperCount = rank === 1 ? [e - s] : rank === 2 ? [e - s, columns.end - columns.start] : [e - s, ...trailing];
    const n = (e - s) * (columns.end - columns.start);
    const kind = numericKind(this.metadata)!;
    this.withHyperslab(
      hyperOffset,
      hyperCount,
      n * this.metadata.size,
      (heap, ptr) => kind.convert(heap.buffer, ptr, n, out, offset),
      s,
      e,
    );
  }

  /**
   * Contiguous, unfiltered numeric data is read with `pread` straight into the output (float32
   * little-endian, all columns) or a scratch block (other types, big-endian, column ranges): one
   * copy, as in h5py. The data's offset comes from the dataset's Data Layout message
   * (`readStorage`); if that cannot be read, `locateContiguousData` observes and verifies it
   * (little-endian only).
   */
  private direct(): number | null {
    if (this.directBase !== undefined) return this.directBase;
    const { metadata, info } = this;
    let base: number | undefined;
    const eligible = info.chunks === null && info.filters.length === 0 && info.shape.length > 0 && numericKind(metadata) !== undefined;
    if (eligible) {
      const storage = this.readStorage();
      if (storage?.kind === 'contiguous') base = storage.position;
      else if (storage === null && metadata.littleEndian && this.state.directReads) {
        base = locateContiguousData(this.hdf5!.module, this.hdf5!.dataset, this.path, this.state.fd!, this.state.size, info.shape, metadata.size);
      }
    }
    this.directBase = base ?? null;
    this.logger.debug('HDF5 read path', { file: this.path, dataset: info.key, direct: base !== undefined, ...(base === undefined ? {} : { offset: base }) });
    return this.directBase;
  }

  /**
   * Chunked 1-D/2-D numeric data whose chunks are all allocated and whose filters are deflate and/or
   * shuffle is read without HDF5 (see {@link H5ChunkReader}); anything else (other filters, chunk
   * indices other than the version-1 B-tree, single chunk and unpaged fixed array, N-D data)
   * goes through h5wasm.
   */
  private chunked(): H5ChunkReader | null {
    if (this.chunkReader !== undefined) return this.chunkReader;
    const { metadata, info } = this;
    let reader: H5ChunkReader | null = null;
    const kind = numericKind(metadata);
    if (info.chunks !== null && kind !== undefined && (info.shape.length === 1 || info.shape.length === 2)) {
      const storage = this.readStorage();
      const sameFilters = storage?.kind === 'chunked' && storage.filters.map((f) => f.id).join() === info.filters.map((f) => f.id).join();
      if (storage?.kind === 'chunked' && sameFilters) {
        reader = new H5ChunkReader(this.state.fd!, this.state.size, storage, info.shape, metadata.size, metadata.littleEndian, kind);
      }
    }
    this.chunkReader = reader;
    if (info.chunks !== null) this.logger.debug('HDF5 read path', { file: this.path, dataset: info.key, direct: reader !== null, chunked: true });
    return reader;
  }

  /** The dataset's storage from its object header; null when unsupported or unreadable (HDF5 reads then). */
  private readStorage(): H5Storage | null {
    if (this.storage !== undefined) return this.storage;
    if (!this.state.directReads) return (this.storage = null);
    this.state.fd ??= openSync(this.path, 'r');
    let storage: H5Storage | null = null;
    try {
      const { module, dataset } = this.hdf5!;
      const reference = module.create_object_reference(dataset.file_id, dataset.path);
      // h5wasm returns the H5R_OBJECT reference's bytes (a haddr_t: the object header's address).
      const address = Number(Buffer.from(Array.from(reference)).readBigUInt64LE(0));
      storage = readStorage(this.state.fd, this.state.size, address, this.info.shape, this.metadata.size) ?? null;
    } catch (cause) {
      this.logger.debug('HDF5 layout not read directly; HDF5 reads instead', { file: this.path, dataset: this.info.key, reason: String(cause) });
    }
    this.storage = storage;
    return storage;
  }

  /** Drops the direct readers' buffers (the file is closing). */
  release(): void {
    this.chunkReader?.close();
    this.reuseBuffer = undefined;
    this.scratch = new Uint8Array(0);
  }

  private scratch = new Uint8Array(0);

  private readDirect(base: number, s: number, e: number, columns: ColumnRange, out: Float32Array, offset: number): void {
    const itemSize = this.metadata.size;
    const rowBytes = this.cols * itemSize;
    const width = columns.end - columns.start;
    const kind = numericKind(this.metadata)!;
    const fd = this.state.fd!;
    const bytes = (e - s) * rowBytes;
    try {
      if (width === this.cols && kind.array === Float32Array && this.metadata.littleEndian) {
        preadFully(fd, new Uint8Array(out.buffer, out.byteOffset + offset * 4, bytes), base + s * rowBytes);
        return;
      }
      if (width * NARROW_FRACTION <= this.cols) {
        readNarrow(fd, base + s * rowBytes, e - s, rowBytes, columns.start * itemSize, width, itemSize, this.metadata.littleEndian, kind, out, offset);
        return;
      }
      if (this.scratch.length < bytes) this.scratch = new Uint8Array(bytes);
      const scratch = this.scratch.subarray(0, bytes);
      preadFully(fd, scratch, base + s * rowBytes);
      if (!this.metadata.littleEndian) swapBytes(scratch, itemSize);
      if (width === this.cols) {
        kind.convert(scratch.buffer, 0, (e - s) * width, out, offset);
      } else {
        for (let r = 0; r < e - s; r++) kind.convert(scratch.buffer, r * rowBytes + columns.start * itemSize, width, out, offset + r * width);
      }
    } catch (cause) {
      throw this.readError(s, e, cause);
    }
  }

  /** Mallocs `nbytes` in the wasm heap, reads the hyperslab there, hands the heap to `use`, frees. */
  private withHyperslab<T>(
    offset: number[],
    count: number[],
    nbytes: number,
    use: (heap: Uint8Array, ptr: number, nbytes: number) => T,
    s: number,
    e: number,
  ): T {
    if (this.hdf5 === undefined) throw new PipelineError('E_INTERNAL', `dataset '${this.info.key}' needs HDF5 to read, but its file was opened without it`, { file: this.path });
    const { module, dataset } = this.hdf5;
    const ptr = nbytes === 0 ? 0 : module._malloc(nbytes);
    if (nbytes !== 0 && ptr === 0) {
      throw new PipelineError('E_INPUT', `cannot allocate ${nbytes} bytes in the wasm heap (2 GiB at most)`, {
        file: this.path,
        field: this.info.key,
        hint: 'read fewer rows at a time (iterBatches with a smaller batchRows)',
      });
    }
    try {
      if (nbytes !== 0) {
        module.get_dataset_data(
          dataset.file_id,
          dataset.path,
          count.length === 0 ? null : count.map(BigInt),
          offset.length === 0 ? null : offset.map(BigInt),
          count.length === 0 ? null : count.map(() => 1n),
          BigInt(ptr),
        );
      }
      // The heap may have grown during the read: take the view afterwards.
      return use(module.HEAPU8, ptr, nbytes);
    } catch (cause) {
      if (cause instanceof PipelineError) throw cause;
      throw this.readError(s, e, cause);
    } finally {
      if (ptr !== 0) module._free(ptr);
    }
  }

  private readError(s: number, e: number, cause: unknown): PipelineError {
    return new PipelineError(
      'E_INPUT',
      `cannot read rows ${s}..${e} of dataset '${this.info.key}': ${h5Cause(cause)}`,
      { file: this.path, field: this.info.key, hint: 'the file is corrupt (e.g. a damaged compressed chunk); regenerate or copy it again', cause },
    );
  }

  /** Rows worth about `bytes`: whole chunks (at least one) when chunked, else rows of the selected columns. */
  private rowsFor(bytes: number, width: number): number {
    const chunkRows = this.info.chunks?.[0];
    const itemSize = this.metadata.size;
    if (chunkRows !== undefined && chunkRows > 0) {
      const chunkBytes = chunkRows * Math.max(1, this.cols) * itemSize;
      return chunkRows * Math.max(1, Math.floor(bytes / chunkBytes));
    }
    return Math.max(1, Math.floor(bytes / (Math.max(1, width) * itemSize)));
  }

  /** End of the block starting at `s`: on a chunk boundary when the data is chunked. */
  private alignedEnd(s: number, block: number): number {
    const chunkRows = this.info.chunks?.[0];
    return chunkRows !== undefined && chunkRows > 0 ? s - (s % chunkRows) + block : s + block;
  }

  private checkReadable(raw = false): void {
    if (this.state.closed) throw new PipelineError('E_STATE', 'HDF5 file is closed', { file: this.path, field: this.info.key });
    if (raw) return;
    if (this.info.shape.length === 0) {
      throw new PipelineError('E_SCHEMA', `dataset '${this.info.key}' is a scalar; it has no rows`, {
        file: this.path,
        field: this.info.key,
        hint: 'use readRaw() for scalars',
      });
    }
    if (numericKind(this.metadata) === undefined) {
      throw new PipelineError('E_SCHEMA', `dataset '${this.info.key}' has dtype ${this.info.dtype}; readRows needs numbers`, {
        file: this.path,
        field: this.info.key,
        hint: this.info.dtype === 'string' ? 'use readRaw() for string datasets' : 'store the features as a float or integer dataset',
      });
    }
  }

  private checkRowRange(start: number, end: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.rows || start > end) {
      throw new PipelineError('E_INPUT', `row range [${start}, ${end}) is outside dataset '${this.info.key}' of ${this.rows} rows`, {
        file: this.path,
        field: this.info.key,
        hint: `use integers with 0 <= start <= end <= ${this.rows}`,
      });
    }
  }

  private checkColumns(columns: ColumnRange | undefined): ColumnRange {
    if (columns === undefined) return { start: 0, end: this.cols };
    const rank = this.info.shape.length;
    if (rank > 2) {
      throw new PipelineError('E_USAGE', `column ranges need a 1-D or 2-D dataset; '${this.info.key}' has shape [${this.info.shape.join(', ')}]`, {
        file: this.path,
        field: this.info.key,
      });
    }
    const { start, end } = columns;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.cols || start > end) {
      throw new PipelineError('E_INPUT', `column range [${start}, ${end}) is outside dataset '${this.info.key}' of ${this.cols} columns`, {
        file: this.path,
        field: this.info.key,
        hint: `use integers with 0 <= start <= end <= ${this.cols}`,
      });
    }
    return { start, end };
  }
}

/**
 * Runs h5wasm metadata calls (links, object headers, dataspaces, attributes), turning what HDF5
 * throws on a damaged file (a bad checksum, a truncated heap, a wasm trap) into `E_INPUT`.
 */
function guarded<T>(file: string, what: string, action: () => T): T {
  try {
    return action();
  } catch (cause) {
    if (cause instanceof PipelineError) throw cause;
    throw new PipelineError('E_INPUT', `corrupt HDF5 file: cannot ${what}: ${h5Cause(cause)}`, {
      file,
      hint: 'the file is damaged; regenerate or copy it again',
      cause,
    });
  }
}

function describe(dataset: H5wasmDataset, key: string): H5DatasetInfo {
  const metadata = dataset.metadata;
  return {
    key,
    shape: [...(metadata.shape ?? [])],
    dtype: dtypeName(metadata),
    chunks: metadata.chunks === null ? null : [...metadata.chunks],
    filters: dataset.filters.map((filter) => ({ id: filter.id, name: FILTER_NAMES[filter.id] ?? (filter.name || `filter ${filter.id}`) })),
  };
}

function describeEntity(entity: unknown): string {
  if (entity === null || entity === undefined) return 'missing object';
  const type = (entity as { type?: string }).type;
  if (type === 'Dataset') return 'dataset';
  if (type === 'Group') return 'group';
  if (type === 'BrokenSoftLink') return 'broken soft link';
  if (type === 'ExternalLink') return 'external link';
  if (type === 'Datatype') return 'named datatype';
  return 'non-dataset object';
}

function readAttrs(entity: H5wasmGroup | H5wasmDataset, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  try {
    for (const [name, attribute] of Object.entries(entity.attrs)) out[name] = attribute.json_value;
  } catch (cause) {
    throw new PipelineError('E_INPUT', `cannot read the attributes of '${entity.path}': ${h5Cause(cause)}`, { file, cause });
  }
  return out;
}

function listKeys(keys: readonly string[], limit = 20): string {
  if (keys.length === 0) return '(none)';
  const shown = keys.slice(0, limit).join(', ');
  return keys.length > limit ? `${shown}, … (${keys.length} in all)` : shown;
}

/**
 * A Float32Array for rows × cols values that the read overwrites completely (or the read throws and
 * the array is dropped), so it is allocated uninitialised: `Buffer.allocUnsafeSlow` skips the
 * zero-fill, which made 2 MiB batches ≈2× cheaper than `new Float32Array` (bench/).
 */
function allocate(rows: number, cols: number, file: string, key: string): Float32Array {
  try {
    const bytes = Buffer.allocUnsafeSlow(rows * cols * 4);
    if (bytes.byteOffset % 4 !== 0) return new Float32Array(rows * cols);
    return new Float32Array(bytes.buffer, bytes.byteOffset, rows * cols);
  } catch (cause) {
    throw new PipelineError('E_INPUT', `${rows} × ${cols} float32 values do not fit in memory`, {
      file,
      field: key,
      hint: 'process the dataset in batches with iterBatches()',
      cause,
    });
  }
}
