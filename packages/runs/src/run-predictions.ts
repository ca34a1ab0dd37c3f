import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Matrix, pathExists, PipelineError } from '@pipeline/core';
import { RUN_FILES } from './run-files.js';

/** Test-set predictions kept in a run folder (`predictions/<name>.arrow`, see RUN_FORMAT.md). */
export interface RunPredictions {
  readonly name: string;
  readonly file: string;
  /** Row ids (the input's ids, or row positions). */
  readonly ids: readonly string[];
  readonly classNames: readonly string[];
  /** Rows × classes probabilities of the final stack (float32). */
  readonly proba: Matrix;
  /** The input files the predictions were made from (absolute paths and sha256 at predict time). */
  readonly sources: readonly { readonly path: string; readonly sha256?: string }[];
  readonly createdAt: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

function checkName(name: string): void {
  if (!NAME.test(name) || name.startsWith('.')) {
    throw new PipelineError('E_USAGE', `predictions name '${name}' is not a plain file name`, { field: '--store-in-run', hint: 'letters, digits, _ . - only, e.g. test' });
  }
}

/**
 * Stores a final stack's predictions of new data in the run (`predictions/<name>.arrow`: an `id`
 * column + `proba_<k>`, class names, sources and time in its metadata), written atomically, so a run
 * keeps its test predictions for `pipeline runs export --what test`. Refuses to replace an existing
 * file unless `overwrite` is set. Never touches the trained files or the manifest.
 */
export async function writeRunPredictions(
  runDir: string,
  predictions: { name: string; ids: readonly string[]; classNames: readonly string[]; proba: Matrix; sources: RunPredictions['sources']; createdAt?: string },
  options: { overwrite?: boolean } = {},
): Promise<string> {
  checkName(predictions.name);
  const { proba, ids, classNames } = predictions;
  if (proba.cols !== classNames.length || ids.length !== proba.rows) {
    throw new PipelineError('E_INTERNAL', `predictions of ${proba.rows} × ${proba.cols} with ${ids.length} ids and ${classNames.length} classes`);
  }
  const relative = RUN_FILES.predictions(predictions.name);
  const file = join(runDir, relative);
  await mkdir(join(runDir, 'predictions'), { recursive: true });
  if (options.overwrite !== true && (await pathExists(file))) {
    throw new PipelineError('E_STATE', `the run already holds predictions named '${predictions.name}'`, { file, field: '--store-in-run', hint: 'choose another name or pass --overwrite' });
  }
  const { writeArrowTable } = await import('@pipeline/ingest');
  await writeArrowTable(
    file,
    {
      columns: classNames.map((_, k) => `proba_${k}`),
      matrix: proba,
      ids: [...ids],
      metadata: {
        classNames: JSON.stringify(classNames),
        sources: JSON.stringify(predictions.sources),
        createdAt: predictions.createdAt ?? new Date().toISOString(),
      },
    },
    { overwrite: true },
  );
  return file;
}

/** Names of the predictions a run keeps (`predictions/*.arrow`), sorted; [] when none. */
export async function listRunPredictions(runDir: string): Promise<string[]> {
  try {
    return (await readdir(join(runDir, 'predictions'))).filter((f) => f.endsWith('.arrow')).map((f) => f.slice(0, -'.arrow'.length)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Reads a run's stored predictions: `name`, or the only ones the run keeps. `E_NOT_FOUND` when the
 * run has none (naming how to store them), `E_USAGE` when several exist and no name is given.
 */
export async function readRunPredictions(runDir: string, name?: string): Promise<RunPredictions> {
  const names = await listRunPredictions(runDir);
  let chosen = name;
  if (chosen === undefined) {
    if (names.length === 0) {
      throw new PipelineError('E_NOT_FOUND', 'the run keeps no test predictions', {
        file: join(runDir, 'predictions'),
        field: '--what',
        hint: 'store them with `pipeline predict --run-dir <run> … --store-in-run test`',
      });
    }
    if (names.length > 1) throw new PipelineError('E_USAGE', `the run keeps several predictions (${names.join(', ')})`, { field: '--name', hint: 'name one of them' });
    chosen = names[0]!;
  }
  checkName(chosen);
  const file = join(runDir, RUN_FILES.predictions(chosen));
  if (!names.includes(chosen)) {
    throw new PipelineError('E_NOT_FOUND', `the run keeps no predictions named '${chosen}'`, { file, field: '--name', hint: names.length === 0 ? 'store them with `pipeline predict … --store-in-run`' : `it keeps ${names.join(', ')}` });
  }
  const { readArrowTable } = await import('@pipeline/ingest');
  const table = await readArrowTable(file);
  const meta = (key: string): unknown => {
    const text = table.metadata[key];
    if (text === undefined) throw new PipelineError('E_INPUT', `predictions file has no '${key}' metadata`, { file, field: key });
    return JSON.parse(text);
  };
  const classNames = meta('classNames') as string[];
  const m = table.matrix as Matrix;
  return {
    name: chosen,
    file,
    ids: table.ids ?? Array.from({ length: table.rows }, (_, i) => String(i)),
    classNames,
    proba: { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) },
    sources: meta('sources') as RunPredictions['sources'],
    createdAt: String(table.metadata.createdAt ?? ''),
  };
}

