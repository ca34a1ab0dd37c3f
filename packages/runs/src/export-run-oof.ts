import { readFile } from 'node:fs/promises';
import { atomicWrite, pathExists, PipelineError } from '@pipeline/core';
import type { OpenedRun } from './open-run.js';
import { readRunPredictions } from './run-predictions.js';

/** Formats of {@link exportRunOof}. */
export type OofExportFormat = 'arrow' | 'csv' | 'npy';

/**
 * Writes the stack's out-of-fold probabilities of a run for ensembling elsewhere: `arrow` (the run's
 * own `oof/meta_oof.arrow`: `id` + `proba_<k>`, labels/folds in its metadata), `csv` (`id,label,fold,
 * proba_<class>…`) or `npy` (float32 rows × classes, C order). Refuses to overwrite unless told.
 */
export async function exportRunOof(run: OpenedRun, out: string, format: OofExportFormat, options: { overwrite?: boolean } = {}): Promise<{ rows: number; cols: number }> {
  run.requireCompleted('export OOF predictions');
  if (options.overwrite !== true && (await pathExists(out))) {
    throw new PipelineError('E_STATE', 'the export file already exists', { file: out, field: '--out', hint: 'choose another --out or pass --overwrite' });
  }
  const oof = await run.oof();
  const { formatFloat32, csvField } = await import('@pipeline/ingest');
  const { rows, cols, data } = oof.stack;
  if (format === 'arrow') {
    await atomicWrite(out, new Uint8Array(await readFile(run.path(run.manifest.files.metaOof!))));
  } else if (format === 'csv') {
    const lines = [['id', 'label', 'fold', ...oof.classNames.map((c) => `proba_${c}`)].map((c) => csvField(c)).join(',')];
    for (let i = 0; i < rows; i++) {
      const cells = [csvField(oof.ids[i] ?? String(i)), csvField(oof.classNames[oof.labels[i]!]!), String(oof.foldOf[i])];
      for (let c = 0; c < cols; c++) cells.push(formatFloat32(data[i * cols + c]!));
      lines.push(cells.join(','));
    }
    await atomicWrite(out, `${lines.join('\n')}\n`);
  } else {
    await atomicWrite(out, npyFloat32(Float32Array.from(data), [rows, cols]));
  }
  return { rows, cols };
}

/** A NumPy .npy (format 1.0) file of little-endian float32 values. */
export function npyFloat32(values: Float32Array, shape: readonly number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const preamble = 10;
  const total = Math.ceil((preamble + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - preamble - 1, ' ')}\n`;
  const out = new Uint8Array(total + values.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, total);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}


/**
 * Writes a run's stored test-set predictions (`predictions/<name>.arrow`, see
 * `writeRunPredictions`) like {@link exportRunOof}: `arrow` (the stored file), `csv`
 * (`id,proba_<class>…`) or `npy` (float32 rows × classes). `name` defaults to the only stored set.
 */
export async function exportRunTest(run: OpenedRun, out: string, format: OofExportFormat, options: { overwrite?: boolean; name?: string } = {}): Promise<{ rows: number; cols: number; name: string }> {
  if (options.overwrite !== true && (await pathExists(out))) {
    throw new PipelineError('E_STATE', 'the export file already exists', { file: out, field: '--out', hint: 'choose another --out or pass --overwrite' });
  }
  const predictions = await readRunPredictions(run.dir, options.name);
  const { rows, cols, data } = predictions.proba;
  if (format === 'arrow') {
    await atomicWrite(out, new Uint8Array(await readFile(predictions.file)));
  } else if (format === 'csv') {
    const { formatFloat32, csvField } = await import('@pipeline/ingest');
    const lines = [['id', ...predictions.classNames.map((c) => `proba_${c}`)].map((c) => csvField(c)).join(',')];
    for (let i = 0; i < rows; i++) {
      const cells = [csvField(predictions.ids[i]!)];
      for (let c = 0; c < cols; c++) cells.push(formatFloat32(data[i * cols + c]!));
      lines.push(cells.join(','));
    }
    await atomicWrite(out, `${lines.join('\n')}\n`);
  } else {
    await atomicWrite(out, npyFloat32(data, [rows, cols]));
  }
  return { rows, cols, name: predictions.name };
}
