import { availableParallelism } from 'node:os';
import { PipelineError, type Logger, type Matrix, type ProgressCallback } from '@pipeline/core';
import { openH5, type H5Dataset, type H5File } from '@pipeline/ingest';
import { dwtComboRecipe, featureNames, featurizeH5, type FeatureRecipe, type FeaturizeWorkers } from '@pipeline/features';

/** Meta columns that identify or split rows; never features. */
export const ID_LIKE_META = ['id', 'fold', 'subset'];

/** How the H5 rows are laid out (the `inputs.signal` options). */
export interface SignalLayout {
  readonly datasetKey: string;
  /** Leading meta columns before the signal. */
  readonly metaCols: number;
  /** Row ids: the first meta column, or the row position. */
  readonly ids: 'meta' | 'row';
  /** Pass the meta columns (minus id-like ones) through as wavelet-view features. */
  readonly metaFeatures: boolean;
}

/**
 * An H5 signal input, opened once per command: shape, ids and meta names are read on open; the
 * signal and the wavelet features are read from the same handle. Close it when done.
 */
export class SignalInput {
  readonly file: string;
  readonly layout: SignalLayout;
  readonly rows: number;
  readonly cols: number;
  readonly ids: string[];
  readonly metaNames: string[];
  readonly signalStart: number;
  readonly signalLength: number;
  /** The first id shared by two rows (ids from the meta column only); such ids cannot align other files. */
  readonly duplicateId: { readonly id: string; readonly rows: readonly [number, number] } | undefined;
  private readonly h5: H5File;
  private readonly dataset: H5Dataset;

  private constructor(h5: H5File, layout: SignalLayout, field: string) {
    this.h5 = h5;
    this.file = h5.path;
    this.layout = layout;
    this.dataset = h5.dataset(layout.datasetKey);
    const shape = this.dataset.info.shape;
    if (shape.length !== 2 || shape[1]! <= layout.metaCols) {
      throw new PipelineError('E_SCHEMA', `dataset '${layout.datasetKey}' has shape [${shape.join(', ')}]; expected (rows, ${layout.metaCols} meta columns + signal)`, {
        file: h5.path,
        field: `${field}.metaCols`,
        hint: `write the dataset as rows × (meta columns + signal samples), or set ${field}.metaCols (--h5-meta-cols) to its meta width`,
      });
    }
    if (layout.ids === 'meta' && layout.metaCols === 0) {
      throw new PipelineError('E_USAGE', 'ids from the first meta column need at least one meta column', {
        file: h5.path,
        field: `${field}.ids`,
        hint: "use ids 'row' (--h5-ids row) when the dataset has no meta columns",
      });
    }
    this.rows = shape[0]!;
    this.cols = shape[1]!;
    this.signalStart = layout.metaCols;
    this.signalLength = this.cols - layout.metaCols;
    this.duplicateId = undefined;
    if (layout.ids === 'meta') {
      const idColumn = this.dataset.readRows(0, this.rows, { columns: { start: 0, end: 1 } });
      this.ids = Array.from(idColumn.data, (v) => String(v));
      const seen = new Map<string, number>();
      for (let row = 0; row < this.ids.length && this.duplicateId === undefined; row++) {
        const first = seen.get(this.ids[row]!);
        if (first !== undefined) this.duplicateId = { id: this.ids[row]!, rows: [first, row] };
        seen.set(this.ids[row]!, row);
      }
    } else {
      this.ids = Array.from({ length: this.rows }, (_, i) => String(i));
    }
    const attrs = h5.attrs();
    const names = attrs.meta_columns;
    this.metaNames =
      Array.isArray(names) && names.length === layout.metaCols && names.every((n) => typeof n === 'string')
        ? (names as string[])
        : Array.from({ length: layout.metaCols }, (_, i) => `meta_${i}`);
  }

  /** Opens the file and reads its shape, ids and meta names. `field` is the config path for errors. */
  static async open(file: string, layout: SignalLayout, logger: Logger, field = 'inputs.signal'): Promise<SignalInput> {
    const h5 = await openH5(file, { logger });
    try {
      return new SignalInput(h5, layout, field);
    } catch (error) {
      h5.close();
      throw error;
    }
  }

  /** The dwt-combo recipe for this layout: meta passed through (minus id-like and `exclude` columns) unless `metaFeatures` is off. */
  dwtRecipe(exclude: readonly string[] = []): FeatureRecipe {
    const drop = this.layout.metaFeatures ? this.metaNames.filter((name) => ID_LIKE_META.includes(name) || exclude.includes(name)) : [...this.metaNames];
    return dwtComboRecipe({
      metaStart: 0,
      metaNames: [...this.metaNames],
      dropMeta: drop,
      signalStart: this.signalStart,
      signalEnd: this.signalStart + this.signalLength,
    });
  }

  /** Builds the wavelet view (streamed, multi-threaded) from this handle. */
  async dwtView(
    recipe: FeatureRecipe,
    options: { chunkSize: number; signal?: AbortSignal | undefined; logger: Logger; onProgress: ProgressCallback; started?: FeaturizeWorkers | undefined },
  ): Promise<{ matrix: Matrix; columns: string[] }> {
    const result = await featurizeH5(this.h5, {
      datasetKey: this.layout.datasetKey,
      recipe,
      batchRows: balancedBatchRows(this.rows, options.chunkSize, this.dataset.info.chunks?.[0], (options.started?.count ?? availableParallelism()) + 1),
      ...(options.started === undefined ? {} : { started: options.started }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      logger: options.logger,
      onProgress: options.onProgress,
    });
    if (result.features.rows !== this.rows) {
      throw new PipelineError('E_INTERNAL', `featurization returned ${result.features.rows} rows for ${this.rows}`);
    }
    return { matrix: result.features, columns: featureNames(recipe) };
  }

  /** The raw signal columns of every row (or of `rows`), float32, batch by batch. */
  readSignal(rows?: Int32Array): Matrix {
    const columns = { start: this.signalStart, end: this.signalStart + this.signalLength };
    const width = this.signalLength;
    if (rows === undefined) {
      const out = new Float32Array(this.rows * width);
      for (const batch of this.dataset.iterBatches({ columns })) out.set(batch.matrix.data, batch.start * width);
      return { rows: this.rows, cols: width, data: out };
    }
    const out = new Float32Array(rows.length * width);
    const wanted = new Map<number, number[]>();
    rows.forEach((r, k) => {
      const list = wanted.get(r);
      if (list === undefined) wanted.set(r, [k]);
      else list.push(k);
    });
    for (const batch of this.dataset.iterBatches({ columns })) {
      for (let r = batch.start; r < batch.end; r++) {
        const targets = wanted.get(r);
        if (targets === undefined) continue;
        const source = batch.matrix.data.subarray((r - batch.start) * width, (r - batch.start + 1) * width);
        for (const k of targets) out.set(source, k * width);
      }
    }
    return { rows: rows.length, cols: width, data: out };
  }

  close(): void {
    this.h5.close();
  }
}

/**
 * Rows per featurize batch: `chunkSize` at most, but small enough that every thread (the workers
 * and the calling thread) gets about four batches, so none idles at the end while another finishes a
 * big one (6,000 rows in batches of 2,000 gave three batches to three threads, and the calling
 * thread waited for a worker's second batch). Whole HDF5 chunks when the data is chunked (a batch
 * that splits a chunk inflates it twice). The features do not depend on the batch size.
 */
export function balancedBatchRows(rows: number, chunkSize: number, chunkRows: number | undefined, threads: number): number {
  const even = Math.ceil(rows / (4 * Math.max(1, threads)));
  const unit = chunkRows !== undefined && chunkRows > 0 ? chunkRows : 1;
  const balanced = Math.max(unit, Math.ceil(even / unit) * unit);
  return Math.max(1, Math.min(chunkSize, balanced));
}
