import { parentPort, workerData } from 'node:worker_threads';
import { isPipelineError, type Logger } from '@pipeline/core';
import { runFoldTask, type FoldEnvironment, type FoldEstimator } from '@pipeline/model-selection';
import { selectBackend, type BackendName } from '@pipeline/tf';
import { estimatorFromTask } from '../estimators.js';
import '../register-models.js';
import type { FoldWorkerData, FoldWorkerReply, FoldWorkerRequest, SerializedError } from './fold-worker-protocol.js';

/** A fold task runner in a worker thread: rebuilds each task's estimator from its kind and args. */
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

async function main(): Promise<void> {
  if (data.failAtStart === true) throw new Error('fold worker failed at start (test hook)');
  if (data.backend !== undefined) await selectBackend({ backend: data.backend as BackendName, logger });
  const estimators: Record<string, FoldEstimator> = {};
  const env = (): FoldEnvironment => ({
    views: data.views,
    labels: data.labels,
    splits: data.splits,
    estimators,
    ...(data.sampleWeight === undefined ? {} : { sampleWeight: data.sampleWeight }),
    ...(data.groups === undefined ? {} : { groups: data.groups }),
    ...(data.classNames === undefined ? {} : { classNames: data.classNames }),
  });
  port.on('message', (request: FoldWorkerRequest) => {
    if (request.type === 'exit') {
      port.close();
      return;
    }
    const { task } = request;
    void (async () => {
      try {
        if (data.exitDuringTask === true) process.exit(70);
        estimators[task.payload.model] ??= estimatorFromTask(task.payload.kind, task.payload.args);
        const outcome = await runFoldTask(task, env(), { logger });
        let artifact;
        if (outcome.model !== undefined) {
          artifact = await outcome.model.toArtifact();
          outcome.model.dispose();
        }
        post({ type: 'done', id: task.id, result: outcome.result, ...(artifact === undefined ? {} : { artifact }) });
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
