import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineError, loadModel, resolveContext, sha256, type Logger } from '@pipeline/core';
import { sequentialExecutor, taskFingerprint, type FoldEnvironment, type FoldExecutor, type FoldOutcome, type FoldTask } from '@pipeline/model-selection';
import { Job, Queue, QueueEvents } from 'bullmq';
import { writeFoldEnvironment, type StoredFoldEnvironment } from './fold-environment-store.js';
import { QUEUE_JOB_FORMAT, decodeArtifact, decodeTaskResult, jobFailureError, type FoldJobData, type FoldJobResult, type QueueJobHooks } from './queue-job.js';
import { readJobOutcome, type JobReader } from './job-outcome.js';
import { withTimeout } from './with-timeout.js';
import { closeRedisClient, describeConnection, parseRedisUrl, redisClient, type RedisConnection } from './redis-connection.js';

/** Default queue name (`--queue-name`). */
export const DEFAULT_QUEUE_NAME = 'pipeline-folds';

export interface BullmqExecutorOptions {
  /** `redis://HOST:PORT[/DB]` or parsed connection options. */
  readonly connection: string | RedisConnection;
  /** BullMQ queue name; workers must use the same. Default {@link DEFAULT_QUEUE_NAME}. */
  readonly queueName?: string;
  /**
   * A folder every worker sees at the same path (a shared filesystem: NFS, SMB, a bind mount). The
   * fold environment is written there once per run, as `env-<sha256>/`.
   */
  readonly storageDir: string;
  /** Label of the run in `pipeline queue status`. Default `env-<fingerprint prefix>`. */
  readonly runLabel?: string;
  /** TensorFlow.js backend the workers select for temporal models. */
  readonly backend?: string;
  /** Attempts per task before the run fails (a failure, or a worker lost twice). Default 2. */
  readonly attempts?: number;
  /** Delay before a failed attempt is retried. Default 1000 ms. */
  readonly backoffMs?: number;
  /** Redis unreachable for this long → the run fails. Default 30 s. */
  readonly redisTimeoutMs?: number;
  /** Tasks waiting and no worker connected for this long → the run fails. Default 5 min. */
  readonly noWorkerTimeoutMs?: number;
  /** How often unfinished tasks are checked besides the queue's completion events. Default 1000 ms. */
  readonly pollMs?: number;
  /**
   * Task kinds run in this process instead (cheap fits where a queue round trip costs more than the
   * fit). Default: the logistic meta-learner's.
   */
  readonly inProcessKinds?: readonly string[];
  /** Test hooks by task id (never set by the CLI). */
  readonly testHooks?: Readonly<Record<string, QueueJobHooks>>;
}

/** Everything `run` needs, resolved once. */
interface Settings {
  readonly connection: RedisConnection;
  readonly queueName: string;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly redisTimeoutMs: number;
  readonly noWorkerTimeoutMs: number;
  readonly pollMs: number;
}

/** The job id of a task: content-addressed (environment + task), so a resumed run finds its jobs again. */
export function foldJobId(envFingerprint: string, task: FoldTask, hooks?: QueueJobHooks): string {
  return `fold-${sha256(`${envFingerprint}\u0000${taskFingerprint(task)}\u0000${hooks === undefined ? '' : JSON.stringify(hooks)}`).slice(0, 40)}`;
}

/** The same arrays (by identity) in two environments; their estimators do not matter (tasks carry kind and args). */
function sameArrays(a: FoldEnvironment, b: FoldEnvironment): boolean {
  const views = Object.keys(b.views);
  return (
    Object.keys(a.views).length === views.length &&
    views.every((name) => a.views[name] === b.views[name]) &&
    a.labels === b.labels &&
    a.splits === b.splits &&
    a.sampleWeight === b.sampleWeight &&
    a.groups === b.groups &&
    a.classNames === b.classNames
  );
}

/**
 * Runs fold tasks on BullMQ workers (`pipeline worker --queue …`), possibly on other machines. The
 * fold environment is written once to `storageDir` (binary files + sha256 fingerprints, checked by
 * the workers), one job per task is enqueued with the plain-JSON task, and results (OOF blocks,
 * fitted models as artifacts) come back as the jobs' return values. Results are byte-identical to a
 * local run: tasks are seeded and independent.
 *
 * The environment is fingerprinted and written once per set of arrays: later calls with the same
 * arrays (by identity: the stages of a run, every trial of a search) reuse it without hashing them
 * again, so arrays handed to the executor must not be changed in place afterwards (the pipeline
 * never does).
 *
 * Jobs are content-addressed, so a coordinator restarted with `--resume` picks up tasks that
 * finished on the queue meanwhile; a task whose job is lost (Redis restarted without persistence)
 * is enqueued again. A task that fails `attempts` times fails the run with its error; Redis
 * unreachable for `redisTimeoutMs`, or no worker for `noWorkerTimeoutMs`, fails it too.
 */
export function bullmqExecutor(options: BullmqExecutorOptions): FoldExecutor {
  const connection = typeof options.connection === 'string' ? parseRedisUrl(options.connection) : options.connection;
  const settings: Settings = {
    connection,
    queueName: options.queueName ?? DEFAULT_QUEUE_NAME,
    attempts: options.attempts ?? 2,
    backoffMs: options.backoffMs ?? 1000,
    redisTimeoutMs: options.redisTimeoutMs ?? 30_000,
    noWorkerTimeoutMs: options.noWorkerTimeoutMs ?? 300_000,
    pollMs: options.pollMs ?? 1000,
  };
  const inProcess = new Set(options.inProcessKinds ?? ['logistic-regression']);
  // Stages of one run (and every trial of a search) hand over the same arrays: fingerprint them once.
  const storedEnvs = new WeakMap<object, { readonly env: FoldEnvironment; readonly stored: StoredFoldEnvironment }>();
  const storeEnvironment = async (env: FoldEnvironment): Promise<StoredFoldEnvironment> => {
    const known = storedEnvs.get(env.views);
    if (known !== undefined && sameArrays(known.env, env) && existsSync(join(known.stored.dir, 'manifest.json'))) return known.stored;
    const stored = await writeFoldEnvironment(options.storageDir, env);
    storedEnvs.set(env.views, { env, stored });
    return stored;
  };
  return {
    async run(allTasks, env, { context: contextIn, onOutcome }) {
      const local = allTasks.filter((task) => inProcess.has(task.payload.kind));
      if (local.length > 0) await sequentialExecutor.run(local, env, { context: contextIn, onOutcome });
      const tasks = allTasks.filter((task) => !inProcess.has(task.payload.kind));
      if (tasks.length === 0) return;
      const context = resolveContext(contextIn);
      const envStarted = performance.now();
      const stored = await storeEnvironment(env);
      context.logger.debug('fold environment stored', { envMs: performance.now() - envStarted, tasks: tasks.length });
      const run = options.runLabel ?? `env-${stored.fingerprint.slice(0, 12)}`;
      const jobs = tasks.map((task) => {
        const hooks = options.testHooks?.[task.id];
        const data: FoldJobData = {
          kind: 'fold',
          format: QUEUE_JOB_FORMAT,
          run,
          task,
          env: stored,
          ...(options.backend === undefined ? {} : { backend: options.backend }),
          ...(hooks === undefined ? {} : { hooks }),
        };
        return { id: foldJobId(stored.fingerprint, task, hooks), task, data };
      });
      await collect(jobs, settings, context.logger, context.signal, onOutcome);
    },
  };
}

async function collect(
  jobs: ReadonlyArray<{ id: string; task: FoldTask; data: FoldJobData }>,
  settings: Settings,
  logger: Logger,
  signal: AbortSignal | undefined,
  onOutcome: (outcome: FoldOutcome) => Promise<void>,
): Promise<void> {
  const startedAt = performance.now();
  const where = `${describeConnection(settings.connection)} (queue ${settings.queueName})`;
  // Commands fail fast instead of waiting for Redis forever; every call is also time-boxed.
  const client = redisClient(settings.connection, false);
  const eventsClient = redisClient(settings.connection, true);
  client.on('error', () => undefined);
  eventsClient.on('error', () => undefined);
  const queue = new Queue<FoldJobData, FoldJobResult>(settings.queueName, { connection: client });
  const events = new QueueEvents(settings.queueName, { connection: eventsClient });
  const callMs = Math.min(5000, settings.redisTimeoutMs);
  let redisDownSince: number | undefined;
  queue.on('error', (error) => logger.debug('queue connection error', { error: error.message }));
  events.on('error', (error) => logger.debug('queue events connection error', { error: (error as Error).message }));

  const byId = new Map(jobs.map((job) => [job.id, job]));
  const pending = new Set(byId.keys());
  const enqueuedAt = new Map<string, number>();
  let settled = false;
  let reported = 0;
  let chain = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let noWorkerSince: number | undefined;

  const enqueue = async (id: string) => {
    const job = byId.get(id)!;
    enqueuedAt.set(id, performance.now());
    const existing = await withTimeout(queue.getJob(id), callMs, 'reading a job');
    if (existing !== undefined) {
      const state = await withTimeout(existing.getState(), callMs, 'reading a job state');
      if (state === 'failed') {
        logger.info('retrying a task that failed on the queue before', { task: job.task.id });
        await withTimeout(existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }), callMs, 'retrying a job');
      }
      return;
    }
    await withTimeout(
      queue.add(job.task.type, job.data, {
        jobId: id,
        attempts: settings.attempts,
        backoff: { type: 'fixed', delay: settings.backoffMs },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      }),
      callMs,
      'adding a job',
    );
  };

  try {
    await withTimeout(queue.waitUntilReady(), settings.redisTimeoutMs, `connecting to Redis at ${where}`).catch((error: Error) => {
      throw new PipelineError('E_NOT_FOUND', `cannot reach Redis at ${where}: ${error.message}`, { field: 'queue', hint: 'start redis-server, or check --queue' });
    });
    const connectedAt = performance.now();
    // One round trip for all the stage's jobs instead of one per job (ioredis pipelines concurrent calls).
    await Promise.all(jobs.map((job) => enqueue(job.id)));
    logger.info('fold tasks enqueued', { tasks: jobs.length, queue: settings.queueName, run: jobs[0]!.data.run, connectMs: connectedAt - startedAt, enqueueMs: performance.now() - connectedAt });

    await new Promise<void>((resolveAll, rejectAll) => {
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        rejectAll(error);
      };
      const finishOne = (id: string, value: FoldJobResult, times: { created: number; processedOn: number | undefined; finishedOn: number | undefined }) => {
        const job = byId.get(id)!;
        const roundTripMs = performance.now() - (enqueuedAt.get(id) ?? performance.now());
        chain = chain
          .then(async () => {
            if (settled) return;
            const result = decodeTaskResult(value.result);
            const model = value.artifact === undefined ? undefined : await loadModel(decodeArtifact(value.artifact));
            // enqueue → result = waiting + processing on a worker + the queue's own overhead.
            const waitMs = times.processedOn === undefined ? undefined : times.processedOn - times.created;
            const processMs = times.processedOn === undefined || times.finishedOn === undefined ? undefined : times.finishedOn - times.processedOn;
            logger.debug('task result from the queue', {
              task: job.task.id,
              roundTripMs,
              waitMs,
              processMs,
              modelMs: result.output.fitMs + result.output.predictMs,
            });
            await onOutcome({ task: job.task, result, ...(model === undefined ? {} : { model }), reused: false });
            reported++;
            if (reported === jobs.length && !settled) {
              settled = true;
              resolveAll();
            }
          })
          .catch(fail);
      };
      const reader: JobReader<Job<FoldJobData, FoldJobResult>> = {
        state: (id) => withTimeout(queue.getJobState(id), callMs, 'reading a job state'),
        job: (id) => withTimeout(Job.fromId<FoldJobData, FoldJobResult>(queue, id), callMs, 'reading a job'),
      };
      const check = async (id: string) => {
        if (!pending.has(id) || settled) return;
        const outcome = await readJobOutcome(reader, id);
        if (!pending.has(id) || settled) return;
        if (outcome.kind === 'missing') {
          logger.warn('a queued task disappeared from Redis (restarted without persistence?); enqueuing it again', { task: byId.get(id)!.task.id });
          await enqueue(id);
        } else if (outcome.kind === 'completed') {
          const finished = outcome.job;
          pending.delete(id);
          if (finished.returnvalue == null) {
            // BullMQ stores the return value in the same step that completes the job: none is a worker bug.
            const task = byId.get(id)!.task.id;
            fail(new PipelineError('E_INTERNAL', `task ${task} completed on the queue without a result`, { field: task, hint: 'the worker logs have the details; workers must run the same pipeline version' }));
            return;
          }
          finishOne(id, finished.returnvalue, { created: finished.timestamp, processedOn: finished.processedOn, finishedOn: finished.finishedOn });
        } else if (outcome.kind === 'failed') {
          pending.delete(id);
          fail(jobFailureError(byId.get(id)!.task.id, outcome.job.attemptsMade, outcome.job.failedReason));
        }
      };
      const poll = async () => {
        timer = undefined;
        if (settled) return;
        try {
          for (const id of [...pending]) await check(id);
          const workers = pending.size === 0 ? 1 : await withTimeout(queue.getWorkersCount(), callMs, 'counting workers');
          redisDownSince = undefined;
          if (workers > 0) noWorkerSince = undefined;
          else {
            noWorkerSince ??= performance.now();
            if (performance.now() - noWorkerSince > settings.noWorkerTimeoutMs) {
              fail(
                new PipelineError('E_STATE', `no worker took tasks from ${where} for ${Math.round(settings.noWorkerTimeoutMs / 1000)} s`, {
                  field: 'queue',
                  hint: `start workers: pipeline worker --queue ${describeConnection(settings.connection)}`,
                }),
              );
            }
          }
        } catch (error) {
          if (error instanceof PipelineError) {
            fail(error);
            return;
          }
          redisDownSince ??= performance.now();
          logger.warn('Redis call failed; retrying', { error: (error as Error).message });
          if (performance.now() - redisDownSince > settings.redisTimeoutMs) {
            fail(
              new PipelineError('E_INTERNAL', `lost Redis at ${where} for more than ${Math.round(settings.redisTimeoutMs / 1000)} s: ${(error as Error).message}`, {
                field: 'queue',
                hint: 'restart redis-server and rerun with --resume (finished tasks are kept in the run folder)',
              }),
            );
            return;
          }
        }
        if (!settled) timer = setTimeout(() => void poll(), settings.pollMs);
      };
      const onEvent = ({ jobId }: { jobId: string }) => {
        if (pending.has(jobId)) check(jobId).catch(() => undefined);
      };
      events.on('completed', onEvent);
      events.on('failed', onEvent);
      signal?.addEventListener('abort', () => fail(new PipelineError('E_ABORTED', 'cross-validation was interrupted (queued tasks stay on the queue for --resume)')), { once: true });
      void poll();
    });
    await chain;
  } finally {
    settled = true;
    if (timer !== undefined) clearTimeout(timer);
    await withTimeout(Promise.all([queue.close(), events.close()]), 5000, 'closing the queue').catch(() => undefined);
    await Promise.all([closeRedisClient(client), closeRedisClient(eventsClient)]);
  }
}
