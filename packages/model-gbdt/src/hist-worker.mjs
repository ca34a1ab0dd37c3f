// Worker thread of the histogram pool, started by hist-supervisor.mjs. Plain JavaScript so it loads
// from src (tests) and dist alike. Once its modules have loaded it posts 'ready' (the pool counts a
// worker only then), and sleeps on the control block's generation counter; each bump carries one
// command:
//   RUN    take feature chunks of the current job (hist-kernel.mjs) until none are left (a worker
//          that wakes late finds none and goes back to sleep; the job did not wait for it); or,
//          when CTL_JOB_KIND is JOB_KIND_TREES, whole trees of a multiclass iteration, grown on
//          this worker's own lane, or JOB_KIND_GRADIENTS, row blocks of its gradients (tree-lane.mjs),
//          or JOB_KIND_PREDICT, row blocks of a large prediction (predict-lane.mjs)
//   SETUP  join a new fit: read its shared WebAssembly.Memory and layout from the setup port and
//          instantiate the wasm kernel on it (the memory later grows in place for more slots); a
//          fit that grows whole trees on the workers sends each worker its own lane's memory and
//          the shared gradients, raw scores and tree output (`trees`); a prediction sends the
//          compiled trees, the rows and the output (`predict`, the fit's memory is kept)
//   EXIT   leave the loop so the thread ends
// SETUP and EXIT are barriers: the worker reports completion by incrementing CTL_DONE.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import {
  COMMAND_EXIT,
  COMMAND_RUN,
  COMMAND_SETUP,
  CTL_DONE,
  CTL_GENERATION,
  CTL_CLAIM_OFFSET,
  CTL_JOB_KIND,
  JOB_KIND_TREES,
  JOB_KIND_GRADIENTS,
  JOB_KIND_PREDICT,
  SPIN_LIMIT,
  WAIT_SLICE_MS,
  contextFromBuffers,
  runChunks,
  runFeatureRange,
} from './hist-kernel.mjs';
import { createPredictLane } from './predict-lane.mjs';
import { createTreeLane } from './tree-lane.mjs';

const ctl = new Int32Array(workerData.control);
const claim = new BigInt64Array(workerData.control, CTL_CLAIM_OFFSET, 1);
const port = workerData.port;
// Fault injection for the pool's tests only (see setPoolTestHooks in hist-worker-pool.ts); never set otherwise.
const testFault = workerData.index === 0 ? workerData.testFault : undefined;
if (testFault === 'throw-at-start') throw new Error('test hook: histogram worker failed to start');
let ctx;
let runFeatures;
let lane;
let runPredict;
// The command word when the pool created this worker: commands may be issued before this line runs.
let word = workerData.generation;
if (testFault !== 'never-ready') parentPort.postMessage('ready');

for (;;) {
  let spins = 0;
  while (Atomics.load(ctl, CTL_GENERATION) === word) {
    if (++spins > SPIN_LIMIT) Atomics.wait(ctl, CTL_GENERATION, word, WAIT_SLICE_MS);
  }
  word = Atomics.load(ctl, CTL_GENERATION);
  const command = word & 3;
  if (command === COMMAND_EXIT) break;
  if (command === COMMAND_RUN) {
    const kind = Atomics.load(ctl, CTL_JOB_KIND);
    if (testFault === 'exit-in-job' || (testFault === 'exit-in-predict' && kind === JOB_KIND_PREDICT)) process.exit(70);
    try {
      const run =
        kind === JOB_KIND_TREES ? lane.growTrees : kind === JOB_KIND_GRADIENTS ? lane.gradients : kind === JOB_KIND_PREDICT ? runPredict : runFeatures;
      runChunks(run, ctl, claim, word >>> 2, true);
    } catch {
      // runChunks has set CTL_FAILED and counted the features: the calling thread throws.
    }
    continue;
  }
  if (command === COMMAND_SETUP) {
    let message = receiveMessageOnPort(port);
    while (message === undefined) message = receiveMessageOnPort(port);
    if (message.message.predict !== undefined) {
      runPredict = createPredictLane(message.message.predict);
    } else {
      ctx = contextFromBuffers(message.message);
      const kernel = ctx;
      runFeatures = (f0, f1, bounds) => runFeatureRange(kernel, f0, f1, bounds);
      lane = message.message.trees === undefined ? undefined : createTreeLane(kernel, message.message.trees);
    }
  }
  Atomics.add(ctl, CTL_DONE, 1);
  Atomics.notify(ctl, CTL_DONE);
}
port.close();
