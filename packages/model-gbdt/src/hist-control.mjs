// The control block of the histogram worker pool: an Int32Array on a SharedArrayBuffer read and
// written with Atomics by the calling thread (hist-worker-pool.ts), the workers (hist-worker.mjs)
// and their supervisor (hist-supervisor.mjs). A file of its own so the supervisor loads no kernel.

/** Int32 slots of the control block. */
export const CTL_GENERATION = 0; // bumped by the main thread for every command
export const CTL_COMMAND = 1;
export const CTL_NEXT_CHUNK = 2; // work-stealing counter over feature chunks
export const CTL_DONE = 3; // workers that finished the current command
export const CTL_CHUNK_SIZE = 4;
export const CTL_FAILED = 5; // a worker's kernel threw
export const CTL_DEAD = 6; // set by the supervisor when a thread stopped: worker index + 1 (-1: the supervisor)
export const CTL_DEAD_CODE = 7; // that thread's exit code
export const CTL_LENGTH = 8;

export const COMMAND_RUN = 1;
export const COMMAND_SETUP = 2;
export const COMMAND_EXIT = 3;

/** Spins before sleeping in Atomics.wait: a job lasts tens of microseconds to milliseconds. */
export const SPIN_LIMIT = 20000;
/** Longest single Atomics.wait of any thread of the pool, in ms: every wait re-checks its state. */
export const WAIT_SLICE_MS = 1000;
