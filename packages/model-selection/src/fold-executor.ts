import { throwIfAborted, type FitContext } from '@pipeline/core';
import { runFoldTask, type FoldEnvironment, type FoldOutcome } from './run-fold-task.js';
import type { FoldTask } from './fold-task.js';

export interface FoldExecutorOptions {
  /** Signal, logger and progress callback handed to every model's `fit`/`predictProba`. */
  readonly context: FitContext;
  /** Called once per task as it finishes (in any order); awaited before more results are reported. */
  readonly onOutcome: (outcome: FoldOutcome) => Promise<void>;
}

/**
 * Runs fold tasks. The default runs them one after another in this process; another executor (a
 * worker pool, a remote queue) ships the environment once and the plain-JSON tasks one by one, and
 * reports results in whatever order they finish.
 */
export interface FoldExecutor {
  run(tasks: readonly FoldTask[], env: FoldEnvironment, options: FoldExecutorOptions): Promise<void>;
}

/** Runs the tasks in order in this process. */
export const sequentialExecutor: FoldExecutor = {
  async run(tasks, env, { context, onOutcome }) {
    for (const task of tasks) {
      throwIfAborted(context.signal, 'cross-validation');
      await onOutcome(await runFoldTask(task, env, context));
    }
  },
};
