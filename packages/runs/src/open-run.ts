import { PipelineError, loadModel, readArtifact, type Matrix } from '@pipeline/core';
import type { CategoryEncoding } from '@pipeline/ingest';
import type { FittedStack } from '@pipeline/stacking';

// @pipeline/ingest (Arrow, HDF5) and @pipeline/stacking are loaded by the methods that read those
// files, so indexing and listing runs (`pipeline runs list`) never pay for them at start-up.
const ingest = () => import('@pipeline/ingest');
import type { RunManifest } from './manifest.js';
import { MANIFEST_FILE, RunDirectory, requireCompleted } from './run-directory.js';
import { RUN_FILES } from './run-files.js';

/** The saved out-of-fold predictions of a run: the stack's meta OOF and each base model's. */
export interface RunOof {
  readonly ids: string[];
  readonly labels: Int32Array;
  readonly classNames: string[];
  /** Fold of every row (first repeat). */
  readonly foldOf: Int32Array;
  /** The stack's own OOF probabilities (rows × classes). */
  readonly stack: Matrix;
  /** Each base model's OOF probabilities (rows × classes), taken from Z_oof by the stacking layout's column names. */
  readonly base: Record<string, Matrix>;
  /** Z_oof itself and its column names. */
  readonly z: Matrix;
  readonly zColumns: string[];
}

/** The fold assignment of a run (`folds.json`). */
export interface RunFoldPlan {
  readonly splitter: { readonly kind: string; readonly args: Readonly<Record<string, unknown>> };
  readonly splitSeed: number;
  /** Indices of the used rows into the training rows. */
  readonly rows: number[];
  readonly ids: string[];
  readonly fold: number[];
}

/**
 * A run folder opened for reading: manifest, resolved config, fold plan, OOF tables, metrics,
 * timings and the final stack. Never writes. Runs of every supported format version open.
 */
export class OpenedRun {
  readonly dir: string;
  readonly manifest: RunManifest;
  private readonly run: RunDirectory;

  constructor(run: RunDirectory) {
    this.run = run;
    this.dir = run.dir;
    this.manifest = run.manifest;
  }

  /** The resolved training config (format 2); undefined for runs written before configs existed. */
  get config(): Readonly<Record<string, unknown>> | undefined {
    return this.manifest.config;
  }

  get status(): RunManifest['status'] {
    return this.manifest.status;
  }

  path(relative: string): string {
    return this.run.path(relative);
  }

  /** Refuses anything but a completed run, naming what to do. */
  requireCompleted(purpose: string): this {
    requireCompleted(this.manifest, this.run.path(MANIFEST_FILE), purpose);
    return this;
  }

  /**
   * The category → code tables of the tabular view (`encoding/table.json`), checked; undefined when
   * the view has no categorical column (every run written before categorical columns existed).
   */
  async categoryEncoding(): Promise<CategoryEncoding | undefined> {
    const relative = this.manifest.views.tabular?.encoding;
    if (relative === undefined) return undefined;
    const { parseCategoryEncoding } = await ingest();
    return parseCategoryEncoding(await this.run.readJson<unknown>(relative), this.run.path(relative));
  }

  async foldPlan(): Promise<RunFoldPlan> {
    return this.run.readJson<RunFoldPlan>(this.manifest.splitter.foldsFile ?? RUN_FILES.folds);
  }

  /** The metrics file of a base model's OOF predictions or of the stack's (`stack`). */
  async metrics<T = Record<string, unknown>>(model = 'stack'): Promise<T> {
    return this.run.readJson<T>(RUN_FILES.oofMetrics(model));
  }

  /** Every OOF metrics file: each base model's and the stack's, in stack order. */
  async allMetrics<T = Record<string, unknown>>(): Promise<Record<string, T>> {
    const out: Record<string, T> = {};
    for (const model of [...this.manifest.baseModels.map((b) => b.name), 'stack']) out[model] = await this.metrics<T>(model);
    return out;
  }

  get timings(): Readonly<Record<string, number>> {
    return this.manifest.timings;
  }

  /** Reads `oof/meta_oof.arrow` and `oof/z_oof.arrow`. */
  async oof(): Promise<RunOof> {
    const files = this.manifest.files;
    if (files.metaOof === undefined || files.zOof === undefined) {
      throw new PipelineError('E_STATE', 'the run has no saved OOF predictions', {
        file: this.run.path(MANIFEST_FILE),
        field: 'files',
        hint: 'use a run written by a completed `pipeline train`',
      });
    }
    const { readArrowTable } = await ingest();
    const { stackColumns } = await import('@pipeline/stacking');
    const meta = await readArrowTable(this.run.path(files.metaOof));
    const parse = <T>(key: string): T => {
      const text = meta.metadata[key];
      if (text === undefined) {
        throw new PipelineError('E_INPUT', `OOF file has no '${key}' metadata`, { file: meta.file, field: key, hint: 'the run folder is damaged: train it again' });
      }
      return JSON.parse(text) as T;
    };
    const labels = Int32Array.from(parse<number[]>('labels'));
    const classNames = parse<string[]>('classNames');
    const foldOf = Int32Array.from(parse<number[]>('folds'));
    const z = await readArrowTable(this.run.path(files.zOof));
    const k = classNames.length;
    const base: Record<string, Matrix> = {};
    for (const model of this.manifest.baseModels) {
      // The stacking layout's column names (format 1 runs did not store them: derived the same way).
      const layout = { nClasses: k, classNames, models: [model.name], dropFirstBinaryColumn: false, passthrough: [] };
      const columns = stackColumns(layout).map((name) => z.columns.indexOf(name));
      const out = new Float32Array(z.rows * k);
      if (columns.every((j) => j >= 0)) {
        for (let i = 0; i < z.rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = z.matrix.data[i * z.cols + columns[c]!]!;
      } else if (k === 2 && columns[1]! >= 0) {
        // Binary stacks keep only the class-1 column (dropFirstBinaryColumn).
        for (let i = 0; i < z.rows; i++) {
          const p1 = z.matrix.data[i * z.cols + columns[1]!]!;
          out[i * 2] = 1 - p1;
          out[i * 2 + 1] = p1;
        }
      } else {
        throw new PipelineError('E_INPUT', `Z_oof has no columns for base model '${model.name}'`, { file: z.file, field: model.name, hint: 'the run folder is damaged: train it again' });
      }
      base[model.name] = { rows: z.rows, cols: k, data: out };
    }
    return { ids: meta.ids ?? [], labels, classNames, foldOf, stack: meta.matrix, base, z: z.matrix, zColumns: [...z.columns] };
  }

  /**
   * Loads the final stack. The model packages of its base models must be imported first (importing
   * a model package registers its loader; `@pipeline/workflows` imports them all).
   */
  async loadStack(purpose = 'load the stack'): Promise<FittedStack> {
    this.requireCompleted(purpose);
    const m = this.manifest;
    if (!m.refitFinal || m.files.model === undefined) {
      throw new PipelineError('E_STATE', `cannot ${purpose}: the run has no final models (trained without refit or save)`, {
        file: this.run.path(MANIFEST_FILE),
        field: 'refitFinal',
        hint: 'train again with refitFinal and save on (no --no-refit-final/--no-save); OOF scores and analysis still work',
      });
    }
    const artifact = await readArtifact(this.run.path(m.files.model));
    return (await loadModel(artifact)) as FittedStack;
  }
}

/** Opens a run folder for reading (any status; see {@link OpenedRun.requireCompleted}). */
export async function openRun(dir: string): Promise<OpenedRun> {
  return new OpenedRun(await RunDirectory.open(dir));
}
