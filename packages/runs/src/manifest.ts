import { PipelineError } from '@pipeline/core';

/**
 * Version of the run folder format written by this package (see RUN_FORMAT.md). Readers open every
 * version up to this one (older runs keep opening) and refuse a newer one with a clear message.
 */
export const RUN_FORMAT_VERSION = 2;
/** The oldest format version this package still opens. */
export const OLDEST_RUN_FORMAT_VERSION = 1;

export type RunStatus = 'running' | 'completed' | 'failed';

/** sha256 + size (+ shape) of an input file, so a run knows exactly what it was trained on. */
export interface InputFingerprint {
  /** What the file was used as: `x-csv`, `y-csv`, `x-h5`, … */
  readonly role: string;
  /** Absolute path at train time. */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Rows × columns as read (for H5: the dataset's shape). */
  readonly shape?: readonly number[];
  /** Dataset key inside an H5 file. */
  readonly dataset?: string;
}

/** One base model in the frozen order of the stack's Z columns. */
export interface BaseModelEntry {
  readonly name: string;
  readonly kind: string;
  /** The input view it reads (`tabular`, `dwt`, `signal`). */
  readonly input: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** An input view: which columns, from which source, built how. */
export interface ViewEntry {
  readonly source: string;
  readonly columns: readonly string[];
  /** Columns of the source that are not features (id, --drop-cols, group and fold columns): allowed at predict time. */
  readonly ignoredColumns?: readonly string[];
  /** The feature recipe that rebuilds this view at predict time (e.g. dwt-combo v1), if any. */
  readonly recipe?: Readonly<Record<string, unknown>>;
  /**
   * Feature groups for ablations: `numeric` and `categorical` feature columns and `dropped` columns
   * (dropCols) of the tabular view; `engineered` columns built by a feature recipe (the wavelet view).
   */
  readonly featureGroups?: {
    readonly numeric?: readonly string[];
    readonly categorical?: readonly string[];
    readonly engineered?: readonly string[];
    readonly dropped?: readonly string[];
    /** Per one-hot encoded categorical column, the indicator columns the models see (`<column>=<category>`). */
    readonly oneHot?: Readonly<Record<string, readonly string[]>>;
  };
  /** Recipe feature groups left out of this view (`features.dropGroups` of the config): `columns` are the recipe's minus theirs. */
  readonly droppedGroups?: readonly string[];
  /** Categorical feature columns (coded by the tables in `encoding`); every other column is numeric. */
  readonly categoricalColumns?: readonly string[];
  /** Relative path of the category → code tables (`encoding/table.json`), when the view has categorical columns. */
  readonly encoding?: string;
  /**
   * Categorical columns one-hot encoded (`inputs.table.categorical: onehot`) by the tables in
   * `encoding`: at predict the same columns are expanded the same way (unseen category: all zeros).
   */
  readonly oneHotColumns?: readonly string[];
  /** The columns the models see, when they differ from `columns` (one-hot expansion). */
  readonly featureNames?: readonly string[];
  /** Signal column range for raw-signal views. */
  readonly signal?: { readonly start: number; readonly length: number; readonly datasetKey: string };
}

export interface ImbalanceEntry {
  readonly strategy: 'none' | 'undersample-balanced' | 'class-weights-auto';
  readonly seed?: number;
  /** Relative path of the kept row indices (undersampling). */
  readonly keptFile?: string;
  readonly keptRows?: number;
  readonly classWeights?: Readonly<Record<string, number>>;
}

export interface RunManifest {
  readonly formatVersion: number;
  readonly status: RunStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  /** `@pipeline/*` package versions and Node's. */
  readonly packages: Readonly<Record<string, string>>;
  readonly argv: readonly string[];
  readonly seed: number;
  readonly inputs: readonly InputFingerprint[];
  readonly nRows: number;
  readonly classes: { readonly names: readonly string[]; readonly counts: readonly number[] };
  readonly views: Readonly<Record<string, ViewEntry>>;
  readonly baseModels: readonly BaseModelEntry[];
  readonly meta: { readonly kind: string; readonly args: Readonly<Record<string, unknown>> };
  readonly splitter: {
    readonly kind: string;
    readonly args: Readonly<Record<string, unknown>>;
    readonly nSplits: number;
    /** Relative path of the fold assignment (fold index of every row). */
    readonly foldsFile: string;
  };
  readonly imbalance: ImbalanceEntry;
  readonly refitFinal: boolean;
  /** Extra facts (tfjs backend, options) keyed by topic. */
  readonly environment?: Readonly<Record<string, unknown>>;
  /** Durations in milliseconds by step. */
  readonly timings: Readonly<Record<string, number>>;
  /** Relative paths of the run's outputs by role. */
  readonly files: Readonly<Record<string, string>>;
  readonly error?: { readonly code: string; readonly message: string };
  /** (format 2) The resolved training config: written to a file, it retrains this run byte for byte. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** (format 2) Short sha256 of the canonical JSON of `config`. */
  readonly configHash?: string;
  /** (format 2) Column names of the stacking matrix Z (from @pipeline/stacking's layout). */
  readonly stackColumns?: readonly string[];
  /** (format 2) Human name and tags of the run. */
  readonly name?: string;
  readonly tags?: readonly string[];
}

/** Fields that legitimately differ between two identical runs (clock and machine dependent). */
export const VOLATILE_MANIFEST_FIELDS = ['createdAt', 'updatedAt', 'finishedAt', 'timings', 'argv', 'environment'] as const;

/** Checks the shape of a parsed manifest; names the first field at fault. */
export function validateManifest(value: unknown, file: string): RunManifest {
  const fail = (field: string, what: string): never => {
    throw new PipelineError('E_INPUT', `run manifest ${what}`, {
      file,
      field,
      hint: 'the run folder is damaged or was not written by `pipeline train`',
    });
  };
  if (typeof value !== 'object' || value === null) return fail('(root)', 'is not a JSON object');
  const m = value as Record<string, unknown>;
  const version = m.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < OLDEST_RUN_FORMAT_VERSION) {
    fail('formatVersion', `has no valid formatVersion (${JSON.stringify(version)})`);
  }
  if ((version as number) > RUN_FORMAT_VERSION) {
    throw new PipelineError('E_STATE', `the run was written in run format ${String(version)}, newer than this reader's ${RUN_FORMAT_VERSION}`, {
      file,
      field: 'formatVersion',
      hint: 'upgrade @pipeline (the CLI or @pipeline/runs) to open it; older readers never guess at newer formats',
    });
  }
  if (m.status !== 'running' && m.status !== 'completed' && m.status !== 'failed') fail('status', 'has an unknown status');
  if (!Array.isArray(m.baseModels)) fail('baseModels', 'has no base model list');
  if (typeof m.nRows !== 'number') fail('nRows', 'has no row count');
  if (typeof m.views !== 'object' || m.views === null) fail('views', 'has no views');
  if (typeof m.classes !== 'object' || m.classes === null) fail('classes', 'has no classes');
  return value as RunManifest;
}
