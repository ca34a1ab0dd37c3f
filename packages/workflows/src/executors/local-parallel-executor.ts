import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PipelineError, loadModel, resolveContext, throwIfAborted, workerExecArgv, type ErrorCode, type Logger, type Matrix } from '@pipeline/core';
import { sequentialExecutor, type FoldEnvironment, type FoldExecutor, type FoldOutcome, type FoldTask } from '@pipeline/model-selection';
import type { FoldWorkerData, FoldWorkerReply, SerializedError } from './fold-worker-protocol.js';

export interface LocalParallelExecutorOptions {
  /** Worker threads. Default: the available cores. */
  readonly workers?: number;
  /** TensorFlow.js backend the workers select before temporal models run. Default: the best present. */
  readonly backend?: string;
  /** How long a worker may take to start (load its modules) before it is an error. Default 60 s. */
  readonly startTimeoutMs?: number;
  /**
   * Task kinds run in this thread instead (cheap fits where a thread hand-off costs more than the
   * fit). Default: the logistic meta-learner's.
   */
  readonly inProcessKinds?: readonly string[];
  /** Test hook: workers fail while starting. */
  readonly failAtStart?: boolean;
  /** Test hook: a worker's thread exits in the middle of its first task. */
  readonly exitDuringTask?: boolean;
}

/** Where the worker script is: `dist/executors/fold-worker.js` when built; a TypeScript bootstrap when run from sources. */
function workerEntry(): URL {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL('./fold-worker.js', here);
  // From sources (jest, @pipeline/source): core's dev-only module hooks compile .ts in the worker.
  const entry = new URL('./fold-worker.ts', here).href;
  const bootstrap = `import { register } from 'node:module';\nregister('@pipeline/core/dev/source-hooks', ${JSON.stringify(here)});\nawait import(${JSON.stringify(entry)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

/** A typed array on a SharedArrayBuffer (a copy unless it already is one), so workers share it without copies. */
function shared<T extends Float32Array | Float64Array | Int32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(array.length * Ctor.BYTES_PER_ELEMENT));
  out.set(array as never);
  return out;
}

function deserialize(error: SerializedError): Error {
  if (error.code !== undefined) {
    // The message already carries file/field/hint as composed by the worker's PipelineError.
    const out = new PipelineError(error.code as ErrorCode, error.message);
    return Object.assign(out, { field: error.field, file: error.file, hint: error.hint });
  }
  const out = new Error(error.message);
  out.name = error.name;
  return out;
}

interface PoolWorker {
  readonly worker: Worker;
  busy: FoldTask | undefined;
}

/**
 * Runs fold tasks in worker threads, several at once. Each worker gets the fold environment once
 * (views on SharedArrayBuffers: no copies), rebuilds each task's estimator from its kind and args,
 * and sends back the serializable result (and the fitted model as an artifact when the task keeps
 * it). Results are byte-identical to {@link sequentialExecutor}'s: tasks are independent and seeded.
 * A worker that cannot start, throws or dies turns into an error that rejects the run; the other
 * workers are terminated.
 */
export function localParallelExecutor(options: LocalParallelExecutorOptions = {}): FoldExecutor {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new PipelineError('E_USAGE', `workers must be an integer ≥ 1, got ${workers}`, { field: 'workers', hint: 'e.g. --workers 2' });
  }
  const inProcess = new Set(options.inProcessKinds ?? ['logistic-regression']);
  return {
    async run(tasks, env, { context, onOutcome }) {
      const remote = tasks.filter((task) => !inProcess.has(task.payload.kind));
      if (workers === 1 || remote.length <= 1) return sequentialExecutor.run(tasks, env, { context, onOutcome });
      const local = tasks.filter((task) => inProcess.has(task.payload.kind));
      await runInWorkers(remote, env, Math.min(workers, remote.length), options, context, onOutcome);
      if (local.length > 0) await sequentialExecutor.run(local, env, { context, onOutcome });
    },
  };
}

async function runInWorkers(
  tasks: readonly FoldTask[],
  env: FoldEnvironment,
  count: number,
  options: LocalParallelExecutorOptions,
  contextIn: Parameters<FoldExecutor['run']>[2]['context'],
  onOutcome: (outcome: FoldOutcome) => Promise<void>,
): Promise<void> {
  const context = resolveContext(contextIn);
  const logger: Logger = context.logger;
  throwIfAborted(context.signal, 'cross-validation');
  const data: FoldWorkerData = {
    views: Object.fromEntries(Object.entries(env.views).map(([name, view]: [string, Matrix]) => [name, { rows: view.rows, cols: view.cols, data: shared(view.data) }])),
    labels: shared(env.labels),
    splits: env.splits.map((split) => ({ train: split.train, test: split.test })),
    ...(env.sampleWeight === undefined ? {} : { sampleWeight: shared(env.sampleWeight) }),
    ...(env.groups === undefined ? {} : { groups: shared(env.groups) }),
    ...(env.classNames === undefined ? {} : { classNames: [...env.classNames] }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    ...(options.failAtStart === true ? { failAtStart: true } : {}),
    ...(options.exitDuringTask === true ? { exitDuringTask: true } : {}),
  };
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const queue = [...tasks];
  const pool: PoolWorker[] = [];
  let settled = false;
  let outstanding = tasks.length;
  let chain = Promise.resolve();
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;

  await new Promise<void>((resolveAll, rejectAll) => {
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      for (const member of pool) void member.worker.terminate();
      rejectAll(error);
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      for (const member of pool) void member.worker.terminate();
      resolveAll();
    };
    const onAbort = () => fail(new PipelineError('E_ABORTED', 'cross-validation was interrupted'));
    context.signal?.addEventListener('abort', onAbort, { once: true });
    const dispatch = (member: PoolWorker) => {
      const task = queue.shift();
      member.busy = task;
      if (task !== undefined) member.worker.postMessage({ type: 'task', task });
    };
    for (let w = 0; w < count; w++) {
      const execArgv = workerExecArgv();
      const worker = new Worker(workerEntry(), { workerData: data, name: `fold-worker-${w}`, ...(execArgv === undefined ? {} : { execArgv }) });
      const member: PoolWorker = { worker, busy: undefined };
      pool.push(member);
      let ready = false;
      const startTimer = setTimeout(() => {
        if (!ready) fail(new PipelineError('E_INTERNAL', `fold worker ${w} did not start within ${startTimeoutMs} ms`, { hint: 'run with --workers 1 (in-process folds)' }));
      }, startTimeoutMs);
      worker.on('message', (reply: FoldWorkerReply) => {
        if (settled) return;
        switch (reply.type) {
          case 'ready':
            ready = true;
            clearTimeout(startTimer);
            dispatch(member);
            return;
          case 'log':
            logger[reply.level](reply.message, { worker: w, ...reply.fields });
            return;
          case 'error':
            fail(reply.id === undefined ? new PipelineError('E_INTERNAL', `fold worker ${w} could not start: ${reply.error.message}`, { hint: 'run with --workers 1 (in-process folds)' }) : deserialize(reply.error));
            return;
          case 'done': {
            const task = byId.get(reply.id);
            if (task === undefined || member.busy?.id !== reply.id) {
              fail(new PipelineError('E_INTERNAL', `fold worker ${w} reported task ${reply.id} unexpectedly`));
              return;
            }
            member.busy = undefined;
            dispatch(member);
            chain = chain
              .then(async () => {
                const model = reply.artifact === undefined ? undefined : await loadModel(reply.artifact);
                await onOutcome({ task, result: reply.result, ...(model === undefined ? {} : { model }), reused: false });
                outstanding--;
                if (outstanding === 0) finish();
              })
              .catch(fail);
            return;
          }
        }
      });
      worker.on('error', (error) => fail(new PipelineError('E_INTERNAL', `fold worker ${w} failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        clearTimeout(startTimer);
        if (!settled) fail(new PipelineError('E_INTERNAL', `fold worker ${w} exited (code ${code}) ${member.busy === undefined ? 'while idle' : `during task ${member.busy.id}`}`, { hint: 'run with --workers 1 (in-process folds) to see the error in this process' }));
      });
    }
  });
}

