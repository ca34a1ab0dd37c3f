import { closeSync, openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '@pipeline/core';
import { scanCsvRange, type CsvRangeResult } from './csv-range.js';
import type { CsvLayout } from './csv-scanner.js';
import type { CsvJobMessage, CsvWorkerReply } from './csv-worker-protocol.js';

/** Bytes per chunk of the body; threads claim chunks one at a time (a late or busy thread takes fewer). */
const CHUNK_BYTES = 4 << 20;
/** Rows per batch inside a chunk. */
const BATCH_ROWS = 4096;
/** An idle pool ends its threads after this long. */
const IDLE_MS = 2000;
/** A read whose workers post nothing for this long is given up (the caller re-reads serially). */
const STALL_MS = 60_000;

/** @internal Test hooks: smaller chunks (many boundaries on small files), a worker entry that fails. */
export interface CsvParallelTestHooks {
  readonly chunkBytes?: number;
  readonly entry?: URL;
}
let testHooks: CsvParallelTestHooks = {};

/** @internal FOR TESTS ONLY (not exported from the package). Ends the pool's threads; no argument restores the defaults. */
export function setCsvParallelTestHooks(hooks: CsvParallelTestHooks = {}): void {
  const restart = hooks.entry !== testHooks.entry;
  testHooks = hooks;
  if (restart) stopCsvWorkers();
}

/** @internal What the last parallel read did (for tests): chunks in all, chunks parsed by workers, and whether it succeeded. */
export const lastCsvParallelRead = { chunks: 0, workerChunks: 0, ok: false };

/** Ends the pool's threads now (they end by themselves after {@link IDLE_MS} idle). */
export function stopCsvWorkers(): void {
  clearTimeout(idleTimer);
  idleTimer = undefined;
  for (const worker of workers.splice(0)) void worker.terminate();
}

const workers: Worker[] = [];
const listeners = new Map<number, (reply: CsvWorkerReply) => void>();
const exitListeners = new Set<(worker: Worker) => void>();
let idleTimer: NodeJS.Timeout | undefined;
let jobs = 0;

/**
 * Where the worker script is: next to this module when built (`dist/csv-worker.js`); when the
 * package runs from its TypeScript sources (tests), a bootstrap registers the dev-only
 * `@pipeline/core/dev/source-hooks` in the worker and imports `csv-worker.ts`.
 */
function workerEntry(): URL {
  if (testHooks.entry !== undefined) return testHooks.entry;
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL('./csv-worker.js', here);
  const entry = new URL('./csv-worker.ts', here).href;
  const bootstrap = `import { register } from 'node:module';\nregister('@pipeline/core/dev/source-hooks', ${JSON.stringify(here)});\nawait import(${JSON.stringify(entry)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

/**
 * Starts worker threads for parallel CSV reads until the pool has `count` (idempotent; threads
 * that fail to start are left out). Unref'd: an idle pool never keeps the process alive, and it
 * ends its threads after {@link IDLE_MS}. Returns the pool's threads.
 */
export function startCsvWorkers(count: number): readonly Worker[] {
  clearTimeout(idleTimer);
  idleTimer = undefined;
  const execArgv = workerExecArgv();
  while (workers.length < count) {
    let worker: Worker;
    try {
      worker = new Worker(workerEntry(), { name: `csv-${workers.length}`, ...(execArgv === undefined ? {} : { execArgv }) });
    } catch {
      break; // e.g. ERR_WORKER_INVALID_EXEC_ARGV: the calling thread reads more chunks
    }
    worker.unref();
    worker.on('message', (reply: CsvWorkerReply) => listeners.get(reply.job)?.(reply));
    worker.on('error', () => {}); // 'exit' follows and does the bookkeeping
    worker.on('exit', () => {
      const k = workers.indexOf(worker);
      if (k >= 0) workers.splice(k, 1);
      for (const listener of exitListeners) listener(worker);
    });
    workers.push(worker);
  }
  return workers.slice(0, count);
}

function scheduleIdleEnd(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(stopCsvWorkers, IDLE_MS);
  idleTimer.unref();
}

/** Chunk bounds tiling `[bodyStart, size)`: at least `threads` chunks, about {@link CHUNK_BYTES} each. */
function chunkBounds(bodyStart: number, size: number, threads: number): number[] {
  const bytes = size - bodyStart;
  const chunkBytes = testHooks.chunkBytes ?? CHUNK_BYTES;
  const count = Math.max(1, Math.min(bytes, Math.max(threads, Math.ceil(bytes / chunkBytes))));
  return Array.from({ length: count + 1 }, (_, k) => bodyStart + Math.round((bytes * k) / count));
}

/**
 * Parses the body of a CSV file (`[bodyStart, size)`) on this thread and `threads - 1` worker
 * threads: the body is cut into chunks at line starts and every thread claims chunks from a shared
 * counter until none is left. Returns the chunks' results in file order, or `undefined` when a
 * chunk did not parse or a worker failed: the caller then reads the file serially, which reports
 * the first problem in file order with its line number (so errors are the serial reader's, exactly).
 */
export async function readCsvChunks(
  file: string,
  bodyStart: number,
  size: number,
  layout: CsvLayout,
  float64: boolean,
  threads: number,
): Promise<CsvRangeResult[] | undefined> {
  const pool = startCsvWorkers(threads - 1);
  const bounds = chunkBounds(bodyStart, size, threads);
  const chunks = bounds.length - 1;
  const control = new Int32Array(new SharedArrayBuffer(4));
  const job = ++jobs;
  const results: CsvRangeResult[] = new Array<CsvRangeResult>(chunks);
  let received = 0;
  let workerChunks = 0;
  let failed = false;
  let settle: (ok: boolean) => void = () => {};
  const finished = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  const check = (): void => {
    if (failed) settle(false);
    else if (received === chunks) settle(true);
  };
  let stall: NodeJS.Timeout | undefined;
  const watch = (): void => {
    clearTimeout(stall);
    stall = setTimeout(() => {
      failed = true;
      check();
    }, STALL_MS);
  };
  listeners.set(job, (reply) => {
    watch();
    if (reply.type === 'chunk') {
      results[reply.chunk] = { rows: reply.rows, batchRows: BATCH_ROWS, batches: reply.batches, ids: reply.ids };
      received++;
      workerChunks++;
    } else if (reply.type === 'failed') {
      failed = true;
    }
    check();
  });
  const onExit = (worker: Worker): void => {
    if (pool.includes(worker)) {
      failed = true;
      check();
    }
  };
  exitListeners.add(onExit);
  const message: CsvJobMessage = { job, file, control: control.buffer as SharedArrayBuffer, bounds, bodyStart, layout, float64, batchRows: BATCH_ROWS };
  for (const worker of pool) {
    worker.ref(); // the reply must keep the process alive
    worker.postMessage(message);
  }
  try {
    const fd = openSync(file, 'r');
    try {
      const scratch = new Uint8Array(1 << 20);
      for (;;) {
        const chunk = Atomics.add(control, 0, 1);
        if (chunk >= chunks) break;
        try {
          results[chunk] = scanCsvRange({ fd, bodyStart, from: bounds[chunk]!, to: bounds[chunk + 1]!, layout, float64, batchRows: BATCH_ROWS }, scratch);
          received++;
        } catch {
          Atomics.store(control, 0, chunks);
          failed = true;
          break;
        }
      }
    } finally {
      closeSync(fd);
    }
    check();
    watch();
    const ok = await finished;
    Object.assign(lastCsvParallelRead, { chunks, workerChunks, ok });
    return ok ? results : undefined;
  } finally {
    clearTimeout(stall);
    listeners.delete(job);
    exitListeners.delete(onExit);
    if (listeners.size === 0) {
      // No other read in progress: the idle pool must not keep the process alive.
      for (const worker of workers) worker.unref();
      scheduleIdleEnd();
    }
  }
}
