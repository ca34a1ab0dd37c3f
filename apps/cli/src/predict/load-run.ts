import type { Argv } from 'yargs';
import { PipelineError, loadModel, readArtifact, type Matrix } from '@pipeline/core';
import { parseRecipe } from '@pipeline/features';
import { RunDirectory, MANIFEST_FILE, type RunManifest } from '@pipeline/runs';
import type { FittedStack } from '@pipeline/stacking';
// Importing the model packages registers their artifact loaders.
import '@pipeline/stacking';
import '@pipeline/model-gbdt';
import '@pipeline/model-linear';
import '@pipeline/model-lstm';
import '@pipeline/model-cnn';
import { selectBackend, type BackendName } from '@pipeline/tf';
import type { Runtime } from '../runtime.js';
import { checkSameRows, describeSignal, readSignal, readTabularLike, type SignalInput, type TabularInput } from '../train/data.js';
import { buildDwtView } from '../train/views.js';

/** Inputs given to predict/evaluate. */
export interface PredictInputs {
  readonly xCsv?: string;
  readonly xH5?: string;
  readonly h5DatasetKey?: string;
  readonly idCol: string;
  readonly chunkSize: number;
}

/** Which of --x-csv / --x-h5 a run needs, and why; throws naming exactly what is missing. */
export function checkRunInputs(manifest: RunManifest, inputs: PredictInputs, runDir: string): void {
  const readers = (view: string) => manifest.baseModels.filter((m) => m.input === view).map((m) => m.name);
  const missing: string[] = [];
  if (manifest.views.tabular !== undefined && inputs.xCsv === undefined) {
    missing.push(`--x-csv (base model ${readers('tabular').join(', ')} reads the tabular CSV columns)`);
  }
  const h5Views = ['dwt', 'signal'].filter((v) => manifest.views[v] !== undefined);
  if (h5Views.length > 0 && inputs.xH5 === undefined) {
    const who = h5Views.flatMap(readers).join(', ');
    const why = h5Views.includes('dwt') ? 'wavelet features are rebuilt from the H5 signal with the run\'s recipe' : 'it reads the raw H5 signal';
    missing.push(`--x-h5 (base model ${who}: ${why})`);
  }
  if (missing.length > 0) {
    throw new PipelineError('E_INPUT', `this run needs ${missing.join(' and ')}`, {
      file: `${runDir}/${MANIFEST_FILE}`,
      field: missing.map((m) => m.split(' ')[0]).join(', '),
      hint: 'pass the same kind of inputs the run was trained on',
    });
  }
}

/** Opens a completed run with final models and loads its stack. */
export async function loadRunModel(
  runDir: string,
  purpose: string,
  backend?: string,
  logger?: import('@pipeline/core').Logger,
): Promise<{ run: RunDirectory; stack: FittedStack }> {
  const run = await RunDirectory.openCompleted(runDir, purpose);
  const m = run.manifest;
  if (!m.refitFinal || m.files.model === undefined) {
    throw new PipelineError('E_STATE', `cannot ${purpose}: the run has no final models (trained with --no-refit-final or --no-save)`, {
      file: run.path(MANIFEST_FILE),
      field: 'refitFinal',
      hint: 'train again without --no-refit-final/--no-save; `pipeline evaluate` and `analyze` still work on its OOF predictions',
    });
  }
  if (m.baseModels.some((b) => b.input === 'signal')) {
    await selectBackend({ backend: (backend ?? 'auto') as BackendName | 'auto', ...(logger === undefined ? {} : { logger }) });
  }
  const artifact = await readArtifact(run.path(m.files.model));
  const stack = (await loadModel(artifact)) as FittedStack;
  return { run, stack };
}

/** Reads the views a run's stack needs from the given files, checked against the manifest. */
export async function readRunViews(
  manifest: RunManifest,
  inputs: PredictInputs,
  runtime: Runtime,
): Promise<{ views: Record<string, Matrix>; ids: string[] | undefined; rows: number; files: string[] }> {
  const views: Record<string, Matrix> = {};
  const files: string[] = [];
  let tabular: TabularInput | undefined;
  let signal: SignalInput | undefined;
  const tab = manifest.views.tabular;
  if (tab !== undefined) {
    tabular = await readTabularLike(runtime.resolvePath(inputs.xCsv!), inputs.idCol, tab.columns, tab.ignoredColumns ?? []);
    views.tabular = tabular.matrix;
    files.push(tabular.file);
  }
  const dwt = manifest.views.dwt;
  const raw = manifest.views.signal;
  if (dwt !== undefined || raw !== undefined) {
    const key = inputs.h5DatasetKey ?? raw?.signal?.datasetKey ?? 'features';
    signal = await describeSignal(runtime.resolvePath(inputs.xH5!), key, runtime.logger);
    files.push(signal.file);
    const trainedShape = manifest.inputs.find((i) => i.role === 'x-h5')?.shape;
    if (trainedShape !== undefined && trainedShape[1] !== signal.cols) {
      throw new PipelineError('E_SCHEMA', `dataset '${key}' has ${signal.cols} columns but the run was trained on ${trainedShape[1]}`, {
        file: signal.file,
        field: key,
        hint: 'pass an H5 file with the training layout (11 meta columns + the same number of signal samples)',
      });
    }
    if (tabular !== undefined) checkSameRows(tabular, signal);
    if (dwt !== undefined) {
      const recipe = parseRecipe(dwt.recipe, `${MANIFEST_FILE} views.dwt.recipe`);
      const built = await buildDwtView(signal, recipe, {
        chunkSize: inputs.chunkSize,
        signal: runtime.signal,
        logger: runtime.logger,
        onProgress: runtime.onProgress,
      });
      views.dwt = built.matrix;
    }
    if (raw !== undefined) views.signal = await readSignal(signal, runtime.logger);
  }
  const ids = tabular?.ids ?? signal?.ids;
  const rows = tabular?.matrix.rows ?? signal!.rows;
  return { views, ids, rows, files };
}

/** The data options `predict` and `evaluate` share. */
export function runInputOptions(yargs: Argv): Argv {
  return yargs
    .option('run-dir', { type: 'string', demandOption: true, describe: 'A completed run folder' })
    .option('x-csv', { type: 'string', describe: 'Tabular CSV (when the run has a tabular base model)' })
    .option('x-h5', { type: 'string', describe: 'H5 file (when the run has wavelet or signal base models)' })
    .option('h5-dataset-key', { type: 'string', describe: "Dataset key inside --x-h5 (default: the run's)" })
    .option('backend', { type: 'string', choices: ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], describe: 'TensorFlow.js backend for temporal models' })
    .option('id-col', { type: 'string', default: 'id', describe: 'Id column of --x-csv' })
    .option('chunk-size', { type: 'number', default: 2000, describe: 'Rows per featurization batch' });
}

/** Loads a completed run's final stack and predicts the given data (never trains). */
export async function predictWithRun(args: Record<string, unknown>, runtime: Runtime, purpose: string) {
  const runDir = runtime.resolvePath(String(args.runDir));
  const { run, stack } = await loadRunModel(runDir, purpose, typeof args.backend === 'string' ? args.backend : undefined, runtime.logger);
  try {
    const inputs: PredictInputs = {
      ...(typeof args.xCsv === 'string' ? { xCsv: args.xCsv } : {}),
      ...(typeof args.xH5 === 'string' ? { xH5: args.xH5 } : {}),
      ...(typeof args.h5DatasetKey === 'string' ? { h5DatasetKey: args.h5DatasetKey } : {}),
      idCol: String(args.idCol),
      chunkSize: Number(args.chunkSize),
    };
    checkRunInputs(run.manifest, inputs, run.dir);
    const { views, ids, rows, files } = await readRunViews(run.manifest, inputs, runtime);
    const proba = await stack.predictProba(views, { signal: runtime.signal, logger: runtime.logger });
    return { run, proba, ids, rows, files };
  } finally {
    stack.dispose();
  }
}
