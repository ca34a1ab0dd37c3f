import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineError } from '@pipeline/core';
import { csvDelimiter, splitCsvLine } from './csv-line.js';
import { listNames } from './csv-scanner.js';
import { requireFile } from './file-checks.js';

export interface ReadLabelsOptions {
  /** Id column. Default: `id` if present, else the first of two columns; a one-column file has no ids. */
  readonly idColumn?: string;
  /** Label column. Default: `label`, `y`, `target` or `class` if present, else the only non-id column. */
  readonly labelColumn?: string;
  /** Ids of the feature rows: labels are aligned to them by id (or by row order if the file has no ids). */
  readonly ids?: readonly string[];
  /** Number of feature rows, for a length check when aligning by row order. */
  readonly rows?: number;
  /** A fixed class mapping (e.g. the trained model's): labels outside it are an error. */
  readonly classNames?: readonly string[];
  /** Accept label ids that have no feature row (they are dropped). Default false: an error. */
  readonly allowExtraLabels?: boolean;
  /** One character. Default: tab for .tsv/.tab, else comma. */
  readonly delimiter?: string;
}

export interface LabelTable {
  readonly file: string;
  /** Class index per (aligned) row. */
  readonly labels: Int32Array;
  /** The label of each class index: numeric labels in numeric order, others in code-unit order. */
  readonly classNames: string[];
  /** Rows per class index. */
  readonly counts: number[];
  /** Row ids in the order of `labels`: the features' ids when given, else the file's ids. */
  readonly ids: string[] | undefined;
  readonly idColumn: string | undefined;
  readonly labelColumn: string;
  /** How rows were matched to features. */
  readonly alignment: 'id' | 'row-order' | 'none';
}

const LABEL_NAMES = ['label', 'y', 'target', 'class'];
const MISSING = new Set(['', 'nan', 'NaN', 'NA', 'N/A', 'null', 'NULL', 'None']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads a label file (`id,label` or a single label column, with a header) and maps labels to class
 * indices 0..k-1. Integer or other numeric labels sort numerically (`'2' < '10'`) and their class
 * names are the canonical numbers (`'1.0'` → `'1'`); string labels sort by code unit. Labels are
 * aligned to the features' `ids` by id when the file has ids, else by row order with a length check.
 *
 * Errors (`E_INPUT`): missing file (`E_NOT_FOUND`), empty file, header only, no recognisable label
 * column (more than two columns, none named label/y/target/class, no `labelColumn`), ragged row,
 * missing label, duplicate ids, ids that do not match the features' (with counts on each side), label count
 * ≠ row count; a label outside `classNames` is `E_SCHEMA`.
 */
export async function readLabels(path: string, options: ReadLabelsOptions = {}): Promise<LabelTable> {
  const file = resolve(path);
  requireFile(file, 'label file', { allowEmpty: true });
  const text = (await readFile(file, 'utf8')).replace(/^\ufeff/, '');
  if (text.trim() === '') {
    throw new PipelineError('E_INPUT', 'label file is empty', { file, hint: 'expected a header (e.g. id,label) and one row per sample' });
  }
  const delimiter = csvDelimiter(file, options.delimiter);
  const lines = text.split('\n');
  const header = splitCsvLine(lines[0]!.replace(/\r$/, ''), delimiter, file, 1).map((name) => name.trim());
  const { idIndex, labelIndex } = pickColumns(file, header, options);
  const fileIds: string[] = [];
  const raw: string[] = [];
  const lineOf: number[] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line, delimiter, file, k + 1);
    if (fields.length !== header.length) {
      throw new PipelineError('E_INPUT', `line ${k + 1} has ${fields.length} fields but the header has ${header.length}`, {
        file,
        ...(fields.length < header.length ? { field: header[fields.length]! } : {}),
        hint: 'every row needs one value per header column',
      });
    }
    const label = fields[labelIndex]!.trim();
    if (MISSING.has(label)) {
      throw new PipelineError('E_INPUT', `line ${k + 1} has no label (${JSON.stringify(label)})`, {
        file,
        field: header[labelIndex]!,
        hint: 'every row needs a label; drop unlabelled rows from both the features and the labels',
      });
    }
    raw.push(label);
    lineOf.push(k + 1);
    if (idIndex >= 0) fileIds.push(fields[idIndex]!.trim());
  }
  if (raw.length === 0) {
    throw new PipelineError('E_INPUT', 'label file has a header but no rows', { file, hint: 'the file needs one row per sample' });
  }
  const { indices, classNames } = mapClasses(file, header[labelIndex]!, raw, lineOf, options.classNames);
  const base = { file, classNames, idColumn: idIndex >= 0 ? header[idIndex] : undefined, labelColumn: header[labelIndex]! };
  if (idIndex >= 0) checkUniqueIds(file, header[idIndex]!, fileIds, lineOf);

  if (idIndex >= 0 && options.ids !== undefined) {
    const labels = alignById(file, fileIds, indices, options.ids, options.allowExtraLabels === true);
    return { ...base, labels, counts: countLabels(labels, classNames.length), ids: [...options.ids], alignment: 'id' };
  }
  const expected = options.ids?.length ?? options.rows;
  if (expected !== undefined && expected !== raw.length) {
    throw new PipelineError('E_INPUT', `${raw.length} labels but the features have ${expected} rows`, {
      file,
      hint:
        idIndex >= 0
          ? 'give the features an id column so rows can be matched by id, or make both files list the same rows'
          : 'the label file has no id column, so rows are matched by order: both files need the same number of rows',
    });
  }
  const ids = options.ids !== undefined ? [...options.ids] : idIndex >= 0 ? fileIds : undefined;
  return {
    ...base,
    labels: indices,
    counts: countLabels(indices, classNames.length),
    ids,
    alignment: expected === undefined ? 'none' : 'row-order',
  };
}

function pickColumns(file: string, header: readonly string[], options: ReadLabelsOptions): { idIndex: number; labelIndex: number } {
  const find = (name: string, option: string): number => {
    const index = header.indexOf(name);
    if (index < 0) {
      throw new PipelineError('E_SCHEMA', `column '${name}' is not in the header`, {
        file,
        field: option,
        hint: `columns in the file: ${listNames(header)}`,
      });
    }
    return index;
  };
  if (header.length === 1) {
    if (options.idColumn !== undefined) find(options.idColumn, 'idColumn');
    return { idIndex: -1, labelIndex: options.labelColumn !== undefined ? find(options.labelColumn, 'labelColumn') : 0 };
  }
  let idIndex = options.idColumn !== undefined ? find(options.idColumn, 'idColumn') : header.indexOf('id');
  let labelIndex = options.labelColumn !== undefined ? find(options.labelColumn, 'labelColumn') : -1;
  if (labelIndex < 0) labelIndex = header.findIndex((name, j) => j !== idIndex && LABEL_NAMES.includes(name.toLowerCase()));
  if (header.length === 2) {
    if (idIndex < 0 && labelIndex < 0) idIndex = 0;
    if (idIndex < 0) idIndex = 1 - labelIndex;
    if (labelIndex < 0) labelIndex = 1 - idIndex;
  }
  if (labelIndex === idIndex && labelIndex >= 0) {
    // Only options can point both at one column.
    throw new PipelineError('E_USAGE', `column '${header[labelIndex]}' cannot be both the id and the label column`, {
      file,
      field: 'labelColumn',
      hint: `name two different columns; columns: ${listNames(header)}`,
    });
  }
  if (labelIndex < 0) {
    // The file does not have the documented layout (id,label or one label column): bad input.
    throw new PipelineError('E_INPUT', `cannot tell which of the ${header.length} columns holds the labels`, {
      file,
      field: 'labelColumn',
      hint: `name it (e.g. --label-col), or call the column label, y, target or class; columns: ${listNames(header)}`,
    });
  }
  return { idIndex, labelIndex };
}

function mapClasses(
  file: string,
  column: string,
  raw: readonly string[],
  lineOf: readonly number[],
  fixed: readonly string[] | undefined,
): { indices: Int32Array; classNames: string[] } {
  const numeric = raw.every((label) => NUMBER.test(label));
  const keys = numeric ? raw.map((label) => String(Number(label))) : raw;
  let classNames: string[];
  if (fixed !== undefined) {
    classNames = [...fixed];
  } else {
    const unique = [...new Set(keys)];
    classNames = numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const index = new Map(classNames.map((name, k) => [name, k]));
  const indices = new Int32Array(keys.length);
  keys.forEach((key, k) => {
    const value = index.get(key);
    if (value === undefined) {
      throw new PipelineError('E_SCHEMA', `label '${raw[k]}' on line ${lineOf[k]} is not one of the classes ${JSON.stringify(classNames)}`, {
        file,
        field: column,
        hint: 'the model was trained on these classes; relabel or retrain',
      });
    }
    indices[k] = value;
  });
  return { indices, classNames };
}

function checkUniqueIds(file: string, column: string, ids: readonly string[], lineOf: readonly number[]): void {
  const seen = new Map<string, number>();
  ids.forEach((id, k) => {
    const previous = seen.get(id);
    if (previous !== undefined) {
      throw new PipelineError('E_INPUT', `duplicate id '${id}' on lines ${lineOf[previous]} and ${lineOf[k]}`, {
        file,
        field: column,
        hint: 'each sample needs exactly one label',
      });
    }
    seen.set(id, k);
  });
}

function alignById(
  file: string,
  fileIds: readonly string[],
  indices: Int32Array,
  featureIds: readonly string[],
  allowExtra: boolean,
): Int32Array {
  const byId = new Map<string, number>();
  fileIds.forEach((id, k) => byId.set(id, indices[k]!));
  const labels = new Int32Array(featureIds.length);
  const missing: string[] = [];
  featureIds.forEach((id, k) => {
    const label = byId.get(id);
    if (label === undefined) missing.push(id);
    else labels[k] = label;
  });
  const featureSet = new Set(featureIds);
  const extra = allowExtra ? [] : fileIds.filter((id) => !featureSet.has(id));
  if (missing.length > 0 || extra.length > 0) {
    const sample = (ids: string[]) => ids.slice(0, 5).map((id) => `'${id}'`).join(', ') + (ids.length > 5 ? ', …' : '');
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`${missing.length} of ${featureIds.length} feature rows have no label (e.g. ${sample(missing)})`);
    if (extra.length > 0) parts.push(`${extra.length} of ${fileIds.length} labels have no feature row (e.g. ${sample(extra)})`);
    throw new PipelineError('E_INPUT', `label ids do not match the features' ids: ${parts.join('; ')}`, {
      file,
      hint: 'use the label file that belongs to these features (ids are compared as text, e.g. "7" ≠ "7.0")',
    });
  }
  return labels;
}

function countLabels(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}
