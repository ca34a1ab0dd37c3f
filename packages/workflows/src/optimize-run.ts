import { join, resolve } from 'node:path';
import { PipelineError, isPipelineError, resolveContext, type Matrix } from '@pipeline/core';
import {
  applyClassWeights,
  assembleOof,
  canonicalJson,
  classWeightsAuto,
  defaultSearchSpace,
  loadSearchSpace,
  planFoldTasks,
  resolveFolds,
  runFoldTasks,
  runStudy,
  taskFingerprint,
  undersampleBalanced,
  type Direction,
  type FoldEnvironment,
  type FoldEstimator,
  type FoldOutcome,
  type FoldTask,
  type FoldTaskResult,
  type Params,
  type PlannedModel,
  type PrunerSpec,
  type SearchSpace,
  type TrialContext,
  type TrialRecord,
} from '@pipeline/model-selection';
import { RUN_FILES, RUN_FORMAT_VERSION, RunDirectory, runName, runTrialLog, saveTaskResult, type RunManifest } from '@pipeline/runs';
import { buildStack, resolveStackingOptions, takeStackingRows, type StackingData } from '@pipeline/stacking';
import { defaultExecutor } from './executors/default-executor.js';
import { metaSpec, planBaseModels } from './estimators.js';
import { loadTrainingInputs } from './inputs/load-training-inputs.js';
import { packageVersions } from './package-versions.js';
import { scoreProba, scoreWithFolds, type Scores } from './scores.js';
import { cnnArgsSchema, configHash, hgbArgsSchema, lstmArgsSchema, metaArgsSchema, parseTrainConfig, type TrainConfig, type TrainConfigInput } from './train-config.js';
import { absoluteInputs, splitterFor, trainRun, type TrainRunContext, type TrainRunResult } from './train-run.js';

import { OPTIMIZE_METRICS, type OptimizeMetric } from './optimize-metrics.js';

export { OPTIMIZE_METRICS, type OptimizeMetric };

const METRIC_KEY: Record<OptimizeMetric, keyof Scores> = {
  accuracy: 'accuracy',
  'balanced-accuracy': 'balancedAccuracy',
  'log-loss': 'logLoss',
  'f1-macro': 'f1Macro',
};

/** The direction of a metric: `log-loss` is minimized, the others maximized. */
export function metricDirection(metric: OptimizeMetric): Direction {
  return metric === 'log-loss' ? 'minimize' : 'maximize';
}

/** A temporal model's training budget during trials (the final run trains at the config's full budget). */
export interface TrialBudget {
  /** Epochs per trial fit. */
  readonly epochs?: number;
  /** Training rows per trial fit (seeded subset; 0 = all). */
  readonly maxTrainSamples?: number;
}

/** Default trial budgets of the temporal models. */
export const DEFAULT_TRIAL_BUDGETS: Readonly<Record<'lstm' | 'cnn', Required<TrialBudget>>> = Object.freeze({
  lstm: { epochs: 2, maxTrainSamples: 2000 },
  cnn: { epochs: 2, maxTrainSamples: 2000 },
});

/** What to search and how (the CLI's `--opt-*` flags). */
export interface OptimizeOptions {
  /** What to tune: `meta` (the meta-learner) and base-model kinds present in the config (`hgb`, `lstm`, `cnn`). */
  readonly targets: readonly string[];
  /** Trials of the search (logged trials of a resumed search count). Default 20. */
  readonly nTrials?: number;
  /** Seed of the sampler. Default: the config's seed. */
  readonly seed?: number;
  /** Default 'tpe'. */
  readonly sampler?: 'random' | 'qmc' | 'tpe';
  /** Default 'none'. A name, or a pruner spec with options (`{ type: 'median', nStartupTrials: 2 }`). */
  readonly pruner?: PrunerSpec;
  /** Default 'accuracy'. */
  readonly metric?: OptimizeMetric;
  /** Start no new trial after this many milliseconds. */
  readonly timeoutMs?: number;
  /** Trials at once. Default 1. */
  readonly parallel?: number;
  /** The search space (default: `defaultSearchSpace(targets)`), or a YAML/JSON overlay file on it. */
  readonly space?: SearchSpace;
  readonly spaceFile?: string;
  /** Trial budgets of the temporal models (defaults {@link DEFAULT_TRIAL_BUDGETS}). */
  readonly budgets?: { readonly lstm?: TrialBudget; readonly cnn?: TrialBudget };
}

/** Content of `opt/config_used.json`: everything that decides which trials a search proposes. */
export interface OptimizeConfigUsed {
  readonly version: 1;
  readonly targets: readonly string[];
  readonly metric: OptimizeMetric;
  readonly direction: Direction;
  readonly sampler: 'random' | 'qmc' | 'tpe';
  readonly pruner: PrunerSpec;
  readonly nTrials: number;
  readonly parallel: number;
  readonly timeoutMs: number | null;
  readonly seed: number;
  readonly budgets: { readonly lstm: Required<TrialBudget>; readonly cnn: Required<TrialBudget> };
  readonly space: SearchSpace['params'];
  /** What the trials' `foldScores` are: the stack's fold scores (meta-only search) or the mean of the base models' fold probabilities. */
  readonly foldScore: 'stack' | 'base-mean';
  /** Hash of the base config the params patch. */
  readonly baseConfigHash: string;
}

/** Model fits of the search (fresh fold tasks, by model name; `meta` = the meta-learner's). */
export interface SearchFits {
  readonly fits: Readonly<Record<string, number>>;
  /** Fold tasks served from the cache of unchanged models. */
  readonly reused: number;
}

/** What `optimizeRun` returns (and `pipeline train --optimize --json` prints). */
export interface OptimizeRunResult {
  readonly runDir: string;
  readonly metric: OptimizeMetric;
  readonly direction: Direction;
  /** Every finished trial (replayed and new), by number. */
  readonly trials: readonly TrialRecord[];
  readonly best: { readonly trial: number; readonly params: Params; readonly score: number; readonly foldScores: readonly number[] };
  /** Trials run in this call (not replayed from the log). */
  readonly ran: number;
  readonly stoppedBy: 'trials' | 'timeout';
  readonly search: SearchFits;
  /** The final run: the best config at full budget, trained into `runDir`. */
  readonly final: TrainRunResult;
}

const ARG_KEYS: Record<string, readonly string[]> = {
  meta: Object.keys(metaArgsSchema.shape),
  hgb: Object.keys(hgbArgsSchema.shape),
  lstm: Object.keys(lstmArgsSchema.shape),
  cnn: Object.keys(cnnArgsSchema.shape),
};

function usage(field: string, message: string, hint: string): never {
  throw new PipelineError('E_USAGE', message, { field, hint });
}

/**
 * The base config patched with a trial's params: `patch.meta` onto `meta.args`, `patch.<kind>` onto
 * the args of every base model of that kind. With `budgets`, the temporal models' epochs and
 * training rows are capped (params the search sets itself win). Validated like any config.
 */
export function patchTrainConfig(
  config: TrainConfig,
  patch: Readonly<Record<string, unknown>>,
  budgets?: OptimizeConfigUsed['budgets'],
): TrainConfig {
  const part = (target: string) => (patch[target] ?? {}) as Record<string, unknown>;
  const next = {
    ...config,
    meta: { ...config.meta, args: { ...config.meta.args, ...part('meta') } },
    baseModels: config.baseModels.map((model) => {
      let args: Record<string, unknown> = { ...model.args };
      if (budgets !== undefined && (model.kind === 'lstm' || model.kind === 'cnn')) {
        const budget = budgets[model.kind];
        const epochs = typeof args.epochs === 'number' ? Math.min(args.epochs, budget.epochs) : budget.epochs;
        const cap = typeof args.maxTrainSamples === 'number' && args.maxTrainSamples > 0 ? Math.min(args.maxTrainSamples, budget.maxTrainSamples) : budget.maxTrainSamples;
        args = { ...args, epochs, ...(budget.maxTrainSamples > 0 ? { maxTrainSamples: cap } : {}) };
      }
      return { ...model, args: { ...args, ...part(model.kind) } };
    }),
  };
  return parseTrainConfig(next);
}

function checkSearch(config: TrainConfig, targets: readonly string[], space: SearchSpace): void {
  const kinds = new Set(config.baseModels.map((m) => m.kind));
  for (const target of targets) {
    if (target !== 'meta' && !kinds.has(target as 'hgb')) {
      usage('targets', `search target '${target}' has no base model of that kind in the config`, `the config's base models are ${[...kinds].join(', ')}; search those, or add a '${target}' base model`);
    }
  }
  for (const name of space.order) {
    const dot = name.indexOf('.');
    const target = name.slice(0, dot);
    const arg = name.slice(dot + 1);
    if (!targets.includes(target)) usage(`space.params.${name}`, `the search space names '${name}' but '${target}' is not a search target`, `add '${target}' to the targets or remove the parameter`);
    if (!(ARG_KEYS[target] ?? []).includes(arg)) {
      usage(`space.params.${name}`, `the training config has no ${target} argument '${arg}'`, `searchable ${target} arguments: ${(ARG_KEYS[target] ?? []).join(', ')}`);
    }
  }
}

function resolveBudgets(budgets: OptimizeOptions['budgets']): OptimizeConfigUsed['budgets'] {
  const one = (kind: 'lstm' | 'cnn'): Required<TrialBudget> => {
    const given = budgets?.[kind] ?? {};
    const out = { ...DEFAULT_TRIAL_BUDGETS[kind], ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
    if (!(Number.isInteger(out.epochs) && out.epochs >= 1)) usage(`budgets.${kind}.epochs`, `the ${kind} trial budget must be an integer >= 1 epochs, got ${out.epochs}`, 'e.g. 2');
    if (!(Number.isInteger(out.maxTrainSamples) && out.maxTrainSamples >= 0)) usage(`budgets.${kind}.maxTrainSamples`, `the ${kind} trial row cap must be an integer >= 0, got ${out.maxTrainSamples}`, '0 = all rows');
    return out;
  };
  return { lstm: one('lstm'), cnn: one('cnn') };
}

/** The search settings that must not change when a search resumes (they decide the proposals). */
function proposalKey(used: OptimizeConfigUsed): string {
  const { nTrials: _n, timeoutMs: _t, ...rest } = used;
  return canonicalJson(rest);
}

/**
 * Hyper-parameter search over a training config, then the final run with the best params.
 *
 * Each trial is the `trainRun` evaluation of the base config patched with the trial's params
 * ({@link patchTrainConfig}): the same folds, fold seeds and meta-learner as `trainRun`, so a
 * trial's score equals the final run's OOF stack score for the same config (temporal models train
 * at the reduced trial budgets). Scored by the OOF `metric` of the stack.
 *
 * **No wasted work.** Fold results are cached by their task fingerprint (model, kind, args, view,
 * rows, seed): base models that are not searched are cross-validated once before the first trial,
 * and any fold task already computed with the same args is reused, so a meta-only search never
 * retrains a base model. The final run reuses the cached folds of its (full-budget) models too.
 *
 * **Fold by fold.** With a pruner, base-model folds run one fold at a time and each fold's score is
 * reported to the pruner before the next fold starts. A stack's fold score needs every fold's base
 * predictions (its meta-learner trains on the other folds' rows), so the reported fold score is the
 * stack's own in a meta-only search and, when base models are searched, the metric of the mean of
 * the base models' fold probabilities (`opt/config_used.json` `foldScore`). The stack's fold scores
 * are kept in each trial's `attributes.stackFoldScores`.
 *
 * Writes `opt/trials.jsonl`, `opt/config_used.json`, `opt/best_params.json`, `opt/best_score.json`
 * in the run folder, then trains the best config into the same folder (its `config.json` is the
 * best config). `resume` continues a search from its trial log (the same proposals as an
 * uninterrupted search) and an interrupted final run from its checkpoints.
 */
export async function optimizeRun(
  configInput: TrainConfigInput | TrainConfig,
  options: OptimizeOptions,
  context: TrainRunContext = {},
): Promise<OptimizeRunResult> {
  const cwd = context.cwd ?? process.cwd();
  const config = absoluteInputs(parseTrainConfig(configInput), cwd);
  const { logger, onProgress, signal } = resolveContext(context);
  const targets = [...options.targets];
  const space = options.space ?? (options.spaceFile === undefined ? defaultSearchSpace(targets) : await loadSearchSpace(resolve(cwd, options.spaceFile), targets));
  if (options.space !== undefined) defaultSearchSpace(targets); // validates the target names
  checkSearch(config, targets, space);
  const metric = options.metric ?? 'accuracy';
  if (!OPTIMIZE_METRICS.includes(metric)) usage('metric', `unknown metric '${String(metric)}'`, `use one of ${OPTIMIZE_METRICS.join(', ')}`);
  const direction = metricDirection(metric);
  const searchesBase = targets.some((t) => t !== 'meta');
  const used: OptimizeConfigUsed = {
    version: 1,
    targets,
    metric,
    direction,
    sampler: options.sampler ?? 'tpe',
    pruner: options.pruner ?? 'none',
    nTrials: options.nTrials ?? 20,
    parallel: options.parallel ?? 1,
    timeoutMs: options.timeoutMs ?? null,
    seed: options.seed ?? config.seed,
    budgets: resolveBudgets(options.budgets),
    space: space.params,
    foldScore: searchesBase ? 'base-mean' : 'stack',
    baseConfigHash: configHash(config),
  };
  const pruning = !(used.pruner === 'none' || (typeof used.pruner === 'object' && used.pruner.type === 'none'));

  const runDir = resolve(cwd, context.runDir ?? join(context.runsRoot ?? 'runs', runName()));
  const run = await RunDirectory.create(runDir, { resume: context.resume === true });
  if (await run.exists(RUN_FILES.optConfig)) {
    const previous = await run.readJson<OptimizeConfigUsed>(RUN_FILES.optConfig);
    if (proposalKey(previous) !== proposalKey(used)) {
      throw new PipelineError('E_STATE', 'the search in this run folder was started with other settings; resuming would mix two searches', {
        file: run.path(RUN_FILES.optConfig),
        field: 'opt',
        hint: 'resume with the same config, targets, space, sampler, pruner, metric, budgets, seed and --opt-parallel (only --opt-trials and --opt-timeout may change), or start a new run folder',
      });
    }
  }
  const optFiles = { optTrials: RUN_FILES.optTrials, optConfig: RUN_FILES.optConfig, optBestParams: RUN_FILES.optBestParams, optBestScore: RUN_FILES.optBestScore };
  if (!run.hasManifest) await run.writeManifest(placeholderManifest(config, context.argv ?? [], optFiles));
  await run.writeJson(RUN_FILES.optConfig, used);

  try {
    // The data, prepared exactly as the stack prepares it (imbalance, folds, weights).
    const data = await loadTrainingInputs(config, { resolvePath: (p) => resolve(cwd, p), logger, onProgress, signal });
    const models0 = await planBaseModels(config);
    const resolvedStack = resolveStackingOptions({ base: models0.map((m) => ({ name: m.name, spec: m.spec, input: m.input })), meta: metaSpec(config) });
    const viewNames = resolvedStack.views;
    let stackData: StackingData = {
      views: Object.fromEntries(Object.entries(data.views).map(([name, view]) => [name, view.matrix])),
      labels: data.labels,
      classNames: data.classNames,
      ...(data.groups === undefined ? {} : { groups: data.groups }),
      ...(data.folds === undefined ? {} : { folds: data.folds }),
    };
    const nClasses = data.classNames.length;
    if (config.imbalance.strategy === 'undersample-balanced') {
      stackData = takeStackingRows(stackData, undersampleBalanced(data.labels, config.imbalance.seed ?? config.seed), viewNames);
    }
    const labels = stackData.labels!;
    const n = labels.length;
    const sampleWeight = config.imbalance.strategy === 'class-weights-auto' ? applyClassWeights(labels, classWeightsAuto(labels, nClasses), stackData.sampleWeight) : stackData.sampleWeight;
    const plan = resolveFolds(
      splitterFor(config),
      { nRows: n, labels, ...(stackData.groups === undefined ? {} : { groups: stackData.groups }), ...(stackData.folds === undefined ? {} : { folds: stackData.folds }) },
      config.seed,
      { checkGroups: resolvedStack.args.checkGroups },
    );
    const baseEnv: Omit<FoldEnvironment, 'estimators'> = {
      views: stackData.views,
      labels,
      splits: plan.splits,
      ...(sampleWeight === undefined ? {} : { sampleWeight }),
      ...(stackData.groups === undefined ? {} : { groups: stackData.groups }),
      ...(stackData.classNames === undefined ? {} : { classNames: stackData.classNames }),
    };
    const foldOf = plan.foldOf[0]!;
    const testRows = plan.splits.map((split) => Array.from(split.test));
    const executor = context.executor ?? defaultExecutor(config.baseModels.map((m) => m.kind));
    const key = METRIC_KEY[metric];

    // Fold results by task fingerprint, shared by every trial (and the final run).
    const cache = new Map<string, FoldTaskResult>();
    const fits: Record<string, number> = {};
    let reused = 0;
    const runTasks = async (tasks: readonly FoldTask[], env: FoldEnvironment, taskSignal: AbortSignal | undefined): Promise<FoldOutcome[]> =>
      runFoldTasks(tasks, env, {
        executor,
        seed: config.seed,
        logger,
        ...(taskSignal === undefined ? {} : { signal: taskSignal }),
        stage: 'opt-fold',
        completed: (task) => {
          const hit = cache.get(taskFingerprint(task));
          if (hit !== undefined) reused++;
          return hit === undefined ? undefined : { result: hit };
        },
        onTaskDone: (outcome) => {
          cache.set(taskFingerprint(outcome.task), outcome.result);
          fits[outcome.task.payload.model] = (fits[outcome.task.payload.model] ?? 0) + 1;
        },
      });
    const plannedOf = async (trialConfig: TrainConfig): Promise<PlannedModel[]> => (await planBaseModels(trialConfig)).map((m) => ({ name: m.name, estimator: m.spec, view: m.input }));
    const estimatorsOf = (planned: readonly PlannedModel[]): Record<string, FoldEstimator> => Object.fromEntries(planned.map((m) => [m.name, m.estimator]));
    const probaOf = (outcome: FoldOutcome): Matrix => {
      const blob = outcome.result.blobs?.['proba']!;
      const values = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
      const width = outcome.result.output.classes.length;
      const rows = outcome.result.output.testRows;
      const out = { rows, cols: nClasses, data: new Float32Array(rows * nClasses) };
      outcome.result.output.classes.forEach((c, j) => {
        for (let r = 0; r < rows; r++) out.data[r * nClasses + c] = values[r * width + j]!;
      });
      return out;
    };
    const foldLabels = (split: number) => Int32Array.from(testRows[split]!, (i) => labels[i]!);

    // Base models that are not searched: cross-validated once, before the first trial.
    const fixed = (await plannedOf(config)).filter((_m, k) => !targets.includes(config.baseModels[k]!.kind));
    if (fixed.length > 0) await runTasks(planFoldTasks(fixed, plan, n, config.seed, false), { ...baseEnv, estimators: estimatorsOf(fixed) }, signal);

    const objective = async (trial: TrialContext) => {
      const trialConfig = patchTrainConfig(config, trial.patch as Record<string, unknown>, used.budgets);
      const planned = await plannedOf(trialConfig);
      const env: FoldEnvironment = { ...baseEnv, estimators: estimatorsOf(planned) };
      const tasks = planFoldTasks(planned, plan, n, config.seed, false);
      const outcomes: FoldOutcome[] = [];
      let reported = false;
      if (pruning && searchesBase) {
        for (let split = 0; split < plan.splits.length; split++) {
          const done = await runTasks(tasks.filter((t) => t.payload.split === split), env, trial.signal);
          outcomes.push(...done);
          const mean = { rows: testRows[split]!.length, cols: nClasses, data: new Float32Array(testRows[split]!.length * nClasses) };
          for (const outcome of done) {
            const p = probaOf(outcome);
            for (let i = 0; i < p.data.length; i++) mean.data[i]! += p.data[i]! / done.length;
          }
          if (trial.report(scoreProba(foldLabels(split), mean, nClasses)[key])) return 0;
        }
        reported = true;
      } else {
        outcomes.push(...(await runTasks(tasks, env, trial.signal)));
      }
      const layout = { nClasses, classNames: data.classNames, models: planned.map((m) => m.name), dropFirstBinaryColumn: resolvedStack.args.dropFirstBinaryColumn, passthrough: [] };
      const z = buildStack(
        layout,
        planned.map((m) => assembleOof(outcomes.filter((o) => o.task.payload.model === m.name), plan, nClasses)),
        [],
      );
      const meta = metaSpec(trialConfig);
      const metaEnv: FoldEnvironment = { ...baseEnv, views: { stack: z }, estimators: { meta } };
      const metaTasks = planFoldTasks([{ name: 'meta', estimator: meta, view: 'stack' }], plan, n, config.seed, false);
      const metaOutcomes: FoldOutcome[] = [];
      if (pruning && !searchesBase) {
        for (let split = 0; split < plan.splits.length; split++) {
          const done = await runTasks(metaTasks.filter((t) => t.payload.split === split), metaEnv, trial.signal);
          metaOutcomes.push(...done);
          if (trial.report(scoreProba(foldLabels(split), probaOf(done[0]!), nClasses)[key])) return 0;
        }
        reported = true;
      } else {
        metaOutcomes.push(...(await runTasks(metaTasks, metaEnv, trial.signal)));
      }
      const summary = scoreWithFolds(labels, assembleOof(metaOutcomes, plan, nClasses), nClasses, foldOf);
      const stackFoldScores = summary.folds.map((f) => f[key]);
      let foldScores: number[] | undefined;
      if (!reported) {
        foldScores = searchesBase
          ? plan.splits.map((_s, split) => {
              const done = outcomes.filter((o) => o.task.payload.split === split);
              const mean = { rows: testRows[split]!.length, cols: nClasses, data: new Float32Array(testRows[split]!.length * nClasses) };
              for (const outcome of done) {
                const p = probaOf(outcome);
                for (let i = 0; i < p.data.length; i++) mean.data[i]! += p.data[i]! / done.length;
              }
              return scoreProba(foldLabels(split), mean, nClasses)[key];
            })
          : stackFoldScores;
      }
      return { score: summary[key], ...(foldScores === undefined ? {} : { foldScores }), attributes: { stackFoldScores, configHash: configHash(trialConfig) } };
    };

    const study = await runStudy({
      space,
      objective,
      nTrials: used.nTrials,
      direction,
      sampler: used.sampler,
      pruner: used.pruner,
      parallel: used.parallel,
      seed: used.seed,
      log: runTrialLog(run),
      resume: context.resume === true,
      ...(used.timeoutMs === null ? {} : { timeoutMs: used.timeoutMs }),
      ...(signal === undefined ? {} : { signal }),
      logger,
      onProgress,
    });
    if (study.best === null || study.bestParams === null || study.bestScore === null) {
      const failed = study.trials.find((t) => t.state === 'failed');
      throw new PipelineError('E_STATE', `no trial of the search completed (${study.trials.length} trials${failed?.error === undefined ? '' : `; trial ${failed.number} failed: ${failed.error}`})`, {
        file: run.path(RUN_FILES.optTrials),
        field: 'trials',
        hint: 'check the errors in the trial log, narrow the search space (--opt-space) or run more trials',
      });
    }
    await run.writeJson(RUN_FILES.optBestParams, study.bestParams);
    await run.writeJson(RUN_FILES.optBestScore, { ...study.bestScore, metric });

    // The final run: the best config at full budget, reusing the folds the search already fitted.
    const best = patchTrainConfig(config, study.bestParams.patch as Record<string, unknown>);
    const bestHash = configHash(best);
    if (run.manifest.configHash !== undefined && run.manifest.configHash !== bestHash) {
      await run.remove(RUN_FILES.checkpoints);
      await run.writeManifest(placeholderManifest(config, context.argv ?? [], optFiles, run.manifest.createdAt));
    }
    for (const task of planFoldTasks(await plannedOf(best), plan, n, config.seed, false)) {
      const hit = cache.get(taskFingerprint(task));
      if (hit !== undefined) await saveTaskResult(run, hit);
    }
    const final = await trainRun(best, { ...context, runDir: run.dir, resume: true, manifestFiles: optFiles });
    return {
      runDir: run.dir,
      metric,
      direction,
      trials: study.trials,
      best: { trial: study.best.number, params: study.best.params, score: study.bestScore.score, foldScores: study.bestScore.foldScores },
      ran: study.ran,
      stoppedBy: study.stoppedBy,
      search: { fits, reused },
      final,
    };
  } catch (error) {
    if (run.hasManifest && run.manifest.status === 'running') {
      const code = isPipelineError(error) ? error.code : 'E_INTERNAL';
      const message = error instanceof Error ? error.message : String(error);
      await run.setStatus('failed', { code, message }).catch(() => undefined);
    }
    throw error;
  }
}

/** The run's manifest while the search runs (status running; the final `trainRun` rewrites it). */
function placeholderManifest(config: TrainConfig, argv: readonly string[], files: Record<string, string>, createdAt = new Date().toISOString()): Omit<RunManifest, 'updatedAt'> {
  return {
    formatVersion: RUN_FORMAT_VERSION,
    status: 'running',
    createdAt,
    packages: packageVersions(),
    argv: [...argv],
    seed: config.seed,
    inputs: [],
    nRows: 0,
    classes: { names: [], counts: [] },
    views: {},
    baseModels: [],
    meta: { kind: 'logistic', args: config.meta.args as unknown as Record<string, unknown> },
    splitter: { kind: 'pending', args: {}, nSplits: config.cv.splits, foldsFile: RUN_FILES.folds },
    imbalance: { strategy: 'none' },
    refitFinal: config.refitFinal && config.save,
    timings: {},
    files,
    config: config as unknown as Record<string, unknown>,
  };
}
