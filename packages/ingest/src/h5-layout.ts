import { readSync } from 'node:fs';

/**
 * Where a dataset's raw data lives in the file, read from its object header (HDF5 file format
 * specification: superblock, object header v1/v2, Data Layout message 0x0008, Filter Pipeline
 * message 0x000B, version-1 B-tree of raw data chunks, fixed array chunk index). Only what the
 * direct reader supports is described; everything else gives `undefined` and HDF5 (h5wasm) reads.
 */
export type H5Storage = H5ContiguousStorage | H5ChunkedStorage;

export interface H5ContiguousStorage {
  readonly kind: 'contiguous';
  /** Absolute file position of the first byte. */
  readonly position: number;
  readonly size: number;
}

/** One stored chunk: its absolute file position, stored (filtered) size and filter mask. */
export interface H5Chunk {
  readonly position: number;
  readonly size: number;
  /** Bit i set: filter i of the pipeline was not applied to this chunk. */
  readonly filterMask: number;
}

export interface H5Filter {
  readonly id: number;
  /** Optional filters may be skipped per chunk (filter mask). */
  readonly optional: boolean;
  readonly clientData: readonly number[];
}

export interface H5ChunkedStorage {
  readonly kind: 'chunked';
  /** Chunk shape in elements, one entry per dataset dimension. */
  readonly chunk: readonly number[];
  /** Chunks per dimension (ceil(shape / chunk)). */
  readonly grid: readonly number[];
  /** Chunks in row-major grid order; every chunk of the dataset is present. */
  readonly chunks: readonly H5Chunk[];
  /** Filter pipeline in write order (reads undo it last to first). */
  readonly filters: readonly H5Filter[];
}

/** Malformed metadata: the caller turns it into `E_INPUT` naming the file. */
export class H5FormatError extends Error {}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
export const UNDEFINED_ADDRESS = 2 ** 53; // any 0xff…ff address decodes above this
/** Filters the direct reader implements: deflate (1) and shuffle (2). */
export const DIRECT_FILTERS = new Set([1, 2]);

/** Bounds-checked `pread` of metadata blocks. */
export class Reader {
  constructor(
    private readonly fd: number,
    readonly fileSize: number,
  ) {}

  bytes(position: number, length: number, what: string): Buffer {
    if (!(position >= 0) || !(length >= 0) || position + length > this.fileSize) {
      throw new H5FormatError(`${what} at byte ${position} (${length} bytes) lies outside the file (${this.fileSize} bytes)`);
    }
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, position + done);
      if (n === 0) throw new H5FormatError(`unexpected end of file reading ${what} at byte ${position + done}`);
      done += n;
    }
    return out;
  }
}

/** Little-endian cursor over a metadata block with bounds checks. */
export class Cursor {
  constructor(
    readonly buf: Buffer,
    public at = 0,
  ) {}

  need(n: number): void {
    if (this.at + n > this.buf.length) throw new H5FormatError('metadata block ends early');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }
  /** An unsigned integer of `size` bytes (1–8); values ≥ 2^53 come back as ≥ 2^53 (undefined addresses). */
  uint(size: number): number {
    this.need(size);
    let v = 0;
    for (let k = size - 1; k >= 0; k--) v = v * 256 + this.buf[this.at + k]!;
    this.at += size;
    return v;
  }
  skip(n: number): void {
    this.need(n);
    this.at += n;
  }
}

export interface Superblock {
  readonly base: number;
  readonly offsetSize: number;
  readonly lengthSize: number;
}

function readSuperblock(reader: Reader): Superblock {
  for (let at = 0; at + 64 <= reader.fileSize; at = at === 0 ? 512 : at * 2) {
    const head = reader.bytes(at, Math.min(64, reader.fileSize - at), 'superblock');
    if (!SIGNATURE.every((b, k) => head[k] === b)) continue;
    const c = new Cursor(head, 8);
    const version = c.u8();
    let offsetSize: number;
    let lengthSize: number;
    if (version === 0 || version === 1) {
      c.skip(4);
      offsetSize = c.u8();
      lengthSize = c.u8();
      c.skip(1 + 4 + 4 + (version === 1 ? 4 : 0));
    } else if (version === 2 || version === 3) {
      offsetSize = c.u8();
      lengthSize = c.u8();
      c.skip(1);
    } else {
      throw new H5FormatError(`unsupported superblock version ${version}`);
    }
    if (![2, 4, 8].includes(offsetSize) || ![2, 4, 8].includes(lengthSize)) {
      throw new H5FormatError(`bad superblock sizes (offsets ${offsetSize}, lengths ${lengthSize})`);
    }
    const base = c.uint(offsetSize);
    return { base: base >= UNDEFINED_ADDRESS ? at : base, offsetSize, lengthSize };
  }
  throw new H5FormatError('no HDF5 signature');
}

export interface Message {
  readonly type: number;
  readonly flags: number;
  readonly body: Buffer;
}

const MAX_HEADER_BLOCKS = 1024;

/**
 * The messages of the object header at absolute position `position` (v1 or v2, with continuations).
 * `verify`: check the checksums of version-2 header blocks (`OHDR`, `OCHK`) with `verify(bytes)`,
 * which returns false for a mismatch (then {@link H5FormatError}).
 */
export function readMessages(reader: Reader, sb: Superblock, position: number, verify?: (block: Buffer) => boolean): Message[] {
  const messages: Message[] = [];
  const first = reader.bytes(position, Math.min(16, reader.fileSize - position), 'object header');
  const blocks: Array<{ position: number; length: number }> = [];
  let v2 = false;
  let v2Flags = 0;
  if (first.subarray(0, 4).toString('latin1') === 'OHDR') {
    v2 = true;
    const prefix = reader.bytes(position, Math.min(64, reader.fileSize - position), 'object header');
    const c = new Cursor(prefix, 4);
    if (c.u8() !== 2) throw new H5FormatError('bad object header version');
    v2Flags = c.u8();
    if (v2Flags & 0x20) c.skip(16);
    if (v2Flags & 0x10) c.skip(4);
    const size = c.uint(1 << (v2Flags & 3));
    if (verify !== undefined && !verify(reader.bytes(position, c.at + size + 4, 'object header'))) throw new H5FormatError('object header checksum mismatch');
    blocks.push({ position: position + c.at, length: size });
  } else {
    if (first[0] !== 1) throw new H5FormatError(`bad object header version ${first[0]}`);
    const size = first.readUInt32LE(8);
    blocks.push({ position: position + 16, length: size });
  }
  const seen = new Set<number>();
  for (let b = 0; b < blocks.length; b++) {
    if (b >= MAX_HEADER_BLOCKS) throw new H5FormatError('too many object header continuation blocks');
    const block = blocks[b]!;
    if (seen.has(block.position)) throw new H5FormatError('object header continuation loop');
    seen.add(block.position);
    let data = reader.bytes(block.position, block.length, 'object header');
    let c: Cursor;
    let end: number;
    if (v2) {
      if (b > 0) {
        if (data.subarray(0, 4).toString('latin1') !== 'OCHK') throw new H5FormatError('bad object header continuation signature');
        if (verify !== undefined && !verify(data)) throw new H5FormatError('object header continuation checksum mismatch');
        c = new Cursor(data, 4);
        end = data.length - 4; // checksum
      } else {
        c = new Cursor(data, 0);
        end = data.length;
      }
    } else {
      c = new Cursor(data, 0);
      end = data.length;
    }
    const headerBytes = v2 ? 4 + (v2Flags & 0x04 ? 2 : 0) : 8;
    while (c.at + headerBytes <= end) {
      let type: number;
      let size: number;
      let flags: number;
      if (v2) {
        type = c.u8();
        size = c.u16();
        flags = c.u8();
        if (v2Flags & 0x04) c.skip(2);
      } else {
        type = c.u16();
        size = c.u16();
        flags = c.u8();
        c.skip(3);
      }
      if (c.at + size > end) throw new H5FormatError('object header message runs past its block');
      const body = data.subarray(c.at, c.at + size);
      c.at += size;
      if (type === 0x10) {
        const m = new Cursor(body);
        blocks.push({ position: sb.base + m.uint(sb.offsetSize), length: m.uint(sb.lengthSize) });
      } else if (type !== 0) {
        messages.push({ type, flags, body });
      }
    }
    data = Buffer.alloc(0);
  }
  return messages;
}

export function parseFilters(body: Buffer): H5Filter[] {
  const c = new Cursor(body);
  const version = c.u8();
  const count = c.u8();
  const filters: H5Filter[] = [];
  if (version === 1) c.skip(6);
  else if (version !== 2) throw new H5FormatError(`unsupported filter pipeline version ${version}`);
  for (let k = 0; k < count; k++) {
    const id = c.u16();
    const nameLength = version === 1 || id >= 256 ? c.u16() : 0;
    const flags = c.u16();
    const values = c.u16();
    if (nameLength > 0) c.skip(version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength);
    const clientData: number[] = [];
    for (let v = 0; v < values; v++) clientData.push(c.u32());
    if (version === 1 && values % 2 === 1) c.skip(4);
    filters.push({ id, optional: (flags & 1) === 1, clientData });
  }
  return filters;
}

/**
 * The storage of the dataset whose object header is at `address` (relative to the superblock's base,
 * as HDF5 object references give it), or undefined when the direct reader does not support it
 * (compact, virtual, external or unallocated storage, chunk indices other than the version-1 B-tree,
 * single chunk, implicit and unpaged fixed arrays, shared messages, filters other than deflate and
 * shuffle, chunks missing from the index). Throws {@link H5FormatError} on malformed metadata.
 */
export function readStorage(fd: number, fileSize: number, address: number, shape: readonly number[], itemSize: number): H5Storage | undefined {
  const reader = new Reader(fd, fileSize);
  const sb = readSuperblock(reader);
  const messages = readMessages(reader, sb, sb.base + address);
  if (messages.some((m) => m.type === 0x0017)) return undefined; // external data files
  const layouts = messages.filter((m) => m.type === 0x0008);
  const pipelines = messages.filter((m) => m.type === 0x000b);
  if (layouts.length !== 1 || pipelines.length > 1) return undefined;
  const layout = layouts[0]!;
  if ((layout.flags & 0x02) !== 0 || (pipelines[0] !== undefined && (pipelines[0].flags & 0x02) !== 0)) return undefined; // shared
  const filters = pipelines[0] === undefined ? [] : parseFilters(pipelines[0].body);
  if (filters.some((f) => !DIRECT_FILTERS.has(f.id))) return undefined;
  const c = new Cursor(layout.body);
  const version = c.u8();
  if (version < 3 || version > 5) return undefined;
  const layoutClass = c.u8();
  const elements = shape.reduce((a, b) => a * b, 1);
  if (layoutClass === 1) {
    const where = c.uint(sb.offsetSize);
    const size = c.uint(sb.lengthSize);
    if (where >= UNDEFINED_ADDRESS || filters.length > 0) return undefined;
    if (size !== elements * itemSize) throw new H5FormatError(`contiguous data holds ${size} bytes, the shape needs ${elements * itemSize}`);
    const position = sb.base + where;
    if (position + size > fileSize) throw new H5FormatError(`the data (bytes ${position}..${position + size}) runs past the end of the file (${fileSize} bytes)`);
    return { kind: 'contiguous', position, size };
  }
  if (layoutClass !== 2) return undefined;
  const rank = shape.length;
  let chunk: number[];
  let index: () => Array<H5Chunk | undefined> | undefined;
  const grid = (dims: readonly number[]) => shape.map((n, k) => Math.ceil(n / dims[k]!));
  if (version === 3) {
    const dimensionality = c.u8();
    const btree = c.uint(sb.offsetSize);
    const dims: number[] = [];
    for (let k = 0; k < dimensionality; k++) dims.push(c.u32());
    if (dimensionality !== rank + 1 || dims[rank] !== itemSize) throw new H5FormatError('chunk dimensions do not match the dataspace');
    chunk = dims.slice(0, rank);
    index = () => (btree >= UNDEFINED_ADDRESS ? undefined : readBtreeChunks(reader, sb, btree, rank, chunk, grid(chunk)));
  } else {
    const flags = c.u8();
    const dimensionality = c.u8();
    const encoded = c.u8();
    const dims: number[] = [];
    for (let k = 0; k < dimensionality; k++) dims.push(c.uint(encoded));
    if (dimensionality !== rank + 1 || dims[rank] !== itemSize) throw new H5FormatError('chunk dimensions do not match the dataspace');
    chunk = dims.slice(0, rank);
    const indexType = c.u8();
    if (indexType === 1) {
      // single chunk
      const filtered = (flags & 0x02) !== 0;
      const size = filtered ? c.uint(sb.lengthSize) : chunk.reduce((a, b) => a * b, 1) * itemSize;
      const filterMask = filtered ? c.u32() : 0;
      const where = c.uint(sb.offsetSize);
      index = () => (where >= UNDEFINED_ADDRESS ? undefined : [{ position: sb.base + where, size, filterMask }]);
    } else if (indexType === 3) {
      c.skip(1); // page bits (checked in the header)
      const where = c.uint(sb.offsetSize);
      index = () => (where >= UNDEFINED_ADDRESS ? undefined : readFixedArray(reader, sb, where, chunk.reduce((a, b) => a * b, 1) * itemSize));
    } else {
      return undefined; // implicit, extensible array, version-2 B-tree
    }
  }
  if (chunk.some((d) => !(d >= 1))) throw new H5FormatError('chunk dimension of 0');
  const dims = grid(chunk);
  const total = dims.reduce((a, b) => a * b, 1);
  const chunks = index();
  if (chunks === undefined || chunks.length !== total) return undefined; // e.g. a fixed array sized by larger max dims
  const list: H5Chunk[] = [];
  for (let k = 0; k < total; k++) {
    const entry = chunks[k];
    if (entry === undefined) return undefined; // unallocated chunk: HDF5 supplies the fill value
    list.push(entry); // a chunk past the end of the file fails when it is read (H5ChunkReader)
  }
  return { kind: 'chunked', chunk, grid: dims, chunks: list, filters };
}

/** Chunks of a version-1 B-tree (node type 1) in row-major grid order; undefined entries are unallocated. */
function readBtreeChunks(
  reader: Reader,
  sb: Superblock,
  root: number,
  rank: number,
  chunk: readonly number[],
  grid: readonly number[],
): Array<H5Chunk | undefined> {
  const total = grid.reduce((a, b) => a * b, 1);
  const out = new Array<H5Chunk | undefined>(total);
  const keyBytes = 8 + 8 * (rank + 1);
  const visited = new Set<number>();
  const visit = (address: number, depth: number): void => {
    if (depth > 64) throw new H5FormatError('chunk B-tree deeper than 64 levels');
    if (visited.has(address)) throw new H5FormatError('chunk B-tree loop');
    if (visited.size > 4 * total + 64) throw new H5FormatError('chunk B-tree has more nodes than chunks');
    visited.add(address);
    const headerBytes = 8 + 2 * sb.offsetSize;
    const head = new Cursor(reader.bytes(sb.base + address, headerBytes, 'chunk B-tree node'));
    if (head.buf.subarray(0, 4).toString('latin1') !== 'TREE') throw new H5FormatError('bad chunk B-tree node signature');
    head.at = 4;
    if (head.u8() !== 1) throw new H5FormatError('B-tree node is not a raw-data chunk node');
    const level = head.u8();
    const entries = head.u16();
    const bodyBytes = entries * (keyBytes + sb.offsetSize) + keyBytes;
    const c = new Cursor(reader.bytes(sb.base + address + headerBytes, bodyBytes, 'chunk B-tree node'));
    for (let e = 0; e < entries; e++) {
      const size = c.u32();
      const filterMask = c.u32();
      const offsets: number[] = [];
      for (let k = 0; k <= rank; k++) offsets.push(c.uint(8));
      const child = c.uint(sb.offsetSize);
      if (level > 0) {
        visit(child, depth + 1);
        continue;
      }
      let linear = 0;
      let inside = true;
      for (let k = 0; k < rank; k++) {
        const o = offsets[k]!;
        if (o % chunk[k]! !== 0) throw new H5FormatError('chunk offset not on a chunk boundary');
        if (o / chunk[k]! >= grid[k]!) inside = false; // left over from a dataset shrunk by a resize
        linear = linear * grid[k]! + o / chunk[k]!;
      }
      if (!inside || child >= UNDEFINED_ADDRESS) continue;
      out[linear] = { position: sb.base + child, size, filterMask };
    }
  };
  visit(root, 0);
  return out;
}

/** Chunks of an unpaged fixed array index (FAHD/FADB); undefined when paged (not supported). */
function readFixedArray(reader: Reader, sb: Superblock, address: number, chunkBytes: number): Array<H5Chunk | undefined> | undefined {
  const headerBytes = 4 + 4 + sb.lengthSize + sb.offsetSize + 4;
  const h = new Cursor(reader.bytes(sb.base + address, headerBytes, 'fixed array header'));
  if (h.buf.subarray(0, 4).toString('latin1') !== 'FAHD') throw new H5FormatError('bad fixed array header signature');
  h.at = 4;
  if (h.u8() !== 0) throw new H5FormatError('unsupported fixed array version');
  const client = h.u8();
  const entrySize = h.u8();
  const pageBits = h.u8();
  const count = h.uint(sb.lengthSize);
  const block = h.uint(sb.offsetSize);
  if (count > 2 ** pageBits) return undefined; // paged data block
  if (block >= UNDEFINED_ADDRESS) return new Array(count);
  const prefix = 4 + 2 + sb.offsetSize;
  const d = new Cursor(reader.bytes(sb.base + block, prefix + count * entrySize, 'fixed array data block'));
  if (d.buf.subarray(0, 4).toString('latin1') !== 'FADB') throw new H5FormatError('bad fixed array data block signature');
  d.at = prefix;
  const out: Array<H5Chunk | undefined> = [];
  for (let k = 0; k < count; k++) {
    const where = d.uint(sb.offsetSize);
    let size = chunkBytes;
    let filterMask = 0;
    if (client === 1) {
      size = d.uint(entrySize - sb.offsetSize - 4);
      filterMask = d.u32();
    } else if (client !== 0) {
      throw new H5FormatError(`unknown fixed array client ${client}`);
    }
    out.push(where >= UNDEFINED_ADDRESS ? undefined : { position: sb.base + where, size, filterMask });
  }
  return out;
}
