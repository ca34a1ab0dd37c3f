/**
 * A WebAssembly SIMD version of {@link analysisStep}: for each even filter length F = 2…30 a module
 * exporting `k(ext, count, filters, outA, outD)` (byte addresses in the instance's memory) that
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
import { i32Const, localGet, localSet, name, section, uleb, vector, wasmApi, type WasmMemory } from './wasm-encoding.js';

const I32 = 0x7f;
const V128 = 0x7b;

// Instructions.
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

/**
 * A module with the one kernel `k` of filter length f. Each length gets its own small module, built
 * and compiled on first use: a recipe needs one or two lengths (haar 2, db4 8), and assembling and
 * compiling all fifteen kernels (up to 30 unrolled taps each) cost 40–90 ms of CPU in every thread
 * that featurizes, several times the cost of the two kernels it uses.
 */
function moduleBytes(f: number): Uint8Array {
  const type = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0x00];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([type])),
    ...section(2, vector([memoryImport])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name('k'), 0x00, 0x00]])),
    ...section(10, vector([kernelBody(f)])),
  ]);
}

/** Compiled module per filter length; null where WebAssembly SIMD is unavailable. */
const compiled = new Map<number, object | null>();

/**
 * The compiled module of filter length `f` (one of {@link WASM_FILTER_LENGTHS}), or null where
 * WebAssembly SIMD is unavailable (then the JS kernel runs). Compiled once per thread and length.
 */
export function analysisModule(f: number): object | null {
  let module = compiled.get(f);
  if (module === undefined) {
    const bytes = moduleBytes(f);
    module = wasmApi !== undefined && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
    compiled.set(f, module);
  }
  return module;
}

export type AnalysisKernel = (ext: number, count: number, filters: number, outA: number, outD: number) => void;

/** A kernel for filter length `f` bound to a fresh memory of at least `bytes` bytes, or null. */
export function instantiateAnalysis(f: number, bytes: number): { memory: WasmMemory; kernel: AnalysisKernel } | null {
  if (wasmApi === undefined || !WASM_FILTER_LENGTHS.includes(f)) return null;
  const module = analysisModule(f);
  if (module === null) return null;
  const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const instance = new wasmApi.Instance(module, { env: { memory } });
  return { memory, kernel: instance.exports['k'] as AnalysisKernel };
}
