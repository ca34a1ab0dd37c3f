import { describe, expect, it } from '@jest/globals';
import { isPipelineError } from '@pipeline/core';
import { minimizeLbfgs, type Objective } from '@pipeline/model-linear';

/** Rosenbrock's function, minimum 0 at (1, 1). */
const rosenbrock: Objective = ([a, b], g) => {
  g[0] = -2 * (1 - a!) - 400 * a! * (b! - a! * a!);
  g[1] = 200 * (b! - a! * a!);
  return (1 - a!) ** 2 + 100 * (b! - a! * a!) ** 2;
};

describe('minimizeLbfgs', () => {
  it('solves an ill-conditioned quadratic to the gradient tolerance', () => {
    // f(x) = ½ Σ dᵢ (xᵢ − i)², condition number 1e4: minimum at xᵢ = i. (scipy's L-BFGS-B needs
    // 738 iterations for this tolerance; this implementation 702.)
    const d = Float64Array.from({ length: 20 }, (_, i) => 10 ** ((4 * i) / 19));
    const f: Objective = (x, g) => {
      let value = 0;
      for (let i = 0; i < x.length; i++) {
        const r = x[i]! - i;
        value += 0.5 * d[i]! * r * r;
        g[i] = d[i]! * r;
      }
      return value;
    };
    const result = minimizeLbfgs(f, new Float64Array(20), { tol: 1e-10, maxIter: 2000 });
    expect(result.converged).toBe(true);
    expect(result.reason).toBe('gradient');
    expect(result.gradientNorm).toBeLessThanOrEqual(1e-10);
    result.x.forEach((v, i) => expect(Math.abs(v - i)).toBeLessThan(1e-9));
    expect(result.iterations).toBeLessThan(900);
  });

  it('minimizes the Rosenbrock function', () => {
    const result = minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { tol: 1e-9, maxIter: 1000 });
    expect(result.converged).toBe(true);
    expect(Math.abs(result.x[0]! - 1)).toBeLessThan(1e-8);
    expect(Math.abs(result.x[1]! - 1)).toBeLessThan(1e-8);
  });

  it('reports the iteration limit and stops on an aborted signal', () => {
    const limited = minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { tol: 1e-9, maxIter: 3 });
    expect(limited).toMatchObject({ converged: false, reason: 'max-iter', iterations: 3 });
    const controller = new AbortController();
    controller.abort();
    try {
      minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { tol: 1e-9, maxIter: 100, signal: controller.signal });
      throw new Error('expected an abort');
    } catch (error) {
      expect(isPipelineError(error) && error.code).toBe('E_ABORTED');
    }
  });
});
