import { PipelineError } from '@pipeline/core';
import {
  contextFromBuffers,
  memoryLayout,
  pagesFor,
  runFeatureRange,
  type KernelBuffers,
  type KernelContext,
  type MemoryLayout,
  type SharedMemory,
} from './hist-kernel.mjs';
import type { HistWorkerPool } from './hist-worker-pool.js';

/** Features per work-stealing chunk (a multiple of 2: the kernel builds two features per pass). */
const CHUNK_FEATURES = 8;
/**
 * Work (about histogram updates) below which a job always runs on the calling thread alone: waking
 * the workers costs tens of microseconds on an idle machine.
 */
const PARALLEL_MIN_WORK = 100_000;
/** One eligible job in this many runs the mode not currently preferred, to keep both rates fresh. */
const EXPLORE_EVERY = 16;
/** Size classes of jobs with their own rates: work / PARALLEL_MIN_WORK in [1, 2), [2, 4), ..., [2^11, inf). */
const SIZE_CLASSES = 12;

/** WebAssembly.Memory (the project's TypeScript lib settings do not declare the WebAssembly namespace). */
const WasmMemory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => SharedMemory };
  }
).WebAssembly.Memory;
/** Upper bound of a fit's shared memory (wasm32 addresses; reserved, not committed). */
const MAX_MEMORY_BYTES = 2 ** 31 - 2 ** 16;

/**
 * The shared memory of one fit (binned data, partition, ordered gradients, histogram slots) and the
 * way to run kernel jobs on it: on the calling thread alone, or on a worker pool plus the calling
 * thread. Either way the bytes produced are the same.
 */
export class HistogramEngine {
  readonly ctx: KernelContext;
  private readonly layout: MemoryLayout;
  private slots: number;
  /**
   * Moving averages of milliseconds per unit of work, on the calling thread alone and with the
   * workers, per size class of job (log2 of work / PARALLEL_MIN_WORK): the overhead of waking the
   * workers matters for small jobs and not for large ones, and one average over all sizes let
   * the many small jobs decide for the large ones too.
   */
  private readonly serialRate = new Float64Array(SIZE_CLASSES);
  private readonly parallelRate = new Float64Array(SIZE_CLASSES);
  private readonly eligibleJobs = new Int32Array(SIZE_CLASSES);

  /**
   * Allocates the memory; fill `ctx.bins` (column-major, nRows per column), then call
   * {@link start} with the per-feature bin counts.
   * @param slots initial number of histogram slots
   * @param maxSlots slots the memory may grow to
   */
  constructor(
    readonly nRows: number,
    readonly nFeatures: number,
    slots: number,
    readonly maxSlots: number,
    private readonly pool: HistWorkerPool | undefined,
  ) {
    this.layout = memoryLayout(nRows, nFeatures, slots);
    const maxBytes = Math.min(MAX_MEMORY_BYTES, this.layout.hist + Math.max(slots, maxSlots) * this.layout.slotBytes);
    if (this.layout.bytes > MAX_MEMORY_BYTES) {
      throw new PipelineError('E_INPUT', `${nRows} rows × ${nFeatures} features need more than 2 GiB of histogram memory`, {
        field: 'features',
        hint: 'use fewer rows or features, or set maxLeafNodes',
      });
    }
    const memory = new WasmMemory({ initial: pagesFor(this.layout.bytes), maximum: pagesFor(maxBytes), shared: true });
    this.slots = slots;
    this.ctx = contextFromBuffers({ memory, nRows, nFeatures, layout: this.layout });
  }

  /** Records the per-feature bin counts and hands the memory to the workers. */
  start(nBinsNonMissing: Int32Array, hasMissing: Uint8Array): void {
    this.ctx.nBinsNonMissing.set(nBinsNonMissing);
    this.ctx.hasMissing.set(hasMissing);
    this.pool?.setup(this.buffers);
  }

  /** What a worker needs to run jobs on this memory. */
  get buffers(): KernelBuffers {
    return { memory: this.ctx.memory, nRows: this.nRows, nFeatures: this.nFeatures, layout: this.layout };
  }

  get slotCount(): number {
    return this.slots;
  }

  /** Grows the histogram storage to at least `slots` slots (the memory grows in place for every thread). */
  ensureSlots(slots: number): void {
    if (slots <= this.slots) return;
    const next = Math.max(slots, this.slots * 2);
    const bytes = this.layout.hist + next * this.layout.slotBytes;
    const have = this.ctx.memory.buffer.byteLength;
    try {
      if (bytes > have) this.ctx.memory.grow(pagesFor(bytes) - have / 65536);
    } catch (cause) {
      throw new PipelineError('E_INPUT', `growing trees need more than ${this.slots} histogram slots of ${this.layout.slotBytes} bytes`, {
        field: 'maxLeafNodes',
        hint: 'set maxLeafNodes, or raise minSamplesLeaf',
        cause,
      });
    }
    this.slots = next;
  }

  /**
   * Runs the job written in `ctx.job` over every feature; the bytes are the same on any number of
   * threads. `work` is about (samples in the node to build + 768 for the subtraction and split
   * scans) × features. Jobs big enough for the workers run with them or without them, whichever
   * has been faster per unit of work lately for jobs of about that size (one job in 16 of a size tries
   * the other way): on a machine where
   * other processes hold the second core, waiting for a descheduled worker at every split made
   * 2 threads slower than 1.
   */
  run(work: number): void {
    const pool = this.pool;
    if (pool === undefined || pool.size === 0 || work < PARALLEL_MIN_WORK) {
      runFeatureRange(this.ctx, 0, this.nFeatures);
      return;
    }
    const size = Math.min(SIZE_CLASSES - 1, Math.floor(Math.log2(work / PARALLEL_MIN_WORK)));
    const n = this.eligibleJobs[size]!++;
    const parallelRate = this.parallelRate[size]!;
    const serialRate = this.serialRate[size]!;
    let parallel: boolean;
    if (n === 0 || parallelRate === 0) parallel = true;
    else if (serialRate === 0) parallel = false;
    else {
      parallel = parallelRate < serialRate;
      if (n % EXPLORE_EVERY === 0) parallel = !parallel;
    }
    const start = performance.now();
    if (parallel) pool.run(this.ctx, CHUNK_FEATURES);
    else runFeatureRange(this.ctx, 0, this.nFeatures);
    const rate = (performance.now() - start) / work;
    const rates = parallel ? this.parallelRate : this.serialRate;
    rates[size] = rates[size] === 0 ? rate : 0.8 * rates[size]! + 0.2 * rate;
  }
}
