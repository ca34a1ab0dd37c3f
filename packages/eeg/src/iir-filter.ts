/**
 * Zero-phase IIR filtering in second-order sections: Butterworth design as `scipy.signal.butter(…,
 * output='sos')` (analog prototype → frequency transform → bilinear transform with pre-warping),
 * the notch of `scipy.signal.iirnotch`, and forward–backward filtering with odd extension and
 * steady-state initial conditions, as `scipy.signal.sosfiltfilt` with its defaults.
 */

/** Second-order sections, rows `[b0, b1, b2, 1, a1, a2]`. */
export type Sos = ReadonlyArray<readonly [number, number, number, number, number, number]>;

type Complex = [number, number];
const cadd = (a: Complex, b: Complex): Complex => [a[0] + b[0], a[1] + b[1]];
const csub = (a: Complex, b: Complex): Complex => [a[0] - b[0], a[1] - b[1]];
const cmul = (a: Complex, b: Complex): Complex => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cdiv = (a: Complex, b: Complex): Complex => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
const cscale = (a: Complex, s: number): Complex => [a[0] * s, a[1] * s];
function csqrt(a: Complex): Complex {
  const r = Math.hypot(a[0], a[1]);
  const re = Math.sqrt((r + a[0]) / 2);
  const im = Math.sqrt(Math.max(0, (r - a[0]) / 2));
  return [re, a[1] < 0 ? -im : im];
}

export type ButterType = 'lowpass' | 'highpass' | 'bandpass' | 'bandstop';

/** Butterworth filter of order `order` as second-order sections. `cutoff` in Hz (two values for band filters). */
export function butterSos(order: number, cutoff: number | readonly [number, number], type: ButterType, fs: number): Sos {
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`order must be a positive integer, got ${order}`);
  const edges = typeof cutoff === 'number' ? [cutoff] : [...cutoff];
  const nyquist = fs / 2;
  for (const f of edges) if (!(f > 0 && f < nyquist)) throw new RangeError(`cutoff ${f} Hz must be in (0, ${nyquist}) Hz`);
  if ((type === 'bandpass' || type === 'bandstop') !== (edges.length === 2)) throw new RangeError(`${type} needs ${type.startsWith('band') ? 'two cutoffs' : 'one cutoff'}`);
  // Pre-warp for the bilinear transform with fs = 2 (normalized frequencies).
  const warped = edges.map((f) => 4 * Math.tan((Math.PI * (f / nyquist)) / 2));
  // Analog prototype: poles -exp(jπ m / 2N), m = -N+1, -N+3, …, N-1.
  let zeros: Complex[] = [];
  let poles: Complex[] = [];
  for (let m = -order + 1; m < order; m += 2) {
    const theta = (Math.PI * m) / (2 * order);
    poles.push([-Math.cos(theta), -Math.sin(theta)]);
  }
  let gain = 1;
  const degree = poles.length - zeros.length;
  if (type === 'lowpass') {
    const wo = warped[0]!;
    poles = poles.map((p) => cscale(p, wo));
    gain *= wo ** degree;
  } else if (type === 'highpass') {
    const wo = warped[0]!;
    let num: Complex = [1, 0];
    for (const p of poles) num = cmul(num, cscale(p, -1));
    gain *= 1 / num[0];
    poles = poles.map((p) => cdiv([wo, 0], p));
    zeros = Array.from({ length: degree }, () => [0, 0] as Complex);
  } else {
    const bw = warped[1]! - warped[0]!;
    const wo = Math.sqrt(warped[0]! * warped[1]!);
    if (type === 'bandpass') {
      const lp = poles.map((p) => cscale(p, bw / 2));
      poles = [...lp.map((p) => cadd(p, csqrt(csub(cmul(p, p), [wo * wo, 0])))), ...lp.map((p) => csub(p, csqrt(csub(cmul(p, p), [wo * wo, 0]))))];
      zeros = Array.from({ length: degree }, () => [0, 0] as Complex);
      gain *= bw ** degree;
    } else {
      let num: Complex = [1, 0];
      for (const p of poles) num = cmul(num, cscale(p, -1));
      gain *= 1 / num[0];
      const hp = poles.map((p) => cdiv([bw / 2, 0], p));
      poles = [...hp.map((p) => cadd(p, csqrt(csub(cmul(p, p), [wo * wo, 0])))), ...hp.map((p) => csub(p, csqrt(csub(cmul(p, p), [wo * wo, 0]))))];
      zeros = [];
      for (let i = 0; i < degree; i++) zeros.push([0, wo], [0, -wo]);
    }
  }
  // Bilinear transform (fs = 2 → 2·fs = 4).
  const fs2: Complex = [4, 0];
  let num: Complex = [1, 0];
  let den: Complex = [1, 0];
  for (const z of zeros) num = cmul(num, csub(fs2, z));
  for (const p of poles) den = cmul(den, csub(fs2, p));
  gain *= cdiv(num, den)[0];
  const zz = zeros.map((z) => cdiv(cadd(fs2, z), csub(fs2, z)));
  const pz = poles.map((p) => cdiv(cadd(fs2, p), csub(fs2, p)));
  while (zz.length < pz.length) zz.push([-1, 0]);
  return zpkToSos(zz, pz, gain);
}

/** Pairs zeros and poles into real second-order sections (conjugate pairs kept together; gain on the first). */
function zpkToSos(zeros: Complex[], poles: Complex[], gain: number): Sos {
  const pairUp = (roots: Complex[]): Array<[Complex, Complex]> => {
    const complex = roots.filter((r) => r[1] > 1e-12).sort((a, b) => b[0] - a[0]);
    const real = roots.filter((r) => Math.abs(r[1]) <= 1e-12).map((r) => [r[0], 0] as Complex).sort((a, b) => b[0] - a[0]);
    const pairs: Array<[Complex, Complex]> = complex.map((c) => [c, [c[0], -c[1]]]);
    for (let i = 0; i < real.length; i += 2) pairs.push([real[i]!, real[i + 1] ?? [0, 0]]);
    return pairs;
  };
  const pp = pairUp(poles);
  const zp = pairUp(zeros);
  const n = Math.max(pp.length, zp.length);
  const sos: Array<[number, number, number, number, number, number]> = [];
  for (let i = 0; i < n; i++) {
    const [z1, z2] = zp[i] ?? [[0, 0] as Complex, [0, 0] as Complex];
    const [p1, p2] = pp[i] ?? [[0, 0] as Complex, [0, 0] as Complex];
    // A lone real root is paired with 0, which gives the first-order section [1, -r, 0].
    const b: [number, number, number] = [1, -(z1[0] + z2[0]), cmul(z1, z2)[0]];
    const a: [number, number, number] = [1, -(p1[0] + p2[0]), cmul(p1, p2)[0]];
    sos.push([b[0], b[1], b[2], a[0], a[1], a[2]]);
  }
  sos[0] = [sos[0]![0] * gain, sos[0]![1] * gain, sos[0]![2] * gain, 1, sos[0]![4], sos[0]![5]];
  return sos;
}

/** Second-order IIR notch at `f0` Hz with quality `q` (`scipy.signal.iirnotch`), as one section. */
export function notchSos(f0: number, q: number, fs: number): Sos {
  if (!(f0 > 0 && f0 < fs / 2)) throw new RangeError(`notch frequency ${f0} Hz must be in (0, ${fs / 2}) Hz`);
  const w0 = (2 * f0) / fs;
  const bw = w0 / q;
  const beta = Math.tan((bw * Math.PI) / 2);
  const gain = 1 / (1 + beta);
  const c = Math.cos(Math.PI * w0);
  return [[gain, -2 * c * gain, gain, 1, -2 * c * gain, 2 * gain - 1]];
}

/** Causal filtering (direct form II transposed per section), optionally from initial states `zi` (sections × 2). */
export function sosfilt(sos: Sos, x: ArrayLike<number>, zi?: Float64Array): Float64Array {
  const y = Float64Array.from(x);
  sos.forEach((section, s) => {
    const [b0, b1, b2, , a1, a2] = section;
    let z0 = zi ? zi[2 * s]! : 0;
    let z1 = zi ? zi[2 * s + 1]! : 0;
    for (let n = 0; n < y.length; n++) {
      const xn = y[n]!;
      const yn = b0 * xn + z0;
      z0 = b1 * xn - a1 * yn + z1;
      z1 = b2 * xn - a2 * yn;
      y[n] = yn;
    }
    if (zi) {
      zi[2 * s] = z0;
      zi[2 * s + 1] = z1;
    }
  });
  return y;
}

/** Steady-state initial conditions for a unit step (`scipy.signal.sosfilt_zi`), sections × 2. */
export function sosfiltZi(sos: Sos): Float64Array {
  const zi = new Float64Array(2 * sos.length);
  let scale = 1;
  sos.forEach(([b0, b1, b2, , a1, a2], s) => {
    // lfilter_zi: solve [[1 + a1, -1], [a2, 1]] z = [b1 - a1 b0, b2 - a2 b0].
    const r0 = b1 - a1 * b0;
    const r1 = b2 - a2 * b0;
    const det = 1 + a1 + a2;
    const z0 = (r0 + r1) / det;
    const z1 = r1 - a2 * z0;
    zi[2 * s] = scale * z0;
    zi[2 * s + 1] = scale * z1;
    scale *= (b0 + b1 + b2) / (1 + a1 + a2);
  });
  return zi;
}

/**
 * Zero-phase forward–backward filtering, `scipy.signal.sosfiltfilt(sos, x)` with its defaults: odd
 * extension of `3·(2·sections + 1 − min(#b2 = 0, #a2 = 0))` samples at each end (fewer when the
 * signal is shorter: then the whole signal minus one), steady-state initial conditions.
 */
export function sosfiltfilt(sos: Sos, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  if (n === 0) return new Float64Array(0);
  const zeroB2 = sos.filter((s) => s[2] === 0).length;
  const zeroA2 = sos.filter((s) => s[5] === 0).length;
  const ntaps = 2 * sos.length + 1 - Math.min(zeroB2, zeroA2);
  const padlen = Math.min(3 * ntaps, n - 1);
  const ext = new Float64Array(n + 2 * padlen);
  const first = Number(x[0]);
  const last = Number(x[n - 1]);
  for (let i = 0; i < padlen; i++) ext[i] = 2 * first - Number(x[padlen - i]);
  for (let i = 0; i < n; i++) ext[padlen + i] = Number(x[i]);
  for (let i = 0; i < padlen; i++) ext[padlen + n + i] = 2 * last - Number(x[n - 2 - i]);
  const zi = sosfiltZi(sos);
  const forwardState = zi.map((v) => v * ext[0]!);
  const forward = sosfilt(sos, ext, forwardState);
  forward.reverse();
  const backwardState = zi.map((v) => v * forward[0]!);
  const backward = sosfilt(sos, forward, backwardState);
  backward.reverse();
  return backward.slice(padlen, padlen + n);
}
