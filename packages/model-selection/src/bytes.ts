/** Little-endian binary encodings of typed arrays, for task blobs and artifacts (portable across platforms). */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

type Numbers = Float32Array | Float64Array | Int32Array;
type Write = (view: DataView, offset: number, value: number) => void;
type Read = (view: DataView, offset: number) => number;

/** The values as little-endian bytes (a copy). */
function toBytes(values: Numbers, write: Write): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const size = values.BYTES_PER_ELEMENT;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => write(view, i * size, v));
  return out;
}

/** Little-endian bytes back to values (a copy). */
function fromBytes<T extends Numbers>(bytes: Uint8Array, Type: { new (buffer: ArrayBuffer): T; new (length: number): T; readonly BYTES_PER_ELEMENT: number }, read: Read): T {
  const size = Type.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) throw new RangeError(`${Type.name} data has ${bytes.byteLength} bytes, not a multiple of ${size}`);
  if (LITTLE_ENDIAN) return new Type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Type(bytes.byteLength / size);
  for (let i = 0; i < out.length; i++) out[i] = read(view, i * size);
  return out;
}

export const float32ToBytes = (values: Float32Array): Uint8Array => toBytes(values, (v, o, x) => v.setFloat32(o, x, true));
export const float64ToBytes = (values: Float64Array): Uint8Array => toBytes(values, (v, o, x) => v.setFloat64(o, x, true));
export const int32ToBytes = (values: Int32Array): Uint8Array => toBytes(values, (v, o, x) => v.setInt32(o, x, true));
export const bytesToFloat32 = (bytes: Uint8Array): Float32Array => fromBytes(bytes, Float32Array, (v, o) => v.getFloat32(o, true));
export const bytesToFloat64 = (bytes: Uint8Array): Float64Array => fromBytes(bytes, Float64Array, (v, o) => v.getFloat64(o, true));

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
