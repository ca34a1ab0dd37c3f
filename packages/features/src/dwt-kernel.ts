/**
 * The inner loop of every DWT in this package: one analysis step over an extended signal.
 *
 * With F the filter length, `loReversed[i] = dec_lo[F-1-i]` and `ext` the signal extended by F-1
 * samples on the left, band k of the output is
 *   cA[k] = Σ_i loReversed[i] · ext[start + 2k + i],   cD[k] likewise with the high-pass filter,
 * where start = 1 for the redundant modes (c[k] = Σ_j h[j]·x(2k+1-j), pywt's convolution) and
 * start = F/2 for `periodization` (c[k] = Σ_j h[j]·x((2k + F/2 - j) mod n')). Both bands are
 * computed in one pass so every sample is loaded once per tap. Plain Float64Array arithmetic, no
 * allocation; filters of length 2, 4, 6 and 8 (haar, db1–db4, sym2–sym4) have unrolled loops that
 * keep the F-2 samples two neighbouring outputs share in locals; longer ones use a generic loop.
 * Sums run in the same order in every variant, so they agree bit for bit.
 */
export function analysisStep(
  ext: Float64Array,
  start: number,
  count: number,
  loReversed: Float64Array,
  hiReversed: Float64Array,
  outA: Float64Array,
  offsetA: number,
  outD: Float64Array,
  offsetD: number,
): void {
  const f = loReversed.length;
  if (f === 2) {
    const l0 = loReversed[0]!, l1 = loReversed[1]!;
    const h0 = hiReversed[0]!, h1 = hiReversed[1]!;
    for (let k = 0, p = start; k < count; k++, p += 2) {
      const x0 = ext[p]!, x1 = ext[p + 1]!;
      outA[offsetA + k] = l0 * x0 + l1 * x1;
      outD[offsetD + k] = h0 * x0 + h1 * x1;
    }
  } else if (f === 4) {
    const l0 = loReversed[0]!, l1 = loReversed[1]!, l2 = loReversed[2]!, l3 = loReversed[3]!;
    const h0 = hiReversed[0]!, h1 = hiReversed[1]!, h2 = hiReversed[2]!, h3 = hiReversed[3]!;
    // Consecutive outputs overlap by F-2 samples: keep them in locals and load two new ones per step.
    let x0 = ext[start]!, x1 = ext[start + 1]!;
    for (let k = 0, p = start + 2; k < count; k++, p += 2) {
      const x2 = ext[p]!, x3 = ext[p + 1]!;
      outA[offsetA + k] = l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3;
      outD[offsetD + k] = h0 * x0 + h1 * x1 + h2 * x2 + h3 * x3;
      x0 = x2;
      x1 = x3;
    }
  } else if (f === 6) {
    const l0 = loReversed[0]!, l1 = loReversed[1]!, l2 = loReversed[2]!, l3 = loReversed[3]!;
    const l4 = loReversed[4]!, l5 = loReversed[5]!;
    const h0 = hiReversed[0]!, h1 = hiReversed[1]!, h2 = hiReversed[2]!, h3 = hiReversed[3]!;
    const h4 = hiReversed[4]!, h5 = hiReversed[5]!;
    let x0 = ext[start]!, x1 = ext[start + 1]!, x2 = ext[start + 2]!, x3 = ext[start + 3]!;
    for (let k = 0, p = start + 4; k < count; k++, p += 2) {
      const x4 = ext[p]!, x5 = ext[p + 1]!;
      outA[offsetA + k] = l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3 + l4 * x4 + l5 * x5;
      outD[offsetD + k] = h0 * x0 + h1 * x1 + h2 * x2 + h3 * x3 + h4 * x4 + h5 * x5;
      x0 = x2;
      x1 = x3;
      x2 = x4;
      x3 = x5;
    }
  } else if (f === 8) {
    const l0 = loReversed[0]!, l1 = loReversed[1]!, l2 = loReversed[2]!, l3 = loReversed[3]!;
    const l4 = loReversed[4]!, l5 = loReversed[5]!, l6 = loReversed[6]!, l7 = loReversed[7]!;
    const h0 = hiReversed[0]!, h1 = hiReversed[1]!, h2 = hiReversed[2]!, h3 = hiReversed[3]!;
    const h4 = hiReversed[4]!, h5 = hiReversed[5]!, h6 = hiReversed[6]!, h7 = hiReversed[7]!;
    let x0 = ext[start]!, x1 = ext[start + 1]!, x2 = ext[start + 2]!;
    let x3 = ext[start + 3]!, x4 = ext[start + 4]!, x5 = ext[start + 5]!;
    for (let k = 0, p = start + 6; k < count; k++, p += 2) {
      const x6 = ext[p]!, x7 = ext[p + 1]!;
      outA[offsetA + k] = l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3 + l4 * x4 + l5 * x5 + l6 * x6 + l7 * x7;
      outD[offsetD + k] = h0 * x0 + h1 * x1 + h2 * x2 + h3 * x3 + h4 * x4 + h5 * x5 + h6 * x6 + h7 * x7;
      x0 = x2;
      x1 = x3;
      x2 = x4;
      x3 = x5;
      x4 = x6;
      x5 = x7;
    }
  } else {
    for (let k = 0, p = start; k < count; k++, p += 2) {
      let a = 0;
      let d = 0;
      for (let i = 0; i < f; i++) {
        const x = ext[p + i]!;
        a += loReversed[i]! * x;
        d += hiReversed[i]! * x;
      }
      outA[offsetA + k] = a;
      outD[offsetD + k] = d;
    }
  }
}
