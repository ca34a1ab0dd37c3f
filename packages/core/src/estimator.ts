import { PipelineError } from './errors.js';
import type { FitContext } from './context.js';
import type { Dataset } from './dataset.js';
import type { Matrix } from './matrix.js';

/** A binary payload of an artifact, at a path relative to the artifact's folder. */
export interface ArtifactFile {
  /** Relative POSIX path, e.g. `trees.bin` or `model/weights.bin`. */
  readonly path: string;
  readonly data: Uint8Array;
}

/**
 * Everything needed to rebuild a fitted model: plain JSON (`args`, `state`) plus binary files.
 * Loaded through the registry by `kind` (like a tfjs class name). Nested models (a stack's base
 * models and meta-learner) are `children`.
 */
export interface ModelArtifact {
  readonly kind: string;
  /** Version of this kind's artifact format; loaders refuse versions they do not know. */
  readonly formatVersion: number;
  /** The estimator's hyper-parameters (plain JSON). */
  readonly args: Readonly<Record<string, unknown>>;
  /** Small fitted state as plain JSON (classes, feature names, thresholds, …). */
  readonly state: Readonly<Record<string, unknown>>;
  readonly files: readonly ArtifactFile[];
  readonly children?: Readonly<Record<string, ModelArtifact>>;
}

/** A fitted classifier: immutable, produced by `EstimatorSpec.fit`. */
export interface FittedClassifier {
  readonly kind: string;
  /** Class indices the model knows, ascending; `predictProba` has one column per entry. */
  readonly classes: readonly number[];
  /** Number of input columns the model expects. */
  readonly nFeatures: number;
  /** Probabilities, rows × classes.length. */
  predictProba(features: Matrix, context?: FitContext): Promise<Matrix>;
  /** The class of highest probability (first on ties). */
  predict(features: Matrix, context?: FitContext): Promise<Int32Array>;
  toArtifact(): Promise<ModelArtifact>;
  /** Frees native or GPU memory; the model is unusable afterwards. */
  dispose(): void;
}

/**
 * An immutable estimator description. `args` are plain JSON (logged in run manifests and diffed by
 * `runs compare`); `with` returns a new spec; `fit` returns a new fitted model.
 */
export interface EstimatorSpec<Args extends object = Record<string, unknown>, Fitted extends FittedClassifier = FittedClassifier> {
  readonly kind: string;
  readonly args: Readonly<Args>;
  with(overrides: Partial<Args>): EstimatorSpec<Args, Fitted>;
  fit(data: Dataset, context?: FitContext): Promise<Fitted>;
}

export type ArtifactLoader = (artifact: ModelArtifact) => Promise<FittedClassifier>;

const loaders = new Map<string, ArtifactLoader>();

/** Registers the loader for artifacts of `kind`. Registering the same loader twice is a no-op. */
export function registerLoader(kind: string, loader: ArtifactLoader): void {
  const existing = loaders.get(kind);
  if (existing !== undefined && existing !== loader) {
    throw new PipelineError('E_INTERNAL', `a different loader is already registered for model kind '${kind}'`);
  }
  loaders.set(kind, loader);
}

/** Kinds that have a loader. */
export function registeredKinds(): string[] {
  return [...loaders.keys()].sort();
}

/** Rebuilds a fitted model from its artifact through the registry. */
export async function loadModel(artifact: ModelArtifact): Promise<FittedClassifier> {
  const loader = loaders.get(artifact.kind);
  if (loader === undefined) {
    throw new PipelineError('E_NOT_FOUND', `no loader is registered for model kind '${artifact.kind}'`, {
      field: 'kind',
      hint: `import the package that provides '${artifact.kind}' before loading (known kinds: ${registeredKinds().join(', ') || 'none'})`,
    });
  }
  return loader(artifact);
}

/** Finds a file of an artifact by path, or throws a clear error. */
export function artifactFile(artifact: ModelArtifact, path: string): Uint8Array {
  const file = artifact.files.find((f) => f.path === path);
  if (file === undefined) {
    throw new PipelineError('E_INPUT', `model artifact of kind '${artifact.kind}' has no file '${path}'`, {
      field: path,
      hint: 'the model folder is incomplete; re-save the model',
    });
  }
  return file.data;
}

/** Throws unless the artifact has the expected kind and a supported format version. */
export function checkArtifact(artifact: ModelArtifact, kind: string, supportedVersions: readonly number[]): void {
  if (artifact.kind !== kind) {
    throw new PipelineError('E_INPUT', `expected a '${kind}' artifact, got '${artifact.kind}'`, { field: 'kind' });
  }
  if (!supportedVersions.includes(artifact.formatVersion)) {
    throw new PipelineError(
      'E_INPUT',
      `'${kind}' artifact format version ${artifact.formatVersion} is not supported (supported: ${supportedVersions.join(', ')})`,
      { field: 'formatVersion', hint: 'load it with the @pipeline version that wrote it' },
    );
  }
}

/**
 * Refuses an input whose width differs from what a model was fitted on (`E_SCHEMA`, field
 * `features`). `what` names the model in the message, e.g. `logistic regression`.
 */
export function checkFeatureCount(what: string, expected: number, features: Matrix): void {
  if (features.cols !== expected) {
    throw new PipelineError('E_SCHEMA', `${what} expects ${expected} feature columns, got ${features.cols}`, {
      field: 'features',
      hint: 'predict with the same columns, in the same order, as at fit time',
    });
  }
}
