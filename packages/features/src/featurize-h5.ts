import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  PipelineError,
  matrix,
  silentLogger,
  throwIfAborted,
  workerExecArgv,
  type ErrorCode,
  type Logger,
  type Matrix,
  type ProgressCallback,
} from '@pipeline/core';
import { openH5, type H5Dataset, type H5File } from '@pipeline/ingest';
import { dwtComboRecipe } from './dwt-combo.js';
import { compileRecipe, type FeaturePlan, type FeatureRecipe } from './feature-recipe.js';
import type { SerializedError, WorkerData, WorkerFault, WorkerReply, WorkerRequest } from './featurize-protocol.js';

/** @internal Fault injection for this package's tests; see {@link setFeaturizeTestHooks}. */
export interface FeaturizeTestHooks {
  /** What the workers do wrong (see {@link WorkerFault}). */
  readonly fault?: WorkerFault;
  /** Only worker number `faultyWorker` misbehaves; default: every worker. */
  readonly faultyWorker?: number;
  /** Flags to start the workers with instead of `workerExecArgv()`. */
  readonly execArgv?: string[];
  /** The calling thread does not featurize while the workers start: every batch goes to a worker. */
  readonly mainThreadWaits?: boolean;
}

let testHooks: FeaturizeTestHooks = {};

/**
 * @internal FOR TESTS ONLY (not exported from the package): makes the featurize workers started
 * from now on misbehave as described by `hooks`, so the tests can check that a worker that fails to
 * start is replaced by the other threads and one that dies with a task becomes an error, never a
 * hang. Call with no argument to restore normal workers.
 */
export function setFeaturizeTestHooks(hooks: FeaturizeTestHooks = {}): void {
  testHooks = hooks;
}

export interface FeaturizeH5Options {
  /** Dataset holding the raw rows (meta + signal); default `features`. */
  readonly datasetKey?: string;
  /** Default: `dwtComboRecipe()`. */
  readonly recipe?: FeatureRecipe;
  /** Rows per task; default about 1000 (fewer when there would be under 4 tasks per thread), rounded to whole HDF5 chunks. */
  readonly batchRows?: number;
  /**
   * Worker threads; default `os.availableParallelism()`. 0 featurizes in this thread. With workers,
   * this thread also featurizes batches until every worker has started (start-up takes 0.3–1.5 s).
   * A worker that cannot start (its module fails to load) is left out with a warning: the other
   * threads do its share, and with no worker at all this thread does everything. A worker that
   * stops after it started rejects the call with `E_INTERNAL`.
   */
  readonly workers?: number;
  /**
   * Who reads the HDF5 rows when `workers > 0`: `main` (this thread reads each batch and transfers
   * it, zero-copy, to a worker; workers never load h5wasm, so they start fast) or `worker` (each
   * worker opens the file and reads its own row ranges: raw signal never crosses threads and reading
   * and decompression run in parallel, but a file that needs HDF5 makes each worker load h5wasm).
   * Default: `worker` when the file opens without HDF5 (`H5File.usesHdf5` false: a worker's open is
   * a few small reads), else `main`.
   */
  readonly readIn?: 'worker' | 'main';
  /**
   * Threads started ahead by {@link startFeaturizeWorkers} (their module loading overlapped the
   * caller's other work): the call takes them, replaces any that stopped meanwhile with new ones,
   * and ends those it does not need. `workers` then defaults to their count.
   */
  readonly started?: FeaturizeWorkers;
  /** Rows [start, end) of the dataset; default all. */
  readonly start?: number;
  readonly end?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Stage `featurize`: rows done of rows total, after every batch. */
  readonly onProgress?: ProgressCallback;
}

export interface FeaturizeResult {
  /**
   * rows × features, float32. With workers the values live in a SharedArrayBuffer (no copy is made,
   * so memory stays at one feature matrix).
   */
  readonly features: Matrix;
  readonly names: readonly string[];
  readonly recipe: FeatureRecipe;
  /** Absolute path of the HDF5 file and the dataset read. */
  readonly file: string;
  readonly datasetKey: string;
  /** First dataset row (row 0 of `features`). */
  readonly start: number;
  readonly workers: number;
}

/**
 * Featurize worker threads started before the {@link featurizeH5} call that uses them (pass them as
 * its `started` option), so that loading their modules (0.1–0.5 s each, more on a busy machine)
 * overlaps the caller's reading instead of the featurizing. They hold no task until that call.
 */
export interface FeaturizeWorkers {
  /** The number of threads started. */
  readonly count: number;
  /** Ends the threads no call has taken (a call ends those it does not need). Idempotent. */
  close(): void;
}

interface WaitingWorker {
  readonly worker: Worker;
  /** Set when the thread stopped (or failed to load its modules) before a call took it. */
  stopped: boolean;
  readonly onStop: () => void;
}

class StartedFeaturizeWorkers implements FeaturizeWorkers {
  readonly count: number;
  private waiting: WaitingWorker[];

  constructor(count: number) {
    this.count = count;
    const execArgv = testHooks.execArgv ?? workerExecArgv();
    this.waiting = [];
    for (let w = 0; w < count; w++) {
      let worker: Worker;
      try {
        worker = new Worker(workerEntry(), { workerData: { deferred: true }, name: `featurize-${w}`, ...(execArgv === undefined ? {} : { execArgv }) });
      } catch {
        continue; // the call starts a new thread in its place (and reports it if that fails too)
      }
      // Idle until a call takes it: it must not keep the process alive.
      worker.unref();
      const entry: WaitingWorker = {
        worker,
        stopped: false,
        onStop: () => {
          entry.stopped = true;
        },
      };
      worker.on('error', entry.onStop);
      worker.on('exit', entry.onStop);
      this.waiting.push(entry);
    }
  }

  /** A running thread for a call (listeners of its wait removed), or undefined when none is left. */
  take(): Worker | undefined {
    for (let entry = this.waiting.shift(); entry !== undefined; entry = this.waiting.shift()) {
      entry.worker.off('error', entry.onStop);
      entry.worker.off('exit', entry.onStop);
      if (!entry.stopped) {
        entry.worker.ref();
        return entry.worker;
      }
      void entry.worker.terminate();
    }
    return undefined;
  }

  close(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const entry of waiting) {
      entry.worker.off('error', entry.onStop);
      entry.worker.on('error', () => {});
      void entry.worker.terminate();
    }
  }
}

/**
 * Starts `count` featurize worker threads now (default: the number of cores) for a later
 * {@link featurizeH5} call (`started` option), so their start-up overlaps whatever the caller does
 * meanwhile (opening and reading the inputs). Idle threads do not keep the process alive; `close()`
 * ends them if no call takes them. The features are bit-identical to those of threads started by
 * the call.
 */
export function startFeaturizeWorkers(count: number = availableParallelism()): FeaturizeWorkers {
  if (!Number.isInteger(count) || count < 0) {
    throw new PipelineError('E_USAGE', `count must be an integer ≥ 0, got ${count}`, { field: 'count' });
  }
  return new StartedFeaturizeWorkers(count);
}

const TARGET_BATCH_ROWS = 1000;
/** Rows the calling thread featurizes between yields while workers start. */
const MAIN_SLICE_ROWS = 64;

/**
 * Featurizes an HDF5 dataset batch by batch without ever holding the whole raw signal: each batch
 * of rows is read (one hyperslab), featurized and dropped, so memory is the feature matrix plus a
 * batch per thread. With `workers > 0`, a pool of worker_threads pulls batches from a queue and
 * writes features straight into a SharedArrayBuffer. Results are identical (bit for bit) for any
 * number of workers, batch size and read mode. Honours `signal` (rejects with `E_ABORTED` and stops
 * the workers).
 */
export async function featurizeH5(file: string | H5File, options: FeaturizeH5Options = {}): Promise<FeaturizeResult> {
  const logger = options.logger ?? silentLogger;
  const recipe = options.recipe ?? dwtComboRecipe();
  const plan = compileRecipe(recipe);
  const datasetKey = options.datasetKey ?? 'features';
  throwIfAborted(options.signal, 'featurize');
  const h5 = typeof file === 'string' ? await openH5(file, { logger }) : file;
  try {
    const dataset = h5.dataset(datasetKey);
    const { rows: totalRows, start, end } = checkLayout(h5.path, dataset, plan, options);
    const rows = end - start;
    const chunkRows = dataset.info.chunks?.[0];
    const requested = options.workers ?? options.started?.count ?? availableParallelism();
    if (!Number.isInteger(requested) || requested < 0) {
      throw new PipelineError('E_USAGE', `workers must be an integer ≥ 0, got ${requested}`, { field: 'workers' });
    }
    const batchRows = options.batchRows ?? defaultBatchRows(chunkRows, rows, requested);
    if (!Number.isInteger(batchRows) || batchRows < 1) {
      throw new PipelineError('E_USAGE', `batchRows must be a positive integer, got ${batchRows}`, { field: 'batchRows' });
    }
    const tasks = makeTasks(start, end, batchRows, chunkRows);
    const workers = Math.min(requested, tasks.length);
    const began = performance.now();
    const context: RunContext = { plan, rows, start, tasks, options, logger, onProgress: options.onProgress ?? (() => {}) };
    const started = options.started as StartedFeaturizeWorkers | undefined;
    const features =
      workers === 0
        ? await featurizeInProcess(dataset, context)
        : await featurizeWithWorkers(h5.path, datasetKey, dataset, workers, options.readIn ?? (h5.usesHdf5 ? 'main' : 'worker'), context, started);
    logger.debug('featurized HDF5 rows', {
      file: h5.path,
      dataset: datasetKey,
      rows,
      totalRows,
      features: plan.names.length,
      workers,
      batchRows,
      ms: Math.round(performance.now() - began),
    });
    return { features, names: plan.names, recipe, file: h5.path, datasetKey, start, workers };
  } finally {
    options.started?.close();
    if (typeof file === 'string') h5.close();
  }
}

interface RunContext {
  readonly plan: FeaturePlan;
  readonly rows: number;
  readonly start: number;
  readonly tasks: ReadonlyArray<readonly [number, number]>;
  readonly options: FeaturizeH5Options;
  readonly logger: Logger;
  readonly onProgress: ProgressCallback;
}

function checkLayout(
  path: string,
  dataset: H5Dataset,
  plan: FeaturePlan,
  options: FeaturizeH5Options,
): { rows: number; start: number; end: number } {
  const { shape, key, dtype } = dataset.info;
  if (shape.length !== 2) {
    throw new PipelineError('E_SCHEMA', `dataset '${key}' has shape [${shape.join(', ')}], expected rows × columns`, {
      file: path,
      field: key,
      hint: 'store the raw rows as a 2-D dataset (rows × meta+signal columns)',
    });
  }
  const [rows, cols] = shape as [number, number];
  if (cols < plan.inputColumns) {
    throw new PipelineError('E_SCHEMA', `dataset '${key}' has ${cols} columns but the ${plan.recipe.name} recipe reads ${plan.inputColumns}`, {
      file: path,
      field: key,
      hint: 'check the recipe offsets (metaNames, signalStart, signalEnd) against the data layout',
    });
  }
  if (!/^(float|int|uint)\d+$/.test(dtype)) {
    throw new PipelineError('E_SCHEMA', `dataset '${key}' has dtype ${dtype}; features need numbers`, { file: path, field: key });
  }
  const start = options.start ?? 0;
  const end = options.end ?? rows;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= rows)) {
    throw new PipelineError('E_USAGE', `row range [${start}, ${end}) is outside dataset '${key}' of ${rows} rows`, {
      file: path,
      field: 'start',
      hint: `use 0 ≤ start ≤ end ≤ ${rows}`,
    });
  }
  return { rows, start, end };
}

/**
 * About 1000 rows, fewer when that would leave fewer than four batches per thread (the calling
 * thread included), so that no thread ends long after the others; in whole chunks when the
 * dataset is chunked (misaligned batches re-inflate chunks).
 */
function defaultBatchRows(chunkRows: number | undefined, rows: number, workers: number): number {
  const target = Math.max(1, Math.min(TARGET_BATCH_ROWS, Math.ceil(rows / (4 * (workers + 1)))));
  if (chunkRows === undefined || chunkRows < 1) return target;
  return chunkRows * Math.max(1, Math.round(target / chunkRows));
}

/** Row ranges; with chunked data, batch boundaries fall on chunk boundaries (as ingest's iterBatches). */
function makeTasks(start: number, end: number, batchRows: number, chunkRows: number | undefined): Array<[number, number]> {
  const aligned = chunkRows !== undefined && chunkRows > 0 && batchRows % chunkRows === 0;
  const tasks: Array<[number, number]> = [];
  for (let s = start; s < end; ) {
    const e = Math.min(end, aligned ? s - (s % chunkRows) + batchRows : s + batchRows);
    tasks.push([s, e]);
    s = e;
  }
  return tasks;
}

async function featurizeInProcess(dataset: H5Dataset, context: RunContext): Promise<Matrix> {
  const { plan, rows, start, tasks, options, onProgress } = context;
  const out = matrix(rows, plan.names.length);
  let done = 0;
  for (const [s, e] of tasks) {
    throwIfAborted(options.signal, 'featurize');
    plan.computeRows(dataset.readRows(s, e), out.data, s - start);
    done += e - s;
    onProgress({ stage: 'featurize', current: done, total: rows });
    // Let abort handlers and I/O run between batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

/**
 * Where the worker script is: next to this module when built (`dist/featurize-worker.js`); when this
 * package runs from its TypeScript sources (tests, `@pipeline/source`), a bootstrap registers the
 * dev-only `@pipeline/core/dev/source-hooks` in the worker and imports `featurize-worker.ts`.
 */
function workerEntry(): URL {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL('./featurize-worker.js', here);
  const entry = new URL('./featurize-worker.ts', here).href;
  const bootstrap = `import { register } from 'node:module';\nregister('@pipeline/core/dev/source-hooks', ${JSON.stringify(here)});\nawait import(${JSON.stringify(entry)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

function featurizeWithWorkers(
  path: string,
  datasetKey: string,
  dataset: H5Dataset,
  count: number,
  readIn: 'worker' | 'main',
  context: RunContext,
  started: StartedFeaturizeWorkers | undefined,
): Promise<Matrix> {
  const { plan, rows, start, tasks, options, logger, onProgress } = context;
  const width = plan.names.length;
  const shared = new SharedArrayBuffer(rows * width * Float32Array.BYTES_PER_ELEMENT);
  const data: WorkerData = { path, datasetKey, recipe: plan.recipe, output: shared, rowOffset: start, readInWorker: readIn === 'worker' };
  const entry = workerEntry();
  const execArgv = testHooks.execArgv ?? workerExecArgv();

  return new Promise<Matrix>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let finished = false;

    const finish = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const worker of workers) {
        worker.removeAllListeners();
        worker.on('error', () => {});
        void worker.terminate();
      }
      if (error === undefined) resolve({ rows, cols: width, data: new Float32Array(shared) });
      else reject(error);
    };
    const onAbort = (): void => finish(new PipelineError('E_ABORTED', 'featurize was interrupted', { cause: options.signal?.reason }));

    const dispatch = (worker: Worker): void => {
      if (finished) return;
      const task = tasks[next++];
      if (task === undefined) return;
      const [s, e] = task;
      if (readIn === 'worker') {
        worker.postMessage({ type: 'task', start: s, end: e } satisfies WorkerRequest);
        return;
      }
      let batch: Matrix;
      try {
        batch = dataset.readRows(s, e);
      } catch (error) {
        finish(error);
        return;
      }
      worker.postMessage({ type: 'task', start: s, end: e, data: batch.data, cols: batch.cols } satisfies WorkerRequest, [
        batch.data.buffer as ArrayBuffer,
      ]);
    };

    /** Workers that posted 'ready', and workers that stopped before that (left out). */
    let ready = 0;
    let failedAtStart = 0;
    const completed = (s: number, e: number): void => {
      done += e - s;
      onProgress({ stage: 'featurize', current: done, total: rows });
      if (done === rows) finish();
    };

    /**
     * Starting a worker takes 0.1–0.5 s (loading the modules; with worker reads also instantiating
     * h5wasm and opening the file: up to 1.5 s on a busy machine), so this thread featurizes batches
     * itself until every worker is ready. It works in slices of rows and yields between them, so a
     * worker that becomes ready gets its first task at once. Workers that fail to start are left
     * out; if none starts, this thread featurizes every batch.
     */
    const helpWhileStarting = async (): Promise<void> => {
      const view = new Float32Array(shared);
      while (!finished && (ready === 0 || ready < count - failedAtStart) && next < tasks.length) {
        const [s, e] = tasks[next++]!;
        const batch = dataset.readRows(s, e);
        for (let r = 0; r < batch.rows && !finished; r += MAIN_SLICE_ROWS) {
          const slice = { rows: Math.min(MAIN_SLICE_ROWS, batch.rows - r), cols: batch.cols, data: batch.data.subarray(r * batch.cols) };
          plan.computeRows(slice, view, s - start + r);
          await new Promise<void>((resolveSlice) => setImmediate(resolveSlice));
        }
        if (!finished) completed(s, e);
      }
    };

    let helping = false;
    const startHelping = (): void => {
      if (helping) return;
      helping = true;
      helpWhileStarting()
        .catch(finish)
        .finally(() => {
          helping = false;
        });
    };

    if (options.signal?.aborted === true) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    for (let w = 0; w < count; w++) {
      const fault = testHooks.faultyWorker === undefined || testHooks.faultyWorker === w ? testHooks.fault : undefined;
      let worker: Worker;
      const workerData = fault === undefined ? data : { ...data, testFault: fault };
      try {
        const ahead = started?.take();
        if (ahead === undefined) {
          worker = new Worker(entry, { workerData, name: `featurize-${w}`, ...(execArgv === undefined ? {} : { execArgv }) });
        } else {
          worker = ahead;
          worker.postMessage({ type: 'init', data: workerData } satisfies WorkerRequest);
        }
      } catch (error) {
        // e.g. ERR_WORKER_INVALID_EXEC_ARGV: no thread was started, so leave this worker out.
        failedAtStart++;
        logger.warn('featurize worker did not start; the other threads do its batches', { worker: w, error: errorText(error) });
        continue;
      }
      workers.push(worker);
      let state: 'starting' | 'ready' | 'stopped' = 'starting';
      /** A worker that stops before 'ready' holds no task: leave it out. After 'ready' it may: fail. */
      const stopped = (error: unknown, failure: () => PipelineError): void => {
        if (finished || state === 'stopped') return;
        const wasReady = state === 'ready';
        state = 'stopped';
        if (wasReady) {
          finish(failure());
          return;
        }
        failedAtStart++;
        logger.warn('featurize worker did not start; the other threads do its batches', { worker: w, error: errorText(error) });
        if (failedAtStart === count) startHelping(); // no worker left: this thread does every batch
      };
      worker.on('message', (reply: WorkerReply) => {
        if (finished) return;
        if (reply.type === 'error') {
          finish(rebuildError(reply.error));
        } else if (reply.type === 'ready') {
          state = 'ready';
          ready++;
          dispatch(worker);
        } else {
          completed(reply.start, reply.end);
          dispatch(worker);
        }
      });
      worker.on('error', (error) =>
        stopped(error, () => new PipelineError('E_INTERNAL', `featurize worker ${w} failed: ${error.message}`, { cause: error })),
      );
      worker.on('exit', (code) =>
        stopped(`exited with code ${code}`, () => new PipelineError('E_INTERNAL', `featurize worker ${w} exited early with code ${code}`)),
      );
    }
    if (testHooks.mainThreadWaits !== true || failedAtStart === count) startHelping();
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A worker's error as a PipelineError with the same code, message and details. */
function rebuildError(serialized: SerializedError): PipelineError {
  const error = new PipelineError(serialized.code as ErrorCode, serialized.message);
  Object.assign(error, { file: serialized.file, field: serialized.field, hint: serialized.hint });
  if (serialized.stack !== undefined) error.stack = `${error.stack}\nworker ${serialized.stack}`;
  return error;
}
