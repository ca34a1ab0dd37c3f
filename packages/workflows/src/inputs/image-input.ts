import { readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { PipelineError, type Matrix } from '@pipeline/core';
import { columnIndex, readTextCsv } from '../cv-batch/read-text-csv.js';
import { compileNamePattern } from './name-pattern.js';

/** How the image view is read (the `inputs.images` options); stored in the run's config for predict. */
export interface ImageSettings {
  /** Id column of the image list. */
  readonly idCol: string;
  /** Image path column of the image list (paths relative to the list). */
  readonly pathCol: string;
  /** Height every image must have, in pixels. */
  readonly height: number;
  /** Width every image must have, in pixels. */
  readonly width: number;
}

/** An image list: ids and absolute image paths in file order. */
export interface ImageIndex {
  readonly file: string;
  readonly ids: readonly string[];
  readonly paths: readonly string[];
  /** 1-based CSV line of each entry (for errors); 0 for a folder's files. */
  readonly lines: readonly number[];
}

/** Where the images of a view are: a list CSV or a folder with a file name pattern (one of the two). */
export interface ImageSource {
  readonly file?: string | undefined;
  readonly dir?: string | undefined;
  readonly pattern?: string | undefined;
}

/** The default file name pattern of an image folder. */
export const DEFAULT_IMAGE_PATTERN = '{id}.png';

/** The image list of a source: its CSV, or the folder's files matching the pattern. `resolvePath` makes paths absolute. */
export async function readImageSource(source: ImageSource, settings: Pick<ImageSettings, 'idCol' | 'pathCol'>, resolvePath: (path: string) => string, field = 'inputs.images'): Promise<ImageIndex> {
  if (source.dir !== undefined) return indexImageFolder(resolvePath(source.dir), source.pattern ?? DEFAULT_IMAGE_PATTERN, field);
  return readImageIndex(resolvePath(source.file!), settings, field);
}

/**
 * The files of an image folder whose names match `pattern` (`{id}` = the row id, other `{name}`
 * fields any text, the rest literal), sorted by name; other files are skipped. Two files with one id
 * are an error naming both.
 */
export async function indexImageFolder(dir: string, pattern: string, field = 'inputs.images'): Promise<ImageIndex> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', `image folder ${dir} cannot be read`, { file: dir, field: `${field}.dir`, hint: 'set inputs.images.dir to the image folder', cause });
  }
  const { regex, fields } = compileNamePattern(pattern);
  const idAt = fields.indexOf('id') + 1;
  if (idAt === 0) throw new PipelineError('E_USAGE', `pattern '${pattern}' has no {id} field`, { field: `${field}.pattern`, hint: "e.g. '{id}.png'" });
  const ids: string[] = [];
  const paths: string[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const match = regex.exec(name);
    if (match === null) continue;
    const id = match[idAt]!;
    const first = seen.get(id);
    if (first !== undefined) {
      throw new PipelineError('E_INPUT', `files ${first} and ${name} of ${dir} both have id '${id}' by the pattern '${pattern}'`, { file: dir, field: `${field}.pattern`, hint: 'keep one image per row id, or make the pattern tell them apart' });
    }
    seen.set(id, name);
    ids.push(id);
    paths.push(join(dir, name));
  }
  if (ids.length === 0) throw new PipelineError('E_INPUT', `no file of ${dir} matches the pattern '${pattern}'`, { file: dir, field: `${field}.pattern`, hint: 'check inputs.images.pattern' });
  return { file: dir, ids, paths, lines: paths.map(() => 0) };
}

/** Reads an image list CSV: its id and path columns; duplicate ids are an error naming both lines. */
export async function readImageIndex(file: string, settings: Pick<ImageSettings, 'idCol' | 'pathCol'>, field = 'inputs.images'): Promise<ImageIndex> {
  const csv = await readTextCsv(file);
  const idAt = columnIndex(csv, settings.idCol, `${field}.idCol`);
  const pathAt = columnIndex(csv, settings.pathCol, `${field}.pathCol`);
  const base = dirname(file);
  const ids: string[] = [];
  const paths: string[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  for (const row of csv.rows) {
    const id = (row.cells[idAt] ?? '').trim();
    const path = (row.cells[pathAt] ?? '').trim();
    if (id === '' || path === '') {
      throw new PipelineError('E_INPUT', `line ${row.line} of ${file} has an empty ${id === '' ? settings.idCol : settings.pathCol} cell`, {
        file,
        field: `${field}.${id === '' ? 'idCol' : 'pathCol'}`,
        hint: 'every row of the image list needs an id and an image path',
      });
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new PipelineError('E_INPUT', `id '${id}' is listed twice in ${file} (lines ${first} and ${row.line})`, { file, field: `${field}.idCol`, hint: 'list each row id once' });
    }
    seen.set(id, row.line);
    ids.push(id);
    paths.push(isAbsolute(path) ? path : resolve(base, path));
    lines.push(row.line);
  }
  if (ids.length === 0) throw new PipelineError('E_INPUT', `${file} lists no images`, { file, field, hint: 'add one row per image' });
  return { file, ids, paths, lines };
}

/**
 * The entries of an image list in the order of the feature rows: by id when the rows have ids
 * (a row id the list lacks is an error naming it), else by row order (the counts must agree).
 */
export function alignImageIndex(index: ImageIndex, ids: readonly string[] | undefined, rows: number, field = 'inputs.images'): ImageIndex {
  if (ids === undefined) {
    if (index.ids.length !== rows) {
      throw new PipelineError('E_INPUT', `${index.file} lists ${index.ids.length} images but the other inputs have ${rows} rows`, {
        file: index.file,
        field,
        hint: 'list one image per row, in row order (or give the other inputs ids)',
      });
    }
    return index;
  }
  const at = new Map(index.ids.map((id, k) => [id, k]));
  const order = ids.map((id, row) => {
    const k = at.get(id);
    if (k === undefined) {
      throw new PipelineError('E_INPUT', `row ${row + 1} has id '${id}', which ${index.file} does not list`, {
        file: index.file,
        field: `${field}.idCol`,
        hint: 'list an image for every row id of the table / labels',
      });
    }
    return k;
  });
  return { file: index.file, ids: order.map((k) => index.ids[k]!), paths: order.map((k) => index.paths[k]!), lines: order.map((k) => index.lines[k]!) };
}

/**
 * Reads the images of a list as the image view: rows × (height · width) float32 grey values scaled
 * to [0, 1] (v / 255), row-major from the top-left pixel. A missing or unreadable image, or one of
 * another size, is `E_INPUT` naming the file (and both sizes).
 */
export async function readImageView(index: ImageIndex, settings: Pick<ImageSettings, 'height' | 'width'>, field = 'inputs.images'): Promise<Matrix> {
  const { height, width } = settings;
  const cols = height * width;
  const out = new Float32Array(index.paths.length * cols);
  for (let row = 0; row < index.paths.length; row++) {
    const path = index.paths[row]!;
    let image;
    try {
      image = await (await import('@pipeline/spectrogram')).readImage(path);
    } catch (cause) {
      const why = cause instanceof PipelineError && cause.code === 'E_NOT_FOUND' ? 'is missing' : 'cannot be read';
      const where = index.lines[row]! > 0 ? `line ${index.lines[row]} of ${index.file}` : `in ${index.file}`;
      throw new PipelineError('E_INPUT', `image ${path} (${where}) ${why}: ${(cause as Error).message}`, {
        file: path,
        field: `${field}.pathCol`,
        hint: `fix the path in ${index.file} (paths are relative to that CSV) or add the image (PNG or JPEG)`,
        cause,
      });
    }
    if (image.height !== height || image.width !== width) {
      throw new PipelineError('E_INPUT', `image ${path} is ${image.height}×${image.width} (height×width), but ${field} expects ${height}×${width}`, {
        file: path,
        field: `${field}.height`,
        hint: `resize the images to ${height}×${width}, or set ${field}.height and .width to their size`,
      });
    }
    const target = out.subarray(row * cols, (row + 1) * cols);
    for (let i = 0; i < cols; i++) target[i] = image.data[i]! / 255;
  }
  return { rows: index.paths.length, cols, data: out };
}

/** Column names of the image view: `p<row>_<col>` per pixel. */
export function imageColumns(settings: Pick<ImageSettings, 'height' | 'width'>): string[] {
  const names: string[] = [];
  for (let r = 0; r < settings.height; r++) for (let c = 0; c < settings.width; c++) names.push(`p${r}_${c}`);
  return names;
}
