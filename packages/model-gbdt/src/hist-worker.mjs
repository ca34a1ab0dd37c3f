// Worker thread of the histogram pool, started by hist-supervisor.mjs. Plain JavaScript so it loads
// from src (tests) and dist alike. Once its modules have loaded it posts 'ready' (the pool counts a
// worker only then), and sleeps on the control block's generation counter; each bump carries one
// command:
//   RUN    take feature chunks of the current job (hist-kernel.mjs) until none are left
//   SETUP  join a new fit: read its shared WebAssembly.Memory and layout from the setup port and
//          instantiate the wasm kernel on it (the memory later grows in place for more slots)
//   EXIT   leave the loop so the thread ends
// and then reports completion by incrementing CTL_DONE.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import {
  COMMAND_EXIT,
  COMMAND_RUN,
  COMMAND_SETUP,
  CTL_COMMAND,
  CTL_DONE,
  CTL_FAILED,
  CTL_NEXT_CHUNK,
  CTL_GENERATION,
  SPIN_LIMIT,
  WAIT_SLICE_MS,
  contextFromBuffers,
  runChunks,
} from './hist-kernel.mjs';

const ctl = new Int32Array(workerData.control);
const port = workerData.port;
// Fault injection for the pool's tests only (see setPoolTestHooks in hist-worker-pool.ts); never set otherwise.
const testFault = workerData.index === 0 ? workerData.testFault : undefined;
if (testFault === 'throw-at-start') throw new Error('test hook: histogram worker failed to start');
let ctx;
// The generation when the pool created this worker: commands may be issued before this line runs.
let generation = workerData.generation;
if (testFault !== 'never-ready') parentPort.postMessage('ready');

for (;;) {
  let spins = 0;
  while (Atomics.load(ctl, CTL_GENERATION) === generation) {
    if (++spins > SPIN_LIMIT) Atomics.wait(ctl, CTL_GENERATION, generation, WAIT_SLICE_MS);
  }
  generation = Atomics.load(ctl, CTL_GENERATION);
  const command = Atomics.load(ctl, CTL_COMMAND);
  if (command === COMMAND_EXIT) break;
  if (command === COMMAND_SETUP) {
    let message = receiveMessageOnPort(port);
    while (message === undefined) message = receiveMessageOnPort(port);
    ctx = contextFromBuffers(message.message);
  } else if (command === COMMAND_RUN) {
    if (testFault === 'exit-in-job') process.exit(70);
    try {
      runChunks(ctx, ctl);
    } catch {
      Atomics.store(ctl, CTL_FAILED, 1);
      Atomics.store(ctl, CTL_NEXT_CHUNK, ctx.nFeatures); // stop the others taking chunks
    }
  }
  Atomics.add(ctl, CTL_DONE, 1);
  Atomics.notify(ctl, CTL_DONE);
}
port.close();
