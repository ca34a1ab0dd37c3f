/**
 * Decimal → double for significands of up to 19 digits: the Eisel–Lemire algorithm (as in
 * fast_float: D. Lemire, "Number Parsing at a Gigabyte per Second", 2021; N. Mushtak and D. Lemire,
 * "Fast Number Parsing Without Fallback", 2023), in 32-bit limbs because JavaScript has no 64-bit
 * integer multiply. The 128-bit truncated powers of five are computed once with BigInt at first use.
 * Correctly rounded (ties to even), like `Number(text)`; returns NaN in the one case fast_float's
 * earlier versions gave up on (the caller then uses `Number()`).
 */

/** Decimal exponents with a table entry; below the first the value rounds to 0, above the last to infinity (w < 10^19). */
const SMALLEST_POWER = -342;
const LARGEST_POWER = 308;
const TWO_32 = 4294967296;

/** 4 uint32 per power q (from SMALLEST_POWER): high word of the high half first. */
let powers: Uint32Array | undefined;

function powerTable(): Uint32Array {
  if (powers !== undefined) return powers;
  const table = new Uint32Array((LARGEST_POWER - SMALLEST_POWER + 1) * 4);
  const one128 = 1n << 128n;
  for (let q = SMALLEST_POWER; q <= LARGEST_POWER; q++) {
    let c: bigint;
    if (q < 0) {
      // 2^b / 5^-q + 1 with b chosen to keep 128 significant bits (fast_float's table_generation.py).
      const power5 = 5n ** BigInt(-q);
      let z = 0n;
      while (1n << z < power5) z++;
      const b = q >= -27 ? z + 127n : 2n * z + 128n;
      c = (1n << b) / power5 + 1n;
      while (c >= one128) c /= 2n;
    } else {
      c = 5n ** BigInt(q);
      while (c < 1n << 127n) c *= 2n;
      while (c >= one128) c /= 2n;
    }
    const k = (q - SMALLEST_POWER) * 4;
    table[k] = Number((c >> 96n) & 0xffffffffn);
    table[k + 1] = Number((c >> 64n) & 0xffffffffn);
    table[k + 2] = Number((c >> 32n) & 0xffffffffn);
    table[k + 3] = Number(c & 0xffffffffn);
  }
  powers = table;
  return table;
}

// 128-bit products in four uint32 limbs (r3 most significant), kept in module state: no allocation.
let r3 = 0;
let r2 = 0;
let r1 = 0;
let r0 = 0;
// mul32 result.
let mulHi = 0;
let mulLo = 0;

/** The 64-bit product of two uint32 (as doubles: 32 × 16-bit products are exact). */
function mul32(x: number, y: number): void {
  const low = x * (y & 0xffff); // < 2^48
  const high = x * (y >>> 16); // < 2^48
  const sum = low + (high % 65536) * 65536; // < 2^49
  mulLo = sum >>> 0;
  mulHi = Math.floor(high / 65536) + Math.floor(sum / TWO_32);
}

/** (w1:w0) × (t1:t0) → r3:r2:r1:r0. */
function mul64(w1: number, w0: number, t1: number, t0: number): void {
  mul32(w0, t0);
  const a1 = mulHi;
  r0 = mulLo;
  mul32(w0, t1);
  const b1 = mulHi;
  const b0 = mulLo;
  mul32(w1, t0);
  const c1 = mulHi;
  const c0 = mulLo;
  mul32(w1, t1);
  const s1 = a1 + b0 + c0;
  r1 = s1 >>> 0;
  const s2 = b1 + c1 + mulLo + Math.floor(s1 / TWO_32);
  r2 = s2 >>> 0;
  r3 = (mulHi + Math.floor(s2 / TWO_32)) >>> 0;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** Index of the high word of a double in `words` (little- or big-endian host). */
const HIGH = (() => {
  bits[0] = 1; // 0x3ff00000_00000000
  return words[1] === 0x3ff00000 ? 1 : 0;
})();
const LOW = 1 - HIGH;

function makeDouble(negative: boolean, exponentField: number, fractionHigh: number, fractionLow: number): number {
  words[HIGH] = ((negative ? 0x80000000 : 0) | (exponentField << 20) | fractionHigh) >>> 0;
  words[LOW] = fractionLow >>> 0;
  return bits[0]!;
}

/**
 * The double nearest to ±w · 10^q, w = wHigh · 2^32 + wLow (uint32 halves, w < 2^64), ties to even;
 * NaN when the 128-bit approximation cannot decide (the caller parses the text with `Number()`).
 */
export function eiselLemire(wHigh: number, wLow: number, q: number, negative: boolean): number {
  if ((wHigh === 0 && wLow === 0) || q < SMALLEST_POWER) return negative ? -0 : 0;
  if (q > LARGEST_POWER) return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  // Normalise w: most significant bit at bit 63.
  let lz: number;
  let w1: number;
  let w0: number;
  if (wHigh === 0) {
    const z = Math.clz32(wLow);
    lz = 32 + z;
    w1 = z === 0 ? wLow : (wLow << z) >>> 0;
    w0 = 0;
  } else {
    lz = Math.clz32(wHigh);
    w1 = lz === 0 ? wHigh : ((wHigh << lz) | (wLow >>> (32 - lz))) >>> 0;
    w0 = lz === 0 ? wLow : (wLow << lz) >>> 0;
  }
  const table = powerTable();
  const k = (q - SMALLEST_POWER) * 4;
  mul64(w1, w0, table[k]!, table[k + 1]!);
  let h1 = r3;
  let h0 = r2;
  let l1 = r1;
  let l0 = r0;
  // Bits below the 55 that matter all ones: add the high half of w × the table's low 64 bits.
  if ((h0 & 0x1ff) === 0x1ff) {
    const p1 = h1;
    const p0 = h0;
    const q1 = l1;
    const q0 = l0;
    mul64(w1, w0, table[k + 2]!, table[k + 3]!);
    // low += second.high, carry into high
    const sumLow = q0 + r2;
    l0 = sumLow >>> 0;
    const sumHigh = q1 + r3 + Math.floor(sumLow / TWO_32);
    l1 = sumHigh >>> 0;
    if (sumHigh >= TWO_32) {
      const s0 = p0 + 1;
      h0 = s0 >>> 0;
      h1 = (p1 + Math.floor(s0 / TWO_32)) >>> 0;
    } else {
      h1 = p1;
      h0 = p0;
    }
  }
  // fast_float before the no-fallback proof gave up here; kept as a guard (the caller uses Number()).
  if (l1 === 0xffffffff && l0 === 0xffffffff && (q < -27 || q > 55)) return Number.NaN;
  const upperBit = h1 >>> 31;
  const shift = upperBit + 9; // 64 - 52 - 3 + upperBit
  // mantissa = high >> shift (55 or 54 bits), as two uint32.
  let m1 = h1 >>> shift;
  let m0 = ((h0 >>> shift) | (h1 << (32 - shift))) >>> 0;
  let power2 = (((152170 + 65536) * q) >> 16) + 63 + upperBit - lz + 1023;
  if (power2 <= 0) {
    // Subnormal (or zero): shift right by 1 - power2, round half up, then the final halving.
    const s = 1 - power2;
    if (s >= 64) return negative ? -0 : 0;
    if (s >= 32) {
      m0 = s === 32 ? m1 : m1 >>> (s - 32);
      m1 = 0;
    } else {
      m0 = ((m0 >>> s) | (m1 << (32 - s))) >>> 0;
      m1 = m1 >>> s;
    }
    // m += m & 1; m >>= 1
    const add = m0 & 1;
    let low = m0 + add;
    let high = m1;
    if (low >= TWO_32) {
      low -= TWO_32;
      high += 1;
    }
    m0 = ((low >>> 1) | ((high & 1) << 31)) >>> 0;
    m1 = high >>> 1;
    power2 = m1 < 0x100000 ? 0 : 1; // mantissa < 2^52: subnormal
    return makeDouble(negative, power2, m1 & 0xfffff, m0);
  }
  // Exactly halfway in a range where that can happen: round to even instead of up.
  if (l1 === 0 && l0 <= 1 && q >= -4 && q <= 23 && (m0 & 3) === 1 && (h0 & ((1 << shift) - 1)) === 0) m0 = (m0 & ~1) >>> 0;
  {
    const add = m0 & 1;
    let low = m0 + add;
    let high = m1;
    if (low >= TWO_32) {
      low -= TWO_32;
      high += 1;
    }
    m0 = ((low >>> 1) | ((high & 1) << 31)) >>> 0;
    m1 = high >>> 1;
  }
  if (m1 >= 0x200000) {
    // Rounded up to 2^53: 2^52 with the next exponent.
    m1 = 0x100000;
    m0 = 0;
    power2++;
  }
  if (power2 >= 0x7ff) return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return makeDouble(negative, power2, m1 & 0xfffff, m0);
}
