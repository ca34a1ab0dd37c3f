import type { Objective } from './lbfgs.js';
import type { Hessian } from './newton.js';

// Module-level bindings: inside a vm context (jest), global lookups such as `Math` in a hot loop
// are several times slower than a module constant.
const { exp, log, log1p, abs, max: maximum } = Math;
const NEGATIVE_INFINITY = -Infinity;

/**
 * The regularized logistic loss, divided by `C · Σ weights` (the same minimizer as scikit-learn's
 * `0.5·‖W‖² + C·Σᵢ wᵢ·logloss(i)`, scaled so the gradient tolerance does not depend on the data
 * size). Parameters are laid out as `[W (rows × p, row-major), b (rows)]`, with `b` present only when
 * fitting an intercept. Binary problems (`rows = 1`) use the logistic sigmoid of one score,
 * multinomial ones (`rows = k`) the softmax of k scores.
 */
export interface LogisticProblem {
  /** Row-major design, n × p, float64. */
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Position of each row's class in the model's classes (0..k-1). */
  readonly target: Int32Array;
  readonly nClasses: number;
  /** Row weights divided by their sum. */
  readonly weight: Float64Array;
  /** 1 / (C · Σ weights): the penalty factor on ½‖W‖². */
  readonly penalty: number;
  readonly fitIntercept: boolean;
}

/** Number of coefficient rows: 1 for two classes, k otherwise. */
export function coefficientRows(nClasses: number): number {
  return nClasses === 2 ? 1 : nClasses;
}

export function parameterCount(problem: LogisticProblem): number {
  const rows = coefficientRows(problem.nClasses);
  return rows * problem.p + (problem.fitIntercept ? rows : 0);
}

export function logisticObjective(problem: LogisticProblem): Objective {
  return coefficientRows(problem.nClasses) === 1 ? binaryObjective(problem) : multinomialObjective(problem);
}

function binaryObjective({ x, n, p, target, weight, penalty, fitIntercept }: LogisticProblem): Objective {
  const residual = new Float64Array(n);
  return (theta, gradient) => {
    const b = fitIntercept ? theta[p]! : 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const w = weight[i]!;
      const base = i * p;
      let z = b;
      for (let j = 0; j < p; j++) z += x[base + j]! * theta[j]!;
      // loss = log(1 + e^z) − y·z, computed stably; sigmoid from the same exponential.
      const e = exp(-abs(z));
      const sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const y = target[i]!;
      loss += w * (maximum(z, 0) + log1p(e) - y * z);
      residual[i] = w * (sigmoid - y);
    }
    accumulateGradient(x, n, p, residual, 1, gradient, fitIntercept);
    return loss + penalize(theta, gradient, p, penalty);
  };
}

function multinomialObjective({ x, n, p, target, nClasses: k, weight, penalty, fitIntercept }: LogisticProblem): Objective {
  const residual = new Float64Array(n * k);
  const offset = k * p;
  return (theta, gradient) => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const w = weight[i]!;
      const base = i * p;
      const out = i * k;
      let max = NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        let score = fitIntercept ? theta[offset + c]! : 0;
        const row = c * p;
        for (let j = 0; j < p; j++) score += x[base + j]! * theta[row + j]!;
        residual[out + c] = score;
        if (score > max) max = score;
      }
      const y = target[i]!;
      const shiftedY = residual[out + y]! - max;
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = exp(residual[out + c]! - max);
        residual[out + c] = e;
        sum += e;
      }
      // −log softmax_y = log Σ exp(z_c − max) − (z_y − max).
      loss += w * (log(sum) - shiftedY);
      const scale = w / sum;
      for (let c = 0; c < k; c++) residual[out + c] = residual[out + c]! * scale;
      residual[out + y]! -= w;
    }
    accumulateGradient(x, n, p, residual, k, gradient, fitIntercept);
    return loss + penalize(theta, gradient, k * p, penalty);
  };
}

/**
 * gradient[c·p + j] = Σᵢ residual[i·k + c]·x[i·p + j], and the intercept part Σᵢ residual[i·k + c].
 * Narrow data (p ≤ 64, the usual stacking matrix) is taken in blocks of rows that stay in cache,
 * each sum running down a column in a register (faster in JS than scattering into the gradient row
 * by row); wide data is scanned row by row so the design is read once, in memory order.
 */
function accumulateGradient(
  x: Float64Array,
  n: number,
  p: number,
  residual: Float64Array,
  k: number,
  gradient: Float64Array,
  fitIntercept: boolean,
): void {
  gradient.fill(0, 0, k * p);
  if (p <= 64) {
    const block = Math.max(256, Math.floor(16384 / p));
    for (let start = 0; start < n; start += block) {
      const end = start + block < n ? start + block : n;
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < p; j++) {
          let sum = 0;
          for (let i = start; i < end; i++) sum += residual[i * k + c]! * x[i * p + j]!;
          gradient[c * p + j]! += sum;
        }
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const base = i * p;
      for (let c = 0; c < k; c++) {
        const r = residual[i * k + c]!;
        if (r === 0) continue;
        const row = c * p;
        for (let j = 0; j < p; j++) gradient[row + j]! += r * x[base + j]!;
      }
    }
  }
  if (fitIntercept) {
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += residual[i * k + c]!;
      gradient[k * p + c] = sum;
    }
  }
}

/** Adds the penalty's gradient to the first `count` components and returns ½·penalty·‖W‖². */
function penalize(theta: Float64Array, gradient: Float64Array, count: number, penalty: number): number {
  let norm = 0;
  for (let j = 0; j < count; j++) {
    norm += theta[j]! * theta[j]!;
    gradient[j]! += penalty * theta[j]!;
  }
  return 0.5 * penalty * norm;
}

/**
 * The Hessian of the same objective, dense (parameters × parameters). Per row it adds
 * `w·(diag(p) − p·pᵀ) ⊗ x̃·x̃ᵀ` (x̃ = the row with a trailing 1 for the intercept; `w·σ(1 − σ)·x̃·x̃ᵀ`
 * for binary problems), accumulated per pair of classes, plus the penalty on the weights.
 */
export function logisticHessian({ x, n, p, nClasses: k, weight, penalty, fitIntercept }: LogisticProblem): Hessian {
  const rows = coefficientRows(k);
  const q = p + (fitIntercept ? 1 : 0);
  const d = rows * p + (fitIntercept ? rows : 0);
  const pairA: number[] = [];
  const pairB: number[] = [];
  for (let a = 0; a < rows; a++) for (let b = a; b < rows; b++) pairA.push(a), pairB.push(b);
  const nPairs = pairA.length;
  // curvature[t·n + i]: the row's loss curvature for class pair t, w·(δ_ab·p_a − p_a·p_b).
  const curvature = new Float64Array(nPairs * n);
  const probability = new Float64Array(k);
  const offset = rows * p;
  const index = (c: number, j: number) => (j < p ? c * p + j : offset + c);
  return (theta, hessian) => {
    for (let i = 0; i < n; i++) {
      const w = weight[i]!;
      const base = i * p;
      if (rows === 1) {
        let z = fitIntercept ? theta[p]! : 0;
        for (let j = 0; j < p; j++) z += x[base + j]! * theta[j]!;
        const s = 1 / (1 + exp(-z));
        curvature[i] = w * s * (1 - s);
        continue;
      }
      let max = NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        let score = fitIntercept ? theta[offset + c]! : 0;
        for (let j = 0; j < p; j++) score += x[base + j]! * theta[c * p + j]!;
        probability[c] = score;
        if (score > max) max = score;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += probability[c] = exp(probability[c]! - max);
      for (let c = 0; c < k; c++) probability[c]! /= sum;
      for (let t = 0; t < nPairs; t++) {
        const a = pairA[t]!;
        const b = pairB[t]!;
        curvature[t * n + i] = w * ((a === b ? probability[a]! : 0) - probability[a]! * probability[b]!);
      }
    }
    hessian.fill(0);
    for (let t = 0; t < nPairs; t++) {
      const a = pairA[t]!;
      const b = pairB[t]!;
      const h = t * n;
      for (let u = 0; u < q; u++) {
        for (let v = u; v < q; v++) {
          // Σᵢ curvature·x̃ᵢᵤ·x̃ᵢᵥ, summed in a register (x̃ has a trailing 1 for the intercept).
          let value = 0;
          if (v < p) for (let i = 0; i < n; i++) value += curvature[h + i]! * x[i * p + u]! * x[i * p + v]!;
          else if (u < p) for (let i = 0; i < n; i++) value += curvature[h + i]! * x[i * p + u]!;
          else for (let i = 0; i < n; i++) value += curvature[h + i]!;
          const au = index(a, u);
          const av = index(a, v);
          const bu = index(b, u);
          const bv = index(b, v);
          hessian[au * d + bv] = hessian[bv * d + au] = value;
          hessian[av * d + bu] = hessian[bu * d + av] = value;
        }
      }
    }
    for (let j = 0; j < rows * p; j++) hessian[j * d + j]! += penalty;
  };
}

/**
 * Whether `solver: 'auto'` picks Newton: for small multinomial problems (coefficient rows ×
 * (columns + intercept) ≤ 24, e.g. a meta-learner over two base models × three classes), where a
 * nearly collinear stacking matrix costs L-BFGS 40–130 iterations and Newton about 5, and a Hessian
 * is cheap. Measured on 20000 rows (bench/run.mjs); elsewhere L-BFGS was as fast or faster.
 */
export function preferNewton(p: number, nClasses: number, fitIntercept: boolean): boolean {
  const rows = coefficientRows(nClasses);
  return rows > 1 && rows * (p + (fitIntercept ? 1 : 0)) <= 24;
}
