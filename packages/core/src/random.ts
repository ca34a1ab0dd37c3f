/**
 * Seeded pseudo-random numbers: xoshiro128** 1.1 (Blackman & Vigna, 2018), a 32-bit generator with
 * 128 bits of state and period 2^128 - 1. The state is initialised from a 32-bit seed with
 * SplitMix32 (the 32-bit variant of Steele et al.'s SplitMix, constants from Vigna's reference),
 * so every seed gives a well-mixed, non-zero state.
 *
 * Reference sequences are checked in `test/random.test.ts` against an independent implementation
 * (`test/fixtures/gen_random.py`). `Math.random` is never used anywhere in library code.
 */
export interface Rng {
  /** The next raw 32-bit output as an unsigned integer. */
  nextUint32(): number;
  /** Uniform in [0, 1) with 53 bits of resolution (two outputs). */
  uniform(): number;
  /** Uniform integer in [min, max) (unbiased, by rejection). With one argument: [0, min). */
  int(min: number, max?: number): number;
  /** Standard normal deviate (Box–Muller, deterministic). */
  normal(): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [index: number]: any }>(array: T): T;
  /** One element chosen uniformly. */
  choice<T>(items: ArrayLike<T>): T;
  /** `k` distinct indices from [0, n), in random order. */
  sample(n: number, k: number): Int32Array;
  /** A new independent generator derived from this one's next outputs (for sub-streams). */
  fork(): Rng;
}

const M32 = 0xffffffff;

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Normalises a user seed (any finite integer, possibly > 2^32) to 32 bits. */
export function normalizeSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const integer = Math.trunc(seed);
  const low = integer % 0x100000000;
  const high = Math.floor(integer / 0x100000000);
  return (low ^ Math.imul(high, 0x9e3779b1)) >>> 0;
}

export class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    const mix = splitmix32(normalizeSeed(seed));
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  int(min: number, max?: number): number {
    let lo = min;
    let hi = max;
    if (hi === undefined) {
      hi = lo;
      lo = 0;
    }
    const span = hi - lo;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || span <= 0 || span > 0x100000000) {
      throw new RangeError(`int(${min}, ${max}) needs integers with 0 < max - min <= 2^32`);
    }
    if (span === 0x100000000) return lo + this.nextUint32();
    // Modulo with rejection of the top partial range: unbiased.
    const limit = M32 - ((M32 % span) + 1) % span;
    let x = this.nextUint32();
    while (x > limit) x = this.nextUint32();
    return lo + (x % span);
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  shuffle<T extends { length: number; [index: number]: any }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  choice<T>(items: ArrayLike<T>): T {
    if (items.length === 0) throw new RangeError('choice() from an empty collection');
    return items[this.int(items.length)] as T;
  }

  sample(n: number, k: number): Int32Array {
    if (k > n || k < 0) throw new RangeError(`sample(${n}, ${k}): k must be in [0, n]`);
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    return pool.slice(0, k);
  }

  fork(): Rng {
    return new Xoshiro128(this.nextUint32() ^ Math.imul(this.nextUint32(), 0x27d4eb2d));
  }
}

/** Creates a seeded generator (xoshiro128** seeded through SplitMix32). */
export function createRng(seed: number): Rng {
  return new Xoshiro128(seed);
}

/** Derives a child seed from a parent seed and a label (e.g. `deriveSeed(seed, 'fold', 3)`), FNV-1a + SplitMix32. */
export function deriveSeed(seed: number, ...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5 ^ normalizeSeed(seed);
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return splitmix32(hash)();
}
