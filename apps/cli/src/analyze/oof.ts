import { PipelineError, type Matrix } from '@pipeline/core';
import { readArrowTable } from '@pipeline/ingest';
import type { RunDirectory } from '@pipeline/runs';

/** The saved out-of-fold predictions of a run: the stack's meta OOF and each base model's. */
export interface RunOof {
  readonly ids: string[];
  readonly labels: Int32Array;
  readonly classNames: string[];
  readonly foldOf: Int32Array;
  readonly stack: Matrix;
  /** Each base model's OOF probabilities (rows × classes), rebuilt from Z_oof. */
  readonly base: Record<string, Matrix>;
}

/** Reads `oof/meta_oof.arrow` and `oof/z_oof.arrow` (never trains, never writes). */
export async function readRunOof(run: RunDirectory): Promise<RunOof> {
  const files = run.manifest.files;
  if (files.metaOof === undefined || files.zOof === undefined) {
    throw new PipelineError('E_STATE', 'the run has no saved OOF predictions', {
      file: run.path('manifest.json'),
      field: 'files',
      hint: 'use a run written by a completed `pipeline train`',
    });
  }
  const meta = await readArrowTable(run.path(files.metaOof));
  const parse = <T>(key: string): T => {
    const text = meta.metadata[key];
    if (text === undefined) {
      throw new PipelineError('E_INPUT', `OOF file has no '${key}' metadata`, { file: meta.file, field: key, hint: 're-run train' });
    }
    return JSON.parse(text) as T;
  };
  const labels = Int32Array.from(parse<number[]>('labels'));
  const classNames = parse<string[]>('classNames');
  const foldOf = Int32Array.from(parse<number[]>('folds'));
  const z = await readArrowTable(run.path(files.zOof));
  const k = classNames.length;
  const base: Record<string, Matrix> = {};
  for (const model of run.manifest.baseModels) {
    const columns = Array.from({ length: k }, (_, c) => z.columns.indexOf(`${model.name}:proba_${classNames[c]}`));
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
      throw new PipelineError('E_INPUT', `Z_oof has no columns for base model '${model.name}'`, { file: z.file, field: model.name });
    }
    base[model.name] = { rows: z.rows, cols: k, data: out };
  }
  return { ids: meta.ids ?? [], labels, classNames, foldOf, stack: meta.matrix, base };
}
