import {
  argmaxRows,
  artifactFile,
  checkArtifact,
  checkFeatureCount,
  matrix,
  PipelineError,
  registerLoader,
  type FittedClassifier,
  type Matrix,
  type ModelArtifact,
} from '@pipeline/core';
import { bytesToFloat64, float64ToBytes } from '@pipeline/model-selection';
import type { ResolvedLogisticRegressionArgs } from './logistic-regression-args.js';

const { exp, max: maximum } = Math;

export const LOGISTIC_REGRESSION_KIND = 'logistic-regression';
const FORMAT_VERSION = 1;
const WEIGHTS_FILE = 'coefficients.f64';

/** The fitted parameters of a logistic regression. */
export interface LogisticRegressionParameters {
  readonly classes: readonly number[];
  readonly nFeatures: number;
  /** Coefficients, `coefficientRows × nFeatures` row-major: one row for two classes (the score of
   * the second class), one per class otherwise. On standardized features when `mean` is set. */
  readonly coef: Float64Array;
  readonly intercept: Float64Array;
  /** Standardization applied before the linear scores: (x − mean) / scale. */
  readonly mean?: Float64Array;
  readonly scale?: Float64Array;
  /** The solver that ran, its iterations, whether the gradient tolerance was met, and the final gradient's max norm. */
  readonly solver: 'newton' | 'lbfgs';
  readonly nIter: number;
  readonly converged: boolean;
  readonly gradientNorm: number;
}

/** A fitted L2 logistic regression (binary or multinomial). Immutable. */
export class LogisticRegressionModel implements FittedClassifier {
  readonly kind = LOGISTIC_REGRESSION_KIND;
  readonly classes: readonly number[];
  readonly nFeatures: number;
  readonly coef: Float64Array;
  readonly intercept: Float64Array;
  readonly mean: Float64Array | undefined;
  readonly scale: Float64Array | undefined;
  readonly solver: 'newton' | 'lbfgs';
  readonly nIter: number;
  readonly converged: boolean;
  readonly gradientNorm: number;
  readonly args: Readonly<ResolvedLogisticRegressionArgs>;

  constructor(args: ResolvedLogisticRegressionArgs, parameters: LogisticRegressionParameters) {
    this.args = args;
    this.classes = [...parameters.classes];
    this.nFeatures = parameters.nFeatures;
    this.coef = parameters.coef;
    this.intercept = parameters.intercept;
    this.mean = parameters.mean;
    this.scale = parameters.scale;
    this.solver = parameters.solver;
    this.nIter = parameters.nIter;
    this.converged = parameters.converged;
    this.gradientNorm = parameters.gradientNorm;
  }

  /** Number of coefficient rows: 1 for a binary model, the number of classes otherwise. */
  get coefficientRows(): number {
    return this.intercept.length;
  }

  /** Linear scores, rows × coefficientRows, in float64. */
  decisionFunction(features: Matrix): Float64Array {
    this.checkInput(features);
    const p = this.nFeatures;
    const rows = this.coefficientRows;
    const out = new Float64Array(features.rows * rows);
    const x = new Float64Array(p);
    for (let i = 0; i < features.rows; i++) {
      for (let j = 0; j < p; j++) {
        const value = features.data[i * p + j]!;
        x[j] = this.mean === undefined ? value : (value - this.mean[j]!) / this.scale![j]!;
      }
      for (let c = 0; c < rows; c++) {
        let score = this.intercept[c]!;
        for (let j = 0; j < p; j++) score += x[j]! * this.coef[c * p + j]!;
        out[i * rows + c] = score;
      }
    }
    return out;
  }

  async predictProba(features: Matrix): Promise<Matrix> {
    const scores = this.decisionFunction(features);
    const k = this.classes.length;
    const out = matrix(features.rows, k);
    if (this.coefficientRows === 1) {
      for (let i = 0; i < features.rows; i++) {
        const z = scores[i]!;
        out.data[i * 2] = 1 / (1 + exp(z));
        out.data[i * 2 + 1] = 1 / (1 + exp(-z));
      }
      return out;
    }
    for (let i = 0; i < features.rows; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = maximum(max, scores[i * k + c]!);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += exp(scores[i * k + c]! - max);
      for (let c = 0; c < k; c++) out.data[i * k + c] = exp(scores[i * k + c]! - max) / sum;
    }
    return out;
  }

  async predict(features: Matrix): Promise<Int32Array> {
    const best = argmaxRows(await this.predictProba(features));
    return best.map((k) => this.classes[k]!);
  }

  async toArtifact(): Promise<ModelArtifact> {
    const p = this.nFeatures;
    const standardized = this.mean !== undefined;
    const weights = new Float64Array(this.coef.length + this.intercept.length + (standardized ? 2 * p : 0));
    weights.set(this.coef, 0);
    weights.set(this.intercept, this.coef.length);
    if (standardized) {
      weights.set(this.mean!, this.coef.length + this.intercept.length);
      weights.set(this.scale!, this.coef.length + this.intercept.length + p);
    }
    return {
      kind: LOGISTIC_REGRESSION_KIND,
      formatVersion: FORMAT_VERSION,
      args: { ...this.args },
      state: {
        classes: [...this.classes],
        nFeatures: p,
        coefficientRows: this.coefficientRows,
        standardized,
        solver: this.solver,
        nIter: this.nIter,
        converged: this.converged,
        gradientNorm: this.gradientNorm,
        layout: `${WEIGHTS_FILE}: float64 little-endian coef (coefficientRows × nFeatures), intercept (coefficientRows), then mean and scale (nFeatures each) when standardized`,
      },
      files: [{ path: WEIGHTS_FILE, data: float64ToBytes(weights) }],
    };
  }

  dispose(): void {}

  private checkInput(features: Matrix): void {
    checkFeatureCount('logistic regression', this.nFeatures, features);
  }
}

/** Rebuilds a fitted logistic regression from its artifact. */
export async function loadLogisticRegression(artifact: ModelArtifact): Promise<LogisticRegressionModel> {
  checkArtifact(artifact, LOGISTIC_REGRESSION_KIND, [FORMAT_VERSION]);
  const state = artifact.state as {
    classes: number[];
    nFeatures: number;
    coefficientRows: number;
    standardized: boolean;
    solver: 'newton' | 'lbfgs';
    nIter: number;
    converged: boolean;
    gradientNorm: number;
  };
  const weights = bytesToFloat64(artifactFile(artifact, WEIGHTS_FILE));
  const { nFeatures: p, coefficientRows: rows, standardized } = state;
  const expected = rows * p + rows + (standardized ? 2 * p : 0);
  if (weights.length !== expected) {
    throw new PipelineError('E_INPUT', `${WEIGHTS_FILE} holds ${weights.length} values, expected ${expected}`, {
      field: WEIGHTS_FILE,
      hint: 'the model folder is corrupt; re-save the model',
    });
  }
  return new LogisticRegressionModel(artifact.args as unknown as ResolvedLogisticRegressionArgs, {
    classes: state.classes,
    nFeatures: p,
    coef: weights.slice(0, rows * p),
    intercept: weights.slice(rows * p, rows * p + rows),
    ...(standardized
      ? { mean: weights.slice(rows * p + rows, rows * p + rows + p), scale: weights.slice(rows * p + rows + p) }
      : {}),
    solver: state.solver,
    nIter: state.nIter,
    converged: state.converged,
    gradientNorm: state.gradientNorm,
  });
}

registerLoader(LOGISTIC_REGRESSION_KIND, loadLogisticRegression);
