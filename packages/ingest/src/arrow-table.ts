import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Data, DataType, Field, Table, Vector } from 'apache-arrow';

type ArrowLibrary = typeof import('apache-arrow');
type TypeEnum = ArrowLibrary['Type'];
let arrowLibrary: Promise<ArrowLibrary> | undefined;
/** apache-arrow, imported on first use (HDF5/CSV-only callers skip its ≈20 MB). */
const arrow = (): Promise<ArrowLibrary> => (arrowLibrary ??= import('apache-arrow'));
import { atomicWrite, PipelineError, type Matrix } from '@pipeline/core';
import { checkArrowIpc } from './arrow-ipc-check.js';
import { listNames } from './csv-scanner.js';
import { refuseOverwrite, requireFile } from './file-checks.js';
import type { Matrix64 } from './matrix64.js';
import type { NumericTableInfo } from './numeric-table.js';

/** What {@link writeArrowTable} writes: named float columns, optional string ids, optional metadata. */
export interface ArrowTableInput {
  /** One name per matrix column. */
  readonly columns: readonly string[];
  /** Float32 (Matrix) or float64 values, row-major; each column becomes an Arrow Float32/Float64 column. */
  readonly matrix: Matrix | Matrix64;
  /** Row ids, written first as a non-null Utf8 column named `idColumn`. */
  readonly ids?: readonly string[];
  /** Name of the id column (default `id`). */
  readonly idColumn?: string;
  /** Schema metadata (string → string), e.g. class names as JSON. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface WriteArrowOptions {
  /** Replace an existing file (default false: `E_USAGE`). */
  readonly overwrite?: boolean;
}

/**
 * Writes an Arrow IPC **file** (`.arrow`/Feather v2, uncompressed, one record batch): the optional
 * id column then one non-null float column per matrix column, values bit-exact. pyarrow reads it
 * with `pyarrow.ipc.open_file(path).read_all()` or `pyarrow.feather.read_table(path)`. Written
 * atomically; the bytes depend only on the input.
 */
export async function writeArrowTable(path: string, table: ArrowTableInput, options: WriteArrowOptions = {}): Promise<void> {
  const file = resolve(path);
  const { columns, matrix } = table;
  if (columns.length !== matrix.cols) {
    throw new PipelineError('E_USAGE', `${columns.length} column names for a matrix of ${matrix.cols} columns`, { file, field: 'columns' });
  }
  if (table.ids !== undefined && table.ids.length !== matrix.rows) {
    throw new PipelineError('E_USAGE', `${table.ids.length} ids for a matrix of ${matrix.rows} rows`, { file, field: 'ids' });
  }
  const idColumn = table.idColumn ?? 'id';
  const names = table.ids === undefined ? [...columns] : [idColumn, ...columns];
  const duplicate = names.find((name, k) => names.indexOf(name) !== k);
  if (duplicate !== undefined) {
    throw new PipelineError('E_USAGE', `column name '${duplicate}' appears twice`, { file, field: 'columns' });
  }
  refuseOverwrite(file, options.overwrite);
  const { Field, Float32, Float64, makeData, makeVector, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray } = await arrow();
  const float64 = matrix.data instanceof Float64Array;
  const fields: Field[] = [];
  const children: Data[] = [];
  if (table.ids !== undefined) {
    fields.push(new Field(idColumn, new Utf8(), false));
    children.push(vectorFromArray([...table.ids], new Utf8()).data[0]!);
  }
  const { rows, cols } = matrix;
  for (let j = 0; j < cols; j++) {
    const values = float64 ? new Float64Array(rows) : new Float32Array(rows);
    for (let i = 0; i < rows; i++) values[i] = matrix.data[i * cols + j]!;
    fields.push(new Field(columns[j]!, float64 ? new Float64() : new Float32(), false));
    children.push(makeVector(values).data[0]!);
  }
  const schema = new Schema(fields, new Map(Object.entries(table.metadata ?? {})));
  const data = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
  const bytes = tableToIPC(new Table(schema, [new RecordBatch(schema, data)]), 'file');
  await atomicWrite(file, bytes);
}

export interface ReadArrowOptions {
  /** Id column (Utf8 or integer; kept as strings). Default `id` when present; `false`: none. */
  readonly idColumn?: string | false;
  /** Read only these columns, in this order. Default: every column but the id. */
  readonly columns?: readonly string[];
  /** Element type of the values. Default `float32` (a {@link Matrix}). */
  readonly dtype?: 'float32' | 'float64';
}

interface ArrowTableBase extends NumericTableInfo {
  /** Schema metadata. */
  readonly metadata: Record<string, string>;
  /** Arrow type of every column of the file, e.g. `{ id: 'Utf8', f0: 'Float32' }`. */
  readonly types: Record<string, string>;
}

export interface ArrowTable extends ArrowTableBase {
  readonly dtype: 'float32';
  readonly matrix: Matrix;
}

export interface ArrowTable64 extends ArrowTableBase {
  readonly dtype: 'float64';
  readonly data: Float64Array;
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/**
 * Reads an uncompressed Arrow IPC file or stream (pyarrow `ipc.new_file`/`new_stream`,
 * `feather.write_feather(compression='uncompressed')`, or {@link writeArrowTable}) into a row-major
 * matrix. Float, integer and boolean columns are values (nulls → NaN, int64 via Number); the id
 * column may be Utf8 or integer. Float32 → float32 and float64 → float64 are bit-exact.
 *
 * Errors: missing file `E_NOT_FOUND`; empty, not Arrow, truncated, compressed (LZ4/ZSTD) → `E_INPUT`;
 * a non-numeric column or unknown column name → `E_SCHEMA`.
 */
export function readArrowTable(path: string, options?: ReadArrowOptions & { readonly dtype?: 'float32' }): Promise<ArrowTable>;
export function readArrowTable(path: string, options: ReadArrowOptions & { readonly dtype: 'float64' }): Promise<ArrowTable64>;
export async function readArrowTable(path: string, options: ReadArrowOptions = {}): Promise<ArrowTable | ArrowTable64> {
  const file = resolve(path);
  const table = await loadArrow(file);
  const { Type } = await arrow();
  try {
    return readTable(Type, table, file, options);
  } catch (cause) {
    if (cause instanceof PipelineError) throw cause;
    // apache-arrow decodes lazily: damage its buffer checks miss surfaces here (a RangeError, …).
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new PipelineError('E_INPUT', `corrupt Arrow data: ${message}`, { file, hint: 'write or copy the file again', cause });
  }
}

function readTable(Type: TypeEnum, table: Table, file: string, options: ReadArrowOptions): ArrowTable | ArrowTable64 {
  const names = table.schema.fields.map((field: Field) => field.name);
  const types = Object.fromEntries(table.schema.fields.map((field) => [field.name, String(field.type)]));
  const require = (name: string, option: string): number => {
    const index = names.indexOf(name);
    if (index < 0) {
      throw new PipelineError('E_SCHEMA', `column '${name}' is not in the table`, { file, field: option, hint: `columns: ${listNames(names)}` });
    }
    return index;
  };
  let idIndex = -1;
  if (options.idColumn !== false) idIndex = options.idColumn !== undefined ? require(options.idColumn, 'idColumn') : names.indexOf('id');
  const selected = options.columns !== undefined ? options.columns.map((name) => require(name, 'columns')) : names.map((_, j) => j).filter((j) => j !== idIndex);
  const rows = table.numRows;
  const width = selected.length;
  for (const j of selected) checkBuffers(Type, table.getChildAt(j)!, file, names[j]!);
  if (idIndex >= 0) checkBuffers(Type, table.getChildAt(idIndex)!, file, names[idIndex]!);
  const float64 = options.dtype === 'float64';
  const out = float64 ? new Float64Array(rows * width) : new Float32Array(rows * width);
  selected.forEach((j, k) => {
    const vector = table.getChildAt(j)!;
    const values = numericValues(Type, vector, file, names[j]!);
    for (let i = 0; i < rows; i++) out[i * width + k] = values[i]!;
  });
  let ids: string[] | undefined;
  if (idIndex >= 0) {
    const vector = table.getChildAt(idIndex)!;
    if (!isIdType(Type, vector.type)) {
      throw new PipelineError('E_SCHEMA', `id column '${names[idIndex]}' has type ${vector.type}; ids must be strings or integers`, {
        file,
        field: names[idIndex]!,
        hint: 'pass idColumn: false to read it as a value, or store ids as strings',
      });
    }
    ids = Array.from({ length: rows }, (_, i) => {
      const value = vector.get(i);
      if (value === null || value === undefined) {
        throw new PipelineError('E_INPUT', `id column '${names[idIndex]}' is null in row ${i}`, { file, field: names[idIndex]! });
      }
      return String(value);
    });
  }
  const base: ArrowTableBase = {
    file,
    columns: selected.map((j) => names[j]!),
    rows,
    cols: width,
    ids,
    idColumn: idIndex >= 0 ? names[idIndex] : undefined,
    metadata: Object.fromEntries(table.schema.metadata),
    types,
  };
  if (float64) return { ...base, dtype: 'float64', data: out as Float64Array };
  return { ...base, dtype: 'float32', matrix: { rows, cols: width, data: out as Float32Array } };
}

/** Reads and parses an Arrow IPC file or stream with the checks apache-arrow does not do. */
export async function loadArrow(file: string): Promise<Table> {
  requireFile(file, 'Arrow file');
  const bytes = new Uint8Array(await readFile(file));
  const isFile = MAGIC.every((byte, k) => bytes[k] === byte);
  const isStream = bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
  if (!isFile && !isStream) {
    throw new PipelineError('E_INPUT', 'not an Arrow IPC file or stream (no ARROW1 magic, no stream continuation marker)', {
      file,
      hint: 'write it with pyarrow.ipc.new_file/new_stream or feather.write_feather(..., compression="uncompressed")',
    });
  }
  if (isFile && !MAGIC.every((byte, k) => bytes[bytes.length - 6 + k] === byte)) {
    throw new PipelineError('E_INPUT', `truncated Arrow file (${bytes.length} bytes, no closing ARROW1 magic)`, {
      file,
      hint: 'the file was cut short; write or copy it again',
    });
  }
  checkArrowIpc(bytes, file, isFile);
  const { tableFromIPC } = await arrow();
  try {
    return tableFromIPC(bytes);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    if (/compressed/i.test(message)) {
      throw new PipelineError('E_INPUT', 'Arrow record batches are compressed (LZ4/ZSTD), which this reader does not decode', {
        file,
        hint: "write with compression='uncompressed' (pyarrow.feather.write_feather(table, path, compression='uncompressed'))",
        cause,
      });
    }
    throw new PipelineError('E_INPUT', `corrupt Arrow data: ${message}`, { file, hint: 'write or copy the file again', cause });
  }
}

/**
 * Checks that every record batch of a column has the buffers its length needs (values, validity
 * bitmap, string offsets and bytes). apache-arrow takes lengths from the file and builds views over
 * whatever buffers it finds, so a damaged length would read past them (a RangeError or another
 * column's bytes) or size a huge output (found by fuzzing).
 */
function checkBuffers(Type: TypeEnum, vector: Vector, file: string, name: string): void {
  vector.data.forEach((data, batch) => {
    const end = data.offset + data.length;
    const typeId = data.type.typeId as number;
    const problem = (what: string) =>
      new PipelineError('E_INPUT', `corrupt Arrow data: column '${name}', record batch ${batch}: ${data.length} rows but ${what}`, {
        file,
        field: name,
        hint: 'write or copy the file again',
      });
    const bitmap = data.nullBitmap;
    if (bitmap !== undefined && bitmap.length > 0 && bitmap.length * 8 < end) throw problem(`a validity bitmap of ${bitmap.length} bytes`);
    const values = data.values as ArrayLike<unknown> | undefined;
    if (typeId === Type.Bool) {
      if ((values?.length ?? 0) * 8 < end) throw problem(`${values?.length ?? 0} bytes of values`);
    } else if (typeId === Type.Float || typeId === Type.Int) {
      // Int64 values are a BigInt64Array or an Int32Array of pairs, depending on the version.
      const perValue = values instanceof Int32Array && (data.type as { bitWidth?: number }).bitWidth === 64 ? 2 : 1;
      if ((values?.length ?? 0) < end * perValue) throw problem(`${values?.length ?? 0} values`);
    } else if (typeId === Type.Utf8 || typeId === Type.LargeUtf8) {
      const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined;
      if ((offsets?.length ?? 0) < end + 1) throw problem(`${offsets?.length ?? 0} string offsets`);
      let previous = Number(offsets![data.offset]!);
      if (previous < 0) throw problem(`a negative string offset ${previous}`);
      for (let i = data.offset + 1; i <= end; i++) {
        const next = Number(offsets![i]!);
        if (next < previous || next > (values?.length ?? 0)) throw problem(`string offset ${next} outside its ${values?.length ?? 0} bytes`);
        previous = next;
      }
    }
  });
}

function isIdType(Type: TypeEnum, type: DataType): boolean {
  return [Type.Utf8, Type.LargeUtf8, Type.Int].includes(type.typeId as number);
}

/** A column's values as numbers (typed array or plain array), nulls as NaN. */
function numericValues(Type: TypeEnum, vector: Vector, file: string, name: string): ArrayLike<number> {
  const typeId = vector.type.typeId as number;
  if (typeId !== Type.Float && typeId !== Type.Int && typeId !== Type.Bool) {
    throw new PipelineError('E_SCHEMA', `column '${name}' has type ${vector.type}, not a number`, {
      file,
      field: name,
      hint: 'select numeric columns with `columns`, or make it the id column',
    });
  }
  let values: ArrayLike<number>;
  if (typeId === Type.Bool) {
    values = Array.from({ length: vector.length }, (_, i) => (vector.get(i) ? 1 : 0));
  } else {
    const array = vector.toArray() as ArrayLike<number | bigint>;
    values =
      array instanceof BigInt64Array || array instanceof BigUint64Array
        ? Array.from(array, Number)
        : (array as ArrayLike<number>);
    if (typeId === Type.Float && (vector.type as { precision?: number }).precision === 0) {
      values = Array.from({ length: vector.length }, (_, i) => vector.get(i) as number); // float16: decoded by get()
    }
  }
  if (vector.nullCount > 0) {
    const withNulls = Float64Array.from(values);
    for (let i = 0; i < vector.length; i++) if (!vector.isValid(i)) withNulls[i] = Number.NaN;
    return withNulls;
  }
  return values;
}
