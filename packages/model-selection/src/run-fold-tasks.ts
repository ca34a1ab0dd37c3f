import { PipelineError, resolveContext, type FitContext, type FittedClassifier } from '@pipeline/core';
import { sequentialExecutor, type FoldExecutor } from './fold-executor.js';
import { taskFingerprint, type FoldTask } from './fold-task.js';
import type { FoldEnvironment, FoldOutcome, FoldTaskResult } from './run-fold-task.js';

/** A task result kept from an earlier (interrupted) run, with its model when the task keeps one. */
export interface StoredFold {
  readonly result: FoldTaskResult;
  readonly model?: FittedClassifier;
}

/** Looks up a completed task (for resume); `undefined` means "run it". */
export type CompletedFolds = (task: FoldTask) => StoredFold | undefined | Promise<StoredFold | undefined>;

export interface RunFoldTasksOptions extends FitContext {
  /** Runs the tasks not already completed. Default: `sequentialExecutor`. */
  readonly executor?: FoldExecutor;
  /** Results stored by an earlier run; a stored result is reused only if its fingerprint matches the task. */
  readonly completed?: CompletedFolds;
  /** Called after each freshly computed task (e.g. to persist it for a later resume). */
  readonly onTaskDone?: (outcome: FoldOutcome) => void | Promise<void>;
  /** The progress stage reported, one event per finished task. Default `fold`. */
  readonly stage?: string;
}

/**
 * Runs fold tasks: reuses the completed ones, hands the rest to the executor, reports progress, and
 * returns every outcome in task order.
 */
export async function runFoldTasks(tasks: readonly FoldTask[], env: FoldEnvironment, options: RunFoldTasksOptions = {}): Promise<FoldOutcome[]> {
  const context = resolveContext(options);
  const stage = options.stage ?? 'fold';
  const outcomes = new Map<string, FoldOutcome>();
  const report = (outcome: FoldOutcome) => {
    outcomes.set(outcome.task.id, outcome);
    context.onProgress({ stage, current: outcomes.size, total: tasks.length, label: outcome.task.id });
  };
  const pending: FoldTask[] = [];
  for (const task of tasks) {
    const stored = options.completed === undefined ? undefined : await options.completed(task);
    if (stored === undefined || (task.payload.keepModel && stored.model === undefined)) {
      pending.push(task);
      continue;
    }
    if (stored.result.output.fingerprint !== taskFingerprint(task) || stored.result.id !== task.id) {
      throw new PipelineError('E_STATE', `the stored result of task ${task.id} was computed with different settings or rows`, {
        field: task.id,
        hint: 'resume only with the same data, seed, splitter and models, or start a fresh run',
      });
    }
    context.logger.debug('reusing completed task', { task: task.id });
    report({ task, result: stored.result, ...(stored.model === undefined ? {} : { model: stored.model }), reused: true });
  }
  const byId = new Map(pending.map((task) => [task.id, task]));
  await (options.executor ?? sequentialExecutor).run(pending, env, {
    context: options,
    onOutcome: async (outcome) => {
      if (!byId.has(outcome.task.id) || outcomes.has(outcome.task.id)) {
        throw new PipelineError('E_INTERNAL', `executor reported task ${outcome.task.id} unexpectedly`);
      }
      context.logger.debug('task done', {
        task: outcome.task.id,
        fitMs: outcome.result.output.fitMs,
        predictMs: outcome.result.output.predictMs,
      });
      await options.onTaskDone?.(outcome);
      report(outcome);
    },
  });
  return tasks.map((task) => {
    const outcome = outcomes.get(task.id);
    if (outcome === undefined) throw new PipelineError('E_INTERNAL', `executor did not run task ${task.id}`);
    return outcome;
  });
}
