// Supervisor thread of the histogram pool: it starts the workers (hist-worker.mjs) and watches them.
// The calling thread sleeps in Atomics.wait during a job, so it would see a worker's 'error' or
// 'exit' event only after the job, and with a dead worker the job never ends. This thread's event
// loop is never blocked: it sees a worker stop at once, for any reason (an exception, process.exit,
// running out of memory, a module that does not load), writes it into the control block (CTL_DEAD,
// CTL_DEAD_CODE) and wakes the calling thread, which then throws instead of waiting.
//
// Messages to the pool: { type: 'ready' } once every worker has loaded its modules and said so;
// { type: 'stopped', worker, code, message } when a worker stops unexpectedly (before or after ready).
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { COMMAND_EXIT, CTL_COMMAND, CTL_DEAD, CTL_DEAD_CODE, CTL_DONE, CTL_GENERATION } from './hist-control.mjs';

const { control, ports, testFault } = workerData;
const ctl = new Int32Array(control);
const entry = new URL('./hist-worker.mjs', import.meta.url);
let ready = 0;

/** Records the first thread that stopped and wakes every thread that waits on the control block. */
function markDead(index, code) {
  if (Atomics.compareExchange(ctl, CTL_DEAD, 0, index) !== 0) return;
  Atomics.store(ctl, CTL_DEAD_CODE, code);
  Atomics.notify(ctl, CTL_DONE);
  Atomics.notify(ctl, CTL_GENERATION);
}

ports.forEach((port, index) => {
  const worker = new Worker(entry, {
    workerData: { control, port, index, generation: 0, testFault },
    transferList: [port],
  });
  let stopped = false;
  const stop = (code, message) => {
    if (stopped) return;
    stopped = true;
    // Workers leave their loop on COMMAND_EXIT: that exit is the pool ending, not a failure.
    if (code === 0 && Atomics.load(ctl, CTL_COMMAND) === COMMAND_EXIT) return;
    markDead(index + 1, code);
    parentPort.postMessage({ type: 'stopped', worker: index, code, message });
  };
  worker.on('message', (message) => {
    if (message === 'ready' && ++ready === ports.length) parentPort.postMessage({ type: 'ready' });
  });
  worker.on('error', (error) => stop(1, error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
  worker.on('exit', (code) => stop(code, `exited with code ${code}`));
});

// An exception in this file's handlers ends this thread, and with it the workers: say so too. (When
// the pool terminates this thread, no JavaScript runs here and this handler is not called.)
process.on('exit', (code) => {
  if (Atomics.load(ctl, CTL_COMMAND) !== COMMAND_EXIT) markDead(-1, code);
});
