/**
 * A WebAssembly SIMD version of {@link analysisStep}: one exported function per even filter length
 * F = 2…30, `k<F>(ext, count, filters, outA, outD)` (byte addresses in the instance's memory), that
 * computes both bands of one DWT level. The filters are stored interleaved, [lo_r[0], hi_r[0],
 * lo_r[1], hi_r[1], …] (reversed filters), so one f64x2 multiply-add per tap serves both bands:
 *   acc = [lo_r[0], hi_r[0]] · splat(x[0]);  acc += [lo_r[i], hi_r[i]] · splat(x[i]) for i = 1…F-1
 *   outA[k] = acc[0];  outD[k] = acc[1]
 * The taps are unrolled with the filter pairs held in locals, two outputs per iteration. Each lane
 * adds its products in the same order as the JavaScript kernel and wasm never fuses multiply-add,
 * so both give the same bits (tested). About twice as fast as the JavaScript kernel on x86-64.
 *
 * The module is assembled here from bytes (it is tiny) rather than shipped as a binary. It imports
 * its memory, so each {@link WavedecPlan} owns its memory and nothing has to be freed by hand.
 */

const I32 = 0x7f;
const V128 = 0x7b;

const uleb = (value: number): number[] => {
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
const sleb = (value: number): number[] => {
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
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (text: string): number[] => vector([...text].map((c) => [c.charCodeAt(0)]));

// Instructions.
const localGet = (i: number) => [0x20, ...uleb(i)];
const localSet = (i: number) => [0x21, ...uleb(i)];
const i32Const = (n: number) => [0x41, ...sleb(n)];
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_EQZ = 0x45;
const I32_LT_U = 0x49;
const simd = (opcode: number, ...immediates: number[]) => [0xfd, ...uleb(opcode), ...immediates];
const memarg = (alignLog2: number, offset: number) => [...uleb(alignLog2), ...uleb(offset)];
const V128_LOAD = 0x00;
const V128_LOAD64_SPLAT = 0x0a;
const F64X2_EXTRACT_LANE = 0x21;
const F64X2_ADD = 0xf0;
const F64X2_MUL = 0xf2;
const F64_STORE = 0x39;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;

/**
 * Kernel for filter length f: params (ext, count, filters, outA, outD); locals: f filter pairs and
 * two accumulators. Two neighbouring outputs are computed per iteration so that two independent
 * chains of dependent adds are in flight (one chain alone is bound by the add latency); a last odd
 * output is computed alone. Each output still sums its taps in order 0 … F-1.
 */
function kernelBody(f: number): number[] {
  const [EXT, COUNT, FILTERS, OUT_A, OUT_D] = [0, 1, 2, 3, 4];
  const pair = (i: number) => 5 + i;
  const ACC0 = 5 + f;
  const ACC1 = 6 + f;
  const code: number[] = [];
  const tap = (i: number, byteOffset: number) => [
    ...localGet(pair(i)),
    ...localGet(EXT),
    ...simd(V128_LOAD64_SPLAT, ...memarg(3, byteOffset)),
    ...simd(F64X2_MUL),
  ];
  const store = (out: number, acc: number, lane: number, byteOffset: number) => [
    ...localGet(out),
    ...localGet(acc),
    ...simd(F64X2_EXTRACT_LANE, lane),
    F64_STORE,
    ...memarg(3, byteOffset),
  ];
  const advance = (local: number, bytes: number) => [...localGet(local), ...i32Const(bytes), I32_ADD, ...localSet(local)];
  for (let i = 0; i < f; i++) code.push(...localGet(FILTERS), ...simd(V128_LOAD, ...memarg(4, 16 * i)), ...localSet(pair(i)));
  // block $done { block $single { loop $pairs { if (count < 2) break $single; two outputs; continue } } one output if count }
  code.push(...BLOCK, ...BLOCK, ...LOOP);
  code.push(...localGet(COUNT), ...i32Const(2), I32_LT_U, BR_IF, 1);
  for (let i = 0; i < f; i++) {
    // Output k reads x[2k + i]; output k + 1 reads x[2k + 2 + i], 16 bytes further. (product + sum
    // equals sum + product bit for bit: IEEE addition is commutative.)
    code.push(...tap(i, 8 * i));
    if (i > 0) code.push(...localGet(ACC0), ...simd(F64X2_ADD));
    code.push(...localSet(ACC0));
    code.push(...tap(i, 8 * i + 16));
    if (i > 0) code.push(...localGet(ACC1), ...simd(F64X2_ADD));
    code.push(...localSet(ACC1));
  }
  code.push(...store(OUT_A, ACC0, 0, 0), ...store(OUT_D, ACC0, 1, 0), ...store(OUT_A, ACC1, 0, 8), ...store(OUT_D, ACC1, 1, 8));
  code.push(...advance(EXT, 32), ...advance(OUT_A, 16), ...advance(OUT_D, 16));
  code.push(...localGet(COUNT), ...i32Const(2), I32_SUB, ...localSet(COUNT), BR, 0, END, END);
  code.push(...localGet(COUNT), I32_EQZ, BR_IF, 0);
  for (let i = 0; i < f; i++) {
    code.push(...tap(i, 8 * i));
    if (i > 0) code.push(...simd(F64X2_ADD));
  }
  code.push(...localSet(ACC0), ...store(OUT_A, ACC0, 0, 0), ...store(OUT_D, ACC0, 1, 0), END, END);
  const body = [...vector([[...uleb(f + 2), V128]]), ...code];
  return [...uleb(body.length), ...body];
}

/** Filter lengths with a kernel: every even length of the supported wavelets (haar … coif5). */
export const WASM_FILTER_LENGTHS: readonly number[] = Array.from({ length: 15 }, (_, i) => 2 * (i + 1));

function moduleBytes(): Uint8Array {
  const type = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0x00];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([type])),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(WASM_FILTER_LENGTHS.map(() => [0]))),
    ...section(7, vector(WASM_FILTER_LENGTHS.map((f, index) => [...name(`k${f}`), 0x00, ...uleb(index)]))),
    ...section(10, vector(WASM_FILTER_LENGTHS.map((f) => kernelBody(f)))),
  ]);
}

/**
 * The part of the WebAssembly JS API used here. Declared locally because the project compiles
 * without the DOM lib (where TypeScript keeps the WebAssembly types).
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (then the JS kernel runs). */
export function analysisModule(): object | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = wasmApi !== undefined && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
  }
  return compiled;
}

export type AnalysisKernel = (ext: number, count: number, filters: number, outA: number, outD: number) => void;

/** A kernel for filter length `f` bound to a fresh memory of at least `bytes` bytes, or null. */
export function instantiateAnalysis(f: number, bytes: number): { memory: WasmMemory; kernel: AnalysisKernel } | null {
  const module = analysisModule();
  if (module === null || wasmApi === undefined || !WASM_FILTER_LENGTHS.includes(f)) return null;
  const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const instance = new wasmApi.Instance(module, { env: { memory } });
  return { memory, kernel: instance.exports[`k${f}`] as AnalysisKernel };
}
