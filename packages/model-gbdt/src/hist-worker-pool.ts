import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { PipelineError, workerExecArgv } from '@pipeline/core';
import {
  COMMAND_EXIT,
  COMMAND_RUN,
  COMMAND_SETUP,
  CTL_BYTES,
  CTL_CHUNK_SIZE,
  CTL_CLAIM_OFFSET,
  CTL_COMMAND,
  CTL_DEAD,
  CTL_DEAD_CODE,
  CTL_DONE,
  CTL_FAILED,
  CTL_GENERATION,
  CTL_JOB_KIND,
  CTL_LENGTH,
  JOB_KIND_FEATURES,
  JOB_KIND_TREES,
  JOB_KIND_GRADIENTS,
  JOB_KIND_PREDICT,
  runFeatureRange,
  SPIN_LIMIT,
  WAIT_SLICE_MS,
  nextCommandWord,
  runChunks,
  claimWord,
  type KernelBuffers,
  type KernelContext,
  type RangeRunner,
} from './hist-kernel.mjs';
import type { PredictLaneSetup } from './predict-lane.mjs';
import type { TreeLaneSetup } from './tree-lane.mjs';

/** How long an idle pool waits for the next fit before its threads end. */
const IDLE_MS = 1500;
/** How long the workers get to load their modules and post 'ready' (0.1–1.5 s on a busy machine). */
const START_TIMEOUT_MS = 20_000;

/** @internal Fault injection for this package's tests; see {@link setPoolTestHooks}. */
export interface PoolTestHooks {
  /**
   * What worker 0 of every new pool does wrong: `throw-at-start` (its module throws while loading),
   * `never-ready` (it loads but never posts 'ready'), `exit-in-job` (`process.exit` at its first job),
   * `exit-in-predict` (`process.exit` at its first prediction job).
   */
  readonly fault?: 'throw-at-start' | 'never-ready' | 'exit-in-job' | 'exit-in-predict';
  /** Flags to start the threads with instead of `workerExecArgv()` (e.g. `['--input-type=module']`). */
  readonly execArgv?: string[];
  /** Replaces the 20 s start timeout. */
  readonly startTimeoutMs?: number;
  /** Tree, gradient and prediction jobs: the calling thread claims no unit, so the workers do all of them. */
  readonly workersOnly?: boolean;
}

let testHooks: PoolTestHooks = {};

/**
 * @internal FOR TESTS ONLY (not exported from the package): makes the pools created from now on
 * misbehave as described by `hooks`, so the tests can check that a worker that fails to start, never
 * gets ready or dies during a job becomes a fallback or an error, never a hang. Call with no
 * argument to restore normal pools.
 */
export function setPoolTestHooks(hooks: PoolTestHooks = {}): void {
  testHooks = hooks;
}

/**
 * A small pool of worker threads that build histograms and search splits over feature chunks,
 * coordinated through a shared control block (Atomics, no message per job). The calling thread
 * takes chunks too, so a pool of `size` workers gives `size + 1` threads.
 *
 * The workers are started and watched by a supervisor thread (hist-supervisor.mjs): the calling
 * thread sleeps in `Atomics.wait` during a job and cannot receive a worker's 'exit' event then, the
 * supervisor can. A pool is handed out only after every worker has loaded its modules and posted
 * 'ready'; a worker that stops later marks the control block, and the job in progress (or the next
 * one) throws a `PipelineError` instead of waiting for it. The threads are unref'd: an idle pool
 * never keeps the process alive.
 */
export class HistWorkerPool {
  readonly size: number;
  private readonly supervisor: Worker;
  private readonly ports: MessagePort[];
  private readonly control: Int32Array;
  private readonly claim: BigInt64Array;
  private idleTimer: NodeJS.Timeout | undefined;
  private terminated = false;
  /** What the supervisor said about a thread that stopped (arrives after the control block is marked). */
  private stopMessage: string | undefined;
  /** @internal Test hook ({@link PoolTestHooks}): the calling thread takes no unit of a tree, gradient or prediction job, and every iteration is offered to the workers. */
  readonly workersOnly: boolean;

  private constructor(size: number, supervisor: Worker, ports: MessagePort[], control: Int32Array, workersOnly: boolean) {
    this.size = size;
    this.workersOnly = workersOnly;
    this.supervisor = supervisor;
    this.ports = ports;
    this.control = control;
    this.claim = new BigInt64Array(control.buffer, CTL_CLAIM_OFFSET, 1);
    supervisor.on('message', (message: SupervisorMessage) => {
      // A plain exit says nothing the exit code in the control block does not: only errors add detail.
      if (message.type === 'stopped' && message.message !== `exited with code ${message.code}`) {
        this.stopMessage ??= `worker ${message.worker}: ${message.message}`;
      }
    });
    supervisor.on('error', (error) => {
      this.stopMessage ??= `supervisor: ${error.message}`;
    });
    supervisor.on('exit', (code) => {
      // Between jobs; during a job the supervisor's own exit handler has marked the block already.
      if (!this.terminated && Atomics.compareExchange(control, CTL_DEAD, 0, -1) === 0) Atomics.store(control, CTL_DEAD_CODE, code);
    });
  }

  /**
   * Starts `size` workers and resolves once every one of them is ready; rejects with a
   * `PipelineError('E_INTERNAL')` if one fails to load, stops, or is not ready within 20 s.
   */
  static async create(size: number): Promise<HistWorkerPool> {
    const control = new Int32Array(new SharedArrayBuffer(CTL_BYTES), 0, CTL_LENGTH);
    const channels = Array.from({ length: size }, () => new MessageChannel());
    const ports = channels.map((channel) => channel.port1);
    const remote = channels.map((channel) => channel.port2);
    const execArgv = testHooks.execArgv ?? workerExecArgv();
    const closePorts = () => {
      for (const port of ports) port.close();
    };
    let supervisor: Worker;
    try {
      supervisor = new Worker(new URL('./hist-supervisor.mjs', import.meta.url), {
        workerData: { control: control.buffer, ports: remote, testFault: testHooks.fault },
        transferList: remote,
        ...(execArgv === undefined ? {} : { execArgv }),
      });
    } catch (cause) {
      closePorts();
      throw startError(cause);
    }
    try {
      await whenReady(supervisor, testHooks.startTimeoutMs ?? START_TIMEOUT_MS);
    } catch (cause) {
      await supervisor.terminate();
      closePorts();
      throw startError(cause);
    }
    supervisor.unref();
    for (const port of ports) port.unref();
    return new HistWorkerPool(size, supervisor, ports, control, testHooks.workersOnly === true);
  }

  /** True once a thread of the pool has stopped: the pool cannot run jobs any more. */
  get broken(): boolean {
    return Atomics.load(this.control, CTL_DEAD) !== 0;
  }

  /** Hands a new fit's shared memory to every worker (feature jobs on that memory). */
  setup(buffers: KernelBuffers): void {
    this.setupEach(this.ports.map(() => buffers));
  }

  /**
   * Hands every worker a lane of its own for tree jobs ({@link runTrees}): `lanes[w]` is worker w's
   * memory (laid out like the fit's, with a copy of the binned data), `trees` the shared gradients,
   * raw scores and tree output.
   */
  setupTrees(lanes: readonly KernelBuffers[], trees: Omit<TreeLaneSetup, 'thread'>): void {
    if (lanes.length !== this.size) throw new PipelineError('E_INTERNAL', `${lanes.length} tree lanes for ${this.size} workers`);
    this.setupEach(lanes.map((lane, w) => ({ ...lane, trees: { ...trees, thread: w + 1 } })));
  }

  /** Hands every worker its part of a prediction ({@link runPredict}); `lanes[w]` is worker w's. */
  setupPredict(lanes: readonly PredictLaneSetup[]): void {
    if (lanes.length !== this.size) throw new PipelineError('E_INTERNAL', `${lanes.length} prediction lanes for ${this.size} workers`);
    this.setupEach(lanes.map((predict) => ({ predict })), JOB_KIND_PREDICT);
  }

  /** Predicts row blocks 0..nBlocks-1: the calling thread with `runBlocks` from the front, the workers from the back. */
  runPredict(nBlocks: number, runBlocks: RangeRunner): void {
    this.command(COMMAND_RUN, { units: nBlocks, run: runBlocks, workersOnly: this.workersOnly }, 1, JOB_KIND_PREDICT);
  }

  private setupEach(messages: ReadonlyArray<(KernelBuffers & { trees?: TreeLaneSetup }) | { predict: PredictLaneSetup }>, kind = JOB_KIND_FEATURES): void {
    this.throwIfBroken(kind);
    this.ports.forEach((port, w) => port.postMessage(messages[w]));
    this.command(COMMAND_SETUP, undefined, 1, kind);
  }

  /** Runs the job in `ctx.job` over all features, on the workers and the calling thread. */
  run(ctx: KernelContext, chunkSize: number): void {
    this.command(COMMAND_RUN, { units: ctx.nFeatures, run: (f0, f1, bounds) => runFeatureRange(ctx, f0, f1, bounds) }, chunkSize, JOB_KIND_FEATURES);
  }

  /**
   * Grows trees 0..nTrees-1 of one iteration: each thread claims one tree at a time (the calling
   * thread from the front with `growRange`, the workers from the back on their lanes, see
   * {@link setupTrees}). Returns once every tree is grown; throws like {@link run}.
   */
  runTrees(nTrees: number, growRange: RangeRunner): void {
    this.command(COMMAND_RUN, { units: nTrees, run: growRange, workersOnly: this.workersOnly }, 1, JOB_KIND_TREES);
  }

  /**
   * Computes row blocks 0..nBlocks-1 of a multiclass iteration's gradients: the calling thread with
   * `runBlocks` from the front, the workers on their lanes from the back (see {@link setupTrees}).
   */
  runGradients(nBlocks: number, runBlocks: RangeRunner): void {
    this.command(COMMAND_RUN, { units: nBlocks, run: runBlocks, workersOnly: this.workersOnly }, 1, JOB_KIND_GRADIENTS);
  }

  private command(
    command: number,
    job: { readonly units: number; readonly run: RangeRunner; readonly workersOnly?: boolean } | undefined,
    chunkSize: number,
    kind: number,
  ): void {
    this.throwIfBroken(kind);
    const ctl = this.control;
    const word = nextCommandWord(Atomics.load(ctl, CTL_GENERATION), command);
    Atomics.store(ctl, CTL_DONE, 0);
    Atomics.store(ctl, CTL_FAILED, 0);
    Atomics.store(ctl, CTL_CHUNK_SIZE, chunkSize);
    Atomics.store(ctl, CTL_COMMAND, command);
    Atomics.store(ctl, CTL_JOB_KIND, kind);
    Atomics.store(this.claim, 0, claimWord(word >>> 2, job === undefined ? 0 : job.units));
    Atomics.store(ctl, CTL_GENERATION, word);
    Atomics.notify(ctl, CTL_GENERATION);
    // RUN waits for every unit to be done (by whichever threads took them), SETUP for every worker.
    let target = this.size;
    let failure: unknown;
    if (job !== undefined) {
      target = job.units;
      if (job.workersOnly !== true) {
        try {
          runChunks(job.run, ctl, this.claim, word >>> 2);
        } catch (error) {
          failure = error; // runChunks counted the units nobody took: wait for the ones in progress
        }
      }
    }
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctl, CTL_DONE);
      if (done >= target) break;
      if (++spins > SPIN_LIMIT) {
        // The supervisor marks CTL_DEAD and wakes this wait as soon as a thread stops. (Checked
        // only once spinning is over: a costlier spin took CPU from the workers on a busy machine.)
        this.throwIfBroken(kind);
        Atomics.wait(ctl, CTL_DONE, done, WAIT_SLICE_MS);
      }
    }
    if (failure !== undefined) throw failure;
    if (Atomics.load(ctl, CTL_FAILED) !== 0) {
      throw new PipelineError('E_INTERNAL', 'a histogram worker thread failed');
    }
  }

  /** Throws when a thread has stopped, naming the job (`kind`: a fit's or a prediction's) it stopped in. */
  private throwIfBroken(kind: number): void {
    if (this.terminated) throw new PipelineError('E_STATE', 'the histogram worker pool has been terminated');
    const dead = Atomics.load(this.control, CTL_DEAD);
    if (dead === 0) return;
    const code = Atomics.load(this.control, CTL_DEAD_CODE);
    const thread = dead > 0 ? `histogram worker thread ${dead - 1}` : 'the histogram supervisor thread';
    const detail = this.stopMessage === undefined ? '' : ` (${this.stopMessage})`;
    void this.terminate();
    const predicting = kind === JOB_KIND_PREDICT;
    throw new PipelineError('E_INTERNAL', `${thread} stopped with exit code ${code} during ${predicting ? 'a prediction' : 'the fit'}${detail}`, {
      field: 'nThreads',
      hint: `set nThreads: 1 to ${predicting ? 'predict' : 'fit'} on the calling thread`,
    });
  }

  /** Ends the threads (idempotent). */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    const ctl = this.control;
    Atomics.store(ctl, CTL_COMMAND, COMMAND_EXIT);
    Atomics.store(ctl, CTL_GENERATION, nextCommandWord(Atomics.load(ctl, CTL_GENERATION), COMMAND_EXIT));
    Atomics.notify(ctl, CTL_GENERATION);
    // Ending the supervisor ends the workers it started.
    await this.supervisor.terminate();
    for (const port of this.ports) port.close();
  }

  /** @internal Schedules termination unless the pool is taken again first. */
  scheduleIdleTermination(onTerminate: () => void): void {
    this.idleTimer = setTimeout(() => {
      onTerminate();
      void this.terminate();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** @internal */
  cancelIdleTermination(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** What hist-supervisor.mjs posts. */
type SupervisorMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'stopped'; readonly worker: number; readonly code: number; readonly message: string };

/** Resolves when the supervisor reports every worker ready; rejects on any failure or after `timeoutMs`. */
function whenReady(supervisor: Worker, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      supervisor.off('message', onMessage);
      supervisor.off('error', onError);
      supervisor.off('exit', onExit);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onMessage = (message: SupervisorMessage): void => {
      if (message.type === 'ready') settle();
      else settle(new Error(`worker ${message.worker} stopped before it was ready: ${message.message}`));
    };
    const onError = (error: Error): void => settle(error);
    const onExit = (code: number): void => settle(new Error(`the supervisor thread exited with code ${code}`));
    const timer = setTimeout(() => settle(new Error(`the workers were not ready after ${timeoutMs} ms`)), timeoutMs);
    supervisor.on('message', onMessage);
    supervisor.on('error', onError);
    supervisor.on('exit', onExit);
  });
}

function startError(cause: unknown): PipelineError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PipelineError('E_INTERNAL', `could not start the histogram worker threads: ${reason}`, {
    field: 'nThreads',
    hint: 'set nThreads: 1 to fit on the calling thread',
    cause,
  });
}

const idlePools: HistWorkerPool[] = [];

/**
 * A pool of `size` workers for one fit: an idle one left by a previous fit (so threads persist
 * across iterations and folds) or a new one. Give it back with {@link releaseWorkerPool}. Rejects
 * with a `PipelineError` when the threads cannot start.
 */
export async function acquireWorkerPool(size: number): Promise<HistWorkerPool> {
  return takeIdleWorkerPool(size) ?? HistWorkerPool.create(size);
}

/** An idle pool of `size` workers left by an earlier fit, or undefined (starts no thread). Give it back with {@link releaseWorkerPool}. */
export function takeIdleWorkerPool(size: number): HistWorkerPool | undefined {
  for (;;) {
    const index = idlePools.findIndex((pool) => pool.size === size);
    if (index < 0) return undefined;
    const pool = idlePools.splice(index, 1)[0]!;
    pool.cancelIdleTermination();
    if (!pool.broken) return pool;
    void pool.terminate();
  }
}

/** Returns a pool after a fit; its threads end after a short idle time unless reused. A broken pool ends now. */
export function releaseWorkerPool(pool: HistWorkerPool): void {
  if (pool.broken) {
    void pool.terminate();
    return;
  }
  idlePools.push(pool);
  pool.scheduleIdleTermination(() => {
    const index = idlePools.indexOf(pool);
    if (index >= 0) idlePools.splice(index, 1);
  });
}

/** Ends every idle histogram worker thread now (e.g. at the end of a test file or a CLI command). */
export async function disposeWorkers(): Promise<void> {
  const pools = idlePools.splice(0, idlePools.length);
  await Promise.all(pools.map((pool) => pool.terminate()));
}
