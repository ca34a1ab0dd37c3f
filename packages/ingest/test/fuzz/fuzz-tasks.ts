import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeFor, isPipelineError } from '@pipeline/core';
import { inspectFile, iterCsvBatches, openH5, readArrowTable, readCsv, readLabels } from '@pipeline/ingest';

/** How one call ended: its value, or what it threw (classified in the worker, where the classes live). */
export type Outcome<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly pipelineError: boolean; readonly code: string | undefined; readonly exitCode: number; readonly name: string; readonly message: string };

/** A file to parse: its bytes are written to `dir/name` first. */
export interface TaskInput {
  readonly dir: string;
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Id column for the readers that take one (Arrow). */
  readonly idColumn?: string;
}

/** `spin` never returns: it checks that the harness reports a hang. */
export type TaskName = 'csv' | 'labels' | 'h5' | 'arrow' | 'spin';

async function settle<T>(action: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return {
      ok: false,
      pipelineError: isPipelineError(error),
      code: isPipelineError(error) ? error.code : undefined,
      exitCode: exitCodeFor(error),
      name: error instanceof Error ? error.constructor.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

let counter = 0;

/** Runs every reader of one file format on the bytes; each reader's outcome separately. */
export async function runTask(task: TaskName, input: TaskInput): Promise<Record<string, Outcome>> {
  if (task === 'spin') for (;;);
  const path = join(input.dir, `${counter++}-${input.name}`);
  writeFileSync(path, input.bytes);
  try {
    if (task === 'csv') return await csvTask(path);
    if (task === 'labels') return { labels: await settle(() => readLabels(path)) };
    if (task === 'h5') return { h5: await settle(() => readWholeH5(path)), inspect: await settle(() => inspectFile(path)) };
    const idColumn = input.idColumn === undefined ? {} : { idColumn: input.idColumn };
    return {
      f32: await settle(() => readArrowTable(path, idColumn)),
      f64: await settle(() => readArrowTable(path, { ...idColumn, dtype: 'float64' })),
      inspect: await settle(() => inspectFile(path)),
    };
  } finally {
    rmSync(path, { force: true });
  }
}

async function csvTask(path: string): Promise<Record<string, Outcome>> {
  const f32 = await settle(() => readCsv(path));
  const f64 = await settle(() => readCsv(path, { dtype: 'float64' }));
  // Tiny batches and the smallest read size: rows and lines cross every buffer boundary.
  const streamed = await settle(async () => {
    const values: number[] = [];
    const ids: string[] = [];
    let columns: readonly string[] = [];
    for await (const batch of iterCsvBatches(path, { dtype: 'float64', batchRows: 3, readBytes: 1024 })) {
      values.push(...batch.data);
      if (batch.ids !== undefined) ids.push(...batch.ids);
      columns = batch.columns;
    }
    return { values: Float64Array.from(values), ids, columns };
  });
  const inspect = await settle(() => inspectFile(path));
  return { f32, f64, streamed, inspect };
}

/** Everything an HDF5 file holds, through every read path: listing, attributes, rows, batches, raw values. */
async function readWholeH5(path: string): Promise<unknown> {
  const file = await openH5(path);
  try {
    const datasets = file.datasets();
    const attrs = file.attrs();
    const values: Record<string, unknown> = {};
    for (const info of datasets) {
      const dataset = file.dataset(info.key);
      const entry: Record<string, unknown> = { info: dataset.info, attrs: dataset.attrs() };
      if (info.dtype === 'string') {
        entry.raw = dataset.readRaw().data;
      } else if (info.shape.length > 0) {
        const rows = info.shape[0]!;
        const matrix = dataset.readRows(0, rows);
        entry.matrix = matrix;
        const batched: number[] = [];
        for (const batch of dataset.iterBatches({ batchRows: 3 })) batched.push(...batch.matrix.data);
        entry.batched = Float32Array.from(batched);
      }
      values[info.key] = entry;
    }
    return { datasets, attrs, values };
  } finally {
    file.close();
  }
}
