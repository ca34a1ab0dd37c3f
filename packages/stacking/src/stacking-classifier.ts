import { performance } from 'node:perf_hooks';
import { deriveSeed, PipelineError, resolveContext, throwIfAborted, type Dataset, type FittedClassifier } from '@pipeline/core';
import {
  applyClassWeights,
  assembleOof,
  classWeightsAuto,
  foldRecord,
  planFoldTasks,
  planRefitTasks,
  resolveFolds,
  runFoldTasks,
  undersampleBalanced,
  type FoldEnvironment,
  type FoldOutcome,
  type FoldRecord,
  type PlannedModel,
  type RunFoldTasksOptions,
} from '@pipeline/model-selection';
import { BaggedClassifier } from './bagged-classifier.js';
import { FittedStack, STACKING_KIND } from './fitted-stack.js';
import { buildStack, stackColumns, type PassthroughLayout, type StackLayout } from './stack-matrix.js';
import { imputeMissing } from './impute-missing.js';
import { checkOneHot, type OneHotColumn } from './one-hot.js';
import { takeStackingRows, toStackingData, type StackingData } from './stacking-data.js';
import { resolveStackingOptions, type StackingArgs, type StackingOptions } from './stacking-options.js';

/** A fit context plus the fold-task hooks: another executor, resume from stored results, persistence. */
export interface StackingFitContext extends Omit<RunFoldTasksOptions, 'stage'> {
  /**
   * Hand the final refits (`refit: 'full'`) to the executor as soon as the first out-of-fold fit is
   * done (they queue behind the other fold fits) instead of after the meta-learner: for an executor
   * that runs several calls at once (a started `localParallelExecutor`), so that no core idles while
   * the last fold fits and the meta-learner runs beside the last refit. Results are unchanged
   * (every task is seeded and assembled by task, not by arrival). Default false.
   */
  readonly overlapRefit?: boolean;
}

/** An immutable stacking estimator; `fit` returns a {@link FittedStack}. */
export interface StackingSpec {
  readonly kind: typeof STACKING_KIND;
  /** Plain JSON (base models' kinds and args, meta-learner, splitter, options) for run manifests. */
  readonly args: StackingArgs;
  readonly options: StackingOptions;
  with(overrides: Partial<StackingOptions>): StackingSpec;
  /** Fits on views sharing one row order (`StackingData`), or on a `Dataset` when the stack reads one view. */
  fit(data: StackingData | Dataset, context?: StackingFitContext): Promise<FittedStack>;
}

/**
 * Leakage-free stacking. `fit`:
 * 1. applies the imbalance strategy (undersampling: the same kept rows in every view);
 * 2. splits the rows once (`splitter`, seed `deriveSeed(seed, 'split')`; groups never straddle);
 * 3. runs one fold task per base model and split: out-of-fold probabilities `Z_oof`, columns
 *    `<model>:proba_<class>` in the declared order (+ passthrough views);
 * 4. scores the meta-learner by an inner CV over `Z_oof` (same folds), then fits it on `Z_oof` only,
 *    never on in-sample predictions;
 * 5. refits each base model on all rows (`full`), or keeps and averages its fold models (`bagged`).
 * Same data and seed → byte-identical `Z_oof`, meta OOF and predictions.
 */
export function stackingClassifier(options: StackingOptions): StackingSpec {
  const resolved = resolveStackingOptions(options);
  return {
    kind: STACKING_KIND,
    args: resolved.args,
    options,
    with: (overrides) => stackingClassifier({ ...options, ...overrides }),
    async fit(input, context = {}) {
      const started = performance.now();
      const { seed, signal, logger } = resolveContext(context);
      const { args, views } = resolved;
      let data = toStackingData(input, views);
      if (data.labels === undefined) {
        throw new PipelineError('E_USAGE', 'fitting a stack needs labels', { field: 'labels' });
      }
      const nAll = data.labels.length;
      const nClasses = Math.max(data.classNames?.length ?? 0, data.labels.reduce((max, label) => Math.max(max, label + 1), 0));
      let rows: Int32Array = Int32Array.from({ length: nAll }, (_, i) => i);
      if (args.undersampleBalanced !== false) {
        rows = undersampleBalanced(data.labels, args.undersampleBalanced.seed ?? deriveSeed(seed, 'undersample'));
        data = takeStackingRows(data, rows, views);
        logger.info('undersampled to balanced classes', { kept: rows.length, of: nAll });
      }
      const labels = data.labels!;
      const n = labels.length;
      const sampleWeight = args.classWeightsAuto ? applyClassWeights(labels, classWeightsAuto(labels, nClasses), data.sampleWeight) : data.sampleWeight;
      const plan = resolveFolds(
        resolved.splitter,
        {
          nRows: n,
          labels,
          ...(data.groups === undefined ? {} : { groups: data.groups }),
          ...(data.folds === undefined ? {} : { folds: data.folds }),
        },
        seed,
        { checkGroups: args.checkGroups },
      );
      const env: FoldEnvironment = {
        views: data.views,
        labels,
        splits: plan.splits,
        estimators: Object.fromEntries(resolved.base.map((model) => [model.name, model.spec])),
        ...(sampleWeight === undefined ? {} : { sampleWeight }),
        ...(data.groups === undefined ? {} : { groups: data.groups }),
        ...(data.classNames === undefined ? {} : { classNames: data.classNames }),
      };
      const run = (tasks: Parameters<typeof runFoldTasks>[0], environment: FoldEnvironment, stage: string) =>
        runFoldTasks(tasks, environment, { ...context, stage });

      // Out-of-fold predictions of every base model.
      const planned: PlannedModel[] = resolved.base.map(({ name, spec, input: view }) => ({ name, estimator: spec, view }));
      // Overlapping: the refits are handed over when the first fold fit is done, so they queue behind
      // the other fold fits; the meta-learner then runs in this thread beside the last refit.
      let earlyRefit: Promise<FoldOutcome[]> | undefined;
      const startRefit = () => {
        if (earlyRefit !== undefined || args.refit !== 'full' || context.overlapRefit !== true) return;
        earlyRefit = run(planRefitTasks(planned, n, seed), env, 'refit');
        // Awaited below; until then a failure must not be an unhandled rejection (the OOF fits may fail first).
        earlyRefit.catch(() => undefined);
      };
      const outcomes = await runFoldTasks(planFoldTasks(planned, plan, n, seed, args.refit === 'bagged'), env, {
        ...context,
        stage: 'fold',
        onTaskDone: async (outcome) => {
          startRefit();
          await context.onTaskDone?.(outcome);
        },
      });
      const byModel = (name: string) => outcomes.filter((outcome) => outcome.task.payload.model === name);
      const baseOof = Object.fromEntries(planned.map(({ name }) => [name, assembleOof(byModel(name), plan, nClasses)]));
      const layout: StackLayout = {
        nClasses,
        ...(data.classNames === undefined ? {} : { classNames: data.classNames }),
        models: planned.map(({ name }) => name),
        dropFirstBinaryColumn: args.dropFirstBinaryColumn,
        passthrough: args.passthrough.map((view) => passthroughLayout(view, data, args)),
        ...(args.passthroughMissing === undefined ? {} : { imputed: true }),
      };
      const z = buildStack(
        layout,
        planned.map(({ name }) => baseOof[name]!),
        args.passthrough.map((view) => data.views[view]!),
      );

      // The meta-learner: scored by an inner CV over Z_oof, then fitted on Z_oof.
      // With passthroughMissing, the meta-learner learns its fill values in each of its own fits.
      const metaSpec = args.passthroughMissing === undefined ? resolved.meta : imputeMissing(resolved.meta, { strategy: args.passthroughMissing });
      const metaModel: PlannedModel = { name: 'meta', estimator: metaSpec, view: 'stack' };
      const metaEnv: FoldEnvironment = { ...env, views: { stack: z }, estimators: { meta: metaSpec } };
      const metaOutcomes = await run(planFoldTasks([metaModel], plan, n, seed, false), metaEnv, 'meta-fold');
      const metaOof = assembleOof(metaOutcomes, plan, nClasses);
      const [metaFit] = await run(planRefitTasks([metaModel], n, seed), metaEnv, 'meta');

      // Final base models.
      throwIfAborted(signal, 'stacking fit');
      let finals: Array<FittedClassifier | undefined>;
      let refitOutcomes: FoldOutcome[] = [];
      if (args.refit === 'full') {
        refitOutcomes = await (earlyRefit ?? run(planRefitTasks(planned, n, seed), env, 'refit'));
        finals = refitOutcomes.map((outcome) => outcome.model);
      } else if (args.refit === 'bagged') {
        finals = planned.map(({ name }) => new BaggedClassifier(byModel(name).map((outcome) => outcome.model!), nClasses));
      } else {
        finals = planned.map(() => undefined);
      }

      const totalMs = performance.now() - started;
      const records = (list: readonly FoldOutcome[]): FoldRecord[] => list.map(foldRecord);
      const all = [...outcomes, ...metaOutcomes, metaFit!, ...refitOutcomes];
      const modelMs = all.reduce((sum, { result, reused }) => sum + (reused ? 0 : result.output.fitMs + result.output.predictMs), 0);
      const columns = stackColumns(layout);
      return new FittedStack({
        args,
        layout,
        inputs: views.map((view) => ({ view, cols: data.views[view]!.cols })),
        base: planned.map(({ name, view }, k) => ({ name, input: view, ...(finals[k] === undefined ? {} : { model: finals[k]! }) })),
        meta: metaFit!.model!,
        oof: {
          rows,
          labels,
          ...(sampleWeight === undefined ? {} : { sampleWeight }),
          z,
          columns,
          base: baseOof,
          meta: metaOof,
          plan,
        },
        timings: {
          folds: records(outcomes),
          metaFolds: records(metaOutcomes),
          meta: foldRecord(metaFit!),
          refit: records(refitOutcomes),
          totalMs,
          overheadMs: totalMs - modelMs,
        },
      });
    },
  };
}

/** A passthrough view's layout: its column names and, from `passthroughCategorical`, its one-hot columns (checked). */
function passthroughLayout(view: string, data: StackingData, args: StackingArgs): PassthroughLayout {
  const cols = data.views[view]!.cols;
  const names = data.featureNames?.[view] ?? Array.from({ length: cols }, (_, j) => String(j));
  const categorical = args.passthroughCategorical?.[view];
  if (categorical === undefined) return { view, names };
  const oneHot: OneHotColumn[] = Object.entries(categorical).map(([name, categories]) => {
    const column = names.indexOf(name);
    if (column < 0) {
      throw new PipelineError('E_USAGE', `passthroughCategorical names column '${name}', which view '${view}' does not have`, {
        field: `passthroughCategorical.${view}.${name}`,
        hint: `columns of '${view}': ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''} (pass featureNames with the data)`,
      });
    }
    return { column, categories };
  });
  oneHot.sort((a, b) => a.column - b.column);
  checkOneHot(cols, oneHot, { names, what: `passthrough view '${view}'`, ...(args.maxOneHotCategories === undefined ? {} : { maxCategories: args.maxOneHotCategories }) });
  return { view, names, oneHot };
}
