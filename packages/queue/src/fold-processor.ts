import { open, writeFile } from 'node:fs/promises';
import { canonicalJson, runFoldTask, type FoldEnvironment, type FoldEstimator } from '@pipeline/model-selection/fold-task';
import type { BackendName } from '@pipeline/tf';
import { loadEstimator } from '@pipeline/workflows/estimators';
import type { Job } from 'bullmq';
import { readFoldEnvironment, type FoldEnvironmentData } from './fold-environment-store.js';
import { QUEUE_JOB_FORMAT, encodeArtifact, encodeTaskResult, jobFailureMessage, type FoldJobData, type FoldJobResult, type QueueJobData } from './queue-job.js';

/*
 * The sandboxed BullMQ processor: runs in a child process forked by the worker, so a CPU-bound fit
 * never blocks the worker's event loop and its job locks keep being renewed. It imports only what a
 * job needs, when it needs it (the model package of the task's kind; TensorFlow.js only for a job
 * that selects a backend): a child that fits gradient boosting starts in about a second instead of
 * the several seconds of loading every model. Module state (the
 * environment last read, estimators, the selected backend) lives as long as the child process; the
 * worker replaces its children after `maxJobsPerProcess` jobs.
 */

let cachedEnv: { fingerprint: string; data: FoldEnvironmentData } | undefined;
const estimators = new Map<string, FoldEstimator>();
let backendSelected: string | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runFoldJob(job: Job<FoldJobData>): Promise<FoldJobResult> {
  const { task, env: stored, hooks } = job.data;
  if (hooks?.failWith !== undefined) throw new Error(hooks.failWith);
  if (hooks?.holdMarker !== undefined) {
    const handle = await open(hooks.holdMarker, 'wx').catch(() => undefined);
    if (handle !== undefined) {
      await handle.close();
      await writeFile(hooks.holdMarker, JSON.stringify({ pid: process.pid, ppid: process.ppid }));
      await sleep(hooks.holdMs ?? 60_000);
    }
  }
  if (cachedEnv?.fingerprint !== stored.fingerprint) {
    cachedEnv = undefined;
    estimators.clear();
    cachedEnv = { fingerprint: stored.fingerprint, data: await readFoldEnvironment(stored) };
  }
  if (job.data.backend !== undefined && backendSelected !== job.data.backend) {
    const { selectBackend } = await import('@pipeline/tf');
    await selectBackend({ backend: job.data.backend as BackendName });
    backendSelected = job.data.backend;
  }
  const key = canonicalJson({ model: task.payload.model, kind: task.payload.kind, args: task.payload.args });
  let estimator = estimators.get(key);
  if (estimator === undefined) {
    estimator = await loadEstimator(task.payload.kind, task.payload.args);
    estimators.set(key, estimator);
  }
  const env: FoldEnvironment = { ...cachedEnv.data, estimators: { [task.payload.model]: estimator } };
  const outcome = await runFoldTask(task, env, {});
  let artifact;
  if (outcome.model !== undefined) {
    artifact = encodeArtifact(await outcome.model.toArtifact());
    outcome.model.dispose();
  }
  return { kind: 'fold', result: encodeTaskResult(outcome.result), ...(artifact === undefined ? {} : { artifact }) };
}

/** BullMQ's sandboxed processor entry: dispatches on the job's kind. */
export default async function processQueueJob(job: Job<QueueJobData>): Promise<FoldJobResult> {
  try {
    if (job.data.format !== QUEUE_JOB_FORMAT) {
      throw Object.assign(new Error(`job format ${job.data.format} is not this worker's ${QUEUE_JOB_FORMAT}; run the same @pipeline version everywhere`), { code: 'E_STATE' });
    }
    switch (job.data.kind) {
      case 'fold':
        return await runFoldJob(job);
      default:
        throw new Error(`this worker cannot run '${(job.data as { kind: string }).kind}' jobs; upgrade it`);
    }
  } catch (error) {
    throw new Error(jobFailureMessage(error));
  }
}
