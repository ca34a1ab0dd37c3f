/** The fields of an element type these functions use (h5wasm's dataset metadata, or `H5TypeInfo` of the metadata parser). */
interface H5Metadata {
  readonly type: number;
  readonly size: number;
  readonly signed: boolean;
  readonly enum_type?: unknown;
}

/** A numeric element type's typed array, in the shapes h5wasm hands back. */
export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** How to turn `n` native values at `ptr` into float32 at `out[offset…]`. */
export interface NumericKind {
  readonly array: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => NumericArray;
  convert(buffer: ArrayBufferLike, ptr: number, n: number, out: Float32Array, offset: number): void;
}

const setConvert =
  (array: NumericKind['array']): NumericKind['convert'] =>
  (buffer, ptr, n, out, offset) =>
    // TypedArray.prototype.set converts element types natively (float64 → float32 rounds to nearest).
    out.set(new array(buffer, ptr, n) as Float32Array, offset);

const bigConvert =
  (array: typeof BigInt64Array | typeof BigUint64Array): NumericKind['convert'] =>
  (buffer, ptr, n, out, offset) => {
    const source = new array(buffer as ArrayBuffer, ptr, n);
    for (let k = 0; k < n; k++) out[offset + k] = Number(source[k]!);
  };

const float16Convert: NumericKind['convert'] = (buffer, ptr, n, out, offset) => {
  const source = new Uint16Array(buffer, ptr, n);
  for (let k = 0; k < n; k++) out[offset + k] = halfToFloat(source[k]!);
};

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** How to read a dataset's elements as numbers, or undefined for strings, compounds, etc. (enums read as their integer base). */
export function numericKind(metadata: H5Metadata): NumericKind | undefined {
  const { size, signed } = metadata;
  let type = metadata.type;
  if (type === 8 && metadata.enum_type !== undefined) type = 0; // enum: read its integer base type
  if (type === 1) {
    if (size === 4) return { array: Float32Array, convert: setConvert(Float32Array) };
    if (size === 8) return { array: Float64Array, convert: setConvert(Float64Array) };
    if (size === 2) return { array: Uint16Array, convert: float16Convert };
    return undefined;
  }
  if (type === 0) {
    const arrays = {
      1: signed ? Int8Array : Uint8Array,
      2: signed ? Int16Array : Uint16Array,
      4: signed ? Int32Array : Uint32Array,
    } as const;
    if (size === 8) {
      const array = signed ? BigInt64Array : BigUint64Array;
      return { array, convert: bigConvert(array) };
    }
    const array = arrays[size as 1 | 2 | 4];
    return array === undefined ? undefined : { array, convert: setConvert(array) };
  }
  return undefined;
}

/** The dtype name of H5DatasetInfo: float32, int64, uint8, string, enum, compound, … */
export function dtypeName(metadata: H5Metadata): string {
  const { type, size, signed } = metadata;
  switch (type) {
    case 0:
      return `${signed ? 'int' : 'uint'}${size * 8}`;
    case 1:
      return `float${size * 8}`;
    case 3:
      return 'string';
    case 8:
      return 'enum';
    default:
      return (
        { 2: 'time', 4: 'bitfield', 5: 'opaque', 6: 'compound', 7: 'reference', 9: 'vlen', 10: 'array' } as Record<number, string>
      )[type] ?? `unknown(${type})`;
  }
}
