import { mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { atomicWrite, type Logger, pathExists, PipelineError, sha256 } from '@pipeline/core';
import { csvField } from '@pipeline/ingest';
import type { CvBatchConfig } from './cv-batch-config.js';
import { columnIndex, readTextCsv } from './read-text-csv.js';
import { compileNamePattern } from '../inputs/name-pattern.js';

/** The subsets of a fold. */
export type CvSubset = 'train' | 'val' | 'test';

/** One image found by the name pattern. */
export interface ImageEntry {
  /** File name inside the image folder. */
  readonly image: string;
  readonly patient: string;
  readonly record: string;
  readonly column: string;
}

/** One row of a combined CSV: an image of a patient in one subset of one fold. */
export interface CombinedRow extends ImageEntry {
  readonly fold: string;
  readonly subset: CvSubset;
  readonly label: 0 | 1;
}

/** A patient-level split row, with where it came from. */
interface SplitRow {
  readonly fold: string;
  readonly patient: string;
  readonly subset: CvSubset;
  readonly file: string;
  readonly line: number;
}

/** The combined table of one sub-database and how it was obtained. */
export interface SubdbTable {
  readonly subdb: number;
  /** The combined CSV (`out/subdb{k}/combined.csv`). */
  readonly file: string;
  readonly rows: readonly CombinedRow[];
  /** sha256 of everything the table is built from (pattern, label mapping, image names, label and split file bytes). */
  readonly inputsHash: string;
  /** false when the existing CSV was up to date and kept. */
  readonly rebuilt: boolean;
  readonly counts: {
    readonly images: number;
    readonly labelledPatients: number;
    readonly blankLabels: number;
    readonly imagesWithoutLabel: number;
    readonly splitPatientsWithoutImages: number;
  };
}

/** Column order of a combined CSV. */
export const COMBINED_COLUMNS = ['fold', 'subset', 'patient', 'record', 'column', 'label', 'image'] as const;

const SUBSET_ORDER: Record<CvSubset, number> = { train: 0, val: 1, test: 2 };

/** Step 1: the images of a folder whose names match the pattern (others are skipped), sorted by name. */
export async function indexImages(dir: string, pattern: string): Promise<{ images: ImageEntry[]; skipped: number }> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', `image folder ${dir} cannot be read`, { file: dir, field: 'images', hint: 'set images to the spectrogram image folder', cause });
  }
  const { regex, fields } = compileNamePattern(pattern);
  const images: ImageEntry[] = [];
  let skipped = 0;
  for (const image of names) {
    const match = regex.exec(image);
    if (match === null) {
      skipped++;
      continue;
    }
    const value = (field: string) => match[fields.indexOf(field) + 1] ?? '';
    images.push({ image, patient: value('patient'), record: value('record'), column: value('column') });
  }
  return { images, skipped };
}

/** Step 2: patient → 0/1 from the labels CSV; blank cells are dropped and counted. */
export async function readPatientLabels(config: CvBatchConfig, bytes?: Uint8Array): Promise<{ labels: Map<string, 0 | 1>; blank: number }> {
  const { file, key, column, positive, negative } = config.labels;
  const csv = await readTextCsv(file, bytes);
  const keyAt = columnIndex(csv, key, 'labels.key');
  const valueAt = columnIndex(csv, column, 'labels.column');
  const yes = new Set(positive.map((v) => v.trim().toLowerCase()));
  const no = new Set(negative.map((v) => v.trim().toLowerCase()));
  const labels = new Map<string, 0 | 1>();
  let blank = 0;
  for (const { line, cells } of csv.rows) {
    const patient = (cells[keyAt] ?? '').trim();
    const cell = (cells[valueAt] ?? '').trim();
    if (patient === '') continue;
    if (cell === '') {
      blank++;
      continue;
    }
    const lower = cell.toLowerCase();
    const label = yes.has(lower) ? 1 : no.has(lower) ? 0 : undefined;
    if (label === undefined) {
      throw new PipelineError('E_INPUT', `${file}, line ${line}: ${column} is '${cell}', neither a positive (${positive.join(', ')}) nor a negative (${negative.join(', ')}) value`, {
        file,
        field: 'labels.positive',
        hint: 'add the value to labels.positive or labels.negative, or blank the cell to drop the patient',
      });
    }
    const previous = labels.get(patient);
    if (previous !== undefined && previous !== label) {
      throw new PipelineError('E_INPUT', `${file}, line ${line}: patient ${patient} has conflicting labels`, { file, field: column });
    }
    labels.set(patient, label);
  }
  return { labels, blank };
}

/** The split files of sub-database k: its train files (pattern) and the common val/test file. */
export async function splitFiles(config: CvBatchConfig, subdb: number): Promise<string[]> {
  const { dir, train, common } = config.splits;
  const wanted = train.replace('{k}', String(subdb));
  const regex = new RegExp(`^${wanted.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', `split folder ${dir} cannot be read`, { file: dir, field: 'splits.dir', cause });
  }
  const trainFiles = names.filter((name) => regex.test(name));
  if (trainFiles.length === 0) {
    throw new PipelineError('E_NOT_FOUND', `no split file of sub-database ${subdb} matches ${wanted} in ${dir}`, {
      file: dir,
      field: 'splits.train',
      hint: 'check subdbs and splits.train',
    });
  }
  return [...trainFiles.map((name) => join(dir, name)), join(dir, common)];
}

async function readSplits(config: CvBatchConfig, files: readonly string[], bytes: ReadonlyMap<string, Uint8Array>): Promise<SplitRow[]> {
  const rows: SplitRow[] = [];
  const patientColumn = config.splits.patientColumn ?? config.labels.key;
  for (const file of files) {
    const csv = await readTextCsv(file, bytes.get(file));
    const foldAt = columnIndex(csv, config.splits.foldColumn, 'splits.foldColumn');
    const patientAt = columnIndex(csv, patientColumn, 'splits.patientColumn');
    const subsetAt = columnIndex(csv, config.splits.subsetColumn, 'splits.subsetColumn');
    for (const { line, cells } of csv.rows) {
      const raw = (cells[subsetAt] ?? '').trim().toLowerCase();
      const subset: CvSubset | undefined = raw === 'train' ? 'train' : raw === 'val' || raw === 'validation' ? 'val' : raw === 'test' ? 'test' : undefined;
      if (subset === undefined) {
        throw new PipelineError('E_INPUT', `${file}, line ${line}: subset '${cells[subsetAt] ?? ''}' is not train, val or test`, { file, field: config.splits.subsetColumn });
      }
      rows.push({ fold: (cells[foldAt] ?? '').trim(), patient: (cells[patientAt] ?? '').trim(), subset, file, line });
    }
  }
  return rows;
}

/**
 * The leak guard on the patient-level splits: a patient in two subsets of one fold is an `E_INPUT`
 * naming the patient, the fold and the files (with `enabled: false` a warning instead).
 */
export function checkSplitLeaks(rows: readonly SplitRow[], enabled: boolean, logger: Logger): void {
  const seen = new Map<string, SplitRow>();
  for (const row of rows) {
    const key = `${row.fold}\u0000${row.patient}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, row);
    } else if (first.subset !== row.subset) {
      const message = `leak: patient ${row.patient} is in ${first.subset} (${basename(first.file)}, line ${first.line}) and in ${row.subset} (${basename(row.file)}, line ${row.line}) of fold ${row.fold}`;
      if (enabled) {
        throw new PipelineError('E_INPUT', message, { file: row.file, field: row.patient, hint: 'put every patient in one subset per fold (or set leakGuard: false to only warn)' });
      }
      logger.warn(message, { patient: row.patient, fold: row.fold });
    }
  }
}

/**
 * The leak guard on the image table: a test image whose patient has an image in the training subset
 * of the same fold is an `E_INPUT` naming the patient and the image file.
 */
export function checkImageLeaks(rows: readonly CombinedRow[], enabled: boolean, logger: Logger, file: string): void {
  const trainPatients = new Set(rows.filter((r) => r.subset === 'train').map((r) => `${r.fold}\u0000${r.patient}`));
  for (const row of rows) {
    if (row.subset === 'test' && trainPatients.has(`${row.fold}\u0000${row.patient}`)) {
      const message = `leak: test image ${row.image} of fold ${row.fold} belongs to patient ${row.patient}, who is in the training subset`;
      if (enabled) throw new PipelineError('E_INPUT', message, { file, field: row.patient, hint: 'fix the split files so test patients are never trained on' });
      logger.warn(message, { patient: row.patient, fold: row.fold });
    }
  }
}

/**
 * Steps 1–5 for one sub-database: index the images, read the labels, join by patient, expand the
 * patient-level split files to every image (keeping `fold` and `subset`), check for leaks and write
 * `out/subdb{k}/combined.csv`, rebuilt only with `overwrite` or when an input changed (the inputs'
 * sha256 is kept in `combined.inputs.json`).
 */
export async function buildSubdbTable(
  config: CvBatchConfig,
  subdb: number,
  options: { readonly overwrite?: boolean; readonly logger: Logger },
): Promise<SubdbTable> {
  const { logger } = options;
  const { images, skipped } = await indexImages(config.images, config.imagePattern);
  if (skipped > 0) logger.info(`cv-batch subdb${subdb}: ${skipped} file(s) in ${config.images} do not match ${config.imagePattern} and are skipped`);
  const files = await splitFiles(config, subdb);
  const bytes = new Map<string, Uint8Array>();
  for (const file of [config.labels.file, ...files]) {
    try {
      bytes.set(file, await readFile(file));
    } catch (cause) {
      throw new PipelineError('E_NOT_FOUND', `cannot read ${file}`, { file, field: file === config.labels.file ? 'labels.file' : 'splits', cause });
    }
  }
  const inputsHash = sha256(
    JSON.stringify({
      version: 1,
      subdb,
      imagePattern: config.imagePattern,
      labels: { ...config.labels, file: basename(config.labels.file) },
      splits: { ...config.splits, dir: undefined },
      images: images.map((i) => i.image),
      files: [config.labels.file, ...files].map((file) => [basename(file), sha256(bytes.get(file)!)]),
    }),
  );
  const { labels, blank } = await readPatientLabels(config, bytes.get(config.labels.file));
  logger.info(`cv-batch subdb${subdb}: ${labels.size} labelled patient(s), ${blank} row(s) with a blank ${config.labels.column} dropped`, { blank });
  const splits = await readSplits(config, files, bytes);
  checkSplitLeaks(splits, config.leakGuard, logger);

  const byPatient = new Map<string, ImageEntry[]>();
  let imagesWithoutLabel = 0;
  for (const image of images) {
    if (!labels.has(image.patient)) {
      imagesWithoutLabel++;
      continue;
    }
    const list = byPatient.get(image.patient) ?? [];
    list.push(image);
    byPatient.set(image.patient, list);
  }
  const seen = new Set<string>();
  const missing = new Set<string>();
  const rows: CombinedRow[] = [];
  for (const split of splits) {
    const key = `${split.fold}\u0000${split.patient}\u0000${split.subset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byPatient.get(split.patient);
    if (list === undefined) {
      missing.add(split.patient);
      continue;
    }
    for (const image of list) rows.push({ ...image, fold: split.fold, subset: split.subset, label: labels.get(split.patient)! });
  }
  rows.sort(
    (a, b) =>
      compareFolds(a.fold, b.fold) || SUBSET_ORDER[a.subset] - SUBSET_ORDER[b.subset] || (a.patient < b.patient ? -1 : a.patient > b.patient ? 1 : 0) || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0),
  );
  if (missing.size > 0) logger.info(`cv-batch subdb${subdb}: ${missing.size} patient(s) of the split files have no labelled image and are left out`);
  const file = join(config.out, `subdb${subdb}`, 'combined.csv');
  checkImageLeaks(rows, config.leakGuard, logger, file);
  const counts = { images: images.length, labelledPatients: labels.size, blankLabels: blank, imagesWithoutLabel, splitPatientsWithoutImages: missing.size };

  const stampFile = join(config.out, `subdb${subdb}`, 'combined.inputs.json');
  const previous = await readJson(stampFile);
  const upToDate = options.overwrite !== true && previous?.inputsHash === inputsHash && (await pathExists(file));
  if (upToDate) {
    logger.info(`cv-batch subdb${subdb}: ${file} is up to date (inputs unchanged)`);
  } else {
    if (await pathExists(file)) logger.info(`cv-batch subdb${subdb}: rewriting ${file} (${options.overwrite === true ? '--overwrite' : 'an input changed'})`);
    await mkdir(dirname(file), { recursive: true });
    const lines = [COMBINED_COLUMNS.join(',')];
    for (const r of rows) lines.push([r.fold, r.subset, r.patient, r.record, r.column, String(r.label), r.image].map((v) => csvField(v)).join(','));
    await atomicWrite(file, `${lines.join('\n')}\n`);
    await atomicWrite(stampFile, `${JSON.stringify({ inputsHash, rows: rows.length, counts }, null, 2)}\n`);
  }
  return { subdb, file, rows, inputsHash, rebuilt: !upToDate, counts };
}

/** Folds in numeric order when they are numbers, else by text. */
export function compareFolds(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}


async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
