import { closeSync, openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '@pipeline/core';
import { countCsvRows, parseCsvRows, type CsvByteRange } from './csv-range.js';
import { concatArrays, hashTexts } from './has-duplicates.js';
import type { CsvLayout } from './csv-scanner.js';
import type { CsvJobMessage, CsvWorkerReply } from './csv-worker-protocol.js';

/** Bytes per chunk of the body; threads claim chunks one at a time (a late or busy thread takes fewer). */
const CHUNK_BYTES = 4 << 20;
/** The smallest chunk of the guided split (the last ones). */
const MIN_CHUNK_BYTES = 256 << 10;
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

/**
 * Chunk bounds tiling `[bodyStart, size)`, claimed in order: guided sizes, each a `1 / (2·threads)`
 * share of what is left, at most {@link CHUNK_BYTES} and at least {@link MIN_CHUNK_BYTES}, so the
 * last chunks are small and the threads finish together (with equal 4 MiB chunks the calling thread
 * waited up to a whole chunk's parse for the last worker chunk). At least `threads` chunks.
 * The test hook's `chunkBytes` gives equal chunks of that size instead.
 */
function chunkBounds(bodyStart: number, size: number, threads: number): number[] {
  const bytes = size - bodyStart;
  if (testHooks.chunkBytes !== undefined) {
    const count = Math.max(1, Math.min(bytes, Math.max(threads, Math.ceil(bytes / testHooks.chunkBytes))));
    return Array.from({ length: count + 1 }, (_, k) => bodyStart + Math.round((bytes * k) / count));
  }
  if (bytes < threads * MIN_CHUNK_BYTES) {
    const count = Math.max(1, Math.min(bytes, threads));
    return Array.from({ length: count + 1 }, (_, k) => bodyStart + Math.round((bytes * k) / count));
  }
  const bounds = [bodyStart];
  let at = bodyStart;
  while (at < size) {
    const left = size - at;
    const take = Math.min(left, Math.max(MIN_CHUNK_BYTES, Math.min(CHUNK_BYTES, Math.ceil(left / (2 * threads)))));
    at += take;
    bounds.push(at);
  }
  return bounds;
}

/** Distinct texts a column may hold (the serial scanner's limit: codes stay exact in float32). */
const MAX_TEXT_CODES = 1 << 24;

/**
 * Folds the chunks' own first-seen text lists into the file's maps (`maps`, per output column, in
 * chunk order, so first-seen indices are the serial reader's) and rewrites each chunk's text cells
 * from its own indices to the file's. False when a column passes {@link MAX_TEXT_CODES} (the serial
 * read reports it).
 */
function mergeTexts(
  maps: readonly (Map<string, number> | undefined)[],
  texts: readonly ((string[] | undefined)[] | undefined)[],
  data: Float32Array | Float64Array,
  firstRows: readonly number[],
  width: number,
): boolean {
  for (let k = 0; k < texts.length; k++) {
    const chunkTexts = texts[k];
    if (chunkTexts === undefined) continue;
    for (let c = 0; c < width; c++) {
      const keys = chunkTexts[c];
      const map = maps[c];
      if (keys === undefined || map === undefined) continue;
      const codes = new Float64Array(keys.length);
      let same = true;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        let code = map.get(key);
        if (code === undefined) {
          code = map.size;
          if (code >= MAX_TEXT_CODES) return false;
          map.set(key, code);
        }
        codes[i] = code;
        if (code !== i) same = false;
      }
      if (same) continue;
      for (let at = firstRows[k]! * width + c, end = firstRows[k + 1]! * width; at < end; at += width) {
        const local = data[at]!;
        if (local === local) data[at] = codes[local]!; // NaN: a missing cell
      }
    }
  }
  return true;
}

/** The rows of a parallel read: row-major values on a SharedArrayBuffer, and the ids (id column). */
export interface CsvParallelResult {
  readonly rows: number;
  readonly data: Float32Array | Float64Array;
  readonly ids: string[] | undefined;
  /** With `hashIds`: the ids' `hashTexts`, computed by the threads that parsed them (for `hasDuplicates`). */
  readonly idHashes: Int32Array | undefined;
}

/**
 * Parses the body of a CSV file (`[bodyStart, size)`) on this thread and `threads - 1` worker
 * threads. The body is cut into chunks at line starts; every thread claims chunks from a shared
 * counter until none is left, first counting each chunk's rows, then (once every chunk's first row
 * is known) parsing them straight into one output on a SharedArrayBuffer: each output page is
 * written once, by one thread (first-touching fresh memory is what costs most on a busy VM).
 * Returns `undefined` when a chunk did not parse or a worker failed: the caller then reads the
 * file serially, which reports the first problem in file order with its line number (so errors are
 * the serial reader's, exactly).
 */
export async function readCsvParallel(
  file: string,
  bodyStart: number,
  size: number,
  layout: CsvLayout,
  float64: boolean,
  threads: number,
  hashIds = false,
  textMaps?: (Map<string, number> | undefined)[],
): Promise<CsvParallelResult | undefined> {
  const pool = startCsvWorkers(threads - 1);
  const bounds = chunkBounds(bodyStart, size, threads);
  const chunks = bounds.length - 1;
  const control = new Int32Array(new SharedArrayBuffer(8));
  const job = ++jobs;
  const counts = new Float64Array(chunks);
  const ids: (string[] | undefined)[] = new Array<string[] | undefined>(chunks);
  const hashes: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(chunks);
  const texts: ((string[] | undefined)[] | undefined)[] = new Array<(string[] | undefined)[] | undefined>(chunks);
  let workerChunks = 0;
  /** Chunks done in the current phase, and whether anything failed. */
  let done = 0;
  let failed = false;
  let settle: (ok: boolean) => void = () => {};
  const phaseEnd = (): Promise<boolean> => {
    const ended = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    check();
    watch();
    return ended;
  };
  function check(): void {
    if (failed) settle(false);
    else if (done === chunks) settle(true);
  }
  let stall: NodeJS.Timeout | undefined;
  function watch(): void {
    clearTimeout(stall);
    stall = setTimeout(() => {
      failed = true;
      check();
    }, STALL_MS);
  }
  listeners.set(job, (reply) => {
    watch();
    if (reply.type === 'counted') {
      counts[reply.chunk] = reply.rows;
      done++;
    } else if (reply.type === 'parsed') {
      ids[reply.chunk] = reply.ids;
      hashes[reply.chunk] = reply.hashes;
      texts[reply.chunk] = reply.texts;
      done++;
      workerChunks++;
    } else failed = true;
    check();
  });
  const onExit = (worker: Worker): void => {
    if (pool.includes(worker)) {
      failed = true;
      check();
    }
  };
  exitListeners.add(onExit);
  /** This thread's share of a phase: claim chunks until none is left. */
  const claim = (phase: 0 | 1, work: (fd: number, chunk: number) => void): void => {
    const fd = openSync(file, 'r');
    try {
      for (;;) {
        const chunk = Atomics.add(control, phase, 1);
        if (chunk >= chunks) break;
        try {
          work(fd, chunk);
          done++;
        } catch {
          Atomics.store(control, phase, chunks);
          failed = true;
          break;
        }
      }
    } finally {
      closeSync(fd);
    }
  };
  const scratch = new Uint8Array(1 << 20);
  const range = (fd: number, chunk: number): CsvByteRange => ({ fd, bodyStart, from: bounds[chunk]!, to: bounds[chunk + 1]! });
  try {
    const count: CsvJobMessage = { type: 'count', job, file, control: control.buffer as SharedArrayBuffer, bounds, bodyStart };
    for (const worker of pool) {
      worker.ref(); // the replies must keep the process alive
      worker.postMessage(count);
    }
    claim(0, (fd, chunk) => {
      counts[chunk] = countCsvRows(range(fd, chunk), scratch);
    });
    if (!(await phaseEnd())) return undefined;
    const firstRows = [0];
    for (let k = 0; k < chunks; k++) firstRows.push(firstRows[k]! + counts[k]!);
    const rows = firstRows[chunks]!;
    if (rows === 0) return undefined;
    const width = layout.columns.length;
    const bytes = rows * width * (float64 ? 8 : 4);
    let output: SharedArrayBuffer;
    try {
      output = new SharedArrayBuffer(bytes);
    } catch {
      return undefined; // the serial reader explains
    }
    const data = float64 ? new Float64Array(output) : new Float32Array(output);
    done = 0;
    const parse: CsvJobMessage = { type: 'parse', job, output, float64, firstRows, layout, hashIds };
    for (const worker of pool) worker.postMessage(parse);
    claim(1, (fd, chunk) => {
      const first = firstRows[chunk]!;
      const chunkRows = firstRows[chunk + 1]! - first;
      const parsed = parseCsvRows(range(fd, chunk), scratch, layout, data.subarray(first * width, (first + chunkRows) * width), chunkRows);
      const chunkIds = parsed.ids;
      ids[chunk] = chunkIds;
      texts[chunk] = parsed.texts;
      // Hashed here, in the parse phase, so the final duplicate check is one table pass on this thread.
      if (hashIds && chunkIds !== undefined) hashes[chunk] = hashTexts(chunkIds);
    });
    const ok = await phaseEnd();
    Object.assign(lastCsvParallelRead, { chunks, workerChunks, ok });
    if (!ok) return undefined;
    if (textMaps !== undefined && !mergeTexts(textMaps, texts, data, firstRows, width)) return undefined;
    if (layout.idColumn === undefined) return { rows, data, ids: undefined, idHashes: undefined };
    let idHashes: Int32Array | undefined;
    if (hashIds) {
      idHashes = new Int32Array(rows);
      for (let k = 0; k < chunks; k++) idHashes.set(hashes[k]!, firstRows[k]!);
    }
    return { rows, data, ids: concatArrays(ids as string[][]), idHashes };
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
