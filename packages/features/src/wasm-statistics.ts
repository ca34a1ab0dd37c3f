/**
 * The per-band statistics of the dwt-combo recipe in WebAssembly: `stats` computes exactly what
 * {@link bandStatistics} computes, with the same operations in the same order, and `energy` the
 * Σ c² of a windowed band. The logarithm of the entropy is `log`, a transcription of fdlibm's
 * `__ieee754_log` (e_log.c), which is the algorithm behind V8's `Math.log` (`base::ieee754::log`):
 * it returns the same bits as `Math.log` (tested on millions of values over the whole double range),
 * so the features are bit for bit those of the JavaScript code, and independent of the engine's
 * logarithm. It runs inline in the loop, without the call into the C library that `Math.log` costs,
 * and the module is compiled ahead of its first use, so a thread featurizes its first rows at full
 * speed instead of waiting for the JavaScript optimizer.
 *
 * Exports (byte addresses in the imported memory):
 * - `stats(ptr, length, withEntropy, zeroEnergy, out)`: writes mean, std, mav, energy, maxAbs and
 *   entropy of the `length` float64 values at `ptr` as six float64 at `out`;
 * - `energy(ptr, length) → f64`: Σ c², summed in order;
 * - `log(x) → f64`: the natural logarithm.
 */
import { f64Const, i32Const, localGet, localSet, name, section, uleb, vector, wasmApi, type WasmMemory } from './wasm-encoding.js';

const I32 = 0x7f;
const I64 = 0x7e;
const F64 = 0x7c;
const VOID = 0x40;

// Instructions.
const IF = 0x04;
const ELSE = 0x05;
const END = 0x0b;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR_IF = 0x0d;
const RETURN = 0x0f;
const CALL = 0x10;
const SELECT = 0x1b;
const F64_LOAD = 0x2b;
const F64_STORE = 0x39;
const I32_EQZ = 0x45;
const I32_LT_S = 0x48;
const I32_LT_U = 0x49;
const I32_GT_S = 0x4a;
const I32_GE_S = 0x4e;
const I32_GE_U = 0x4f;
const F64_EQ = 0x61;
const F64_GT = 0x64;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_AND = 0x71;
const I32_OR = 0x72;
const I32_XOR = 0x73;
const I32_SHL = 0x74;
const I32_SHR_S = 0x75;
const I64_AND = 0x83;
const I64_OR = 0x84;
const I64_SHL = 0x86;
const I64_SHR_S = 0x87;
const F64_ABS = 0x99;
const F64_SQRT = 0x9f;
const F64_ADD = 0xa0;
const F64_SUB = 0xa1;
const F64_MUL = 0xa2;
const F64_DIV = 0xa3;
const I32_WRAP_I64 = 0xa7;
const I64_EXTEND_I32_U = 0xad;
const F64_CONVERT_I32_S = 0xb7;
const I64_REINTERPRET_F64 = 0xbd;
const F64_REINTERPRET_I64 = 0xbf;
const i64Const = (n: number): number[] => {
  // Only the small non-negative masks used below (< 2^32): signed LEB128 of a 64-bit value.
  const out: number[] = [];
  let v = BigInt(n);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return [0x42, ...out];
    }
    out.push(byte | 0x80);
  }
};
const memarg = (offset: number): number[] => [3, ...uleb(offset)];
const get = localGet;
const set = localSet;

// fdlibm e_log.c constants.
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const TWO54 = 1.8014398509481984e16;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** Function 0, `log(x: f64) → f64`: fdlibm's __ieee754_log, step for step. */
function logBody(): number[] {
  const X = 0;
  const [HX, LX, K, I, J] = [1, 2, 3, 4, 5];
  const BITS = 6;
  const [F, S, Z, W, R, DK, HFSQ, T1, T2] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const highWord = [...get(BITS), ...i64Const(32), I64_SHR_S, I32_WRAP_I64];
  const dk = [...get(K), F64_CONVERT_I32_S, ...set(DK)];
  const kIsZero = [...get(K), I32_EQZ];
  const code = [
    ...get(X), I64_REINTERPRET_F64, ...set(BITS),
    ...highWord, ...set(HX),
    ...get(BITS), I32_WRAP_I64, ...set(LX),
    // x < 2^-1022: zero, negative or subnormal.
    ...get(HX), ...i32Const(0x00100000), I32_LT_S, IF, VOID,
    ...get(HX), ...i32Const(0x7fffffff), I32_AND, ...get(LX), I32_OR, I32_EQZ, IF, VOID,
    ...f64Const(-Infinity), RETURN, END,
    ...get(HX), ...i32Const(0), I32_LT_S, IF, VOID,
    ...get(X), ...get(X), F64_SUB, ...f64Const(0), F64_DIV, RETURN, END,
    ...i32Const(-54), ...set(K),
    ...get(X), ...f64Const(TWO54), F64_MUL, ...set(X),
    ...get(X), I64_REINTERPRET_F64, ...set(BITS),
    ...highWord, ...set(HX),
    END,
    // Infinity or NaN.
    ...get(HX), ...i32Const(0x7ff00000), I32_GE_S, IF, VOID, ...get(X), ...get(X), F64_ADD, RETURN, END,
    ...get(K), ...get(HX), ...i32Const(20), I32_SHR_S, ...i32Const(1023), I32_SUB, I32_ADD, ...set(K),
    ...get(HX), ...i32Const(0x000fffff), I32_AND, ...set(HX),
    ...get(HX), ...i32Const(0x95f64), I32_ADD, ...i32Const(0x100000), I32_AND, ...set(I),
    // Normalize x or x/2: high word hx | (i ^ 0x3ff00000), low word kept.
    ...get(HX), ...get(I), ...i32Const(0x3ff00000), I32_XOR, I32_OR, I64_EXTEND_I32_U, ...i64Const(32), I64_SHL,
    ...get(BITS), ...i64Const(0xffffffff), I64_AND, I64_OR, F64_REINTERPRET_I64, ...set(X),
    ...get(K), ...get(I), ...i32Const(20), I32_SHR_S, I32_ADD, ...set(K),
    ...get(X), ...f64Const(1), F64_SUB, ...set(F),
    // -2^-20 <= f < 2^-20
    ...i32Const(0x000fffff), ...i32Const(2), ...get(HX), I32_ADD, I32_AND, ...i32Const(3), I32_LT_S, IF, VOID,
    ...get(F), ...f64Const(0), F64_EQ, IF, VOID,
    ...kIsZero, IF, VOID, ...f64Const(0), RETURN, END,
    ...dk, ...get(DK), ...f64Const(LN2_HI), F64_MUL, ...get(DK), ...f64Const(LN2_LO), F64_MUL, F64_ADD, RETURN,
    END,
    ...get(F), ...get(F), F64_MUL, ...f64Const(0.5), ...f64Const(0.33333333333333333), ...get(F), F64_MUL, F64_SUB, F64_MUL, ...set(R),
    ...kIsZero, IF, VOID, ...get(F), ...get(R), F64_SUB, RETURN, END,
    ...dk, ...get(DK), ...f64Const(LN2_HI), F64_MUL,
    ...get(R), ...get(DK), ...f64Const(LN2_LO), F64_MUL, F64_SUB, ...get(F), F64_SUB, F64_SUB, RETURN,
    END,
    ...get(F), ...f64Const(2), ...get(F), F64_ADD, F64_DIV, ...set(S),
    ...dk,
    ...get(S), ...get(S), F64_MUL, ...set(Z),
    ...get(HX), ...i32Const(0x6147a), I32_SUB, ...set(I),
    ...get(Z), ...get(Z), F64_MUL, ...set(W),
    ...i32Const(0x6b851), ...get(HX), I32_SUB, ...set(J),
    // t1 = w*(Lg2 + w*(Lg4 + w*Lg6))
    ...get(W), ...f64Const(LG2), ...get(W), ...f64Const(LG4), ...get(W), ...f64Const(LG6), F64_MUL, F64_ADD, F64_MUL, F64_ADD, F64_MUL, ...set(T1),
    // t2 = z*(Lg1 + w*(Lg3 + w*(Lg5 + w*Lg7)))
    ...get(Z), ...f64Const(LG1), ...get(W), ...f64Const(LG3), ...get(W), ...f64Const(LG5), ...get(W), ...f64Const(LG7),
    F64_MUL, F64_ADD, F64_MUL, F64_ADD, F64_MUL, F64_ADD, F64_MUL, ...set(T2),
    ...get(I), ...get(J), I32_OR, ...set(I),
    ...get(T2), ...get(T1), F64_ADD, ...set(R),
    ...get(I), ...i32Const(0), I32_GT_S, IF, VOID,
    ...get(F), ...f64Const(0.5), F64_MUL, ...get(F), F64_MUL, ...set(HFSQ),
    // k == 0: f - (hfsq - s*(hfsq + R))
    ...kIsZero, IF, VOID, ...get(F), ...get(HFSQ), ...get(S), ...get(HFSQ), ...get(R), F64_ADD, F64_MUL, F64_SUB, F64_SUB, RETURN, END,
    // dk*ln2_hi - ((hfsq - (s*(hfsq + R) + dk*ln2_lo)) - f)
    ...get(DK), ...f64Const(LN2_HI), F64_MUL,
    ...get(HFSQ), ...get(S), ...get(HFSQ), ...get(R), F64_ADD, F64_MUL, ...get(DK), ...f64Const(LN2_LO), F64_MUL, F64_ADD, F64_SUB,
    ...get(F), F64_SUB, F64_SUB, RETURN,
    END,
    // k == 0: f - s*(f - R)
    ...kIsZero, IF, VOID, ...get(F), ...get(S), ...get(F), ...get(R), F64_SUB, F64_MUL, F64_SUB, RETURN, END,
    // dk*ln2_hi - ((s*(f - R) - dk*ln2_lo) - f)
    ...get(DK), ...f64Const(LN2_HI), F64_MUL,
    ...get(S), ...get(F), ...get(R), F64_SUB, F64_MUL, ...get(DK), ...f64Const(LN2_LO), F64_MUL, F64_SUB, ...get(F), F64_SUB, F64_SUB,
    END,
  ];
  return [...vector([[...uleb(5), I32], [...uleb(1), I64], [...uleb(9), F64]]), ...code];
}

/** Function 1, `stats(ptr, length, withEntropy, zeroEnergy, out)`: bandStatistics, operation for operation. */
function statsBody(): number[] {
  const [PTR, LENGTH, WITH_ENTROPY, ZERO_ENERGY, OUT] = [0, 1, 2, 3, 4];
  const [AT, END_AT] = [5, 6];
  const [V, A, SUM, SUM_ABS, ENERGY, MAX_ABS, MEAN, SQUARES, ENTROPY, INVERSE, D, P] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const loopOver = (body: number[]): number[] => [
    ...get(PTR), ...set(AT),
    BLOCK, VOID, ...get(AT), ...get(END_AT), I32_GE_U, BR_IF, 0,
    LOOP, VOID,
    ...get(AT), F64_LOAD, ...memarg(0), ...set(V),
    ...body,
    ...get(AT), ...i32Const(8), I32_ADD, ...set(AT),
    ...get(AT), ...get(END_AT), I32_LT_U, BR_IF, 0,
    END, END,
  ];
  const length = [...get(LENGTH), F64_CONVERT_I32_S];
  const store = (offset: number, value: number[]): number[] => [...get(OUT), ...value, F64_STORE, ...memarg(offset)];
  const code = [
    ...get(PTR), ...get(LENGTH), ...i32Const(3), I32_SHL, I32_ADD, ...set(END_AT),
    ...loopOver([
      ...get(V), F64_ABS, ...set(A),
      ...get(SUM), ...get(V), F64_ADD, ...set(SUM),
      ...get(SUM_ABS), ...get(A), F64_ADD, ...set(SUM_ABS),
      ...get(ENERGY), ...get(V), ...get(V), F64_MUL, F64_ADD, ...set(ENERGY),
      // if (a > maxAbs) maxAbs = a
      ...get(A), ...get(MAX_ABS), ...get(A), ...get(MAX_ABS), F64_GT, SELECT, ...set(MAX_ABS),
    ]),
    ...get(SUM), ...length, F64_DIV, ...set(MEAN),
    // inverseEnergy = energy > zeroEnergy ? 1 / energy : 0
    ...f64Const(1), ...get(ENERGY), F64_DIV, ...f64Const(0), ...get(ENERGY), ...get(ZERO_ENERGY), F64_GT, SELECT, ...set(INVERSE),
    ...loopOver([
      ...get(V), ...get(MEAN), F64_SUB, ...set(D),
      ...get(SQUARES), ...get(D), ...get(D), F64_MUL, F64_ADD, ...set(SQUARES),
      ...get(WITH_ENTROPY), IF, VOID,
      ...get(V), ...get(V), F64_MUL, ...get(INVERSE), F64_MUL, ...set(P),
      ...get(P), ...f64Const(0), F64_GT, IF, VOID,
      ...get(ENTROPY), ...get(P), ...get(P), CALL, 0, F64_MUL, F64_SUB, ...set(ENTROPY),
      END,
      END,
    ]),
    ...store(0, get(MEAN)),
    ...store(8, [...get(SQUARES), ...length, F64_DIV, F64_SQRT]),
    ...store(16, [...get(SUM_ABS), ...length, F64_DIV]),
    ...store(24, get(ENERGY)),
    ...store(32, get(MAX_ABS)),
    ...store(40, get(ENTROPY)),
    END,
  ];
  return [...vector([[...uleb(2), I32], [...uleb(12), F64]]), ...code];
}

/** Function 2, `energy(ptr, length) → f64`: Σ c² in order. */
function energyBody(): number[] {
  const [PTR, LENGTH, AT, END_AT, E, V] = [0, 1, 2, 3, 4, 5];
  const code = [
    ...get(PTR), ...set(AT),
    ...get(PTR), ...get(LENGTH), ...i32Const(3), I32_SHL, I32_ADD, ...set(END_AT),
    BLOCK, VOID, ...get(AT), ...get(END_AT), I32_GE_U, BR_IF, 0,
    LOOP, VOID,
    ...get(AT), F64_LOAD, ...memarg(0), ...set(V),
    ...get(E), ...get(V), ...get(V), F64_MUL, F64_ADD, ...set(E),
    ...get(AT), ...i32Const(8), I32_ADD, ...set(AT),
    ...get(AT), ...get(END_AT), I32_LT_U, BR_IF, 0,
    END, END,
    ...get(E),
    END,
  ];
  return [...vector([[...uleb(2), I32], [...uleb(2), F64]]), ...code];
}

function withSize(body: number[]): number[] {
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const types = [
    [0x60, ...vector([[F64]]), ...vector([[F64]])],
    [0x60, ...vector([[I32], [I32], [I32], [F64], [I32]]), ...vector([])],
    [0x60, ...vector([[I32], [I32]]), ...vector([[F64]])],
  ];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector([[0], [1], [2]])),
    ...section(7, vector([[...name('log'), 0x00, 0], [...name('stats'), 0x00, 1], [...name('energy'), 0x00, 2]])),
    ...section(10, vector([withSize(logBody()), withSize(statsBody()), withSize(energyBody())])),
  ]);
}

let compiled: object | null | undefined;

/** The functions of one instance, bound to its memory. */
export interface StatisticsKernel {
  readonly memory: WasmMemory;
  readonly stats: (ptr: number, length: number, withEntropy: number, zeroEnergy: number, out: number) => void;
  readonly energy: (ptr: number, length: number) => number;
  readonly log: (x: number) => number;
}

/** An instance over a fresh memory of at least `bytes` bytes, or null without WebAssembly. */
export function instantiateStatistics(bytes: number): StatisticsKernel | null {
  if (wasmApi === undefined) return null;
  if (compiled === undefined) {
    const code = moduleBytes();
    compiled = wasmApi.validate(code) ? new wasmApi.Module(code) : null;
  }
  if (compiled === null) return null;
  const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const { exports } = new wasmApi.Instance(compiled, { env: { memory } });
  return {
    memory,
    stats: exports['stats'] as StatisticsKernel['stats'],
    energy: exports['energy'] as StatisticsKernel['energy'],
    log: exports['log'] as StatisticsKernel['log'],
  };
}
