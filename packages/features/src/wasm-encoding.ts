/**
 * The few pieces of the WebAssembly binary format that this package's hand-assembled modules
 * (`wasm-analysis.ts`, `wasm-statistics.ts`) share: LEB128 integers, vectors, sections, names, a
 * handful of instructions, and the part of the WebAssembly JS API they use.
 */

/** Unsigned LEB128. */
export const uleb = (value: number): number[] => {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};

/** Signed LEB128 of a 32-bit integer. */
export const sleb = (value: number): number[] => {
  const out: number[] = [];
  let n = value | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
};

export const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
export const name = (text: string): number[] => vector([...text].map((c) => [c.charCodeAt(0)]));

export const localGet = (i: number): number[] => [0x20, ...uleb(i)];
export const localSet = (i: number): number[] => [0x21, ...uleb(i)];
export const i32Const = (n: number): number[] => [0x41, ...sleb(n)];
/** `f64.const` with the exact bits of `value` (little-endian). */
export const f64Const = (value: number): number[] => [0x44, ...new Uint8Array(new Float64Array([value]).buffer)];

/**
 * The part of the WebAssembly JS API used here. Declared locally because the project compiles
 * without the DOM lib (where TypeScript keeps the WebAssembly types).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
export const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
