import { closeSync, openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '@pipeline/core';
import { CLAIM, CONTROL_LENGTH, failChain, firstRowOf, growableSharedBuffer, publishChunkEnd, type CsvChunkChain } from './csv-chunk-chain.js';
import { countRows, parseRows, readRangeLines } from './csv-range.js';
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
  holder.buffer = new Uint8Array(0);
  helper.buffer = new Uint8Array(0);
  for (const worker of workers.splice(0)) void worker.terminate();
}

const workers: Worker[] = [];
const listeners = new Map<number, (reply: CsvWorkerReply) => void>();
const exitListeners = new Set<(worker: Worker) => void>();
let idleTimer: NodeJS.Timeout | undefined;
let jobs = 0;
/** This thread's read buffer, reused across reads and dropped with the idle pool, and the one for counting other threads' chunks. */
const holder = { buffer: new Uint8Array(0) };
const helper = { buffer: new Uint8Array(0) };

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
 * Per chunk and output column, the chunk's text indices → the file's first-seen indices
 * (`undefined`: the same numbers, or not a text column). The cells of a parallel read hold the
 * chunk's own indices; the caller maps them (readTypedCsv does it in the sweep that recodes them).
 */
export interface ChunkTextCodes {
  /** Per chunk: its first row; the last entry is the row count. */
  readonly firstRows: readonly number[];
  readonly codes: readonly ((Float64Array | undefined)[] | undefined)[];
}

/**
 * Folds the chunks' own first-seen text lists into the file's maps (`maps`, per output column, in
 * chunk order, so first-seen indices are the serial reader's) and returns each chunk's indices →
 * the file's. `undefined` when a column passes {@link MAX_TEXT_CODES} (the serial read reports it).
 */
function mergeTexts(
  maps: readonly (Map<string, number> | undefined)[],
  texts: readonly ((string[] | undefined)[] | undefined)[],
  width: number,
): ((Float64Array | undefined)[] | undefined)[] | undefined {
  const all: ((Float64Array | undefined)[] | undefined)[] = [];
  for (let k = 0; k < texts.length; k++) {
    const chunkTexts = texts[k];
    if (chunkTexts === undefined) {
      all.push(undefined);
      continue;
    }
    const chunkCodes: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(width).fill(undefined);
    all.push(chunkCodes);
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
          if (code >= MAX_TEXT_CODES) return undefined;
          map.set(key, code);
        }
        codes[i] = code;
        if (code !== i) same = false;
      }
      if (!same) chunkCodes[c] = codes;
    }
  }
  return all;
}

/** The rows of a parallel read: row-major values on a SharedArrayBuffer, and the ids (id column). */
export interface CsvParallelResult {
  readonly rows: number;
  readonly data: Float32Array | Float64Array;
  readonly ids: string[] | undefined;
  /** With `hashIds`: the ids' `hashTexts`, computed by the threads that parsed them (for `hasDuplicates`). */
  readonly idHashes: Int32Array | undefined;
  /** With `textMaps`: how to map each chunk's text cells to the file's first-seen indices. */
  readonly textCodes: ChunkTextCodes | undefined;
}

/**
 * Parses the body of a CSV file (`[bodyStart, size)`) on this thread and `threads - 1` worker
 * threads, in one pass over the file. The body is cut into chunks at line starts; every thread
 * claims chunks in order from a shared counter, reads each once, counts its rows, takes its place
 * in the chain of first rows and parses it straight into one growable output on a
 * SharedArrayBuffer (csv-chunk-chain.ts): each output page is written once, by the thread that
 * parses it (first-touching fresh memory is what costs most on a busy VM), and the output ends
 * exactly at the last row. Returns `undefined` when a chunk did not parse or a worker failed: the
 * caller then reads the file serially, which reports the first problem in file order with its line
 * number (so errors are the serial reader's, exactly).
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
  const bounds = chunkBounds(bodyStart, size, threads);
  const chunks = bounds.length - 1;
  const width = layout.columns.length;
  const rowBytes = width * (float64 ? 8 : 4);
  // A valid row takes at least one byte per field (delimiters and the line feed), so the rows fit
  // this; lines beyond it are bad lines, which the serial read reports.
  const maxRows = Math.floor((size - bodyStart + 1) / Math.max(1, layout.targets.length));
  if (maxRows === 0 || width === 0) return undefined;
  let chain: CsvChunkChain;
  try {
    chain = {
      control: new Int32Array(new SharedArrayBuffer(CONTROL_LENGTH * 4)),
      firstRows: new Float64Array(new SharedArrayBuffer((chunks + 1) * 8)),
      output: growableSharedBuffer(maxRows * rowBytes),
      rowBytes,
    };
  } catch {
    return undefined; // the serial reader explains (or reads into an ordinary array)
  }
  const { control } = chain;
  const pool = startCsvWorkers(threads - 1);
  const job = ++jobs;
  const ids: (string[] | undefined)[] = new Array<string[] | undefined>(chunks);
  const hashes: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(chunks);
  const texts: ((string[] | undefined)[] | undefined)[] = new Array<(string[] | undefined)[] | undefined>(chunks);
  let workerChunks = 0;
  /** Chunks parsed, and whether anything failed. */
  let done = 0;
  let failed = false;
  let settle: (ok: boolean) => void = () => {};
  const fail = (): void => {
    failed = true;
    failChain(control, chunks);
    check();
  };
  function check(): void {
    if (failed) settle(false);
    else if (done === chunks) settle(true);
  }
  let stall: NodeJS.Timeout | undefined;
  function watch(): void {
    clearTimeout(stall);
    stall = setTimeout(fail, STALL_MS);
  }
  listeners.set(job, (reply) => {
    watch();
    if (reply.type === 'parsed') {
      ids[reply.chunk] = reply.ids;
      hashes[reply.chunk] = reply.hashes;
      texts[reply.chunk] = reply.texts;
      done++;
      workerChunks++;
      check();
    } else fail();
  });
  const onExit = (worker: Worker): void => {
    if (pool.includes(worker)) fail();
  };
  exitListeners.add(onExit);
  try {
    const message: CsvJobMessage = {
      type: 'read',
      job,
      file,
      control: control.buffer as SharedArrayBuffer,
      firstRows: chain.firstRows.buffer as SharedArrayBuffer,
      bounds,
      bodyStart,
      output: chain.output,
      float64,
      layout,
      hashIds,
    };
    for (const worker of pool) {
      worker.ref(); // the replies must keep the process alive
      worker.postMessage(message);
    }
    // This thread's share: claim chunks until none is left.
    const fd = openSync(file, 'r');
    try {
      for (;;) {
        const chunk = Atomics.add(control, CLAIM, 1);
        if (chunk >= chunks) break;
        try {
          const block = readRangeLines({ fd, bodyStart, from: bounds[chunk]!, to: bounds[chunk + 1]! }, holder);
          const rows = countRows(block);
          const first = firstRowOf(chain, chunk, (k) => countRows(readRangeLines({ fd, bodyStart, from: bounds[k]!, to: bounds[k + 1]! }, helper)));
          publishChunkEnd(chain, chunk, first, rows);
          const data = float64 ? new Float64Array(chain.output, first * rowBytes, rows * width) : new Float32Array(chain.output, first * rowBytes, rows * width);
          const parsed = parseRows(block, layout, data, rows);
          ids[chunk] = parsed.ids;
          texts[chunk] = parsed.texts;
          // Hashed here, by the parsing thread, so the final duplicate check is one table pass on this thread.
          if (hashIds && parsed.ids !== undefined) hashes[chunk] = hashTexts(parsed.ids);
          done++;
        } catch {
          fail();
          break;
        }
      }
    } finally {
      closeSync(fd);
    }
    if (!failed && done < chunks) {
      watch();
      const ended = new Promise<boolean>((resolve) => {
        settle = resolve;
      });
      check();
      if (!(await ended)) failed = true;
    }
    Object.assign(lastCsvParallelRead, { chunks, workerChunks, ok: !failed });
    if (failed) return undefined;
    const rows = chain.firstRows[chunks]!;
    if (rows === 0) return undefined;
    const data = float64 ? new Float64Array(chain.output, 0, rows * width) : new Float32Array(chain.output, 0, rows * width);
    let textCodes: ChunkTextCodes | undefined;
    if (textMaps !== undefined) {
      const codes = mergeTexts(textMaps, texts, width);
      if (codes === undefined) return undefined;
      textCodes = { firstRows: Array.from(chain.firstRows), codes };
    }
    if (layout.idColumn === undefined) return { rows, data, ids: undefined, idHashes: undefined, textCodes };
    let idHashes: Int32Array | undefined;
    if (hashIds) {
      idHashes = new Int32Array(rows);
      for (let k = 0; k < chunks; k++) idHashes.set(hashes[k]!, chain.firstRows[k]!);
    }
    return { rows, data, ids: concatArrays(ids as string[][]), idHashes, textCodes };
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
