/**
 * Polyphase resampling by a rational factor `up/down`, the same definition as
 * `scipy.signal.resample_poly` with its defaults: a Kaiser-windowed sinc low-pass FIR (β = 5,
 * `2·10·max(up, down) + 1` taps, cutoff `1/max(up, down)` of Nyquist, gain `up`) and zero padding
 * outside the signal. Output sample n sits at input time `n·down/up`; length `ceil(n_in·up/down)`.
 */
export function resamplePoly(x: ArrayLike<number>, up: number, down: number): Float64Array {
  if (!Number.isInteger(up) || !Number.isInteger(down) || up < 1 || down < 1) throw new RangeError(`resamplePoly needs positive integers, got ${up}/${down}`);
  const g = gcd(up, down);
  up /= g;
  down /= g;
  const nIn = x.length;
  if (up === 1 && down === 1) return Float64Array.from(x);
  const nOut = Math.ceil((nIn * up) / down);
  const h = resampleFilter(up, down);
  const half = (h.length - 1) / 2;
  const out = new Float64Array(nOut);
  for (let n = 0; n < nOut; n++) {
    const center = n * down + half; // y[n] = Σ_i h[center − i·up] x[i]
    let iLo = Math.ceil((center - (h.length - 1)) / up);
    let iHi = Math.floor(center / up);
    if (iLo < 0) iLo = 0;
    if (iHi > nIn - 1) iHi = nIn - 1;
    let sum = 0;
    for (let i = iLo; i <= iHi; i++) sum += h[center - i * up]! * Number(x[i]);
    out[n] = sum;
  }
  return out;
}

/** Resamples from `fromRate` to `toRate` Hz (rates reduced to a rational up/down by their ratio). */
export function resampleTo(x: ArrayLike<number>, fromRate: number, toRate: number): Float64Array {
  if (fromRate === toRate) return Float64Array.from(x);
  const [up, down] = rationalRatio(toRate, fromRate);
  return resamplePoly(x, up, down);
}

/** `a/b` as a reduced fraction of integers (rates like 250, 256, 199.98 are handled to 1e-6). */
export function rationalRatio(a: number, b: number): [number, number] {
  let scale = 1;
  while ((!Number.isInteger(a * scale) || !Number.isInteger(b * scale)) && scale < 1e6) scale *= 10;
  const p = Math.round(a * scale);
  const q = Math.round(b * scale);
  const g = gcd(p, q);
  return [p / g, q / g];
}

const filterCache = new Map<string, Float64Array>();

/** scipy's `firwin(2·half+1, 1/max, window=('kaiser', 5.0)) · up` with `half = 10·max(up, down)`. */
export function resampleFilter(up: number, down: number): Float64Array {
  const key = `${up}/${down}`;
  const cached = filterCache.get(key);
  if (cached) return cached;
  const maxRate = Math.max(up, down);
  const cutoff = 1 / maxRate;
  const half = 10 * maxRate;
  const taps = 2 * half + 1;
  const h = new Float64Array(taps);
  const beta = 5;
  const i0beta = besselI0(beta);
  let sum = 0;
  for (let k = 0; k < taps; k++) {
    const m = k - half;
    const sinc = m === 0 ? 1 : Math.sin(Math.PI * cutoff * m) / (Math.PI * cutoff * m);
    const r = (2 * k) / (taps - 1) - 1;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0beta;
    h[k] = cutoff * sinc * window;
    sum += h[k]!;
  }
  for (let k = 0; k < taps; k++) h[k] = (h[k]! / sum) * up;
  if (filterCache.size > 32) filterCache.clear();
  filterCache.set(key, h);
  return h;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges for all x used here). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
