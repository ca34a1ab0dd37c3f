import { mkdir } from 'node:fs/promises';
import { saveArtifact } from '@pipeline/core';
import type { FittedStack } from '@pipeline/stacking';
import type { RunDirectory } from './run-directory.js';
import { RUN_FILES } from './run-files.js';

export interface StackOutputs {
  /** The fitted stack (with its OOF predictions and timings). */
  readonly fitted: FittedStack;
  /** Ids of the rows given to `fit` (row positions as text when undefined). */
  readonly ids: readonly string[] | undefined;
  readonly classNames: readonly string[];
  /** Scores of each base model's OOF and of the stack's (`stack`), by model name: written as metrics files. */
  readonly scores: Readonly<Record<string, unknown>>;
  /** The undersampling seed when rows were undersampled (the kept rows are written). */
  readonly undersampleSeed?: number;
}

export interface WrittenOutputs {
  /** Relative paths by role, for the manifest's `files`. */
  readonly files: Record<string, string>;
  readonly stackColumns: string[];
  readonly keptRows?: number;
  readonly writeMs: number;
}

/**
 * Writes a trained stack's outputs into the run, each file atomically: the fold plan, the OOF
 * tables (Z_oof with the stacking layout's column names, and the stack's OOF with labels, class
 * names and folds in its metadata), the metrics files, the timings and the final model.
 */
export async function writeStackOutputs(run: RunDirectory, outputs: StackOutputs): Promise<WrittenOutputs> {
  const started = performance.now();
  const { fitted, classNames } = outputs;
  const oof = fitted.oof!;
  const files: Record<string, string> = {};
  const rows = oof.rows;
  const ids = Array.from(rows, (r) => outputs.ids?.[r] ?? String(r));
  const foldOf = oof.plan.foldOf[0]!;
  await run.writeJson(RUN_FILES.folds, { splitter: oof.plan.splitter, splitSeed: oof.plan.splitSeed, rows: Array.from(rows), ids, fold: Array.from(foldOf) });
  files.folds = RUN_FILES.folds;
  if (outputs.undersampleSeed !== undefined) {
    await run.writeJson(RUN_FILES.undersample, { seed: outputs.undersampleSeed, keptRows: Array.from(rows), keptIds: ids });
    files.undersample = RUN_FILES.undersample;
  }
  await mkdir(run.path('oof'), { recursive: true });
  const { writeArrowTable } = await import('@pipeline/ingest');
  await writeArrowTable(run.path(RUN_FILES.zOof), { columns: [...oof.columns], matrix: oof.z, ids }, { overwrite: true });
  const probaColumns = classNames.map((_, k) => `proba_${k}`);
  await writeArrowTable(
    run.path(RUN_FILES.metaOof),
    {
      columns: probaColumns,
      matrix: oof.meta,
      ids,
      metadata: { labels: JSON.stringify(Array.from(oof.labels)), classNames: JSON.stringify(classNames), folds: JSON.stringify(Array.from(foldOf)) },
    },
    { overwrite: true },
  );
  files.zOof = RUN_FILES.zOof;
  files.metaOof = RUN_FILES.metaOof;
  for (const [name, summary] of Object.entries(outputs.scores)) await run.writeJson(RUN_FILES.oofMetrics(name), summary);
  await run.writeJson(RUN_FILES.timings, fitted.timings);
  files.metrics = RUN_FILES.metricsDir;
  if (fitted.base.every((b) => b.model !== undefined)) {
    await saveArtifact(run.path(RUN_FILES.model), await fitted.toArtifact());
    files.model = RUN_FILES.model;
  }
  return { files, stackColumns: [...oof.columns], ...(outputs.undersampleSeed === undefined ? {} : { keptRows: rows.length }), writeMs: performance.now() - started };
}
