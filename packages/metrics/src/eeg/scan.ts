import type { BlockExtrema } from './block-extrema.js';

/**
 * Tight scans over a probability trace, the inner loops of binarization. `up` finds the first
 * sample that turns a detector ON (`p >= level`, or `p > level` when strict); `down` the first
 * that turns it OFF (the negation, so NaN is OFF). With a block index, whole blocks that cannot
 * contain such a sample are skipped. The two functions (and their strict/non-strict loops) are
 * written out separately so that each hot loop has one fixed comparison.
 */
export function scanUp(p: ArrayLike<number>, from: number, level: number, strict: boolean, index?: BlockExtrema): number {
  const n = p.length;
  let i = from;
  if (index !== undefined) {
    const size = index.blockSize;
    while (i < n) {
      const b = Math.floor(i / size);
      const end = Math.min(n, (b + 1) * size);
      const hi = index.max[b]!;
      if (strict ? hi <= level : hi < level) {
        i = end;
        continue;
      }
      if (strict) {
        for (; i < end; i++) if (p[i]! > level) return i;
      } else {
        for (; i < end; i++) if (p[i]! >= level) return i;
      }
    }
    return n;
  }
  if (strict) {
    for (; i < n; i++) if (p[i]! > level) return i;
  } else {
    for (; i < n; i++) if (p[i]! >= level) return i;
  }
  return n;
}

export function scanDown(p: ArrayLike<number>, from: number, level: number, strict: boolean, index?: BlockExtrema): number {
  const n = p.length;
  let i = from;
  if (index !== undefined) {
    const size = index.blockSize;
    while (i < n) {
      const b = Math.floor(i / size);
      const end = Math.min(n, (b + 1) * size);
      const lo = index.min[b]!;
      if (strict ? lo > level : lo >= level) {
        i = end;
        continue;
      }
      if (strict) {
        for (; i < end; i++) if (!(p[i]! > level)) return i;
      } else {
        for (; i < end; i++) if (!(p[i]! >= level)) return i;
      }
    }
    return n;
  }
  if (strict) {
    for (; i < n; i++) if (!(p[i]! > level)) return i;
  } else {
    for (; i < n; i++) if (!(p[i]! >= level)) return i;
  }
  return n;
}
