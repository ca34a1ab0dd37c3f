import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PipelineError, loadModel, resolveContext, workerExecArgv, type ErrorCode, type Logger, type Matrix } from '@pipeline/core';
import { sequentialExecutor, type FoldEnvironment, type FoldExecutor, type FoldOutcome, type FoldTask } from '@pipeline/model-selection';
import type { FoldWorkerData, FoldWorkerEnvironment, FoldWorkerReply, SerializedError } from './fold-worker-protocol.js';

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
  /**
   * Args merged into a task's estimator args in the workers, by estimator kind, for args that
   * change how a model is fitted but never what it learns: e.g.
   * `{ 'hist-gradient-boosting': { nThreads: 1 } }` so that each worker fits on one core while the
   * workers share the cores. The task (its fingerprint) and the returned model keep the task's own
   * args, so results and saved models are byte-identical to a run without them.
   */
  readonly taskArgs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Modules the workers import as they start (e.g. `@pipeline/model-gbdt`), before their first task. */
  readonly preload?: readonly string[];
  /** Test hook: workers fail while starting. */
  readonly failAtStart?: boolean;
  /** Test hook: a worker's thread exits in the middle of its first task. */
  readonly exitDuringTask?: boolean;
}

/**
 * A {@link FoldExecutor} on a pool of worker threads. The workers start on the first `run`, or
 * earlier with `start()` (they load their modules while the caller reads its data); they stay up
 * between runs and end with `close()`. Idle workers never keep the process alive.
 */
export interface LocalParallelExecutor extends FoldExecutor {
  /** The number of worker threads. */
  readonly workers: number;
  /** The options the pool was made with (a caller compares them with the pool it would make; `trainRun` uses a `foldWorkers` pool without them for nothing). */
  readonly options?: LocalParallelExecutorOptions;
  /** `performance.now()` when a worker got its first task (since the last `start`); undefined before. */
  readonly firstTaskAt: number | undefined;
  /** Starts the workers now, if they are not running yet. */
  start(): void;
  /** Ends the workers (a later `run` starts new ones). */
  close(): Promise<void>;
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

/** One `run` call in flight: its environment, its tasks not yet reported, its result chain. */
interface ActiveRun {
  readonly env: number;
  readonly data: FoldWorkerEnvironment;
  readonly byId: ReadonlyMap<string, FoldTask>;
  readonly logger: Logger;
  readonly onOutcome: (outcome: FoldOutcome) => Promise<void>;
  outstanding: number;
  chain: Promise<void>;
  settled: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

interface PoolWorker {
  readonly index: number;
  readonly worker: Worker;
  ready: boolean;
  busy: { readonly task: FoldTask; readonly run: ActiveRun } | undefined;
  /** Environments this worker holds. */
  readonly envs: Set<number>;
}

/**
 * Runs fold tasks in worker threads, several at once. Each worker gets a run's fold environment once
 * (views on SharedArrayBuffers: no copies), rebuilds each task's estimator from its kind and args
 * (importing only that model's package), and sends back the serializable result (and the fitted
 * model as an artifact when the task keeps it). Several `run` calls may be in flight at once (e.g. the
 * final refit beside the out-of-fold fits); tasks are dispatched in the order they were submitted.
 * Results are byte-identical to {@link sequentialExecutor}'s: tasks are independent and seeded, and
 * callers assemble them by task, not by arrival. A worker that cannot start, throws or dies turns
 * into an error that rejects every run in flight; the other workers are terminated.
 */
export function localParallelExecutor(options: LocalParallelExecutorOptions = {}): LocalParallelExecutor {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new PipelineError('E_USAGE', `workers must be an integer ≥ 1, got ${workers}`, { field: 'workers', hint: 'e.g. --workers 2' });
  }
  const inProcess = new Set(options.inProcessKinds ?? ['logistic-regression']);
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const workerData: FoldWorkerData = {
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    ...(options.taskArgs === undefined ? {} : { taskArgs: options.taskArgs }),
    ...(options.preload === undefined ? {} : { preload: options.preload }),
    ...(options.failAtStart === true ? { failAtStart: true } : {}),
    ...(options.exitDuringTask === true ? { exitDuringTask: true } : {}),
  };
  let pool: PoolWorker[] = [];
  const queue: Array<{ readonly task: FoldTask; readonly run: ActiveRun }> = [];
  const runs = new Set<ActiveRun>();
  let nextEnv = 0;
  /** The error of a pool that failed while no run was in flight: the next run rejects with it. */
  let failure: unknown;
  /** Started by `start()`: the workers stay up between runs until `close()`; otherwise they end with the last run. */
  let persistent = false;
  let firstTaskAt: number | undefined;

  const terminate = () => {
    const members = pool;
    pool = [];
    queue.length = 0;
    return Promise.all(members.map((member) => member.worker.terminate())).then(() => undefined);
  };
  const fail = (error: unknown) => {
    if (pool.length === 0 && runs.size === 0) return;
    void terminate();
    if (runs.size === 0) failure = error;
    for (const run of [...runs]) settle(run, error);
  };
  const settle = (run: ActiveRun, error?: unknown) => {
    if (run.settled) return;
    run.settled = true;
    runs.delete(run);
    for (const member of pool) {
      if (member.envs.delete(run.env)) member.worker.postMessage({ type: 'drop-env', env: run.env });
    }
    if (runs.size === 0) {
      if (persistent) for (const member of pool) member.worker.unref();
      else void terminate();
    }
    if (error === undefined) run.resolve();
    else run.reject(error);
  };
  const dispatch = (member: PoolWorker) => {
    if (!member.ready || member.busy !== undefined) return;
    const next = queue.shift();
    if (next === undefined) return;
    member.busy = next;
    if (!member.envs.has(next.run.env)) {
      member.envs.add(next.run.env);
      member.worker.postMessage({ type: 'env', env: next.run.env, data: next.run.data });
    }
    member.worker.postMessage({ type: 'task', env: next.run.env, task: next.task });
    firstTaskAt ??= performance.now();
  };
  const spawn = (index: number): PoolWorker => {
    const execArgv = workerExecArgv();
    const worker = new Worker(workerEntry(), { workerData, name: `fold-worker-${index}`, ...(execArgv === undefined ? {} : { execArgv }) });
    const member: PoolWorker = { index, worker, ready: false, busy: undefined, envs: new Set() };
    if (runs.size === 0) worker.unref();
    const startTimer = setTimeout(() => {
      if (!member.ready) fail(new PipelineError('E_INTERNAL', `fold worker ${index} did not start within ${startTimeoutMs} ms`, { hint: 'run with --workers 1 (in-process folds)' }));
    }, startTimeoutMs);
    startTimer.unref();
    const current = () => pool.includes(member);
    worker.on('message', (reply: FoldWorkerReply) => {
      if (!current()) return;
      switch (reply.type) {
        case 'ready':
          member.ready = true;
          clearTimeout(startTimer);
          dispatch(member);
          return;
        case 'log':
          (member.busy?.run.logger ?? [...runs][0]?.logger)?.[reply.level](reply.message, { worker: index, ...reply.fields });
          return;
        case 'error':
          if (reply.id === undefined) {
            fail(new PipelineError('E_INTERNAL', `fold worker ${index} could not start: ${reply.error.message}`, { hint: 'run with --workers 1 (in-process folds)' }));
          } else if (member.busy?.task.id === reply.id) {
            // A task that throws rejects its run; the worker stays usable for the other runs.
            const { run } = member.busy;
            member.busy = undefined;
            for (let k = queue.length - 1; k >= 0; k--) if (queue[k]!.run === run) queue.splice(k, 1);
            settle(run, deserialize(reply.error));
            dispatch(member);
          } else {
            fail(deserialize(reply.error));
          }
          return;
        case 'done': {
          const busy = member.busy;
          if (busy === undefined || busy.task.id !== reply.id) {
            fail(new PipelineError('E_INTERNAL', `fold worker ${index} reported task ${reply.id} unexpectedly`));
            return;
          }
          member.busy = undefined;
          dispatch(member);
          const { run, task } = busy;
          if (run.settled) return;
          run.chain = run.chain
            .then(async () => {
              if (run.settled) return;
              const model = reply.artifact === undefined ? undefined : await loadModel(reply.artifact);
              await run.onOutcome({ task, result: reply.result, ...(model === undefined ? {} : { model }), reused: false });
              run.outstanding--;
              if (run.outstanding === 0) settle(run);
            })
            .catch((error: unknown) => settle(run, error));
          return;
        }
      }
    });
    worker.on('error', (error) => {
      if (current()) fail(new PipelineError('E_INTERNAL', `fold worker ${index} failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      clearTimeout(startTimer);
      if (current()) {
        fail(
          new PipelineError('E_INTERNAL', `fold worker ${index} exited (code ${code}) ${member.busy === undefined ? 'while idle' : `during task ${member.busy.task.id}`}`, {
            hint: 'run with --workers 1 (in-process folds) to see the error in this process',
          }),
        );
      }
    });
    return member;
  };
  const start = () => {
    if (pool.length > 0) return;
    failure = undefined;
    firstTaskAt = undefined;
    pool = Array.from({ length: workers }, (_, w) => spawn(w));
  };

  const runInWorkers = (tasks: readonly FoldTask[], env: FoldEnvironment, logger: Logger, onOutcome: (outcome: FoldOutcome) => Promise<void>, signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        reject(error);
        return;
      }
      start();
      const run: ActiveRun = {
        env: nextEnv++,
        data: {
          views: Object.fromEntries(Object.entries(env.views).map(([name, view]: [string, Matrix]) => [name, { rows: view.rows, cols: view.cols, data: shared(view.data) }])),
          labels: shared(env.labels),
          splits: env.splits.map((split) => ({ train: split.train, test: split.test })),
          ...(env.sampleWeight === undefined ? {} : { sampleWeight: shared(env.sampleWeight) }),
          ...(env.groups === undefined ? {} : { groups: shared(env.groups) }),
          ...(env.classNames === undefined ? {} : { classNames: [...env.classNames] }),
        },
        byId: new Map(tasks.map((task) => [task.id, task])),
        logger,
        onOutcome,
        outstanding: tasks.length,
        chain: Promise.resolve(),
        settled: false,
        resolve,
        reject,
      };
      runs.add(run);
      for (const member of pool) member.worker.ref();
      const onAbort = () => fail(new PipelineError('E_ABORTED', 'cross-validation was interrupted'));
      if (signal !== undefined) {
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
        const done = () => signal.removeEventListener('abort', onAbort);
        const { resolve: ok, reject: ko } = run;
        Object.assign(run, { resolve: () => (done(), ok()), reject: (error: unknown) => (done(), ko(error)) });
      }
      for (const task of tasks) queue.push({ task, run });
      for (const member of pool) dispatch(member);
    });

  return {
    workers,
    options,
    get firstTaskAt() {
      return firstTaskAt;
    },
    start() {
      persistent = true;
      start();
    },
    close() {
      persistent = false;
      const closed = new PipelineError('E_ABORTED', 'the fold executor was closed while it ran tasks');
      for (const run of [...runs]) settle(run, closed);
      return terminate();
    },
    async run(tasks, env, { context, onOutcome }) {
      const remote = tasks.filter((task) => !inProcess.has(task.payload.kind));
      // A single task is not worth starting threads for, unless they already run.
      if (workers === 1 || (remote.length <= 1 && pool.length === 0)) return sequentialExecutor.run(tasks, env, { context, onOutcome });
      const local = tasks.filter((task) => inProcess.has(task.payload.kind));
      const { logger, signal } = resolveContext(context);
      if (signal?.aborted === true) throw new PipelineError('E_ABORTED', 'cross-validation was interrupted');
      if (remote.length > 0) await runInWorkers(remote, env, logger, onOutcome, signal);
      if (local.length > 0) await sequentialExecutor.run(local, env, { context, onOutcome });
    },
  };
}
