/**
 * The model-kind registry: what the job runner needs from a kind of model. Each kind validates the
 * `options` of `POST /api/training/start`, trains inside a worker process (never in the request
 * thread) and predicts from the directory it trained into.
 *
 * Built-in kinds live in `src/kinds/` (one file each: `stack.ts`, `transit-cnn.ts`) and are listed
 * in `src/kinds/index.ts`. Tests may add kinds through {@link registerModelKind} in the server
 * process and `ServerConfig.extraKindModules` (modules exporting `modelKind`) so the worker
 * processes load them too.
 */
import { PipelineError, type Logger } from '@pipeline/core';

/** The names of the built-in model kinds. */
export type BuiltinModelKindName = 'stack' | 'transit-cnn';

/** The kinds of dataset the upload endpoint validates (see `dataset-schemas.ts`). */
export type DatasetKind = 'transit' | 'tabular';

/** One training as the worker sees it. */
export interface TrainJob<Options = unknown> {
  /** The training session's id (also names the artifact directory). */
  readonly sessionId: string;
  /** The registry name the model will be stored under. */
  readonly modelName: string;
  /** The dataset's kind, as validated at upload. */
  readonly datasetKind: DatasetKind;
  /** Absolute path of the stored, validated CSV (the server's copy; never a client path). */
  readonly datasetFile: string;
  /** The value returned by {@link ModelKind.validateOptions}. */
  readonly options: Options;
  /**
   * An empty directory the kind writes its model into; it is returned as `artifactDir`. A kind may
   * also write `report.html` there (a self-contained report with charts): the server serves it at
   * `GET /api/training/session/:id/report`.
   */
  readonly artifactDir: string;
  /** Seed of every random choice of the training. */
  readonly seed: number;
}

/** A progress report from a training; the runner writes it to the database and the SSE stream. */
export interface TrainProgress {
  /** e.g. `fold`, `refit`, `epoch`. */
  readonly stage: string;
  readonly current: number;
  readonly total: number;
  readonly label?: string;
  /** Epochs completed so far (epoch-based kinds). */
  readonly epochsCompleted?: number;
  /** Latest metrics (e.g. `val_accuracy`), if the kind has them at this point. */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** What the worker hands to {@link ModelKind.train}. */
export interface TrainContext {
  /** Aborted when the session is cancelled or the server shuts down. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly onProgress: (progress: TrainProgress) => void;
}

/** The result of a finished training. */
export interface TrainResult {
  /** Flat, JSON-serializable metrics (e.g. `accuracy`, `balancedAccuracy`, `val_accuracy`). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Where the model was written (normally `job.artifactDir`). */
  readonly artifactDir: string;
  readonly epochsCompleted: number;
  /** The class names, in probability-column order. */
  readonly classes?: readonly string[];
}

/** A row to predict: column name → value (strings from CSV, numbers from JSON). */
export type PredictRow = Readonly<Record<string, string | number | null>>;

/** Classes and probabilities of a prediction. */
export interface PredictResult {
  /** Class names, in the column order of `probabilities`. */
  readonly classNames: readonly string[];
  /** The predicted class of each row. */
  readonly classes: readonly string[];
  /** rows × classNames. */
  readonly probabilities: readonly (readonly number[])[];
}

/** What the server needs from one kind of model. */
export interface ModelKind<Options = unknown> {
  /** Registry key: the `model_kind` of `POST /api/training/start`. */
  readonly kind: string;
  /** The dataset kinds this model trains on. */
  readonly datasetKinds: readonly DatasetKind[];
  /**
   * Checks the client's `options` and returns them filled with defaults (plain JSON: it is stored in
   * the database and sent to the worker). Throws `PipelineError('E_USAGE' | 'E_INPUT', …, { field })`
   * naming the field at fault.
   */
  validateOptions(options: unknown): Options;
  /** Trains in a worker process; honours `context.signal`. */
  train(job: TrainJob<Options>, context: TrainContext): Promise<TrainResult>;
  /** Predicts rows with the model in `artifactDir`. */
  predict(artifactDir: string, rows: readonly PredictRow[], context?: { readonly logger?: Logger; readonly signal?: AbortSignal }): Promise<PredictResult>;
}

const registry = new Map<string, ModelKind>();

/** Adds (or replaces) a model kind in this process's registry. */
export function registerModelKind<Options>(kind: ModelKind<Options>): void {
  registry.set(kind.kind, kind as ModelKind);
}

/** Removes a kind (tests). */
export function unregisterModelKind(name: string): void {
  registry.delete(name);
}

/** The names of every registered kind, sorted. */
export function modelKindNames(): string[] {
  return [...registry.keys()].sort();
}

/** The kind registered under `name`; `E_USAGE` naming the known kinds otherwise. */
export function getModelKind(name: string): ModelKind {
  const kind = registry.get(name);
  if (kind === undefined) {
    throw new PipelineError('E_USAGE', `unknown model kind '${name}'`, {
      field: 'model_kind',
      hint: `use one of: ${modelKindNames().join(', ')}`,
    });
  }
  return kind;
}
