// The control block of the histogram worker pool: an Int32Array on a SharedArrayBuffer read and
// written with Atomics by the calling thread (hist-worker-pool.ts), the workers (hist-worker.mjs)
// and their supervisor (hist-supervisor.mjs). A file of its own so the supervisor loads no kernel.

// Int32 slots of the control block.
// CTL_GENERATION holds the command word: (sequence number << 2) | command, written once per command by the calling thread
// (one atomic store, so a thread that wakes late never pairs a new command with an old sequence).
export const CTL_GENERATION = 0;
export const CTL_COMMAND = 1; // the latest command alone (read by the supervisor)
// SETUP and EXIT: workers that finished the command (a barrier: every worker takes part).
// RUN: features whose job is done, by any thread. The calling thread waits until every feature is
// done, not until every worker has woken up: on a busy machine a worker that is not scheduled in
// time simply takes no chunk, instead of making the job wait a whole time slice for it.
export const CTL_DONE = 2;
export const CTL_CHUNK_SIZE = 3;
export const CTL_FAILED = 4; // a worker's kernel threw
export const CTL_DEAD = 5; // set by the supervisor when a thread stopped: worker index + 1 (-1: the supervisor)
export const CTL_DEAD_CODE = 6; // that thread's exit code
// RUN: what the claimed units are, JOB_KIND_FEATURES (feature chunks of a histogram job on the fit's
// memory), JOB_KIND_TREES (whole trees of a multiclass boosting iteration, on each thread's own
// lane), JOB_KIND_GRADIENTS (row blocks of a multiclass iteration's gradients) or JOB_KIND_PREDICT
// (row blocks of a large prediction).
export const CTL_JOB_KIND = 7;
export const CTL_LENGTH = 8;
export const JOB_KIND_FEATURES = 0;
export const JOB_KIND_TREES = 1;
export const JOB_KIND_GRADIENTS = 2;
export const JOB_KIND_PREDICT = 3;
/**
 * Byte offset of the claim word, a BigInt64 after the Int32 slots: (sequence number mod 2^24) << 40
 * | end << 20 | next, the unclaimed features being [next, end) (hist-kernel.mjs claimWord). Threads
 * claim a chunk with one compareExchange that also checks the job's sequence number, so a thread
 * that wakes after its job has ended can never take a chunk of the next one.
 */
export const CTL_CLAIM_OFFSET = 32; // 8-byte aligned, after the CTL_LENGTH slots
/** Bytes of the whole control block. */
export const CTL_BYTES = CTL_CLAIM_OFFSET + 8;

/** The command word for the command after `word`. */
export function nextCommandWord(word, command) {
  return ((((word >>> 2) + 1) & 0x1fffffff) << 2) | command;
}

export const COMMAND_RUN = 1;
export const COMMAND_SETUP = 2;
export const COMMAND_EXIT = 3;

/** Spins before sleeping in Atomics.wait: a job lasts tens of microseconds to milliseconds. */
export const SPIN_LIMIT = 20000;
/** Longest single Atomics.wait of any thread of the pool, in ms: every wait re-checks its state. */
export const WAIT_SLICE_MS = 1000;
