import { throwIfAborted } from '@pipeline/core';
import { dot, maxAbs, type MinimizeOptions, type MinimizeResult, type Objective } from './lbfgs.js';

/** Writes the Hessian at `x` (dense, row-major, n × n) into `hessian`. */
export type Hessian = (x: Float64Array, hessian: Float64Array) => void;

const ARMIJO = 1e-4;

/**
 * Newton's method with a backtracking (Armijo) line search, for small smooth convex problems where
 * the exact Hessian is cheap: quadratic convergence whatever the conditioning (a stacking matrix
 * whose columns sum to one per model is nearly collinear, which slows L-BFGS down). The Newton system
 * is solved by Cholesky; a direction the Hessian does not curve (e.g. a common shift of multinomial
 * intercepts) gets a tiny ridge, so its step is nil. Stops on the gradient tolerance.
 */
export function minimizeNewton(objective: Objective, hessian: Hessian, x0: Float64Array, options: MinimizeOptions): MinimizeResult {
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  const step = new Float64Array(n);
  const trial = new Float64Array(n);
  const gTrial = new Float64Array(n);
  let value = objective(x, g);
  let evaluations = 1;
  let iterations = 0;
  let gradientNorm = maxAbs(g);
  let reason: MinimizeResult['reason'] = gradientNorm <= options.tol ? 'gradient' : 'max-iter';
  while (reason === 'max-iter' && iterations < options.maxIter) {
    throwIfAborted(options.signal, 'logistic regression fit');
    hessian(x, h);
    for (let i = 0; i < n; i++) step[i] = -g[i]!;
    solveSymmetric(h, n, step);
    let slope = dot(g, step);
    if (!(slope < 0)) {
      for (let i = 0; i < n; i++) step[i] = -g[i]!; // numerically indefinite: fall back to steepest descent
      slope = dot(g, step);
    }
    const slack = 1e-12 * Math.abs(value);
    let alpha = 1;
    let accepted = false;
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < n; i++) trial[i] = x[i]! + alpha * step[i]!;
      const candidate = objective(trial, gTrial);
      evaluations++;
      if (Number.isFinite(candidate) && candidate <= value + ARMIJO * alpha * slope + slack) {
        x.set(trial);
        g.set(gTrial);
        value = candidate;
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) {
      reason = 'line-search';
      break;
    }
    iterations++;
    gradientNorm = maxAbs(g);
    if (gradientNorm <= options.tol) reason = 'gradient';
  }
  return { x, value, gradientNorm, iterations, evaluations, converged: reason === 'gradient', reason };
}

/**
 * Solves H·s = b in place (b becomes s) for a symmetric positive semi-definite H by Cholesky
 * (H is overwritten). Pivots below 1e-12 of the largest diagonal entry are raised to that floor.
 */
function solveSymmetric(h: Float64Array, n: number, b: Float64Array): void {
  let maxDiagonal = 0;
  for (let i = 0; i < n; i++) maxDiagonal = Math.max(maxDiagonal, h[i * n + i]!);
  const floor = 1e-12 * (maxDiagonal > 0 ? maxDiagonal : 1);
  for (let j = 0; j < n; j++) {
    let pivot = h[j * n + j]!;
    for (let k = 0; k < j; k++) pivot -= h[j * n + k]! ** 2;
    pivot = Math.sqrt(Math.max(pivot, floor));
    h[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let sum = h[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= h[i * n + k]! * h[j * n + k]!;
      h[i * n + j] = sum / pivot;
    }
  }
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= h[i * n + k]! * b[k]!;
    b[i] = sum / h[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let k = i + 1; k < n; k++) sum -= h[k * n + i]! * b[k]!;
    b[i] = sum / h[i * n + i]!;
  }
}
