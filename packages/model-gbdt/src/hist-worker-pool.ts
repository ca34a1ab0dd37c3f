import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { PipelineError } from '@pipeline/core';
import {
  COMMAND_EXIT,
  COMMAND_RUN,
  COMMAND_SETUP,
  CTL_CHUNK_SIZE,
  CTL_COMMAND,
  CTL_DONE,
  CTL_FAILED,
  CTL_GENERATION,
  CTL_LENGTH,
  CTL_NEXT_CHUNK,
  SPIN_LIMIT,
  runChunks,
  type KernelBuffers,
  type KernelContext,
} from './hist-kernel.mjs';

/** How long an idle pool waits for the next fit before its threads end. */
const IDLE_MS = 1500;

/**
 * A small pool of worker threads that build histograms and search splits over feature chunks,
 * coordinated through a shared control block (Atomics, no message per job). The calling thread
 * takes chunks too, so a pool of `size` workers gives `size + 1` threads. Workers are unref'd:
 * an idle pool never keeps the process alive.
 */
export class HistWorkerPool {
  readonly size: number;
  private readonly workers: Worker[];
  private readonly ports: MessagePort[];
  private readonly control: Int32Array;
  private idleTimer: NodeJS.Timeout | undefined;
  private terminated = false;

  private constructor(workers: Worker[], ports: MessagePort[], control: Int32Array) {
    this.size = workers.length;
    this.workers = workers;
    this.ports = ports;
    this.control = control;
  }

  static async create(size: number): Promise<HistWorkerPool> {
    const control = new Int32Array(new SharedArrayBuffer(CTL_LENGTH * 4));
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const ready: Array<Promise<void>> = [];
    for (let w = 0; w < size; w++) {
      const channel = new MessageChannel();
      const worker = new Worker(new URL('./hist-worker.mjs', import.meta.url), {
        workerData: { control: control.buffer, port: channel.port2, generation: 0 },
        transferList: [channel.port2],
      });
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('online', () => resolve());
          worker.once('error', (error) => reject(error));
        }),
      );
      workers.push(worker);
      ports.push(channel.port1);
    }
    try {
      await Promise.all(ready);
    } catch (cause) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      for (const port of ports) port.close();
      throw new PipelineError('E_INTERNAL', 'could not start the histogram worker threads', {
        field: 'nThreads',
        hint: 'set nThreads: 1 to fit on the calling thread',
        cause,
      });
    }
    for (const worker of workers) worker.unref();
    for (const port of ports) port.unref();
    return new HistWorkerPool(workers, ports, control);
  }

  /** Hands a new fit's shared memory to every worker. */
  setup(buffers: KernelBuffers): void {
    for (const port of this.ports) port.postMessage(buffers);
    this.command(COMMAND_SETUP, undefined, 1);
  }

  /** Runs the job in `ctx.job` over all features, on the workers and the calling thread. */
  run(ctx: KernelContext, chunkSize: number): void {
    this.command(COMMAND_RUN, ctx, chunkSize);
  }

  private command(command: number, ctx: KernelContext | undefined, chunkSize: number): void {
    if (this.terminated) throw new PipelineError('E_STATE', 'the histogram worker pool has been terminated');
    const ctl = this.control;
    Atomics.store(ctl, CTL_DONE, 0);
    Atomics.store(ctl, CTL_FAILED, 0);
    Atomics.store(ctl, CTL_NEXT_CHUNK, 0);
    Atomics.store(ctl, CTL_CHUNK_SIZE, chunkSize);
    Atomics.store(ctl, CTL_COMMAND, command);
    Atomics.add(ctl, CTL_GENERATION, 1);
    Atomics.notify(ctl, CTL_GENERATION);
    if (ctx !== undefined) runChunks(ctx, ctl);
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctl, CTL_DONE);
      if (done >= this.size) break;
      if (++spins > SPIN_LIMIT) Atomics.wait(ctl, CTL_DONE, done, 1000);
    }
    if (Atomics.load(ctl, CTL_FAILED) !== 0) {
      throw new PipelineError('E_INTERNAL', 'a histogram worker thread failed');
    }
  }

  /** Ends the threads (idempotent). */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    const ctl = this.control;
    Atomics.store(ctl, CTL_COMMAND, COMMAND_EXIT);
    Atomics.add(ctl, CTL_GENERATION, 1);
    Atomics.notify(ctl, CTL_GENERATION);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
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

const idlePools: HistWorkerPool[] = [];

/**
 * A pool of `size` workers for one fit: an idle one left by a previous fit (so threads persist
 * across iterations and folds) or a new one. Give it back with {@link releaseWorkerPool}.
 */
export async function acquireWorkerPool(size: number): Promise<HistWorkerPool> {
  const index = idlePools.findIndex((pool) => pool.size === size);
  if (index >= 0) {
    const pool = idlePools.splice(index, 1)[0]!;
    pool.cancelIdleTermination();
    return pool;
  }
  return HistWorkerPool.create(size);
}

/** Returns a pool after a fit; its threads end after a short idle time unless reused. */
export function releaseWorkerPool(pool: HistWorkerPool): void {
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
