import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PipelineError, type Logger, type Matrix, type ProgressCallback } from '@pipeline/core';
import { startFeaturizeWorkers, type FeaturizeWorkers } from '@pipeline/features';
import type { CategoryEncoding, LabelTable } from '@pipeline/ingest';
import { RUN_FILES, fileStamp, fingerprintFile, type FileStamp, type InputFingerprint, type ViewEntry } from '@pipeline/runs';
import type { TrainConfig, ViewName } from '../train-config.js';
import { foldNumbers, readAlignedColumn } from './aligned-column.js';
import { SignalInput } from './signal-input.js';
import { DEFAULT_IMAGE_PATTERN, alignImageIndex, imageColumns, readImageSource, readImageView, type ImageIndex } from './image-input.js';
import { oneHotColumnsOf, oneHotTable } from './one-hot-table.js';
import { keptRecipeColumns, selectNamedColumns } from '../recipe-feature-groups.js';
import { readCsvHeader, readTable, type TableInput } from './table-input.js';

/** A built input view: the matrix a base model reads, its column names and its manifest entry. */
export interface BuiltView {
  readonly matrix: Matrix;
  readonly columns: string[];
  readonly entry: ViewEntry;
  /** The category → code tables, when the view has categorical columns (written to the run). */
  readonly encoding?: CategoryEncoding;
}

/** Everything a training run reads, aligned row by row. */
export interface TrainingInputs {
  readonly views: Partial<Record<ViewName, BuiltView>>;
  /** Row ids (table ids, else the H5's), undefined when neither has ids. */
  readonly ids: string[] | undefined;
  readonly labels: Int32Array;
  readonly classNames: string[];
  readonly counts: number[];
  readonly groups?: Int32Array;
  readonly folds?: Int32Array;
  /**
   * The input files' fingerprints (sha256, size, shape), in input order. Hashed when first called,
   * on this thread in 4 MiB blocks between other work (`trainRun` calls it once the folds run, off
   * the start-up path); a file changed since it was read is an `E_STATE` error.
   */
  readonly fingerprints: () => Promise<InputFingerprint[]>;
  readonly readMs: number;
  readonly featurizeMs: number;
}

export interface LoadOptions {
  readonly resolvePath: (path: string) => string;
  readonly logger: Logger;
  readonly onProgress: ProgressCallback;
  readonly signal?: AbortSignal | undefined;
  /**
   * Featurize threads started ahead ({@link startFeaturizeWorkers}, e.g. by `trainRun` before it
   * prepares the run folder): used for the wavelet view instead of threads started here. The caller
   * still owns them (`close()` ends the ones no call took); this function does not close them.
   */
  readonly featurizeWorkers?: FeaturizeWorkers | undefined;
}

/** Whether a config builds the wavelet view from an H5 signal (so featurize threads will be needed). */
export function buildsWaveletView(config: TrainConfig): boolean {
  return config.inputs.signal !== undefined && (config.baseModels.some((m) => m.view === 'dwt') || (config.meta.passthrough ?? []).includes('dwt'));
}

/** Where an aligned column (group or fold) lives when `file` is absent: the labels file if it has the column, else the table. */
async function columnSource(
  config: TrainConfig,
  spec: { file?: string | undefined; column: string; idCol?: string | undefined },
  field: string,
  resolvePath: (path: string) => string,
): Promise<{ file: string; fromTable: boolean; idCol: string | undefined }> {
  if (spec.file !== undefined) return { file: resolvePath(spec.file), fromTable: false, idCol: spec.idCol };
  const { labels, table } = config.inputs;
  if (labels !== undefined) {
    const file = resolvePath(labels.file);
    if (existsSync(file) && (await readCsvHeader(file)).includes(spec.column)) return { file, fromTable: false, idCol: spec.idCol ?? labels.idCol };
  }
  if (table !== undefined) return { file: resolvePath(table.file), fromTable: true, idCol: spec.idCol ?? table.idCol };
  throw new PipelineError('E_USAGE', `no file holds the column '${spec.column}'`, {
    field: `${field}.file`,
    hint: `name the CSV that holds it (${field}.file, --groups-csv), or add it to the labels file`,
  });
}

/**
 * Reads and aligns every input a training config names: the table, the H5 signal (opened once),
 * labels, groups and folds by id; builds the views the base models read (the wavelet view is
 * featurized from the same H5 handle). Nothing is written.
 */
export async function loadTrainingInputs(config: TrainConfig, options: LoadOptions): Promise<TrainingInputs> {
  const started = performance.now();
  const { inputs } = config;
  const needs = new Set<ViewName>([...config.baseModels.map((m) => m.view), ...(config.meta.passthrough ?? [])]);
  // Each file's size and modification time before it is read; its sha256 is taken later (the
  // caller calls `fingerprints()`), and must be of a file that still has this stamp.
  const stamps = new Map<string, FileStamp | undefined>();
  const stamp = (path: string): void => {
    const absolute = resolve(path);
    if (!stamps.has(absolute)) stamps.set(absolute, fileStamp(absolute));
  };
  /** In input order. */
  let hashed: Promise<InputFingerprint[]> | undefined;
  const later: Array<() => Promise<InputFingerprint>> = [];
  const fingerprint = (path: string, role: string, extra: { shape?: readonly number[]; dataset?: string }): void => {
    const absolute = resolve(path);
    stamp(absolute);
    const expected = stamps.get(absolute);
    later.push(() => fingerprintFile(absolute, role, extra, expected === undefined ? {} : { expected }));
  };
  if (inputs.signal !== undefined && (needs.has('dwt') || needs.has('signal'))) stamp(options.resolvePath(inputs.signal.file));
  if (inputs.table !== undefined) stamp(options.resolvePath(inputs.table.file));
  if (inputs.labels !== undefined) stamp(options.resolvePath(inputs.labels.file));
  if (inputs.images?.file !== undefined) stamp(options.resolvePath(inputs.images.file));
  const groupsAt = inputs.groups === undefined ? undefined : await columnSource(config, inputs.groups, 'inputs.groups', options.resolvePath);
  const foldsAt = inputs.folds === undefined ? undefined : await columnSource(config, inputs.folds, 'inputs.folds', options.resolvePath);
  if (groupsAt !== undefined) stamp(groupsAt.file);
  if (foldsAt !== undefined) stamp(foldsAt.file);
  let table: TableInput | undefined;
  if (inputs.table !== undefined) {
    const exclude = [
      ...(inputs.table.labelCol === undefined ? [] : [inputs.table.labelCol]),
      ...(groupsAt?.fromTable ? [inputs.groups!.column] : []),
      ...(foldsAt?.fromTable ? [inputs.folds!.column] : []),
    ];
    table = await readTable(options.resolvePath(inputs.table.file), {
      idCol: inputs.table.idCol,
      dropCols: inputs.table.dropCols,
      exclude,
      categoricalCols: inputs.table.categoricalCols,
      numericCols: inputs.table.numericCols,
      naValues: inputs.table.naValues,
    });
    fingerprint(table.file, 'x-csv', { shape: [table.matrix.rows, table.matrix.cols] });
  }
  let signal: SignalInput | undefined;
  // The featurize threads load their modules while this one opens and reads the inputs (unless the caller started them earlier).
  const ownWorkers = options.featurizeWorkers === undefined && inputs.signal !== undefined && needs.has('dwt') ? startFeaturizeWorkers() : undefined;
  const featurizeWorkers = options.featurizeWorkers ?? ownWorkers;
  try {
    if (inputs.signal !== undefined && (needs.has('dwt') || needs.has('signal'))) {
      const s = inputs.signal;
      signal = await SignalInput.open(options.resolvePath(s.file), { datasetKey: s.datasetKey, metaCols: s.metaCols, ids: s.ids, metaFeatures: s.metaFeatures }, options.logger);
      fingerprint(signal.file, 'x-h5', { shape: [signal.rows, signal.cols], dataset: s.datasetKey });
      if (table !== undefined) checkSameRows(table, signal);
    }
    let imageIndex: ImageIndex | undefined;
    if (inputs.images !== undefined && (needs.has('image') || inputs.images.labelCol !== undefined)) {
      imageIndex = await readImageSource(inputs.images, inputs.images, options.resolvePath);
    }
    const primary = table !== undefined || signal !== undefined;
    const rows = table?.matrix.rows ?? signal?.rows ?? imageIndex!.ids.length;
    // Ids that align other files: the table's, else the H5 meta column's (row-position ids align by order), else the image list's.
    const alignIds = table?.ids ?? (signal?.layout.ids === 'meta' ? signal.ids : primary ? undefined : imageIndex?.ids.slice());
    const ids = table?.ids ?? signal?.ids ?? imageIndex?.ids.slice();
    const duplicateIdError = (field: string, cause?: unknown): PipelineError => {
      const { id, rows: [a, b] } = signal!.duplicateId!;
      return new PipelineError('E_INPUT', `rows ${a + 1} and ${b + 1} of the H5 share the id ${id} (first meta column), so ${field} cannot be aligned by id`, {
        file: signal!.file,
        field: 'inputs.signal.ids',
        hint: "the first meta column is not a unique row id (e.g. a window index): use ids 'row' (--h5-ids row) and a file without ids (matched by row order)",
        ...(cause === undefined ? {} : { cause }),
      });
    };
    const metaIdsDuplicated = table?.ids === undefined && signal?.duplicateId !== undefined && signal.layout.ids === 'meta';
    /** Reads a column aligned to the rows; duplicated H5 meta ids that break the alignment get a clear error. */
    const aligned = async (file: string, spec: Omit<Parameters<typeof readAlignedColumn>[1], 'ids' | 'rows'>, what: string): Promise<LabelTable> => {
      let read: LabelTable;
      try {
        read = await readAlignedColumn(file, { ...spec, ids: alignIds, rows });
      } catch (error) {
        if (metaIdsDuplicated && error instanceof PipelineError && error.code === 'E_INPUT') throw duplicateIdError(what, error);
        throw error;
      }
      if (metaIdsDuplicated && read.alignment === 'id') throw duplicateIdError(what);
      return read;
    };
    const labelsInImages = inputs.labels === undefined && inputs.table?.labelCol === undefined && inputs.images?.labelCol !== undefined;
    const labelFile = labelsInImages ? imageIndex!.file : options.resolvePath(inputs.labels?.file ?? inputs.table!.file);
    const labels = await aligned(
      labelFile,
      labelsInImages
        ? { column: inputs.images!.labelCol, idCol: inputs.images!.idCol, field: 'inputs.images' }
        : { column: inputs.labels?.column ?? inputs.table?.labelCol, idCol: inputs.labels === undefined ? table?.idColumn : inputs.labels.idCol, field: inputs.labels === undefined ? 'inputs.table' : 'inputs.labels' },
      'the labels',
    );
    if (inputs.labels !== undefined) fingerprint(labels.file, 'y-csv', { shape: [labels.labels.length] });
    const minimum = config.cv.strategy === 'predefined' || inputs.folds !== undefined ? 1 : config.cv.splits;
    labels.counts.forEach((count, k) => {
      if (count < minimum) {
        throw new PipelineError('E_INPUT', `class '${labels.classNames[k]}' has ${count} rows, fewer than the ${config.cv.splits} folds of cv.splits`, {
          file: labels.file,
          field: labels.labelColumn,
          hint: `every class needs at least ${config.cv.splits} rows for stratified folds: lower cv.splits (--splits) or add data`,
        });
      }
    });
    let groups: Int32Array | undefined;
    if (groupsAt !== undefined) {
      const read = await aligned(groupsAt.file, { column: inputs.groups!.column, idCol: groupsAt.idCol, field: 'inputs.groups' }, 'the groups');
      groups = read.labels;
      if (!groupsAt.fromTable && groupsAt.file !== labels.file) fingerprint(read.file, 'groups-csv', { shape: [groups.length] });
    }
    let folds: Int32Array | undefined;
    if (foldsAt !== undefined) {
      const read = await aligned(foldsAt.file, { column: inputs.folds!.column, idCol: foldsAt.idCol, field: 'inputs.folds' }, 'the folds');
      folds = foldNumbers(read, 'inputs.folds.column');
      if (!foldsAt.fromTable && foldsAt.file !== labels.file) fingerprint(read.file, 'folds-csv', { shape: [folds.length] });
    }
    const readMs = performance.now() - started;
    const views: TrainingInputs['views'] = {};
    if (needs.has('tabular') && table !== undefined) {
      const categoricalColumns = table.columns.filter((_, k) => table!.types[k] === 'categorical');
      // inputs.table.categorical: onehot columns become indicator columns by the learned code tables.
      const oneHot = oneHotColumnsOf(inputs.table!.categorical, table.columns, table.encoding, table.file);
      const encoded = oneHotTable(table, oneHot, table.encoding, inputs.table!.maxOneHotCategories);
      const expanded = (name: string) => table!.encoding.columns[name]!.categories.map((category) => `${name}=${category}`);
      views.tabular = {
        matrix: encoded.matrix,
        columns: encoded.columns,
        entry: {
          source: 'x-csv',
          columns: table.columns,
          ignoredColumns: table.ignoredColumns,
          featureGroups: {
            numeric: table.columns.filter((_, k) => table!.types[k] === 'numeric'),
            categorical: categoricalColumns,
            dropped: [...inputs.table!.dropCols],
            ...(oneHot.length === 0 ? {} : { oneHot: Object.fromEntries(oneHot.map((name) => [name, expanded(name)])) }),
          },
          ...(categoricalColumns.length === 0 ? {} : { categoricalColumns, encoding: RUN_FILES.encoding }),
          ...(oneHot.length === 0 ? {} : { oneHotColumns: oneHot, featureNames: encoded.columns }),
        },
        ...(categoricalColumns.length === 0 ? {} : { encoding: table.encoding }),
      };
    }
    if (needs.has('image') && imageIndex !== undefined) {
      const settings = inputs.images!;
      const ordered = alignImageIndex(imageIndex, primary ? alignIds : undefined, rows);
      const matrix = await readImageView(ordered, settings);
      // The image list CSV is fingerprinted (an image folder is not a file: its names are in the view's ids).
      if (settings.file !== undefined) fingerprint(imageIndex.file, 'images-csv', { shape: [rows, settings.height, settings.width] });
      const columns = imageColumns(settings);
      views.image = {
        matrix,
        columns,
        entry: {
          source: settings.file !== undefined ? 'images-csv' : 'images-dir',
          columns: [`${columns[0]}..${columns[columns.length - 1]}`],
          recipe: { kind: 'grey-image', version: 1, height: settings.height, width: settings.width, scale: '1/255', ...(settings.dir === undefined ? {} : { pattern: settings.pattern ?? DEFAULT_IMAGE_PATTERN }) },
        },
      };
    }
    let featurizeMs = 0;
    if (needs.has('dwt') && signal !== undefined) {
      const t = performance.now();
      const exclude = [inputs.groups?.column, inputs.folds?.column].filter((c): c is string => c !== undefined);
      const recipe = signal.dwtRecipe(exclude);
      const dropGroups = config.features.dropGroups ?? [];
      // Checked before featurizing: a misspelt group fails in milliseconds, not after the whole H5.
      const kept = dropGroups.length === 0 ? undefined : keptRecipeColumns(recipe, dropGroups);
      const built = await signal.dwtView(recipe, { chunkSize: config.features.chunkSize, signal: options.signal, logger: options.logger, onProgress: options.onProgress, started: featurizeWorkers });
      const columns = kept?.columns ?? built.columns;
      views.dwt = {
        matrix: kept === undefined ? built.matrix : selectNamedColumns(built.matrix, built.columns, kept.columns, 'recipe'),
        columns,
        entry: {
          source: 'x-h5',
          columns,
          recipe: recipe as unknown as Record<string, unknown>,
          featureGroups: { engineered: columns, ...(kept === undefined ? {} : { dropped: kept.dropped }) },
          ...(kept === undefined ? {} : { droppedGroups: [...dropGroups] }),
        },
      };
      featurizeMs = performance.now() - t;
    }
    if (needs.has('signal') && signal !== undefined) {
      const matrix = signal.readSignal();
      const columns = Array.from({ length: signal.signalLength }, (_, i) => `s${i}`);
      views.signal = {
        matrix,
        columns,
        entry: {
          source: 'x-h5',
          columns: [`${columns[0]}..${columns[columns.length - 1]}`],
          signal: { start: signal.signalStart, length: signal.signalLength, datasetKey: signal.layout.datasetKey },
        },
      };
    }
    return {
      views,
      ids,
      labels: labels.labels,
      classNames: labels.classNames,
      counts: labels.counts,
      ...(groups === undefined ? {} : { groups }),
      ...(folds === undefined ? {} : { folds }),
      fingerprints: () => (hashed ??= Promise.all(later.map((hash) => hash()))),
      readMs,
      featurizeMs,
    };
  } finally {
    ownWorkers?.close();
    signal?.close();
  }
}

/** Checks that the CSV and the H5 describe the same rows in the same order. */
export function checkSameRows(table: TableInput, signal: SignalInput): void {
  if (table.matrix.rows !== signal.rows) {
    throw new PipelineError('E_INPUT', `the CSV has ${table.matrix.rows} rows but the H5 dataset has ${signal.rows}`, {
      file: signal.file,
      field: signal.layout.datasetKey,
      hint: 'the CSV and the H5 file must hold the same rows in the same order',
    });
  }
  if (table.ids === undefined || signal.layout.ids === 'row') return;
  for (let i = 0; i < signal.rows; i++) {
    if (table.ids[i] !== signal.ids[i]) {
      throw new PipelineError('E_INPUT', `row ${i + 1} has id '${table.ids[i]}' in the CSV but '${signal.ids[i]}' in the H5 (first meta column)`, {
        file: signal.file,
        field: signal.layout.datasetKey,
        hint: "the CSV and the H5 file must hold the same rows in the same order (or use ids 'row' when the first meta column is not an id)",
      });
    }
  }
}
