/**
 * Worker thread of {@link featurizeH5}: opens the HDF5 file itself (so raw signal never crosses
 * threads in the default mode), compiles the recipe once, then featurizes the row ranges it is
 * sent straight into the shared output matrix.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PipelineError, type Matrix } from '@pipeline/core';
import type { H5Dataset, H5File } from '@pipeline/ingest';
import { dwtComboRecipe } from './dwt-combo.js';
import { compileRecipe, parseRecipe, type FeaturePlan } from './feature-recipe.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './featurize-protocol.js';

const port = parentPort!;
/** Set from workerData, or (a worker started ahead by `startFeaturizeWorkers`) by the first message. */
let data: WorkerData;
let output: Float32Array;
let file: H5File | undefined;
let dataset: H5Dataset | undefined;
let plan: FeaturePlan;
let scratch = new Float32Array(0);

function reply(message: WorkerReply): void {
  port.postMessage(message);
}

function fail(error: unknown): void {
  const e = error instanceof PipelineError ? error : undefined;
  reply({
    type: 'error',
    error: {
      code: e?.code ?? 'E_INTERNAL',
      message: error instanceof Error ? error.message : String(error),
      ...(e?.file === undefined ? {} : { file: e.file }),
      ...(e?.field === undefined ? {} : { field: e.field }),
      ...(e?.hint === undefined ? {} : { hint: e.hint }),
      ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}),
    },
  });
}

/** Starts on the call's data; a 'throw-at-start' fault throws here, as a module that fails to load would (the thread ends before 'ready'). */
function begin(given: WorkerData): void {
  if (given.testFault === 'throw-at-start') throw new Error('test hook: featurize worker failed to start');
  start(given).catch(fail);
}

async function start(given: WorkerData): Promise<void> {
  data = given;
  output = new Float32Array(data.output);
  plan = compileRecipe(parseRecipe(data.recipe));
  if (data.readInWorker) {
    // Imported only here: a worker that is sent its rows never loads h5wasm (much faster start-up).
    const { openH5 } = await import('@pipeline/ingest');
    file = await openH5(data.path);
    dataset = file.dataset(data.datasetKey);
  }
  reply({ type: 'ready' });
}

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'init') {
    begin(message.data);
    return;
  }
  if (message.type === 'close') {
    file?.close();
    port.close();
    return;
  }
  if (data.testFault === 'exit-in-task') process.exit(70);
  try {
    const { start: first, end } = message;
    let input: Matrix;
    if (message.data !== undefined) {
      input = { rows: end - first, cols: message.cols!, data: message.data };
    } else {
      // One batch buffer, reused: fresh multi-MB arrays cost a page fault per 4 KiB on first touch.
      const needed = (end - first) * dataset!.info.shape[1]!;
      if (scratch.length < needed) scratch = new Float32Array(needed);
      input = dataset!.readRows(first, end, { into: scratch });
    }
    plan.computeRows(input, output, first - data.rowOffset);
    reply({ type: 'done', start: first, end });
  } catch (error) {
    fail(error);
  }
});

/**
 * A worker started ahead (`startFeaturizeWorkers`) is idle until a call takes it, while the calling
 * thread still loads its own modules: it loads meanwhile what that call's start would load (the HDF5
 * reader of `readInWorker`) and compiles the default recipe's kernels (its filter lengths' modules
 * stay compiled for the thread). Failures are left to the call, which imports and compiles again.
 */
function prepareAhead(): void {
  import('@pipeline/ingest').catch(() => undefined);
  compileRecipe(dwtComboRecipe());
}

const initial = workerData as WorkerData | { readonly deferred: true };
// A worker started ahead waits for 'init'.
if (!('deferred' in initial)) begin(initial);
else setImmediate(prepareAhead);
