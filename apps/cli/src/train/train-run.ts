import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PipelineError,
  isPipelineError,
  saveArtifact,
  type Matrix,
} from '@pipeline/core';
import { writeArrowTable } from '@pipeline/ingest';
import { logisticRegression } from '@pipeline/model-linear';
import { predefinedSplit, stratifiedGroupKFold, stratifiedKFold, type FoldRecord } from '@pipeline/model-selection';
import { RunDirectory, RUN_FORMAT_VERSION, loadTaskResult, runName, saveTaskResult, type InputFingerprint, type RunManifest, type ViewEntry } from '@pipeline/runs';
import { stackingClassifier, type FittedStack, type StackingData } from '@pipeline/stacking';
import { selectBackend, type BackendName } from '@pipeline/tf';
import type { Runtime } from '../runtime.js';
import { planBaseModels, type PlannedBaseModel, type ViewName } from './base-models.js';
import { checkSameRows, describeSignal, fingerprint, readAlignedLabels, readSignal, readTabular, type SignalInput, type TabularInput } from './data.js';
import type { TrainOptions } from './options.js';
import { scoreWithFolds, type ScoreSummary } from './scores.js';
import { packageVersions } from './versions.js';
import { buildDwtView, metaNames, recipeFor } from './views.js';

/** The `--json` document of `train` (documented in apps/cli/README.md). */
export interface TrainResult {
  readonly runDir: string;
  readonly status: 'completed';
  readonly baseModels: string[];
  readonly nRows: number;
  readonly classes: string[];
  readonly oof: Record<string, ScoreSummary>;
  readonly timings: Record<string, number>;
  readonly folds?: FoldRecord[];
}

interface LoadedViews {
  readonly views: Partial<Record<ViewName, { matrix: Matrix; columns: string[]; entry: ViewEntry }>>;
  readonly ids: string[] | undefined;
  readonly labels: Int32Array;
  readonly classNames: string[];
  readonly counts: number[];
  readonly groups?: Int32Array;
  readonly folds?: Int32Array;
  readonly inputs: InputFingerprint[];
  readonly readMs: number;
  readonly featurizeMs: number;
}

/** Checks that the inputs the chosen base models need were given, before anything is written. */
export function checkInputs(o: TrainOptions, models: readonly PlannedBaseModel[]): void {
  if (models.length === 0) {
    throw new PipelineError('E_USAGE', 'no base model is selected', {
      field: '--with-hgb',
      hint: 'keep --with-hgb (the default) or add --with-lstm / --with-cnn',
    });
  }
  const needs = new Set(models.map((m) => m.input));
  if (needs.has('tabular') && o.xCsv === undefined) {
    throw new PipelineError('E_INPUT', '--x-csv is required: the HGB base model reads the tabular CSV', {
      field: '--x-csv',
      hint: 'pass --x-csv X_train.csv, or --hgb-fe with --x-h5 to train HGB on wavelet features instead',
    });
  }
  if ((needs.has('dwt') || needs.has('signal')) && o.xH5 === undefined) {
    const who = models.filter((m) => m.input !== 'tabular').map((m) => m.name).join(', ');
    throw new PipelineError('E_INPUT', `--x-h5 is required: ${who} read${who.includes(',') ? '' : 's'} the raw signal`, {
      field: '--x-h5',
      hint: o.hgbFe ? '--hgb-fe builds wavelet features from the H5 signal: pass --x-h5 X_train.h5' : 'pass --x-h5 X_train.h5',
    });
  }
  if (o.undersampleBalanced && needs.has('tabular')) {
    throw new PipelineError('E_INPUT', '--undersample-balanced needs every base model to read the H5 rows (a CSV-fed HGB is not supported)', {
      field: '--undersample-balanced',
      hint: 'add --hgb-fe so all views share the H5 row indices, or use --class-weights-auto',
    });
  }
  if ((o.groupCol !== undefined || o.foldCol !== undefined) && o.xCsv === undefined) {
    throw new PipelineError('E_USAGE', `${o.groupCol !== undefined ? '--group-col' : '--fold-col'} names a column of --x-csv, which is missing`, {
      field: o.groupCol !== undefined ? '--group-col' : '--fold-col',
      hint: 'pass --x-csv with that column',
    });
  }
}

async function loadViews(o: TrainOptions, models: readonly PlannedBaseModel[], runtime: Runtime): Promise<LoadedViews> {
  const started = performance.now();
  const needs = new Set(models.map((m) => m.input));
  const inputs: InputFingerprint[] = [];
  let tabular: TabularInput | undefined;
  let signal: SignalInput | undefined;
  if (o.xCsv !== undefined) {
    tabular = await readTabular(runtime.resolvePath(o.xCsv), {
      idCol: o.idCol,
      dropCols: o.dropCols,
      ...(o.groupCol === undefined ? {} : { groupCol: o.groupCol }),
      ...(o.foldCol === undefined ? {} : { foldCol: o.foldCol }),
    });
    inputs.push(await fingerprint(tabular.file, 'x-csv', [tabular.matrix.rows, tabular.matrix.cols]));
  }
  if (o.xH5 !== undefined && (needs.has('dwt') || needs.has('signal'))) {
    signal = await describeSignal(runtime.resolvePath(o.xH5), o.h5DatasetKey, runtime.logger);
    inputs.push(await fingerprint(signal.file, 'x-h5', [signal.rows, signal.cols], signal.datasetKey));
    if (tabular !== undefined) checkSameRows(tabular, signal);
  }
  const ids = tabular?.ids ?? signal?.ids;
  const rows = tabular?.matrix.rows ?? signal!.rows;
  const yFile = runtime.resolvePath(o.yCsv!);
  const labels = await readAlignedLabels(yFile, ids, rows);
  inputs.push(await fingerprint(labels.file, 'y-csv', [labels.labels.length]));
  labels.counts.forEach((count, k) => {
    if (count < o.splits) {
      throw new PipelineError('E_INPUT', `class '${labels.classNames[k]}' has ${count} rows, fewer than --splits ${o.splits}`, {
        file: labels.file,
        field: labels.labelColumn,
        hint: `every class needs at least ${o.splits} rows for stratified folds: lower --splits or add data`,
      });
    }
  });
  const readMs = performance.now() - started;
  const views: LoadedViews['views'] = {};
  if (needs.has('tabular') && tabular !== undefined) {
    views.tabular = {
      matrix: tabular.matrix,
      columns: tabular.columns,
      entry: { source: 'x-csv', columns: tabular.columns, ignoredColumns: tabular.ignoredColumns },
    };
  }
  let featurizeMs = 0;
  if (needs.has('dwt') && signal !== undefined) {
    const t = performance.now();
    const names = await metaNames(signal.file, runtime.logger);
    const exclude = [o.groupCol, o.foldCol].filter((c): c is string => c !== undefined);
    const recipe = recipeFor(signal, names, exclude);
    views.dwt = await buildDwtView(signal, recipe, {
      chunkSize: o.hgbFeChunkSize,
      signal: runtime.signal,
      logger: runtime.logger,
      onProgress: runtime.onProgress,
    });
    featurizeMs = performance.now() - t;
  }
  if (needs.has('signal') && signal !== undefined) {
    const matrix = await readSignal(signal, runtime.logger);
    const columns = Array.from({ length: signal.signalLength }, (_, i) => `s${i}`);
    views.signal = {
      matrix,
      columns,
      entry: {
        source: 'x-h5',
        columns: [`${columns[0]}..${columns[columns.length - 1]}`],
        signal: { start: signal.signalStart, length: signal.signalLength, datasetKey: signal.datasetKey },
      },
    };
  }
  return {
    views,
    ids,
    labels: labels.labels,
    classNames: labels.classNames,
    counts: labels.counts,
    ...(tabular?.groups === undefined ? {} : { groups: tabular.groups }),
    ...(tabular?.folds === undefined ? {} : { folds: tabular.folds }),
    inputs,
    readMs,
    featurizeMs,
  };
}

function splitterFor(o: TrainOptions) {
  if (o.foldCol !== undefined) return predefinedSplit();
  if (o.groupCol !== undefined) return stratifiedGroupKFold({ nSplits: o.splits, shuffle: true });
  return stratifiedKFold({ nSplits: o.splits, shuffle: true });
}

/** Runs `train` end to end into a run folder. */
export async function train(o: TrainOptions, argv: readonly string[], runtime: Runtime): Promise<TrainResult> {
  const models = planBaseModels(o);
  checkInputs(o, models);
  const runDir = runtime.resolvePath(o.runDir ?? join(o.runsRoot, runName()));
  const run = await RunDirectory.create(runDir, { resume: o.resume });
  const started = performance.now();
  const createdAt = run.hasManifest ? run.manifest.createdAt : new Date().toISOString();
  const splitter = splitterFor(o);
  const meta = logisticRegression({ C: o.metaC, maxIter: 1000 });
  const stack = stackingClassifier({
    base: models.map((m) => ({ name: m.name, spec: m.spec, input: m.input })),
    meta,
    splitter,
    refit: o.refitFinal && o.save ? 'full' : 'none',
    undersampleBalanced: o.undersampleBalanced ? { seed: o.undersampleSeed ?? o.seed } : false,
    classWeightsAuto: o.classWeightsAuto,
  });
  const base: Omit<RunManifest, 'updatedAt'> = {
    formatVersion: RUN_FORMAT_VERSION,
    status: 'running',
    createdAt,
    packages: packageVersions(),
    argv: [...argv],
    seed: o.seed,
    inputs: [],
    nRows: 0,
    classes: { names: [], counts: [] },
    views: {},
    baseModels: models.map((m) => ({ name: m.name, kind: m.spec.kind, input: m.input, args: m.spec.args as Record<string, unknown> })),
    meta: { kind: meta.kind, args: meta.args as unknown as Record<string, unknown> },
    splitter: { kind: splitter.kind, args: splitter.args, nSplits: o.foldCol !== undefined ? 0 : o.splits, foldsFile: 'folds.json' },
    imbalance: o.undersampleBalanced
      ? { strategy: 'undersample-balanced', seed: o.undersampleSeed ?? o.seed }
      : o.classWeightsAuto
        ? { strategy: 'class-weights-auto' }
        : { strategy: 'none' },
    refitFinal: o.refitFinal && o.save,
    timings: {},
    files: {},
  };
  await run.writeManifest(base);
  try {
    if (models.some((m) => m.input === 'signal')) {
      const selection = await selectBackend({ backend: (o.backend ?? 'auto') as BackendName | 'auto', logger: runtime.logger, env: runtime.io.env ?? process.env });
      await run.updateManifest({ environment: { tfjs: selection } });
    }
    const data = await loadViews(o, models, runtime);
    const nRows = data.labels.length;
    const stackData: StackingData = {
      views: Object.fromEntries(Object.entries(data.views).map(([name, view]) => [name, view.matrix])),
      labels: data.labels,
      classNames: data.classNames,
      ...(data.ids === undefined ? {} : { ids: data.ids }),
      ...(data.groups === undefined ? {} : { groups: data.groups }),
      ...(data.folds === undefined ? {} : { folds: data.folds }),
      featureNames: Object.fromEntries(Object.entries(data.views).map(([name, view]) => [name, view.columns])),
    };
    const viewEntries = Object.fromEntries(Object.entries(data.views).map(([name, view]) => [name, view.entry]));
    await run.updateManifest({
      inputs: data.inputs,
      nRows,
      classes: { names: data.classNames, counts: data.counts },
      views: viewEntries,
    });
    const fitStarted = performance.now();
    const fitted = await stack.fit(stackData, {
      seed: o.seed,
      signal: runtime.signal,
      logger: runtime.logger,
      onProgress: runtime.onProgress,
      completed: async (task) => {
        const stored = await loadTaskResult(run, task.id);
        return stored === undefined ? undefined : { result: stored as never };
      },
      onTaskDone: async (outcome) => {
        if (outcome.task.type === 'fold-fit' && !outcome.task.payload.keepModel) await saveTaskResult(run, outcome.result);
      },
    });
    const fitMs = performance.now() - fitStarted;
    const written = await writeOutputs(run, fitted, data, o);
    const timings = {
      readMs: data.readMs,
      featurizeMs: data.featurizeMs,
      ...stepTimings(fitted),
      fitMs,
      writeMs: written.writeMs,
      totalMs: performance.now() - started,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    await run.updateManifest({ timings, files: written.files, ...(written.imbalance ? { imbalance: written.imbalance } : {}) });
    await run.setStatus('completed');
    return {
      runDir: run.dir,
      status: 'completed',
      baseModels: models.map((m) => m.name),
      nRows,
      classes: data.classNames,
      oof: written.scores,
      timings,
      ...(o.timing ? { folds: [...fitted.timings!.folds, ...fitted.timings!.refit] } : {}),
    };
  } catch (error) {
    const code = isPipelineError(error) ? error.code : 'E_INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    await run.setStatus('failed', { code, message }).catch(() => undefined);
    throw error;
  }
}

function stepTimings(fitted: FittedStack): Record<string, number> {
  const t = fitted.timings!;
  const sum = (records: readonly FoldRecord[]) => records.reduce((s, r) => s + r.fitMs + r.predictMs, 0);
  return {
    oofMs: sum(t.folds),
    metaMs: sum(t.metaFolds) + t.meta.fitMs + t.meta.predictMs,
    refitMs: sum(t.refit),
    stackOverheadMs: t.overheadMs,
  };
}

async function writeOutputs(run: RunDirectory, fitted: FittedStack, data: LoadedViews, o: TrainOptions) {
  const started = performance.now();
  const oof = fitted.oof!;
  const nClasses = data.classNames.length;
  const files: Record<string, string> = {};
  const rows = oof.rows;
  const ids = Array.from(rows, (r) => data.ids?.[r] ?? String(r));
  // Fold assignment of every used row (first repeat), and the kept rows of undersampling.
  const foldOf = oof.plan.foldOf[0]!;
  await run.writeJson('folds.json', { splitter: oof.plan.splitter, splitSeed: oof.plan.splitSeed, rows: Array.from(rows), ids, fold: Array.from(foldOf) });
  files.folds = 'folds.json';
  let imbalance: RunManifest['imbalance'] | undefined;
  if (o.undersampleBalanced) {
    await run.writeJson('balance/undersample_balanced.json', { seed: o.undersampleSeed ?? o.seed, keptRows: Array.from(rows), keptIds: ids });
    files.undersample = 'balance/undersample_balanced.json';
    imbalance = { strategy: 'undersample-balanced', seed: o.undersampleSeed ?? o.seed, keptFile: files.undersample, keptRows: rows.length };
  }
  // OOF matrices (Arrow IPC, with ids); labels travel in the meta OOF table's metadata.
  await mkdir(run.path('oof'), { recursive: true });
  await writeArrowTable(run.path('oof/z_oof.arrow'), { columns: [...oof.columns], matrix: oof.z, ids }, { overwrite: true });
  const probaColumns = Array.from({ length: nClasses }, (_, k) => `proba_${k}`);
  await writeArrowTable(
    run.path('oof/meta_oof.arrow'),
    {
      columns: probaColumns,
      matrix: oof.meta,
      ids,
      metadata: { labels: JSON.stringify(Array.from(oof.labels)), classNames: JSON.stringify(data.classNames), folds: JSON.stringify(Array.from(foldOf)) },
    },
    { overwrite: true },
  );
  files.zOof = 'oof/z_oof.arrow';
  files.metaOof = 'oof/meta_oof.arrow';
  // Metrics: each base model's OOF and the stack's, overall and fold by fold.
  const scores: Record<string, ScoreSummary> = {};
  for (const [name, proba] of Object.entries(oof.base)) {
    scores[name] = scoreWithFolds(oof.labels, proba, nClasses, foldOf);
    await run.writeJson(`metrics/oof_${name}.json`, scores[name]);
  }
  scores.stack = scoreWithFolds(oof.labels, oof.meta, nClasses, foldOf);
  await run.writeJson('metrics/oof_stack.json', scores.stack);
  await run.writeJson('metrics/timings.json', fitted.timings);
  files.metrics = 'metrics/';
  if (fitted.base.every((b) => b.model !== undefined)) {
    await saveArtifact(run.path('models/stack'), await fitted.toArtifact());
    files.model = 'models/stack';
  }
  return { files, scores, imbalance, writeMs: performance.now() - started };
}

