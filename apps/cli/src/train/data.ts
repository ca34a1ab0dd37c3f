import { PipelineError, selectColumns, type Logger, type Matrix } from '@pipeline/core';
import { openH5, readCsv, readLabels, type CsvTable } from '@pipeline/ingest';
import { fingerprintFile, type InputFingerprint } from '@pipeline/runs';

/** The seed layout of an H5 `features` row: 11 meta columns, then the signal. */
export const H5_META_COLUMNS = 11;

/** A tabular CSV split into features, group/fold columns and ids. */
export interface TabularInput {
  readonly file: string;
  readonly matrix: Matrix;
  readonly columns: string[];
  /** CSV columns that are not features: --drop-cols, --group-col, --fold-col. */
  readonly ignoredColumns: string[];
  readonly ids: string[] | undefined;
  readonly groups?: Int32Array;
  readonly folds?: Int32Array;
}

/** What the H5 file offers: its shape, ids from the first meta column, and the signal range. */
export interface SignalInput {
  readonly file: string;
  readonly datasetKey: string;
  readonly rows: number;
  readonly cols: number;
  readonly ids: string[];
  readonly signalStart: number;
  readonly signalLength: number;
}

/**
 * Reads a tabular CSV: every numeric column but the id, `--drop-cols`, `--group-col` and
 * `--fold-col` is a feature. The group and fold columns are returned separately.
 */
export async function readTabular(
  file: string,
  options: { idCol: string; dropCols: readonly string[]; groupCol?: string; foldCol?: string },
): Promise<TabularInput> {
  let table: CsvTable;
  table = await readCsv(file, { idColumn: options.idCol });
  const known = new Set(table.columns);
  const checkName = (name: string, flag: string) => {
    if (!known.has(name)) {
      throw new PipelineError('E_SCHEMA', `column '${name}' is not in the CSV`, {
        file: table.file,
        field: flag,
        hint: `columns are: ${table.columns.slice(0, 20).join(', ')}${table.columns.length > 20 ? ', …' : ''}`,
      });
    }
  };
  for (const name of options.dropCols) checkName(name, '--drop-cols');
  if (options.groupCol !== undefined) checkName(options.groupCol, '--group-col');
  if (options.foldCol !== undefined) checkName(options.foldCol, '--fold-col');
  const excluded = new Set([...options.dropCols, ...(options.groupCol ? [options.groupCol] : []), ...(options.foldCol ? [options.foldCol] : [])]);
  const featureIndex: number[] = [];
  table.columns.forEach((name, j) => {
    if (!excluded.has(name)) featureIndex.push(j);
  });
  const columns = featureIndex.map((j) => table.columns[j]!);
  const column = (name: string, flag: string, integer: boolean): Int32Array => {
    const j = table.columns.indexOf(name);
    const out = new Int32Array(table.rows);
    for (let i = 0; i < table.rows; i++) {
      const v = table.matrix.data[i * table.cols + j]!;
      if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) {
        throw new PipelineError('E_INPUT', `row ${i + 1} has ${v} in ${flag} column '${name}'; it must hold integers`, {
          file: table.file,
          field: name,
          hint: integer ? 'fold numbers are integers (-1 = never in a test fold)' : 'group ids are numbers',
        });
      }
      out[i] = v;
    }
    return out;
  };
  return {
    file: table.file,
    matrix: selectColumns(table.matrix, featureIndex),
    columns,
    ignoredColumns: [...excluded],
    ids: table.ids,
    ...(options.groupCol === undefined ? {} : { groups: column(options.groupCol, '--group-col', true) }),
    ...(options.foldCol === undefined ? {} : { folds: column(options.foldCol, '--fold-col', true) }),
  };
}

/**
 * Reads a CSV for a trained run: every training feature column must be there; other columns are
 * allowed only if training ignored them too (id, --drop-cols, group/fold columns). Features come
 * back in the training order.
 */
export async function readTabularLike(file: string, idCol: string, expected: readonly string[], ignored: readonly string[]): Promise<TabularInput> {
  const table = await readCsv(file, { idColumn: idCol });
  const have = new Set(table.columns);
  const allowed = new Set([...expected, ...ignored]);
  const missing = expected.filter((name) => !have.has(name));
  const extra = table.columns.filter((name) => !allowed.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const list = (names: string[]) => `${names.slice(0, 10).join(', ')}${names.length > 10 ? `, … (${names.length} in all)` : ''}`;
    const detail = [missing.length > 0 ? `missing: ${list(missing)}` : '', extra.length > 0 ? `not in training: ${list(extra)}` : '']
      .filter(Boolean)
      .join('; ');
    throw new PipelineError('E_SCHEMA', `the CSV's columns differ from the ones the run was trained on (${detail})`, {
      file: table.file,
      field: 'columns',
      hint: 'pass a CSV with the training feature columns (see views.tabular.columns in the run manifest)',
    });
  }
  const index = expected.map((name) => table.columns.indexOf(name));
  return { file: table.file, matrix: selectColumns(table.matrix, index), columns: [...expected], ignoredColumns: [...ignored], ids: table.ids };
}

/** Opens the H5 once to learn its shape and row ids (first meta column), without reading the signal. */
export async function describeSignal(file: string, datasetKey: string, logger: Logger): Promise<SignalInput> {
  const h5 = await openH5(file, { logger });
  try {
    const dataset = h5.dataset(datasetKey);
    const shape = dataset.info.shape;
    if (shape.length !== 2 || shape[1]! <= H5_META_COLUMNS) {
      throw new PipelineError('E_SCHEMA', `dataset '${datasetKey}' has shape [${shape.join(', ')}]; expected (rows, ${H5_META_COLUMNS} meta columns + signal)`, {
        file: h5.path,
        field: datasetKey,
        hint: 'write the features dataset as rows × (11 meta + signal samples)',
      });
    }
    const rows = shape[0]!;
    const idColumn = dataset.readRows(0, rows, { columns: { start: 0, end: 1 } });
    const ids = Array.from(idColumn.data, (v) => formatId(v));
    return { file: h5.path, datasetKey, rows, cols: shape[1]!, ids, signalStart: H5_META_COLUMNS, signalLength: shape[1]! - H5_META_COLUMNS };
  } finally {
    h5.close();
  }
}

/** Reads the raw signal columns of every row (or of `rows`) as a float32 matrix, batch by batch. */
export async function readSignal(input: SignalInput, logger: Logger, rows?: Int32Array): Promise<Matrix> {
  const h5 = await openH5(input.file, { logger });
  try {
    const dataset = h5.dataset(input.datasetKey);
    const columns = { start: input.signalStart, end: input.signalStart + input.signalLength };
    const width = input.signalLength;
    if (rows === undefined) {
      const out = new Float32Array(input.rows * width);
      for (const batch of dataset.iterBatches({ columns })) out.set(batch.matrix.data, batch.start * width);
      return { rows: input.rows, cols: width, data: out };
    }
    const out = new Float32Array(rows.length * width);
    const wanted = new Map<number, number[]>();
    rows.forEach((r, k) => {
      const list = wanted.get(r);
      if (list === undefined) wanted.set(r, [k]);
      else list.push(k);
    });
    for (const batch of dataset.iterBatches({ columns })) {
      for (let r = batch.start; r < batch.end; r++) {
        const targets = wanted.get(r);
        if (targets === undefined) continue;
        const source = batch.matrix.data.subarray((r - batch.start) * width, (r - batch.start + 1) * width);
        for (const k of targets) out.set(source, k * width);
      }
    }
    return { rows: rows.length, cols: width, data: out };
  } finally {
    h5.close();
  }
}

/** Integral ids print without a decimal point (`17`, not `17.0`), as the CSV files write them. */
export function formatId(value: number): string {
  return String(value);
}

/** Checks that the CSV and the H5 describe the same rows in the same order. */
export function checkSameRows(tabular: TabularInput, signal: SignalInput): void {
  if (tabular.matrix.rows !== signal.rows) {
    throw new PipelineError('E_INPUT', `the CSV has ${tabular.matrix.rows} rows but the H5 dataset has ${signal.rows}`, {
      file: signal.file,
      field: signal.datasetKey,
      hint: 'the CSV and the H5 file must hold the same rows in the same order',
    });
  }
  if (tabular.ids === undefined) return;
  for (let i = 0; i < signal.rows; i++) {
    if (tabular.ids[i] !== signal.ids[i]) {
      throw new PipelineError('E_INPUT', `row ${i + 1} has id '${tabular.ids[i]}' in the CSV but '${signal.ids[i]}' in the H5 (first meta column)`, {
        file: signal.file,
        field: signal.datasetKey,
        hint: 'the CSV and the H5 file must hold the same rows in the same order',
      });
    }
  }
}

/** Reads labels aligned to the feature rows' ids. */
export async function readAlignedLabels(file: string, ids: string[] | undefined, rows: number, classNames?: readonly string[]) {
  return readLabels(file, { ...(ids === undefined ? {} : { ids }), rows, ...(classNames === undefined ? {} : { classNames }) });
}

/** Fingerprints an input (sha256, size, shape). */
export async function fingerprint(file: string, role: string, shape?: number[], dataset?: string): Promise<InputFingerprint> {
  return fingerprintFile(file, role, { ...(shape === undefined ? {} : { shape }), ...(dataset === undefined ? {} : { dataset }) });
}
