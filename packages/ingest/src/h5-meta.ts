import { Cursor, H5FormatError, Reader, UNDEFINED_ADDRESS, parseFilters, readMessages, type H5Filter, type Message, type Superblock } from './h5-layout.js';
import { lookup3 } from './lookup3.js';

/**
 * HDF5 metadata read without HDF5 (h5wasm): groups, datasets (shape, element type, layout
 * class, filters) and attributes, for the files h5py and this package's writer produce. Follows the
 * HDF5 file format specification (version 3): superblock versions 0–3, object headers v1/v2 with
 * continuations (v2 checksums verified), old-style groups (symbol table message → version-1 B-tree
 * of group nodes → symbol table nodes, names in the local heap), new-style compact groups (link
 * messages), dataspace, datatype and attribute messages (compact storage), variable-length strings
 * in global heap collections.
 *
 * Anything else — dense (fractal-heap) link or attribute storage, creation-order indexes, soft or
 * external links, shared messages, a superblock extension or driver block, datatypes other than
 * IEEE floats, plain integers and strings, null dataspaces, unknown message types, a truncated file
 * or any malformed or inconsistent structure — throws {@link H5Unsupported} (or
 * {@link H5FormatError}), and the caller falls back to HDF5 for the whole file. The parser never
 * guesses: what it returns is what HDF5 reports (checked against h5wasm in `test/h5-meta.test.ts`).
 */

/** The parser does not handle this file; read it with HDF5. */
export class H5Unsupported extends Error {}

/** An element type, in the shape h5wasm's metadata gives it (the fields `numericKind` and `dtypeName` use). */
export interface H5TypeInfo {
  /** HDF5 type class: 0 integer, 1 float, 3 string. */
  readonly type: number;
  /** Bytes per element (strings: fixed length; variable-length strings: 0). */
  readonly size: number;
  readonly signed: boolean;
  readonly littleEndian: boolean;
  /** Strings: 0 ASCII, 1 UTF-8. */
  readonly cset?: number;
  /** Variable-length string. */
  readonly vlen?: boolean;
}

/** A dataset as read from its object header. */
export interface H5MetaDataset {
  readonly type: 'Dataset';
  /** Absolute path, e.g. `/data/train/features`. */
  readonly path: string;
  /** Object header address relative to the superblock's base (what an HDF5 object reference holds). */
  readonly address: number;
  readonly shape: number[];
  readonly dtype: H5TypeInfo;
  /** Data Layout class: 0 compact, 1 contiguous, 2 chunked, 3 virtual. */
  readonly layoutClass: number;
  readonly filters: readonly H5Filter[];
  readonly attrs: Record<string, unknown>;
}

/** A group: its links in HDF5's name order (byte order of the UTF-8 names). */
export interface H5MetaGroup {
  readonly type: 'Group';
  readonly path: string;
  readonly address: number;
  readonly children: ReadonlyMap<string, H5MetaGroup | H5MetaDataset>;
  readonly attrs: Record<string, unknown>;
}

/** The whole metadata tree of a file. */
export interface H5Meta {
  readonly root: H5MetaGroup;
  /** Every dataset in `H5Lvisit` order (depth first, links by name), keys without the leading slash. */
  readonly datasets: ReadonlyArray<{ readonly key: string; readonly dataset: H5MetaDataset }>;
  readonly superblock: Superblock;
}

const MAX_OBJECTS = 100_000;
const KNOWN_MESSAGES = new Set([
  0x01, // dataspace
  0x02, // link info
  0x03, // datatype
  0x04, // fill value (old)
  0x05, // fill value
  0x06, // link
  0x08, // data layout
  0x0a, // group info
  0x0b, // filter pipeline
  0x0c, // attribute
  0x0d, // comment
  0x0e, // modification time (old)
  0x11, // symbol table
  0x12, // modification time
  0x13, // B-tree 'K' values
  0x15, // attribute info
  0x16, // object reference count
]);

/** Checks a block whose last 4 bytes are the lookup3 checksum of the others. */
function checksumOk(block: Buffer): boolean {
  if (block.length < 4) return false;
  return lookup3(block, 0, block.length - 4) === block.readUInt32LE(block.length - 4);
}

interface Root {
  readonly sb: Superblock;
  readonly rootAddress: number;
}

function readRoot(reader: Reader): Root {
  const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let at = 0; at + 8 <= reader.fileSize; at = at === 0 ? 512 : at * 2) {
    const head = reader.bytes(at, Math.min(160, reader.fileSize - at), 'superblock');
    if (!SIGNATURE.every((b, k) => head[k] === b)) continue;
    const c = new Cursor(head, 8);
    const version = c.u8();
    let offsetSize: number;
    let lengthSize: number;
    let base: number;
    let eof: number;
    let rootAddress: number;
    if (version === 0 || version === 1) {
      c.skip(4);
      offsetSize = c.u8();
      lengthSize = c.u8();
      checkSizes(offsetSize, lengthSize);
      c.skip(1 + 4 + 4 + (version === 1 ? 4 : 0));
      base = c.uint(offsetSize);
      c.uint(offsetSize); // free-space info
      eof = c.uint(offsetSize);
      const driver = c.uint(offsetSize);
      if (driver < UNDEFINED_ADDRESS) throw new H5Unsupported('driver information block');
      c.uint(offsetSize); // root link name offset
      rootAddress = c.uint(offsetSize);
      const cacheType = c.u32();
      if (cacheType === 2) throw new H5Unsupported('root is a symbolic link');
    } else if (version === 2 || version === 3) {
      offsetSize = c.u8();
      lengthSize = c.u8();
      checkSizes(offsetSize, lengthSize);
      c.skip(1); // consistency flags
      base = c.uint(offsetSize);
      const extension = c.uint(offsetSize);
      eof = c.uint(offsetSize);
      rootAddress = c.uint(offsetSize);
      c.need(4);
      if (lookup3(head, 0, c.at) !== head.readUInt32LE(c.at)) throw new H5FormatError('superblock checksum mismatch');
      if (extension < UNDEFINED_ADDRESS) throw new H5Unsupported('superblock extension');
    } else {
      throw new H5Unsupported(`superblock version ${version}`);
    }
    const absoluteBase = base >= UNDEFINED_ADDRESS ? at : base;
    if (absoluteBase !== at) throw new H5Unsupported('base address differs from the superblock position');
    if (eof >= UNDEFINED_ADDRESS || absoluteBase + eof > reader.fileSize) throw new H5Unsupported('the file is shorter than its superblock says');
    if (rootAddress >= UNDEFINED_ADDRESS) throw new H5FormatError('no root group');
    return { sb: { base: absoluteBase, offsetSize, lengthSize }, rootAddress };
  }
  throw new H5Unsupported('no HDF5 signature');
}

function checkSizes(offsetSize: number, lengthSize: number): void {
  if (![2, 4, 8].includes(offsetSize) || ![2, 4, 8].includes(lengthSize)) throw new H5Unsupported('unusual superblock sizes');
}

/**
 * Reads the metadata of every group, dataset and attribute reachable from the root. Throws
 * {@link H5Unsupported} or {@link H5FormatError} for anything it does not fully understand.
 */
export function readH5Meta(fd: number, fileSize: number): H5Meta {
  const reader = new Reader(fd, fileSize);
  const { sb, rootAddress } = readRoot(reader);
  const parser = new MetaParser(reader, sb);
  const root = parser.object(rootAddress, '/');
  if (root.type !== 'Group') throw new H5FormatError('the root object is not a group');
  const datasets: Array<{ key: string; dataset: H5MetaDataset }> = [];
  const visit = (group: H5MetaGroup, prefix: string): void => {
    for (const [name, child] of group.children) {
      const key = prefix === '' ? name : `${prefix}/${name}`;
      if (child.type === 'Dataset') datasets.push({ key, dataset: child });
      else visit(child, key);
    }
  };
  visit(root, '');
  return { root, datasets, superblock: sb };
}

class MetaParser {
  private readonly seen = new Set<number>();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly reader: Reader,
    private readonly sb: Superblock,
  ) {}

  object(address: number, path: string): H5MetaGroup | H5MetaDataset {
    if (this.seen.has(address)) throw new H5Unsupported('an object linked more than once (hard links or a cycle)');
    if (this.seen.size >= MAX_OBJECTS) throw new H5Unsupported('too many objects');
    this.seen.add(address);
    const position = this.sb.base + address;
    const head = this.reader.bytes(position, Math.min(8, this.reader.fileSize - position), 'object header');
    const v2 = head.subarray(0, 4).toString('latin1') === 'OHDR';
    if (v2 && (head[5]! & 0x08) !== 0) throw new H5Unsupported('indexed attribute creation order');
    const messages = readMessages(this.reader, this.sb, position, checksumOk);
    for (const m of messages) {
      if (!KNOWN_MESSAGES.has(m.type)) throw new H5Unsupported(`object header message type ${m.type}`);
      if ((m.flags & 0x02) !== 0) throw new H5Unsupported('shared object header message');
    }
    const attrs = this.attributes(messages);
    const has = (type: number): boolean => messages.some((m) => m.type === type);
    if (has(0x11) || has(0x02) || has(0x06)) {
      if (has(0x08)) throw new H5FormatError('an object with both group and dataset messages');
      return { type: 'Group', path, address, children: this.links(messages, path), attrs };
    }
    if (has(0x08)) return this.dataset(messages, path, address, attrs);
    throw new H5Unsupported('an object that is neither a group nor a dataset');
  }

  private links(messages: readonly Message[], path: string): Map<string, H5MetaGroup | H5MetaDataset> {
    const entries: Array<{ name: string; bytes: Buffer; address: number }> = [];
    const symbolTables = messages.filter((m) => m.type === 0x11);
    const linkInfos = messages.filter((m) => m.type === 0x02);
    if (symbolTables.length > 1 || linkInfos.length > 1 || (symbolTables.length === 1 && (linkInfos.length === 1 || messages.some((m) => m.type === 0x06)))) {
      throw new H5FormatError('inconsistent group messages');
    }
    if (symbolTables.length === 1) {
      const c = new Cursor(symbolTables[0]!.body);
      const btree = c.uint(this.sb.offsetSize);
      const heap = c.uint(this.sb.offsetSize);
      const names = this.localHeap(heap);
      this.groupBtree(btree, names, entries, 0, new Set());
    } else {
      if (linkInfos.length === 1) {
        const c = new Cursor(linkInfos[0]!.body);
        if (c.u8() !== 0) throw new H5Unsupported('link info version');
        const flags = c.u8();
        if ((flags & 0x02) !== 0) throw new H5Unsupported('indexed link creation order');
        if ((flags & 0x01) !== 0) c.skip(8);
        const fractalHeap = c.uint(this.sb.offsetSize);
        if (fractalHeap < UNDEFINED_ADDRESS) throw new H5Unsupported('dense link storage');
      }
      for (const m of messages) if (m.type === 0x06) entries.push(this.link(m.body));
    }
    entries.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    const out = new Map<string, H5MetaGroup | H5MetaDataset>();
    for (let k = 0; k < entries.length; k++) {
      const { name, address } = entries[k]!;
      if (out.has(name) || (k > 0 && entries[k - 1]!.name === name)) throw new H5FormatError(`duplicate link '${name}'`);
      if (name.length === 0 || name.includes('/') || name === '.') throw new H5Unsupported(`link name '${name}'`);
      out.set(name, this.object(address, path === '/' ? `/${name}` : `${path}/${name}`));
    }
    return out;
  }

  private link(body: Buffer): { name: string; bytes: Buffer; address: number } {
    const c = new Cursor(body);
    if (c.u8() !== 1) throw new H5Unsupported('link message version');
    const flags = c.u8();
    if ((flags & 0xe0) !== 0) throw new H5FormatError('reserved link flags');
    const linkType = (flags & 0x08) !== 0 ? c.u8() : 0;
    if ((flags & 0x04) !== 0) c.skip(8);
    const cset = (flags & 0x10) !== 0 ? c.u8() : 0;
    if (cset > 1) throw new H5Unsupported('link name character set');
    const length = c.uint(1 << (flags & 0x03));
    c.need(length);
    const bytes = body.subarray(c.at, c.at + length);
    c.at += length;
    if (linkType !== 0) throw new H5Unsupported('soft or external link');
    const address = c.uint(this.sb.offsetSize);
    return { name: this.text(bytes), bytes, address };
  }

  /** The local heap's data segment (link names of an old-style group). */
  private localHeap(address: number): Buffer {
    const { offsetSize, lengthSize } = this.sb;
    const c = new Cursor(this.reader.bytes(this.sb.base + address, 8 + 2 * lengthSize + offsetSize, 'local heap'));
    if (c.buf.subarray(0, 4).toString('latin1') !== 'HEAP') throw new H5FormatError('bad local heap signature');
    c.at = 4;
    if (c.u8() !== 0) throw new H5Unsupported('local heap version');
    c.skip(3);
    const size = c.uint(lengthSize);
    c.uint(lengthSize); // free list
    const data = c.uint(offsetSize);
    if (size > 64 * 1024 * 1024) throw new H5Unsupported('local heap larger than 64 MiB');
    return this.reader.bytes(this.sb.base + data, size, 'local heap data');
  }

  private groupBtree(address: number, names: Buffer, out: Array<{ name: string; bytes: Buffer; address: number }>, depth: number, visited: Set<number>): void {
    const { offsetSize, lengthSize } = this.sb;
    if (depth > 32 || visited.has(address) || visited.size > MAX_OBJECTS) throw new H5FormatError('group B-tree loop or too deep');
    visited.add(address);
    const headerBytes = 8 + 2 * offsetSize;
    const head = new Cursor(this.reader.bytes(this.sb.base + address, headerBytes, 'group B-tree node'));
    if (head.buf.subarray(0, 4).toString('latin1') !== 'TREE') throw new H5FormatError('bad group B-tree node signature');
    head.at = 4;
    if (head.u8() !== 0) throw new H5FormatError('B-tree node is not a group node');
    const level = head.u8();
    const entries = head.u16();
    const c = new Cursor(this.reader.bytes(this.sb.base + address + headerBytes, entries * (lengthSize + offsetSize) + lengthSize, 'group B-tree node'));
    for (let e = 0; e < entries; e++) {
      c.uint(lengthSize); // key
      const child = c.uint(offsetSize);
      if (level > 0) this.groupBtree(child, names, out, depth + 1, visited);
      else this.symbolNode(child, names, out);
    }
  }

  private symbolNode(address: number, names: Buffer, out: Array<{ name: string; bytes: Buffer; address: number }>): void {
    const { offsetSize } = this.sb;
    const head = this.reader.bytes(this.sb.base + address, 8, 'symbol table node');
    if (head.subarray(0, 4).toString('latin1') !== 'SNOD') throw new H5FormatError('bad symbol table node signature');
    if (head[4] !== 1) throw new H5Unsupported('symbol table node version');
    const count = head.readUInt16LE(6);
    const entryBytes = 2 * offsetSize + 24;
    const c = new Cursor(this.reader.bytes(this.sb.base + address + 8, count * entryBytes, 'symbol table node'));
    for (let k = 0; k < count; k++) {
      const nameOffset = c.uint(offsetSize);
      const object = c.uint(offsetSize);
      const cacheType = c.u32();
      c.skip(4 + 16);
      if (cacheType === 2) throw new H5Unsupported('soft link');
      if (cacheType > 2) throw new H5FormatError('bad symbol table entry cache type');
      if (nameOffset >= names.length) throw new H5FormatError('link name outside the local heap');
      const end = names.indexOf(0, nameOffset);
      if (end < 0) throw new H5FormatError('unterminated link name');
      const bytes = names.subarray(nameOffset, end);
      out.push({ name: this.text(bytes), bytes, address: object });
    }
  }

  private dataset(messages: readonly Message[], path: string, address: number, attrs: Record<string, unknown>): H5MetaDataset {
    const one = (type: number, what: string): Message => {
      const found = messages.filter((m) => m.type === type);
      if (found.length !== 1) throw new H5Unsupported(`a dataset with ${found.length} ${what} messages`);
      return found[0]!;
    };
    if (messages.filter((m) => m.type === 0x0b).length > 1) throw new H5Unsupported('two filter pipelines');
    const shape = this.dataspace(new Cursor(one(0x01, 'dataspace').body));
    const dtype = this.datatype(new Cursor(one(0x03, 'datatype').body));
    const layout = one(0x08, 'layout').body;
    if (layout.length < 2 || layout[0]! < 3 || layout[0]! > 5) throw new H5Unsupported('data layout version');
    const pipeline = messages.find((m) => m.type === 0x0b);
    const filters = pipeline === undefined ? [] : parseFilters(pipeline.body);
    return { type: 'Dataset', path, address, shape, dtype, layoutClass: layout[1]!, filters, attrs };
  }

  /** Dimensions of a simple or scalar dataspace (`[]`); null dataspaces are unsupported. */
  private dataspace(c: Cursor): number[] {
    const version = c.u8();
    const rank = c.u8();
    const flags = c.u8();
    if (version === 1) {
      c.skip(5);
      if ((flags & 0x02) !== 0) throw new H5Unsupported('dataspace permutation');
    } else if (version === 2) {
      const type = c.u8();
      if (type === 2) throw new H5Unsupported('null dataspace');
      if (type > 2 || (type === 0 && rank !== 0)) throw new H5FormatError('bad dataspace type');
    } else {
      throw new H5Unsupported(`dataspace version ${version}`);
    }
    if (rank > 32) throw new H5FormatError('dataspace rank above 32');
    const dims: number[] = [];
    for (let k = 0; k < rank; k++) {
      const n = c.uint(this.sb.lengthSize);
      if (n >= 2 ** 48) throw new H5Unsupported('huge dimension');
      dims.push(n);
    }
    return dims;
  }

  private datatype(c: Cursor): H5TypeInfo {
    const classVersion = c.u8();
    const typeClass = classVersion & 0x0f;
    const version = classVersion >> 4;
    if (version < 1 || version > 4) throw new H5Unsupported(`datatype version ${version}`);
    const bits = c.u8() | (c.u8() << 8) | (c.u8() << 16);
    const size = c.u32();
    if (typeClass === 0) {
      const offset = c.u16();
      const precision = c.u16();
      if (![1, 2, 4, 8].includes(size) || offset !== 0 || precision !== size * 8 || (bits & ~0x09) !== 0) throw new H5Unsupported('unusual integer type');
      return { type: 0, size, signed: (bits & 0x08) !== 0, littleEndian: (bits & 0x01) === 0 };
    }
    if (typeClass === 1) {
      const offset = c.u16();
      const precision = c.u16();
      const exponentAt = c.u8();
      const exponentBits = c.u8();
      const mantissaAt = c.u8();
      const mantissaBits = c.u8();
      const bias = c.u32();
      const ieee = (
        {
          2: [15, 10, 5, 0, 10, 15],
          4: [31, 23, 8, 0, 23, 127],
          8: [63, 52, 11, 0, 52, 1023],
        } as Record<number, number[]>
      )[size];
      const actual = [(bits >> 8) & 0xff, exponentAt, exponentBits, mantissaAt, mantissaBits, bias];
      // Byte order bits 0 and 6 (VAX when bit 6), padding bits 1–3 clear, mantissa normalisation "implied" (2).
      if (ieee === undefined || offset !== 0 || precision !== size * 8 || actual.some((v, k) => v !== ieee[k]) || (bits & 0x4e) !== 0 || ((bits >> 4) & 0x03) !== 2 || (bits & ~0xff7f) !== 0) {
        throw new H5Unsupported('non-IEEE float type');
      }
      return { type: 1, size, signed: true, littleEndian: (bits & 0x01) === 0 };
    }
    if (typeClass === 3) {
      const cset = (bits >> 4) & 0x0f;
      if (cset > 1 || (bits & ~0xff) !== 0 || (bits & 0x0f) > 2 || size === 0) throw new H5Unsupported('string type');
      return { type: 3, size, signed: false, littleEndian: true, cset, vlen: false };
    }
    if (typeClass === 9) {
      const kind = bits & 0x0f;
      const cset = (bits >> 8) & 0x0f;
      if (kind !== 1 || cset > 1) throw new H5Unsupported('variable-length sequence');
      const base = this.datatype(c);
      if ((base.type !== 0 && base.type !== 3) || base.size !== 1) throw new H5Unsupported('variable-length string of unusual characters');
      return { type: 3, size, signed: false, littleEndian: true, cset, vlen: true };
    }
    throw new H5Unsupported(`datatype class ${typeClass}`);
  }

  /** Attribute values as h5wasm's `json_value` gives them, in name order. */
  private attributes(messages: readonly Message[]): Record<string, unknown> {
    for (const m of messages) {
      if (m.type !== 0x15) continue;
      const c = new Cursor(m.body);
      if (c.u8() !== 0) throw new H5Unsupported('attribute info version');
      const flags = c.u8();
      if ((flags & 0x02) !== 0) throw new H5Unsupported('indexed attribute creation order');
      if ((flags & 0x01) !== 0) c.skip(2);
      if (c.uint(this.sb.offsetSize) < UNDEFINED_ADDRESS) throw new H5Unsupported('dense attribute storage');
    }
    const list: Array<{ name: string; bytes: Buffer; value: unknown }> = [];
    for (const m of messages) if (m.type === 0x0c) list.push(this.attribute(m.body));
    list.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    const out: Record<string, unknown> = {};
    for (let k = 0; k < list.length; k++) {
      const { name, value } = list[k]!;
      if (k > 0 && list[k - 1]!.name === name) throw new H5FormatError(`duplicate attribute '${name}'`);
      out[name] = value;
    }
    return out;
  }

  private attribute(body: Buffer): { name: string; bytes: Buffer; value: unknown } {
    const c = new Cursor(body);
    const version = c.u8();
    if (version < 1 || version > 3) throw new H5Unsupported(`attribute message version ${version}`);
    const flags = c.u8();
    if (version === 1 ? flags !== 0 : flags !== 0) throw new H5Unsupported('shared attribute datatype or dataspace');
    const nameSize = c.u16();
    const typeSize = c.u16();
    const spaceSize = c.u16();
    if (version === 3) {
      const encoding = c.u8();
      if (encoding > 1) throw new H5Unsupported('attribute name encoding');
    }
    const pad = (n: number): number => (version === 1 ? Math.ceil(n / 8) * 8 : n);
    c.need(pad(nameSize));
    if (nameSize === 0 || body[c.at + nameSize - 1] !== 0) throw new H5FormatError('attribute name not NUL-terminated');
    const bytes = body.subarray(c.at, c.at + nameSize - 1);
    if (bytes.includes(0)) throw new H5FormatError('NUL inside an attribute name');
    const name = this.text(bytes);
    c.at += pad(nameSize);
    c.need(pad(typeSize));
    const dtype = this.datatype(new Cursor(body.subarray(c.at, c.at + typeSize)));
    c.at += pad(typeSize);
    c.need(pad(spaceSize));
    const shape = this.dataspace(new Cursor(body.subarray(c.at, c.at + spaceSize)));
    c.at += pad(spaceSize);
    const count = shape.reduce((a, b) => a * b, 1);
    if (count > 1 << 24) throw new H5Unsupported('huge attribute');
    const elementSize = dtype.vlen === true ? 4 + this.sb.offsetSize + 4 : dtype.size;
    c.need(count * elementSize);
    const values = this.values(body.subarray(c.at, c.at + count * elementSize), dtype, count);
    return { name, bytes, value: shape.length === 0 ? values[0] : values };
  }

  private values(data: Buffer, dtype: H5TypeInfo, count: number): unknown[] {
    const out: unknown[] = [];
    if (dtype.type === 0 || dtype.type === 1) {
      const { size, signed, littleEndian: le } = dtype;
      for (let k = 0; k < count; k++) {
        const at = k * size;
        if (dtype.type === 1) {
          if (size === 2) throw new H5Unsupported('float16 attribute'); // h5wasm cannot read them either
          out.push(size === 4 ? (le ? data.readFloatLE(at) : data.readFloatBE(at)) : le ? data.readDoubleLE(at) : data.readDoubleBE(at));
        } else if (size === 8) {
          const big = signed ? (le ? data.readBigInt64LE(at) : data.readBigInt64BE(at)) : le ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at);
          out.push(Number(big));
        } else {
          out.push(signed ? (le ? data.readIntLE(at, size) : data.readIntBE(at, size)) : le ? data.readUIntLE(at, size) : data.readUIntBE(at, size));
        }
      }
      return out;
    }
    if (dtype.vlen !== true) {
      for (let k = 0; k < count; k++) out.push(this.string(data.subarray(k * dtype.size, (k + 1) * dtype.size), dtype.cset ?? 0));
      return out;
    }
    const c = new Cursor(data);
    for (let k = 0; k < count; k++) {
      const length = c.u32();
      const collection = c.uint(this.sb.offsetSize);
      const index = c.u32();
      if (collection === 0 && index === 0 && length === 0) throw new H5Unsupported('null variable-length string');
      out.push(this.string(this.globalHeapObject(collection, index, length), dtype.cset ?? 0));
    }
    return out;
  }

  /** Text up to the first NUL, as h5wasm decodes it; bytes ASCII would decode differently are unsupported. */
  private string(bytes: Buffer, cset: number): string {
    const end = bytes.indexOf(0);
    const used = end < 0 ? bytes : bytes.subarray(0, end);
    if (cset === 0 && used.some((b) => b >= 0x80)) throw new H5Unsupported('non-ASCII bytes in an ASCII string');
    return this.text(used);
  }

  private text(bytes: Buffer): string {
    try {
      return this.decoder.decode(bytes);
    } catch {
      throw new H5Unsupported('a name or string that is not valid UTF-8');
    }
  }

  private readonly collections = new Map<number, Buffer>();

  /** The first `length` bytes of object `index` of the global heap collection at `address`. */
  private globalHeapObject(address: number, index: number, length: number): Buffer {
    const { lengthSize } = this.sb;
    let collection = this.collections.get(address);
    if (collection === undefined) {
      const head = new Cursor(this.reader.bytes(this.sb.base + address, 8 + lengthSize, 'global heap collection'));
      if (head.buf.subarray(0, 4).toString('latin1') !== 'GCOL') throw new H5FormatError('bad global heap collection signature');
      head.at = 4;
      if (head.u8() !== 1) throw new H5Unsupported('global heap version');
      head.skip(3);
      const size = head.uint(lengthSize);
      if (size < 8 + lengthSize || size > 64 * 1024 * 1024) throw new H5FormatError('bad global heap collection size');
      collection = this.reader.bytes(this.sb.base + address, size, 'global heap collection');
      this.collections.set(address, collection);
    }
    const c = new Cursor(collection, 8 + lengthSize);
    while (c.at + 8 + lengthSize <= collection.length) {
      const id = c.u16();
      c.skip(2 + 4);
      const size = c.uint(lengthSize);
      if (id === 0) break; // free space: the end of the objects
      if (size > collection.length - c.at) throw new H5FormatError('global heap object runs past its collection');
      if (id === index) {
        if (length > size) throw new H5FormatError('variable-length string longer than its heap object');
        return collection.subarray(c.at, c.at + length);
      }
      c.at += Math.ceil(size / 8) * 8;
    }
    throw new H5FormatError(`global heap object ${index} not found`);
  }
}
