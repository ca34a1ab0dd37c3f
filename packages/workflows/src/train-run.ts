import { isAbsolute, join, resolve } from 'node:path';
import { PipelineError, isPipelineError, resolveContext } from '@pipeline/core';
import { startFeaturizeWorkers, type FeaturizeWorkers } from '@pipeline/features';
import { preloadH5 } from '@pipeline/ingest';
import { predefinedSplit, sequentialExecutor, stratifiedGroupKFold, stratifiedKFold, type FoldRecord } from '@pipeline/model-selection';
import {
  RUN_FILES,
  RUN_FORMAT_VERSION,
  RunDirectory,
  loadTaskResult,
  runName,
  saveTaskResult,
  writeStackOutputs,
  type RunManifest,
} from '@pipeline/runs';
import { stackingClassifier, type FittedStack, type StackingData } from '@pipeline/stacking';
import type { BackendName } from '@pipeline/tf';
import { defaultPoolOptions, samePoolOptions } from './executors/default-executor.js';
import { localParallelExecutor, type LocalParallelExecutor } from './executors/local-parallel-executor.js';
import { metaSpec, planBaseModels, withCategoricalFeatures } from './estimators.js';
import { buildsWaveletView, loadTrainingInputs } from './inputs/load-training-inputs.js';
import { packageVersions } from './package-versions.js';
import { scoreWithFolds, type ScoreSummary } from './scores.js';
import { configHash, parseTrainConfig, type TrainConfig, type TrainConfigInput } from './train-config.js';
import type { WorkflowContext } from './workflow-context.js';
import { gitState } from './git-state.js';

/** Where and how `trainRun` writes its run folder. */
export interface TrainRunContext extends WorkflowContext {
  /** The run folder. Default `<runsRoot>/<timestamp>`. */
  readonly runDir?: string;
  /** Parent folder of timestamped runs. Default `runs`. */
  readonly runsRoot?: string;
  /** Continue an interrupted run in `runDir` from its completed fold tasks. */
  readonly resume?: boolean;
  /** The command line that started the run, recorded in the manifest. */
  readonly argv?: readonly string[];
  /** More files of the run folder to list in the manifest's `files` (e.g. a search's `opt/` files). */
  readonly manifestFiles?: Readonly<Record<string, string>>;
  /**
   * Featurize threads the caller started ahead with `startFeaturizeWorkers` from `@pipeline/features`
   * (the CLI starts them before it loads the config schema, so their module loading overlaps its
   * own). `trainRun` uses them for the wavelet view and ends them when it returns or throws (at once
   * when the config builds no wavelet view). Without them it starts its own first thing.
   */
  readonly featurizeWorkers?: FeaturizeWorkers;
  /**
   * A fold worker pool the caller started ahead (`localParallelExecutor(defaultPoolOptions(kinds))`
   * then `start()`: the CLI starts it before it knows the config, so its threads load their modules
   * while the inputs are read). `trainRun` uses it as its executor when no `executor` is given and
   * its options equal those of the pool the run would make ({@link defaultPoolOptions}); it closes
   * the pool when it returns or throws, at once when it does not use it.
   */
  readonly foldWorkers?: LocalParallelExecutor;
}

/** What `trainRun` returns (and `pipeline train --json` prints). */
export interface TrainRunResult {
  readonly runDir: string;
  readonly status: 'completed';
  readonly baseModels: string[];
  readonly nRows: number;
  readonly classes: string[];
  /** OOF scores of each base model and of the stack (`stack`): overall, per fold, mean ± std. */
  readonly oof: Record<string, ScoreSummary>;
  readonly timings: Record<string, number>;
  /** Per-fold, per-model fit/predict records (OOF folds, then refits). */
  readonly folds: FoldRecord[];
  /** The resolved config, as stored in the manifest. */
  readonly config: TrainConfig;
  readonly configHash: string;
}

/** The config with every input path made absolute against `cwd` (so the stored config works from anywhere). */
export function absoluteInputs(config: TrainConfig, cwd: string): TrainConfig {
  const abs = (path: string) => (isAbsolute(path) ? path : resolve(cwd, path));
  const { inputs } = config;
  return {
    ...config,
    inputs: {
      ...(inputs.table === undefined ? {} : { table: { ...inputs.table, file: abs(inputs.table.file) } }),
      ...(inputs.signal === undefined ? {} : { signal: { ...inputs.signal, file: abs(inputs.signal.file) } }),
      ...(inputs.images === undefined
        ? {}
        : { images: { ...inputs.images, ...(inputs.images.file === undefined ? {} : { file: abs(inputs.images.file) }), ...(inputs.images.dir === undefined ? {} : { dir: abs(inputs.images.dir) }) } }),
      ...(inputs.labels === undefined ? {} : { labels: { ...inputs.labels, file: abs(inputs.labels.file) } }),
      ...(inputs.groups === undefined ? {} : { groups: { ...inputs.groups, ...(inputs.groups.file === undefined ? {} : { file: abs(inputs.groups.file) }) } }),
      ...(inputs.folds === undefined ? {} : { folds: { ...inputs.folds, ...(inputs.folds.file === undefined ? {} : { file: abs(inputs.folds.file) }) } }),
    },
  };
}

/** The splitter of a config's `cv` (strategy `auto` resolved from the inputs). */
export function splitterFor(config: TrainConfig) {
  const { cv, inputs } = config;
  const strategy = cv.strategy === 'auto' ? (inputs.folds !== undefined ? 'predefined' : inputs.groups !== undefined ? 'group' : 'stratified') : cv.strategy;
  if (strategy === 'predefined') return predefinedSplit();
  if (strategy === 'group') return stratifiedGroupKFold({ nSplits: cv.splits, shuffle: true });
  return stratifiedKFold({ nSplits: cv.splits, shuffle: true });
}

/**
 * Trains a run end to end into a run folder: validates the config, reads and aligns the inputs
 * (declarative views), fits the stack (OOF base models through the executor → meta-learner on
 * Z_oof → refit), writes every output atomically and marks the run completed last. With `resume`,
 * completed fold tasks stored in the run are reused. Same config and seed → byte-identical outputs.
 */
export async function trainRun(configInput: TrainConfigInput | TrainConfig, context: TrainRunContext = {}): Promise<TrainRunResult> {
  let featurizeWorkers: FeaturizeWorkers | undefined;
  try {
    const cwd = context.cwd ?? process.cwd();
    const config = absoluteInputs(parseTrainConfig(configInput), cwd);
    // The featurize threads start first (unless the caller's are given): they load their modules
    // while this thread prepares the run folder and reads the inputs.
    featurizeWorkers = buildsWaveletView(config) ? (context.featurizeWorkers ?? startFeaturizeWorkers()) : undefined;
    return await trainConfigured(config, cwd, context, featurizeWorkers);
  } finally {
    featurizeWorkers?.close();
    context.featurizeWorkers?.close();
    await context.foldWorkers?.close();
  }
}

async function trainConfigured(config: TrainConfig, cwd: string, context: TrainRunContext, featurizeWorkers: FeaturizeWorkers | undefined): Promise<TrainRunResult> {
  // h5wasm loads (when the file needs it) while the run folder is prepared, ahead of the worker threads' module loading.
  if (config.inputs.signal !== undefined) preloadH5(config.inputs.signal.file);
  const hash = configHash(config);
  const { logger, onProgress, signal } = resolveContext(context);
  let models = await planBaseModels(config);
  const runDir = resolve(cwd, context.runDir ?? join(context.runsRoot ?? 'runs', runName()));
  const run = await RunDirectory.create(runDir, { resume: context.resume === true });
  if (run.hasManifest && run.manifest.configHash !== undefined && run.manifest.configHash !== hash) {
    throw new PipelineError('E_STATE', 'the interrupted run was started with another config; resuming would mix two experiments', {
      file: run.path(RUN_FILES.manifest),
      field: 'configHash',
      hint: `resume with the run's own config (${run.path(RUN_FILES.config)}), or start a new run folder`,
    });
  }
  const started = performance.now();
  const createdAt = run.hasManifest ? run.manifest.createdAt : new Date().toISOString();
  const splitter = splitterFor(config);
  const meta = metaSpec(config);
  const undersample = config.imbalance.strategy === 'undersample-balanced';
  const undersampleSeed = config.imbalance.seed ?? config.seed;
  const passthrough = config.meta.passthrough ?? [];
  const makeStack = (passthroughCategorical?: Record<string, Record<string, readonly string[]>>) =>
    stackingClassifier({
      base: models.map((m) => ({ name: m.name, spec: m.spec, input: m.input })),
      meta,
      splitter,
      ...(passthrough.length === 0 ? {} : { passthrough }),
      ...(passthroughCategorical === undefined ? {} : { passthroughCategorical, ...(config.inputs.table?.maxOneHotCategories === undefined ? {} : { maxOneHotCategories: config.inputs.table.maxOneHotCategories }) }),
      ...(config.meta.missing === undefined || config.meta.missing === 'error' ? {} : { passthroughMissing: config.meta.missing }),
      refit: config.refitFinal && config.save ? 'full' : 'none',
      undersampleBalanced: undersample ? { seed: undersampleSeed } : false,
      classWeightsAuto: config.imbalance.strategy === 'class-weights-auto',
    });
  let stack = makeStack();
  const base: Omit<RunManifest, 'updatedAt'> = {
    formatVersion: RUN_FORMAT_VERSION,
    status: 'running',
    createdAt,
    packages: packageVersions(),
    argv: [...(context.argv ?? [])],
    seed: config.seed,
    inputs: [],
    nRows: 0,
    classes: { names: [], counts: [] },
    views: {},
    baseModels: models.map((m) => ({ name: m.name, kind: m.spec.kind, input: m.input, args: m.spec.args as Record<string, unknown> })),
    meta: { kind: meta.kind, args: meta.args as unknown as Record<string, unknown> },
    splitter: { kind: splitter.kind, args: splitter.args, nSplits: splitter.kind === 'predefined-split' ? 0 : config.cv.splits, foldsFile: RUN_FILES.folds },
    imbalance: undersample
      ? { strategy: 'undersample-balanced', seed: undersampleSeed }
      : config.imbalance.strategy === 'class-weights-auto'
        ? { strategy: 'class-weights-auto' }
        : { strategy: 'none' },
    refitFinal: config.refitFinal && config.save,
    timings: {},
    files: {},
    config: config as unknown as Record<string, unknown>,
    configHash: hash,
    ...(config.name === undefined ? {} : { name: config.name }),
    ...(config.tags === undefined ? {} : { tags: config.tags }),
  };
  await run.writeManifest(base);
  await run.writeJson(RUN_FILES.config, config);
  // The executor: the caller's, or one chosen for the models. A worker pool of our own starts now,
  // so its threads load their modules while this thread reads and featurizes the inputs.
  const poolOptions =
    context.executor === undefined
      ? defaultPoolOptions(
          models.map((m) => m.spec.kind),
          {
            threadsGiven: models.some((m) => (m.spec.args as { nThreads?: unknown }).nThreads !== undefined),
            ...(config.backend === undefined ? {} : { backend: config.backend }),
          },
        )
      : undefined;
  // The caller's pool started ahead, when it is the one this run would make; else it ends now.
  const early = context.foldWorkers?.options !== undefined && poolOptions !== undefined && samePoolOptions(context.foldWorkers.options, poolOptions) ? context.foldWorkers : undefined;
  if (context.foldWorkers !== undefined && early === undefined) await context.foldWorkers.close();
  const pool = poolOptions === undefined ? undefined : (early ?? localParallelExecutor(poolOptions));
  const executor = context.executor ?? pool ?? sequentialExecutor;
  pool?.start();
  /** The manifest's `inputs` and git state, once started (see below); at most one manifest write at a time. */
  let provenance: Promise<unknown> | undefined;
  let recordProvenance: (() => Promise<unknown>) | undefined;
  let provenanceError: unknown;
  /** Set when the run has failed: no provenance write starts after that (the failure's write is the last). */
  let closing = false;
  // Aborts the fit when the provenance fails (an input changed since it was read), besides the caller's signal.
  const stopFit = new AbortController();
  const fitSignal = signal === undefined ? stopFit.signal : AbortSignal.any([signal, stopFit.signal]);
  try {
    if (models.some((m) => m.input === 'signal' || m.input === 'image')) {
      const { selectBackend } = await import('@pipeline/tf');
      const selection = await selectBackend({ backend: (config.backend ?? 'auto') as BackendName | 'auto', logger, env: context.env ?? process.env });
      await run.updateManifest({ environment: { ...run.manifest.environment, tfjs: selection } });
    }
    const data = await loadTrainingInputs(config, { resolvePath: (p) => resolve(cwd, p), logger, onProgress, signal, featurizeWorkers });
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
    const encoding = data.views.tabular?.encoding;
    if (encoding !== undefined) {
      await run.writeJson(RUN_FILES.encoding, encoding);
      // GBDTs on the tabular view split its categorical columns natively.
      models = withCategoricalFeatures(models, data.views.tabular!.columns, encoding);
      // A passed-through tabular view: its native categorical columns reach the meta-learner one-hot.
      const native = data.views.tabular!.columns.filter((name) => name in encoding.columns);
      stack = makeStack(
        passthrough.includes('tabular') && native.length > 0 ? { tabular: Object.fromEntries(native.map((name) => [name, encoding.columns[name]!.categories])) } : undefined,
      );
      await run.updateManifest({ baseModels: models.map((m) => ({ name: m.name, kind: m.spec.kind, input: m.input, args: m.spec.args as Record<string, unknown> })) });
    }
    await run.updateManifest({
      nRows,
      classes: { names: data.classNames, counts: data.counts },
      views: Object.fromEntries(Object.entries(data.views).map(([name, view]) => [name, view.entry])),
    });
    // Once the first task of the fit is done (with a worker pool the folds run on other threads and
    // this one mostly waits), off the start-up path: the input files' sha256 and the code the run was
    // trained with (when the working folder is a git checkout; volatile: environment) go into the
    // manifest. A failed hash (an input changed since it was read) stops the fit and fails the run.
    recordProvenance = () => {
      if (provenance === undefined) {
        provenance = Promise.all([data.fingerprints(), gitState(cwd)]).then(([inputs, git]) =>
          run.updateManifest({ inputs, ...(git === undefined ? {} : { environment: { ...run.manifest.environment, git } }) }),
        );
        provenance.catch((error: unknown) => {
          provenanceError = error;
          stopFit.abort();
        });
      }
      return provenance;
    };
    const fitStarted = performance.now();
    const fitted = await stack.fit(stackData, {
      seed: config.seed,
      signal: fitSignal,
      logger,
      onProgress,
      executor,
      // Our pool runs the final refit beside the out-of-fold fits (no idle core at the end of the OOF).
      ...(pool === undefined ? {} : { overlapRefit: true }),
      completed: async (task) => {
        const stored = await loadTaskResult(run, task.id);
        return stored === undefined ? undefined : { result: stored as never };
      },
      onTaskDone: async (outcome) => {
        if (!closing) void recordProvenance!();
        if (outcome.task.type === 'fold-fit' && !outcome.task.payload.keepModel) await saveTaskResult(run, outcome.result);
      },
    });
    const fitMs = performance.now() - fitStarted;
    await recordProvenance();
    // From the process start (performance.now()'s origin) to the first fold fit starting.
    const startupMs = pool?.firstTaskAt ?? fitStarted;
    await pool?.close();
    const oof = fitted.oof!;
    const nClasses = data.classNames.length;
    const foldOf = oof.plan.foldOf[0]!;
    const scores: Record<string, ScoreSummary> = {};
    for (const [name, proba] of Object.entries(oof.base)) scores[name] = scoreWithFolds(oof.labels, proba, nClasses, foldOf);
    scores.stack = scoreWithFolds(oof.labels, oof.meta, nClasses, foldOf);
    const written = await writeStackOutputs(run, {
      fitted,
      ids: data.ids,
      classNames: data.classNames,
      scores,
      ...(undersample ? { undersampleSeed } : {}),
    });
    const timings = {
      readMs: data.readMs,
      featurizeMs: data.featurizeMs,
      ...stepTimings(fitted),
      fitMs,
      startupMs,
      writeMs: written.writeMs,
      totalMs: performance.now() - started,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    await run.updateManifest({
      timings,
      files: { ...written.files, config: RUN_FILES.config, ...(encoding === undefined ? {} : { encoding: RUN_FILES.encoding }), ...context.manifestFiles },
      stackColumns: written.stackColumns,
      ...(written.keptRows === undefined ? {} : { imbalance: { strategy: 'undersample-balanced', seed: undersampleSeed, keptFile: RUN_FILES.undersample, keptRows: written.keptRows } }),
    });
    await run.setStatus('completed');
    return {
      runDir: run.dir,
      status: 'completed',
      baseModels: models.map((m) => m.name),
      nRows,
      classes: data.classNames,
      oof: scores,
      timings,
      folds: [...fitted.timings!.folds, ...fitted.timings!.refit],
      config,
      configHash: hash,
    };
  } catch (thrown) {
    closing = true;
    // The fit stopped because an input changed: that is the run's error, not the abort it caused.
    const error = provenanceError ?? thrown;
    const code = isPipelineError(error) ? error.code : 'E_INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    // A run that failed before its first task still records what it read (not when interrupted).
    if (provenance === undefined && recordProvenance !== undefined && code !== 'E_ABORTED') void recordProvenance();
    await provenance?.catch(() => undefined); // one manifest write at a time
    await run.setStatus('failed', { code, message }).catch(() => undefined);
    throw error;
  } finally {
    await pool?.close();
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
