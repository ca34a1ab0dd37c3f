/**
 * Sets of sample indices as sorted, disjoint, non-touching half-open runs `[start, end)`. Used to
 * evaluate mask arithmetic (union, intersection size, "any sample in a range") without building
 * per-sample masks.
 */
export interface IndexRuns {
  readonly starts: number[];
  readonly ends: number[];
}

/** Union of half-open ranges (any order; empty ranges ignored), clipped to `[0, n)`. */
export function unionRuns(ranges: readonly (readonly [number, number])[], n: number): IndexRuns {
  const clipped = ranges
    .map(([a, b]) => [Math.max(0, a), Math.min(n, b)] as const)
    .filter(([a, b]) => a < b)
    .sort((x, y) => x[0] - y[0]);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const [a, b] of clipped) {
    const last = ends.length - 1;
    if (last >= 0 && a <= ends[last]!) {
      if (b > ends[last]!) ends[last] = b;
    } else {
      starts.push(a);
      ends.push(b);
    }
  }
  return { starts, ends };
}

/** Total number of indices in the set. */
export function runsSize(set: IndexRuns): number {
  let total = 0;
  for (let k = 0; k < set.starts.length; k++) total += set.ends[k]! - set.starts[k]!;
  return total;
}

/** First run whose end is after `a`. */
function firstEndingAfter(set: IndexRuns, a: number): number {
  let lo = 0;
  let hi = set.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (set.ends[mid]! <= a) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of indices of the set inside `[a, b)`. */
export function countInRange(set: IndexRuns, a: number, b: number): number {
  let total = 0;
  for (let k = firstEndingAfter(set, a); k < set.starts.length && set.starts[k]! < b; k++) {
    total += Math.min(b, set.ends[k]!) - Math.max(a, set.starts[k]!);
  }
  return total;
}

/** Size of the intersection of two sets. */
export function intersectionSize(x: IndexRuns, y: IndexRuns): number {
  let total = 0;
  let j = 0;
  for (let i = 0; i < x.starts.length; i++) {
    while (j < y.starts.length && y.ends[j]! <= x.starts[i]!) j++;
    for (let k = j; k < y.starts.length && y.starts[k]! < x.ends[i]!; k++) {
      total += Math.min(x.ends[i]!, y.ends[k]!) - Math.max(x.starts[i]!, y.starts[k]!);
    }
  }
  return total;
}
