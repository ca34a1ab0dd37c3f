import { throwIfAborted } from '@pipeline/core';

/** Writes the gradient at `x` into `gradient` and returns the function value. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface MinimizeOptions {
  /** Stop when the largest absolute gradient component is at most this. */
  readonly tol: number;
  readonly maxIter: number;
  readonly signal?: AbortSignal | undefined;
}

export interface LbfgsOptions extends MinimizeOptions {
  /** Number of correction pairs kept. Default 10. */
  readonly memory?: number;
  /** Function evaluations allowed per line search. Default 40. */
  readonly maxLineSearch?: number;
}

export interface MinimizeResult {
  readonly x: Float64Array;
  readonly value: number;
  /** Largest absolute gradient component at `x`. */
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  /** Why it stopped: the gradient tolerance was met, the iteration limit, or no step made progress. */
  readonly reason: 'gradient' | 'max-iter' | 'line-search';
}

const { abs, sqrt, min } = Math;
const ARMIJO = 1e-4;
const CURVATURE = 0.9;

/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4, two-loop recursion with the scaling
 * γ = sᵀy / yᵀy) in float64, for smooth convex objectives. The line search looks for a step
 * meeting the strong Wolfe conditions, bracketing and interpolating on the directional derivative
 * (monotone for a convex function); near the optimum, where function differences drown in rounding,
 * the Armijo test allows a relative slack of 1e-12 |f| so progress continues on the gradient alone.
 * Stops only on the gradient tolerance, the iteration limit, or when no step decreases it.
 */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions): MinimizeResult {
  const n = x0.length;
  const memory = options.memory ?? 10;
  const maxLineSearch = options.maxLineSearch ?? 40;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let value = objective(x, g);
  let evaluations = 1;
  const xNext = new Float64Array(n);
  const gNext = new Float64Array(n);
  const direction = new Float64Array(n);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);
  let iterations = 0;
  let reason: MinimizeResult['reason'] = 'max-iter';
  let gradientNorm = maxAbs(g);
  if (gradientNorm <= options.tol) reason = 'gradient';
  while (reason === 'max-iter' && iterations < options.maxIter) {
    if (iterations % 16 === 0) throwIfAborted(options.signal, 'logistic regression fit');
    // Two-loop recursion: direction = -H g.
    for (let i = 0; i < n; i++) direction[i] = -g[i]!;
    for (let k = s.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(s[k]!, direction);
      axpy(-alpha[k]!, y[k]!, direction);
    }
    if (s.length > 0) {
      const last = s.length - 1;
      scale(direction, dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!));
    }
    for (let k = 0; k < s.length; k++) {
      const beta = rho[k]! * dot(y[k]!, direction);
      axpy(alpha[k]! - beta, s[k]!, direction);
    }
    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerically): restart from steepest descent.
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -g[i]!;
      slope = dot(g, direction);
    }
    const initial = s.length === 0 ? min(1, 1 / sqrt(-slope)) : 1;
    const step = lineSearch(objective, x, value, slope, direction, initial, maxLineSearch, xNext, gNext);
    evaluations += step.evaluations;
    if (step.alpha === 0) {
      if (s.length > 0) {
        s.length = y.length = rho.length = 0; // retry once from steepest descent
        continue;
      }
      reason = 'line-search';
      break;
    }
    iterations++;
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = xNext[i]! - x[i]!;
      yk[i] = gNext[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12 * dot(yk, yk)) {
      if (s.length === memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    x.set(xNext);
    g.set(gNext);
    value = step.value;
    gradientNorm = maxAbs(g);
    if (gradientNorm <= options.tol) reason = 'gradient';
  }
  return { x, value, gradientNorm, iterations, evaluations, converged: reason === 'gradient', reason };
}

interface StepResult {
  /** Accepted step length, 0 if none was found. */
  readonly alpha: number;
  readonly value: number;
  readonly evaluations: number;
}

function lineSearch(
  objective: Objective,
  x: Float64Array,
  value0: number,
  slope0: number,
  direction: Float64Array,
  initial: number,
  maxEvaluations: number,
  xOut: Float64Array,
  gOut: Float64Array,
): StepResult {
  const slack = 1e-12 * abs(value0);
  let lo = 0;
  let slopeLo = slope0;
  let hi = Infinity;
  let slopeHi = NaN;
  let alpha = initial;
  for (let evaluation = 1; evaluation <= maxEvaluations; evaluation++) {
    for (let i = 0; i < x.length; i++) xOut[i] = x[i]! + alpha * direction[i]!;
    const value = objective(xOut, gOut);
    const slope = dot(gOut, direction);
    if (!Number.isFinite(value) || value > value0 + ARMIJO * alpha * slope0 + slack) {
      hi = alpha;
      slopeHi = Number.isFinite(value) && Number.isFinite(slope) && slope > 0 ? slope : NaN;
    } else if (slope < CURVATURE * slope0) {
      lo = alpha; // still descending steeply: the step is too short
      slopeLo = slope;
    } else if (slope > -CURVATURE * slope0) {
      hi = alpha; // overshot the minimum along the line
      slopeHi = slope;
    } else {
      return { alpha, value, evaluations: evaluation };
    }
    if (hi === Infinity) alpha *= 4;
    else {
      // Secant on the (monotone) directional derivative, kept inside the bracket; else bisection.
      const width = hi - lo;
      const secant = Number.isNaN(slopeHi) ? NaN : lo - (slopeLo * width) / (slopeHi - slopeLo);
      alpha = secant > lo + 0.1 * width && secant < hi - 0.1 * width ? secant : lo + 0.5 * width;
      if (width <= 1e-16 * hi) break;
    }
  }
  if (lo > 0) {
    // Out of evaluations with a step that decreases the function but is short: take it.
    for (let i = 0; i < x.length; i++) xOut[i] = x[i]! + lo * direction[i]!;
    return { alpha: lo, value: objective(xOut, gOut), evaluations: maxEvaluations + 1 };
  }
  return { alpha: 0, value: value0, evaluations: maxEvaluations };
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}

/** Largest absolute component (NaN if any component is NaN). */
export function maxAbs(x: Float64Array): number {
  let max = 0;
  for (const v of x) {
    const a = abs(v);
    if (a > max || Number.isNaN(a)) max = a;
  }
  return max;
}
