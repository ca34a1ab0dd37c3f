import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { isPipelineError, type Logger } from '@pipeline/core';
import { runFoldTask, type FoldEnvironment, type FoldEstimator } from '@pipeline/model-selection/fold-task';
import { loadEstimator } from '../load-estimator.js';
import type { FoldWorkerData, FoldWorkerEnvironment, FoldWorkerReply, FoldWorkerRequest, SerializedError } from './fold-worker-protocol.js';

/**
 * A fold task runner in a worker thread: holds the environments it is sent (views on shared memory),
 * rebuilds each task's estimator from its kind and args, importing only that model's package.
 */
const data = workerData as FoldWorkerData;
const port = parentPort!;
const post = (reply: FoldWorkerReply) => port.postMessage(reply);

function serialize(error: unknown): SerializedError {
  if (isPipelineError(error)) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(error.file === undefined ? {} : { file: error.file }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    };
  }
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

const logger: Logger = {
  debug: (message, fields) => post({ type: 'log', level: 'debug', message, ...(fields === undefined ? {} : { fields }) }),
  info: (message, fields) => post({ type: 'log', level: 'info', message, ...(fields === undefined ? {} : { fields }) }),
  warn: (message, fields) => post({ type: 'log', level: 'warn', message, ...(fields === undefined ? {} : { fields }) }),
  error: (message, fields) => post({ type: 'log', level: 'error', message, ...(fields === undefined ? {} : { fields }) }),
};

/**
 * A full garbage collection between tasks. A fit leaves tens of megabytes behind (a gradient
 * boosting fit's WebAssembly memory, its binned copy of the data) that only a collection returns,
 * and a worker allocates too little JavaScript for V8 to collect on its own: without it a worker's
 * memory grew by one fit's worth with every task (main job at 20,000 rows: peak RSS 418 MB with two
 * workers, over the 400 MB budget). `--expose-gc` set at run time exposes `gc` in new contexts.
 */
const collectGarbage: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : () => {};
  } catch {
    return () => {};
  }
})();

interface HeldEnvironment {
  readonly data: FoldWorkerEnvironment;
  /** Estimators by model name, built on first use. */
  readonly estimators: Record<string, FoldEstimator>;
}

async function main(): Promise<void> {
  if (data.failAtStart === true) throw new Error('fold worker failed at start (test hook)');
  for (const specifier of data.preload ?? []) await import(specifier);
  if (data.backend !== undefined) {
    const { selectBackend } = await import('@pipeline/tf');
    await selectBackend({ backend: data.backend as never, logger });
  }
  const envs = new Map<number, HeldEnvironment>();
  const environment = ({ data: held, estimators }: HeldEnvironment): FoldEnvironment => ({
    views: held.views,
    labels: held.labels,
    splits: held.splits,
    estimators,
    ...(held.sampleWeight === undefined ? {} : { sampleWeight: held.sampleWeight }),
    ...(held.groups === undefined ? {} : { groups: held.groups }),
    ...(held.classNames === undefined ? {} : { classNames: held.classNames }),
  });
  port.on('message', (request: FoldWorkerRequest) => {
    switch (request.type) {
      case 'exit':
        port.close();
        return;
      case 'env':
        envs.set(request.env, { data: request.data, estimators: {} });
        return;
      case 'drop-env':
        envs.delete(request.env);
        return;
      case 'task':
        break;
    }
    const { task } = request;
    void (async () => {
      try {
        if (data.exitDuringTask === true) process.exit(70);
        const held = envs.get(request.env);
        if (held === undefined) throw new Error(`fold worker got task ${task.id} for environment ${request.env}, which it does not hold`);
        const { kind, args } = task.payload;
        const extra = data.taskArgs?.[kind];
        held.estimators[task.payload.model] ??= await loadEstimator(kind, extra === undefined ? args : { ...(args as object), ...extra });
        const outcome = await runFoldTask(task, environment(held), { logger });
        let artifact;
        if (outcome.model !== undefined) {
          artifact = await outcome.model.toArtifact();
          outcome.model.dispose();
          // The extra args only changed how the model was fitted: it is saved with the task's own args.
          if (extra !== undefined) artifact = { ...artifact, args: args as typeof artifact.args };
        }
        post({ type: 'done', id: task.id, result: outcome.result, ...(artifact === undefined ? {} : { artifact }) });
        collectGarbage();
      } catch (error) {
        post({ type: 'error', id: task.id, error: serialize(error) });
      }
    })();
  });
  post({ type: 'ready' });
}

main().catch((error: unknown) => {
  post({ type: 'error', id: undefined, error: serialize(error) });
});
