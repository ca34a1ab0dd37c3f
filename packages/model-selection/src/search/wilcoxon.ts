/**
 * One-sided exact Wilcoxon signed-rank test on paired differences. Zero differences are ranked
 * with the others and split half to each side (scipy's `zsplit`); since that half is the same in
 * every sign assignment, the exact null distribution is that of the sum of (average, doubled)
 * ranks of the non-zero differences under independent fair signs, computed by dynamic programming.
 *
 * `alternative = 'less'`: H1 says the differences tend to be negative; p = P(T+ <= observed T+).
 * `'greater'`: p = P(T+ >= observed T+).
 */
export function wilcoxonSignedRankP(differences: readonly number[], alternative: 'less' | 'greater'): number {
  const n = differences.length;
  if (n === 0) return 1;
  const order = differences.map((d, i) => ({ a: Math.abs(d), i })).sort((x, y) => x.a - y.a);
  // Doubled average ranks (integers).
  const rank2 = new Array<number>(n).fill(0);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && order[end + 1]!.a === order[start]!.a) end++;
    const doubled = start + 1 + end + 1; // 2 × average of ranks start+1..end+1
    for (let k = start; k <= end; k++) rank2[order[k]!.i] = doubled;
    start = end + 1;
  }
  const weights: number[] = [];
  let observed = 0;
  for (let i = 0; i < n; i++) {
    if (differences[i] === 0) continue;
    weights.push(rank2[i]!);
    if (differences[i]! > 0) observed += rank2[i]!;
  }
  if (weights.length === 0) return 1;
  const total = weights.reduce((a, b) => a + b, 0);
  // counts[s] = number of sign assignments with doubled positive rank sum s.
  let counts = new Float64Array(total + 1);
  counts[0] = 1;
  for (const w of weights) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= total; s++) {
      const c = counts[s]!;
      if (c === 0) continue;
      next[s] = next[s]! + c;
      next[s + w] = next[s + w]! + c;
    }
    counts = next;
  }
  const all = 2 ** weights.length;
  let tail = 0;
  if (alternative === 'less') for (let s = 0; s <= observed; s++) tail += counts[s]!;
  else for (let s = observed; s <= total; s++) tail += counts[s]!;
  return tail / all;
}
