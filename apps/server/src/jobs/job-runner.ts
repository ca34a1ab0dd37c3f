/**
 * The job runner: a bounded queue of trainings, each in its own forked worker process (never in
 * the request thread). It writes every state change and progress report to the database, emits
 * `update` events (session id) for the SSE stream, kills the worker on cancel, and turns a crashed
 * worker into a failed session with the reason. On start it recovers sessions a previous server
 * left behind: `training` ones are re-queued (up to `maxAttempts`) or failed with the reason,
 * `pending` ones are queued again.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@pipeline/core';
import type { Repository } from '../db/repository.js';
import type { SessionProgress, SessionRecord } from '../db/records.js';
import type { DatasetKind, TrainProgress, TrainResult } from '../model-kinds.js';
import type { FromWorker, StartMessage } from './worker-protocol.js';

export interface JobRunnerOptions {
  readonly repository: Repository;
  readonly dataDir: string;
  /** Trainings at once (default 1). */
  readonly concurrency?: number;
  /** How many times a training interrupted by a server stop is started again (default 2). */
  readonly maxAttempts?: number;
  readonly logger: Logger;
  /** Modules exporting `modelKind` that workers load besides the built-in kinds. */
  readonly extraKindModules?: readonly string[];
  /** Minimum milliseconds between two progress writes of one session (default 200). */
  readonly progressIntervalMs?: number;
  /** A training running longer is killed and failed (default 12 hours): a hung worker never blocks the queue. */
  readonly maxTrainingMs?: number;
}

interface Running {
  readonly child: ChildProcess;
  cancelled: boolean;
  stopping: boolean;
  timedOut: boolean;
  lastWrite: number;
  pending: TrainProgress | undefined;
  timer: NodeJS.Timeout | undefined;
  done: Promise<void>;
}

const here = import.meta.url;
const fromSource = here.endsWith('.ts');

/** The worker entry and the node flags that load it (TypeScript sources under jest, `dist/` otherwise). */
function workerCommand(): { entry: string; execArgv: string[] } {
  if (fromSource) {
    return {
      entry: fileURLToPath(new URL('./training-worker.ts', here)),
      // Core's dev-only hooks compile the TypeScript sources in the worker (Node 20 cannot load .ts).
      execArgv: ['--no-warnings', '--import', import.meta.resolve('@pipeline/core/dev/source-register')],
    };
  }
  return { entry: fileURLToPath(new URL('./training-worker.js', here)), execArgv: [] };
}

function percentOf(progress: TrainProgress): number {
  if (!(progress.total > 0)) return 0;
  return Math.round((Math.min(progress.current, progress.total) / progress.total) * 1000) / 10;
}

export class JobRunner extends EventEmitter {
  private readonly repository: Repository;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly logger: Logger;
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Running>();
  private stopped = false;

  constructor(private readonly options: JobRunnerOptions) {
    super();
    this.setMaxListeners(0);
    this.repository = options.repository;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 2);
    this.logger = options.logger;
  }

  /** Recovers sessions left by a previous server, then starts the queue. */
  async start(): Promise<void> {
    for (const session of await this.repository.sessionsWithStatus(['training'])) {
      if (session.attempts < this.maxAttempts) {
        const reason = `re-queued: the server stopped during attempt ${session.attempts}`;
        await this.repository.updateSession(session.id, { status: 'pending', error: reason, progress: null }, ['training']);
        this.logger.warn('training re-queued after a server stop', { sessionId: session.id, attempts: session.attempts });
      } else {
        const reason = `the server stopped during this training ${session.attempts} times; not retried`;
        await this.repository.updateSession(session.id, { status: 'failed', error: reason, finishedAt: new Date().toISOString() }, ['training']);
        this.logger.warn('training failed after repeated server stops', { sessionId: session.id, attempts: session.attempts });
      }
      await this.removeArtifacts(session.id);
    }
    for (const session of await this.repository.sessionsWithStatus(['pending'])) this.queue.push(session.id);
    this.pump();
  }

  /** Queues a pending session. */
  enqueue(sessionId: string): void {
    if (this.stopped || this.queue.includes(sessionId) || this.running.has(sessionId)) return;
    this.queue.push(sessionId);
    this.pump();
  }

  /** Number of sessions waiting and running in this process. */
  get load(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.running.size };
  }

  /**
   * Cancels a session: a queued one is marked `cancelled`; a running one has its worker killed, then
   * is marked `cancelled`. Returns false if it had already finished.
   */
  async cancel(session: SessionRecord): Promise<boolean> {
    const running = this.running.get(session.id);
    if (running !== undefined) {
      running.cancelled = true;
      const marked = await this.repository.updateSession(
        session.id,
        { status: 'cancelled', error: 'cancelled by request', finishedAt: new Date().toISOString() },
        ['pending', 'training'],
      );
      running.child.kill('SIGKILL');
      await running.done;
      this.emit('update', session.id);
      return marked;
    }
    const index = this.queue.indexOf(session.id);
    if (index >= 0) this.queue.splice(index, 1);
    const marked = await this.repository.updateSession(
      session.id,
      { status: 'cancelled', error: 'cancelled by request', finishedAt: new Date().toISOString() },
      ['pending', 'training'],
    );
    if (marked) this.emit('update', session.id);
    return marked;
  }

  /**
   * Stops the runner (graceful shutdown): nothing new starts; running workers are killed and their
   * sessions go back to `pending` (re-queued at the next start, attempt not counted).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    const all = [...this.running.entries()];
    for (const [, running] of all) {
      running.stopping = true;
      running.child.kill('SIGKILL');
    }
    await Promise.all(all.map(([, running]) => running.done));
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      void this.run(id).catch((error: unknown) => {
        this.logger.error('job runner error', { sessionId: id, error: error instanceof Error ? error.message : String(error) });
      });
    }
  }

  private artifactDir(sessionId: string): string {
    return join(this.options.dataDir, 'models', sessionId);
  }

  private async removeArtifacts(sessionId: string): Promise<void> {
    await rm(this.artifactDir(sessionId), { recursive: true, force: true });
  }

  private async fail(sessionId: string, reason: string): Promise<void> {
    await this.repository.updateSession(sessionId, { status: 'failed', error: reason, finishedAt: new Date().toISOString() }, ['pending', 'training']);
    this.emit('update', sessionId);
  }

  private async run(sessionId: string): Promise<void> {
    const session = await this.repository.getSessionById(sessionId);
    if (session === undefined || session.status !== 'pending') return;
    const dataset = await this.repository.getDataset(session.workspaceId, session.datasetId);
    if (dataset === undefined) {
      await this.fail(sessionId, `dataset ${session.datasetId} no longer exists`);
      return;
    }
    const artifactDir = this.artifactDir(sessionId);
    await rm(artifactDir, { recursive: true, force: true });
    await mkdir(artifactDir, { recursive: true });
    const claimed = await this.repository.updateSession(
      sessionId,
      { status: 'training', startedAt: new Date().toISOString(), attempts: session.attempts + 1, artifactDir, progress: null, epochsCompleted: 0 },
      ['pending'],
    );
    if (!claimed) return;
    this.emit('update', sessionId);

    const { entry, execArgv } = workerCommand();
    const child = fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    let settle!: () => void;
    const running: Running = {
      child,
      cancelled: false,
      stopping: false,
      timedOut: false,
      lastWrite: 0,
      pending: undefined,
      timer: undefined,
      done: new Promise<void>((resolve) => (settle = resolve)),
    };
    this.running.set(sessionId, running);

    let result: TrainResult | undefined;
    let workerError: { code: string; message: string } | undefined;
    let writes = Promise.resolve();
    const interval = this.options.progressIntervalMs ?? 200;
    const writeProgress = (progress: TrainProgress): void => {
      running.lastWrite = Date.now();
      running.pending = undefined;
      const record: SessionProgress = {
        stage: progress.stage,
        current: progress.current,
        total: progress.total,
        percent: percentOf(progress),
        ...(progress.label === undefined ? {} : { label: progress.label }),
        ...(progress.metrics === undefined ? {} : { metrics: progress.metrics }),
      };
      writes = writes
        .then(() =>
          this.repository.updateSession(
            sessionId,
            { progress: record, ...(progress.epochsCompleted === undefined ? {} : { epochsCompleted: progress.epochsCompleted }) },
            ['training'],
          ),
        )
        .then(() => void this.emit('update', sessionId))
        .catch((error: unknown) => this.logger.error('progress write failed', { sessionId, error: String(error) }));
    };

    child.on('message', (message: FromWorker) => {
      if (message.type === 'progress') {
        if (Date.now() - running.lastWrite >= interval) {
          writeProgress(message.progress);
        } else {
          running.pending = message.progress;
          running.timer ??= setTimeout(() => {
            running.timer = undefined;
            if (running.pending !== undefined) writeProgress(running.pending);
          }, interval);
        }
      } else if (message.type === 'log') {
        this.logger[message.level](message.message, { ...message.fields, sessionId });
      } else if (message.type === 'result') {
        result = message.result;
      } else if (message.type === 'error') {
        workerError = { code: message.code, message: message.message };
      }
    });

    const start: StartMessage = {
      type: 'start',
      kind: session.modelKind,
      extraKindModules: this.options.extraKindModules ?? [],
      job: {
        sessionId,
        modelName: session.modelName,
        datasetKind: dataset.kind as DatasetKind,
        datasetFile: join(this.options.dataDir, 'datasets', dataset.fileName),
        options: session.options,
        artifactDir,
        seed: typeof (session.options as { seed?: unknown } | null)?.seed === 'number' ? (session.options as { seed: number }).seed : 42,
      },
    };
    child.send(start);
    const maxMs = this.options.maxTrainingMs ?? 12 * 3600 * 1000;
    const deadline = setTimeout(() => {
      running.timedOut = true;
      child.kill('SIGKILL');
    }, maxMs);
    deadline.unref();

    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => {
        workerError ??= { code: 'E_INTERNAL', message: `worker error: ${error.message}` };
      });
    });
    clearTimeout(deadline);
    if (running.timer !== undefined) clearTimeout(running.timer);
    // the last report may still be waiting for its throttle slot: write it before the outcome
    if (running.pending !== undefined && !running.cancelled && !running.stopping) writeProgress(running.pending);
    await writes;
    this.running.delete(sessionId);
    try {
      if (running.cancelled) {
        await this.removeArtifacts(sessionId);
      } else if (running.stopping) {
        await this.repository.updateSession(sessionId, { status: 'pending', error: 'interrupted by a server shutdown; re-queued', progress: null, attempts: session.attempts }, ['training']);
        await this.removeArtifacts(sessionId);
      } else if (result !== undefined && exit.code === 0) {
        const model = await this.repository.completeSession(session, {
          metrics: result.metrics,
          epochsCompleted: result.epochsCompleted,
          classes: result.classes ?? [],
          artifactDir,
        });
        if (model === undefined) await this.removeArtifacts(sessionId);
        this.logger.info('training completed', { sessionId, model: model === undefined ? null : `${model.name}@${model.version}` });
      } else {
        const reason = running.timedOut
          ? `the training ran longer than ${maxMs} ms and was stopped`
          : workerError !== undefined
          ? `${workerError.code}: ${workerError.message}`
          : `the training worker exited unexpectedly (${exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`})${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-3).join(' | ')}`}`;
        await this.repository.updateSession(sessionId, { status: 'failed', error: reason, finishedAt: new Date().toISOString() }, ['training']);
        await this.removeArtifacts(sessionId);
        this.logger.warn('training failed', { sessionId, reason });
      }
    } finally {
      this.emit('update', sessionId);
      settle();
      this.pump();
    }
  }
}
