import { PipelineError } from '@pipeline/core';

/** Footer fields (File.fbs): 1 schema, 2 dictionaries, 3 recordBatches; a `Block` struct is 24 bytes. */
const FOOTER_SCHEMA = 1;
const FOOTER_DICTIONARIES = 2;
const FOOTER_RECORD_BATCHES = 3;
const BLOCK_BYTES = 24;
/** Message fields (Message.fbs): 1 header_type, 2 header, 3 bodyLength. MessageHeader union values. */
const MESSAGE_HEADER_TYPE = 1;
const MESSAGE_HEADER = 2;
const MESSAGE_BODY_LENGTH = 3;
const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;

type Corrupt = (what: string) => PipelineError;

/**
 * Checks the flatbuffer metadata of an Arrow IPC file or stream before apache-arrow decodes it:
 * every vector apache-arrow iterates (schema fields and their children and metadata, record-batch
 * field nodes and buffers, the footer's blocks) must fit in its buffer, every footer block must lie
 * in the data and point to a message of its kind, and stream messages must follow each other inside
 * the bytes. apache-arrow 21 trusts these counts: one damaged byte made it walk billions of phantom
 * batches or buffer entries, or re-read the same message forever (all found by fuzzing). Throws
 * `E_INPUT` naming the problem; bounds the work to the size of the file.
 */
export function checkArrowIpc(bytes: Uint8Array, file: string, isFile: boolean): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt: Corrupt = (what) =>
    new PipelineError('E_INPUT', `corrupt Arrow data: ${what}`, { file, hint: 'the file is damaged; write or copy it again' });
  if (isFile) checkFile(view, corrupt);
  else checkStream(view, 0, view.byteLength, corrupt);
}

function checkFile(view: DataView, corrupt: Corrupt): void {
  const footerEnd = view.byteLength - 10; // int32 footer length + "ARROW1"
  if (footerEnd < 8) throw corrupt(`${view.byteLength} bytes is too short for an Arrow file`);
  const footerLength = view.getInt32(footerEnd, true);
  const footerStart = footerEnd - footerLength;
  if (footerLength < 8 || footerStart < 8) throw corrupt(`footer length ${footerLength} does not fit in ${view.byteLength} bytes`);
  const footer = rootTable(view, footerStart, footerEnd, 'the footer', corrupt);
  const schema = footer.table(FOOTER_SCHEMA);
  if (schema !== undefined) checkSchema(schema, 'the footer schema');
  for (const [k, name, type] of [
    [FOOTER_DICTIONARIES, 'dictionary batch', DICTIONARY_BATCH],
    [FOOTER_RECORD_BATCHES, 'record batch', RECORD_BATCH],
  ] as const) {
    const blocks = footer.vector(k, BLOCK_BYTES, `the ${name} list`);
    if (blocks === undefined) continue;
    for (let b = 0; b < blocks.count; b++) {
      const at = blocks.start + b * BLOCK_BYTES;
      const start = Number(view.getBigInt64(at, true));
      const metadataLength = view.getInt32(at + 8, true);
      const bodyLength = Number(view.getBigInt64(at + 16, true));
      const end = start + metadataLength + bodyLength;
      if (start < 8 || metadataLength < 8 || bodyLength < 0 || end > footerStart) {
        throw corrupt(`${name} ${b} claims bytes ${start}..${end}, outside the data (8..${footerStart})`);
      }
      const type_ = checkMessage(view, start, start + metadataLength, `${name} ${b}`, corrupt).type;
      if (type_ !== type) throw corrupt(`${name} ${b} points to a message of type ${type_}, not a ${name} (${type})`);
    }
  }
}

/** A stream: messages one after another until an end marker or the end of the bytes. */
function checkStream(view: DataView, start: number, end: number, corrupt: Corrupt): void {
  for (let position = start, k = 0; position + 4 <= end; k++) {
    const { next, eos } = checkMessage(view, position, end, `message ${k}`, corrupt);
    if (eos) return;
    position = next;
  }
}

/**
 * The message at `start` ([0xFFFFFFFF] int32 length, the Message flatbuffer, then its body): checks
 * its header and returns its type and where the next message starts.
 */
function checkMessage(view: DataView, start: number, end: number, what: string, corrupt: Corrupt): { type: number; next: number; eos: boolean } {
  if (start + 4 > end) throw corrupt(`${what} is cut short`);
  const continuation = view.getInt32(start, true) === -1;
  const lengthAt = continuation ? start + 4 : start;
  if (lengthAt + 4 > end) throw corrupt(`${what} is cut short`);
  const length = view.getInt32(lengthAt, true);
  if (length === 0) return { type: 0, next: lengthAt + 4, eos: true };
  const messageStart = lengthAt + 4;
  const messageEnd = messageStart + length;
  if (length < 0 || messageEnd > end) throw corrupt(`${what}: metadata of ${length} bytes does not fit`);
  const message = rootTable(view, messageStart, messageEnd, what, corrupt);
  const type = message.scalar(MESSAGE_HEADER_TYPE, 1);
  const bodyLength = message.scalar(MESSAGE_BODY_LENGTH, 8);
  if (bodyLength < 0 || messageEnd + bodyLength > view.byteLength) throw corrupt(`${what}: a body of ${bodyLength} bytes does not fit`);
  const header = message.table(MESSAGE_HEADER);
  if (header !== undefined) {
    if (type === SCHEMA) checkSchema(header, what);
    else if (type === RECORD_BATCH) checkRecordBatch(header, what);
    else if (type === DICTIONARY_BATCH) {
      const data = header.table(1);
      if (data !== undefined) checkRecordBatch(data, what);
    }
  }
  return { type, next: messageEnd + bodyLength, eos: false };
}

/** RecordBatch (Message.fbs): 1 nodes [FieldNode 16 bytes], 2 buffers [Buffer 16 bytes], 4 variadicBufferCounts [long]. */
function checkRecordBatch(batch: Table, what: string): void {
  batch.vector(1, 16, `${what}: the field nodes`);
  batch.vector(2, 16, `${what}: the buffers`);
  batch.vector(4, 8, `${what}: the variadic buffer counts`);
}

/** Schema (Schema.fbs): 1 fields [Field], 2 custom_metadata [KeyValue], 3 features [long]. */
function checkSchema(schema: Table, what: string): void {
  checkFields(schema, 1, what, 0);
  checkKeyValues(schema, 2, what);
  schema.vector(3, 8, `${what}: the features`);
}

/** Field: 0 name, 3 type, 4 dictionary, 5 children [Field], 6 custom_metadata [KeyValue]. */
function checkFields(parent: Table, k: number, what: string, depth: number): void {
  if (depth > 64) throw parent.corrupt(`${what}: fields nested more than 64 deep`);
  const fields = parent.tables(k, `${what}: the fields`);
  fields.forEach((field, j) => {
    field.string(0, `${what}: the name of field ${j}`);
    checkFields(field, 5, `${what}: field ${j}`, depth + 1);
    checkKeyValues(field, 6, `${what}: field ${j}`);
  });
}

function checkKeyValues(parent: Table, k: number, what: string): void {
  parent.tables(k, `${what}: the metadata`).forEach((pair, j) => {
    pair.string(0, `${what}: metadata key ${j}`);
    pair.string(1, `${what}: metadata value ${j}`);
  });
}

/** A flatbuffers table inside `[start, end)`: every access is bounds-checked. */
interface Table {
  readonly corrupt: Corrupt;
  /** A scalar field (1, 2, 4 or 8 bytes, little-endian signed), 0 when absent. */
  scalar(k: number, size: 1 | 2 | 4 | 8): number;
  /** A sub-table, undefined when absent. */
  table(k: number): Table | undefined;
  /** A vector of `elementBytes`-byte elements: where its elements start and how many. */
  vector(k: number, elementBytes: number, what: string): { start: number; count: number } | undefined;
  /** A vector of tables. */
  tables(k: number, what: string): Table[];
  /** A string (its length checked). */
  string(k: number, what: string): void;
}

function rootTable(view: DataView, start: number, end: number, what: string, corrupt: Corrupt): Table {
  if (start < 0 || start + 4 > end) throw corrupt(`${what} is empty`);
  return tableAt(view, start + view.getUint32(start, true), start, end, what, corrupt);
}

function tableAt(view: DataView, position: number, start: number, end: number, what: string, corrupt: Corrupt): Table {
  const inside = (at: number, size: number) => at >= start && size >= 0 && at + size <= end;
  if (!inside(position, 4)) throw corrupt(`${what}: a table lies outside its buffer`);
  const vtable = position - view.getInt32(position, true);
  if (!inside(vtable, 4)) throw corrupt(`${what}: a vtable lies outside its buffer`);
  const vtableLength = view.getUint16(vtable, true);
  if (vtableLength < 4 || vtableLength % 2 !== 0 || !inside(vtable, vtableLength)) throw corrupt(`${what}: bad vtable length ${vtableLength}`);
  const offset = (k: number): number => (4 + 2 * k + 2 <= vtableLength ? view.getUint16(vtable + 4 + 2 * k, true) : 0);
  const indirect = (k: number, name: string): number | undefined => {
    const o = offset(k);
    if (o === 0) return undefined;
    const slot = position + o;
    if (!inside(slot, 4)) throw corrupt(`${name} lies outside its buffer`);
    const target = slot + view.getUint32(slot, true);
    if (!inside(target, 4)) throw corrupt(`${name} lies outside its buffer`);
    return target;
  };
  const vector = (k: number, elementBytes: number, name: string) => {
    const at = indirect(k, name);
    if (at === undefined) return undefined;
    const count = view.getUint32(at, true);
    if (!inside(at + 4, count * elementBytes)) throw corrupt(`${name}: ${count} entries do not fit in the buffer`);
    return { start: at + 4, count };
  };
  return {
    corrupt,
    scalar(k, size) {
      const o = offset(k);
      if (o === 0) return 0;
      if (!inside(position + o, size)) throw corrupt(`${what}: a field lies outside its buffer`);
      const at = position + o;
      return size === 1 ? view.getUint8(at) : size === 2 ? view.getInt16(at, true) : size === 4 ? view.getInt32(at, true) : Number(view.getBigInt64(at, true));
    },
    table(k) {
      const at = indirect(k, what);
      return at === undefined ? undefined : tableAt(view, at, start, end, what, corrupt);
    },
    vector,
    tables(k, name) {
      const entries = vector(k, 4, name);
      if (entries === undefined) return [];
      return Array.from({ length: entries.count }, (_, i) => {
        const slot = entries.start + 4 * i;
        return tableAt(view, slot + view.getUint32(slot, true), start, end, name, corrupt);
      });
    },
    string(k, name) {
      vector(k, 1, name);
    },
  };
}
