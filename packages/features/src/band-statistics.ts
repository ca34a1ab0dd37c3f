/** Statistics of one band of coefficients, as the dwt-combo recipe names them. */
export interface BandStatistics {
  mean: number;
  /** Population standard deviation (ddof = 0, numpy's default). */
  std: number;
  /** Mean absolute value. */
  mav: number;
  /** Σ c². */
  energy: number;
  maxAbs: number;
  /**
   * Shannon entropy (nats) of the energy distribution p_i = c_i² / Σ c². A band whose energy is at
   * most `zeroEnergy` is numerically zero (e.g. rounding residue of a constant signal), where the
   * entropy would only measure rounding noise: it is defined as 0.
   */
  entropy: number;
}

/** Fills `out` with the statistics of `values[offset, offset + length)`. Two passes, no allocation. */
export function bandStatistics(
  values: Float64Array,
  offset: number,
  length: number,
  out: BandStatistics,
  withEntropy: boolean,
  zeroEnergy = 0,
): void {
  let sum = 0;
  let sumAbs = 0;
  let energy = 0;
  let maxAbs = 0;
  const end = offset + length;
  for (let i = offset; i < end; i++) {
    const v = values[i]!;
    const a = Math.abs(v);
    sum += v;
    sumAbs += a;
    energy += v * v;
    if (a > maxAbs) maxAbs = a;
  }
  const mean = sum / length;
  let squares = 0;
  let entropy = 0;
  const inverseEnergy = energy > zeroEnergy ? 1 / energy : 0;
  for (let i = offset; i < end; i++) {
    const v = values[i]!;
    const d = v - mean;
    squares += d * d;
    if (withEntropy) {
      const p = v * v * inverseEnergy;
      if (p > 0) entropy -= p * Math.log(p);
    }
  }
  out.mean = mean;
  out.std = Math.sqrt(squares / length);
  out.mav = sumAbs / length;
  out.energy = energy;
  out.maxAbs = maxAbs;
  out.entropy = entropy;
}
