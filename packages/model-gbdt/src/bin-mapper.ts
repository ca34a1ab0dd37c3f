import { PipelineError, createRng, type Matrix } from '@pipeline/core';

/**
 * Rows used to find the bin thresholds; larger training sets are subsampled (scikit-learn's 2e5).
 * @internal Exported for the package's tests; not part of the public API.
 */
export const BINNING_SUBSAMPLE = 200_000;
/** Thresholds are clipped below this so that +inf thresholds only mean "split on NaN". */
const ALMOST_INF = 1e300;

/**
 * Per-feature bin thresholds (scikit-learn's `_BinMapper`): value x of feature f falls in bin b iff
 * thresholds[b - 1] < x <= thresholds[b]; NaN falls in `missingBin` (= maxBins, the last bin).
 * @internal Exported for the package's tests; not part of the public API.
 */
export interface BinMapper {
  readonly maxBins: number;
  /** The bin of NaN for every feature. */
  readonly missingBin: number;
  /** Increasing thresholds per feature, nBinsNonMissing[f] - 1 of them. */
  readonly thresholds: readonly Float64Array[];
  /** Bins used by non-missing values per feature (<= maxBins). */
  readonly nBinsNonMissing: Int32Array;
  /**
   * Categorical features (1) and, per feature, the bitset (8 × 32 bits) of the category codes seen
   * in training: a categorical value's bin is its code; NaN and codes not seen go to `missingBin`.
   * Undefined when no feature is categorical.
   */
  readonly categorical?: { readonly isCategorical: Uint8Array; readonly known: Int32Array };
}

/** 32-bit words of a category bitset (256 codes). */
export const BITSET_WORDS = 8;

/** Whether code `c` is in the bitset of `bitsets` starting at word `offset`. */
export function inBitset(bitsets: Int32Array, offset: number, c: number): boolean {
  return ((bitsets[offset + (c >>> 5)]! >>> (c & 31)) & 1) === 1;
}

/**
 * Finds the thresholds from the rows `rows` of `features` (all rows when omitted): midpoints
 * between distinct values when a feature has at most `maxBins` of them, otherwise the
 * `maxBins - 1` percentiles (numpy's 'midpoint' method) of a seeded subsample of 200000 rows.
 * @internal Exported for the package's tests; not part of the public API.
 */
export function fitBinMapper(features: Matrix, maxBins: number, seed: number, rows?: Int32Array, categoricalFeatures: readonly number[] = []): BinMapper {
  const nRows = rows === undefined ? features.rows : rows.length;
  let use: ArrayLike<number> | undefined = rows;
  if (nRows > BINNING_SUBSAMPLE) {
    const picked = createRng(seed).sample(nRows, BINNING_SUBSAMPLE);
    use = rows === undefined ? picked : Int32Array.from(picked, (k) => rows[k]!);
  }
  const count = use === undefined ? nRows : use.length;
  const { cols, data } = features;
  // One row-major pass copies the values column by column (reading a column of a row-major matrix
  // directly would stream the whole matrix once per feature).
  const columns = new Float32Array(count * cols);
  for (let k = 0; k < count; k++) {
    const base = (use === undefined ? k : use[k]!) * cols;
    for (let f = 0; f < cols; f++) columns[f * count + k] = data[base + f]!;
  }
  const column = new Float64Array(count);
  const radix = new RadixScratch(count);
  const thresholds: Float64Array[] = [];
  const nBinsNonMissing = new Int32Array(cols);
  const isCategorical = new Uint8Array(cols);
  for (const f of categoricalFeatures) {
    if (f >= cols) {
      throw new PipelineError('E_USAGE', `categoricalFeatures names feature ${f} but the data has ${cols} features`, { field: 'categoricalFeatures' });
    }
    isCategorical[f] = 1;
  }
  const known = new Int32Array(categoricalFeatures.length > 0 ? cols * BITSET_WORDS : 0);
  for (let f = 0; f < cols; f++) {
    if (isCategorical[f] === 1) {
      // scikit-learn: the bins of a categorical feature are its categories (here: the codes).
      let top = -1;
      for (let k = f * count, end = k + count; k < end; k++) {
        const x = columns[k]!;
        if (x !== x) continue;
        if (!Number.isInteger(x) || x < 0 || x >= maxBins) {
          throw new PipelineError('E_INPUT', `categorical feature ${f} holds ${x}; category codes must be integers in [0, ${maxBins - 1}]`, {
            field: 'categoricalFeatures',
            hint: `a categorical feature may have at most maxBins (${maxBins}) categories: merge rare ones, or read the column as numeric`,
          });
        }
        known[f * BITSET_WORDS + (x >>> 5)]! |= 1 << (x & 31);
        if (x > top) top = x;
      }
      nBinsNonMissing[f] = Math.max(1, top + 1);
      // Unused by categorical splits; kept as code midpoints so every feature has nBins - 1 thresholds.
      thresholds.push(Float64Array.from({ length: nBinsNonMissing[f]! - 1 }, (_, b) => b + 0.5));
      continue;
    }
    const t = featureThresholds(radix.sortedNonMissing(columns, f * count, count, column), maxBins);
    thresholds.push(t);
    nBinsNonMissing[f] = t.length + 1;
  }
  return {
    maxBins,
    missingBin: maxBins,
    thresholds,
    nBinsNonMissing,
    ...(categoricalFeatures.length === 0 ? {} : { categorical: { isCategorical, known } }),
  };
}

/** Bits of radix digit; three passes cover a 32-bit key. */
const RADIX_BITS = 11;
const RADIX_BUCKETS = 1 << RADIX_BITS;

/**
 * An LSD radix sort of float32 values (three 11-bit passes over keys that order like the floats:
 * the sign bit flipped for positives, every bit for negatives): V8's TypedArray sort took ~1.4 ms
 * per 16 000 values, most of the binning of a fit. The order is the numeric one of `sort()`
 * (−0 before +0, as there), so the thresholds are the same bits.
 */
class RadixScratch {
  private readonly keys: Uint32Array;
  private readonly other: Uint32Array;
  private readonly counts = new Uint32Array(3 * RADIX_BUCKETS);
  private readonly floats = new Float32Array(1);
  private readonly bits = new Uint32Array(this.floats.buffer);

  constructor(capacity: number) {
    this.keys = new Uint32Array(capacity);
    this.other = new Uint32Array(capacity);
  }

  /** The non-NaN values of `values[start, start + count)`, ascending, written to the front of `out` (a view of it is returned). */
  sortedNonMissing(values: Float32Array, start: number, count: number, out: Float64Array): Float64Array {
    const src = new Uint32Array(values.buffer, values.byteOffset + start * 4, count);
    const counts = this.counts;
    counts.fill(0);
    let keys = this.keys;
    let other = this.other;
    let m = 0;
    for (let k = 0; k < count; k++) {
      const b = src[k]!;
      // NaN: exponent all ones and a non-zero mantissa
      if ((b & 0x7fffffff) > 0x7f800000) continue;
      const key = (b & 0x80000000) !== 0 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
      keys[m++] = key;
      counts[key & 0x7ff]!++;
      counts[RADIX_BUCKETS + ((key >>> 11) & 0x7ff)]!++;
      counts[2 * RADIX_BUCKETS + (key >>> 22)]!++;
    }
    for (let pass = 0; pass < 3; pass++) {
      const base = pass * RADIX_BUCKETS;
      const shift = pass * RADIX_BITS;
      let sum = 0;
      for (let d = 0; d < RADIX_BUCKETS; d++) {
        const c = counts[base + d]!;
        counts[base + d] = sum;
        sum += c;
      }
      for (let k = 0; k < m; k++) {
        const key = keys[k]!;
        const d = base + ((key >>> shift) & 0x7ff);
        other[counts[d]!++] = key;
      }
      const swap = keys;
      keys = other;
      other = swap;
    }
    const { floats, bits } = this;
    for (let k = 0; k < m; k++) {
      const key = keys[k]!;
      bits[0] = (key & 0x80000000) !== 0 ? key & 0x7fffffff : ~key;
      out[k] = floats[0]!;
    }
    return out.subarray(0, m);
  }
}

/** Thresholds of one feature from its sorted non-missing values. */
function featureThresholds(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  const distinct: number[] = [];
  for (let k = 0; k < n; k++) {
    const v = sorted[k]!;
    if (k === 0 || v !== sorted[k - 1]) {
      distinct.push(v);
      if (distinct.length > maxBins) break;
    }
  }
  let out: Float64Array;
  if (distinct.length <= maxBins) {
    out = new Float64Array(Math.max(0, distinct.length - 1));
    for (let k = 0; k < out.length; k++) out[k] = (distinct[k]! + distinct[k + 1]!) * 0.5;
  } else {
    // np.percentile(col, np.linspace(0, 100, maxBins + 1)[1:-1], method='midpoint')
    out = new Float64Array(maxBins - 1);
    const step = 100 / maxBins;
    for (let k = 1; k < maxBins; k++) {
      const q = (k * step) / 100;
      const position = (n - 1) * q;
      const virtual = 0.5 * (Math.floor(position) + Math.ceil(position));
      let value: number;
      if (virtual >= n - 1) {
        value = sorted[n - 1]!;
      } else {
        const previous = Math.floor(virtual);
        const a = sorted[previous]!;
        const b = sorted[previous + 1]!;
        value = virtual % 1 === 0 ? a : b - (b - a) * 0.5;
      }
      out[k - 1] = value;
    }
  }
  for (let k = 0; k < out.length; k++) if (out[k]! > ALMOST_INF) out[k] = ALMOST_INF;
  return out;
}

/**
 * Bin of one value: the first threshold >= x (binary search), NaN -> missingBin.
 * @internal Exported for the package's tests; not part of the public API.
 */
export function binOf(thresholds: Float64Array, missingBin: number, x: number): number {
  if (x !== x) return missingBin;
  let length = thresholds.length;
  if (length === 0) return 0;
  // Branch-light lower bound: the loop runs log2(length) times whatever x is.
  let base = 0;
  while (length > 1) {
    const half = length >>> 1;
    base = thresholds[base + half - 1]! < x ? base + half : base;
    length -= half;
  }
  return thresholds[base]! < x ? base + 1 : base;
}

/** Rows binned together by {@link binColumns}. */
const BIN_ROW_BLOCK = 256;

/**
 * Bins rows `rows` (all rows when omitted) of `features` into `out`, column-major with stride
 * `rows.length` (row k of the selection, feature f at f * nSelected + k).
 * @internal Exported for the package's tests; not part of the public API.
 */
export function binColumns(features: Matrix, mapper: BinMapper, out: Uint8Array, rows?: Int32Array): Uint8Array {
  const { cols, data } = features;
  const n = rows === undefined ? features.rows : rows.length;
  const { thresholds, missingBin } = mapper;
  const categorical = mapper.categorical;
  if (categorical !== undefined) {
    const { isCategorical, known } = categorical;
    for (let k = 0; k < n; k++) {
      const base = (rows === undefined ? k : rows[k]!) * cols;
      for (let f = 0; f < cols; f++) {
        const x = data[base + f]!;
        out[f * n + k] = isCategorical[f] === 1 ? categoryBin(known, f, missingBin, x) : binOf(thresholds[f]!, missingBin, x);
      }
    }
    return out;
  }
  // binOf with every feature's thresholds padded to 255 with +Infinity (never < x): a fixed
  // eight-step lower bound, the same bin. Blocks of rows stay in L2 while each feature's
  // thresholds, in L1 in turn, bin them.
  const padded = new Float64Array(256 * cols).fill(Infinity);
  for (let f = 0; f < cols; f++) padded.set(thresholds[f]!, 256 * f);
  for (let k0 = 0; k0 < n; k0 += BIN_ROW_BLOCK) {
    const k1 = Math.min(n, k0 + BIN_ROW_BLOCK);
    for (let f = 0; f < cols; f++) {
      const t = 256 * f;
      const column = f * n;
      for (let k = k0; k < k1; k++) {
        const x = data[(rows === undefined ? k : rows[k]!) * cols + f]!;
        let b = padded[t + 127]! < x ? 128 : 0;
        if (padded[t + b + 63]! < x) b += 64;
        if (padded[t + b + 31]! < x) b += 32;
        if (padded[t + b + 15]! < x) b += 16;
        if (padded[t + b + 7]! < x) b += 8;
        if (padded[t + b + 3]! < x) b += 4;
        if (padded[t + b + 1]! < x) b += 2;
        if (padded[t + b]! < x) b += 1;
        out[column + k] = x !== x ? missingBin : b;
      }
    }
  }
  return out;
}

/** Bin of a categorical value: its code when training saw it, else (NaN, unknown, out of range) the missing bin. */
export function categoryBin(known: Int32Array, feature: number, missingBin: number, x: number): number {
  if (!(x >= 0 && x < missingBin) || !Number.isInteger(x)) return missingBin;
  return inBitset(known, feature * BITSET_WORDS, x) ? x : missingBin;
}
