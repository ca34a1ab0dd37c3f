import {
  HIST_FEATURE_STRIDE,
  JOB_LENGTH,
  RESULT_STRIDE,
  contextFromBuffers,
  runFeatureRange,
  type KernelBuffers,
  type KernelContext,
} from './hist-kernel.mjs';
import type { HistWorkerPool } from './hist-worker-pool.js';

/** Features per work-stealing chunk (a multiple of 2: the kernel builds two features per pass). */
const CHUNK_FEATURES = 8;
/**
 * Histogram updates (samples × features) below which a job runs on the calling thread alone:
 * waking the workers costs tens of microseconds on an idle machine and milliseconds on a loaded
 * one, more than a small node's histograms take.
 */
const PARALLEL_MIN_WORK = 200_000;

/**
 * Shared buffers of one fit and the way to run kernel jobs on them: on the calling thread alone,
 * or on a worker pool plus the calling thread. Either way the bytes produced are the same.
 */
export class HistogramEngine {
  private buffers: KernelBuffers;
  private context: KernelContext;
  private slots: number;

  /**
   * @param bins shared binned training data (column-major, nRows per column)
   * @param slots initial number of histogram slots
   */
  constructor(
    bins: Uint8Array,
    readonly nRows: number,
    readonly nFeatures: number,
    nBinsNonMissing: Int32Array,
    hasMissing: Uint8Array,
    slots: number,
    private readonly pool: HistWorkerPool | undefined,
  ) {
    const shared = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
    const nbnm = shared(nFeatures * 4);
    new Int32Array(nbnm).set(nBinsNonMissing);
    const missing = shared(nFeatures);
    new Uint8Array(missing).set(hasMissing);
    this.slots = slots;
    this.buffers = {
      nRows,
      nFeatures,
      bins: bins.buffer as SharedArrayBuffer,
      idx: shared(nRows * 4),
      og: shared(nRows * 4),
      oh: shared(nRows * 4),
      hist: shared(slots * nFeatures * HIST_FEATURE_STRIDE * 8),
      results: shared(2 * nFeatures * RESULT_STRIDE * 8),
      job: shared(JOB_LENGTH * 8),
      nBinsNonMissing: nbnm,
      hasMissing: missing,
    };
    this.context = contextFromBuffers(this.buffers);
    this.pool?.setup(this.buffers);
  }

  /** The current views (replaced when slots are added). */
  get ctx(): KernelContext {
    return this.context;
  }

  get slotCount(): number {
    return this.slots;
  }

  get threads(): number {
    return (this.pool?.size ?? 0) + 1;
  }

  /** Grows the histogram storage to at least `slots` slots, keeping the contents. */
  ensureSlots(slots: number): void {
    if (slots <= this.slots) return;
    const next = Math.max(slots, this.slots * 2);
    const hist = new SharedArrayBuffer(next * this.nFeatures * HIST_FEATURE_STRIDE * 8);
    new Float64Array(hist).set(this.context.hist);
    this.slots = next;
    this.buffers = { ...this.buffers, hist };
    this.context = contextFromBuffers(this.buffers);
    this.pool?.setup(this.buffers);
  }

  /**
   * Runs the job written in `ctx.job` over every feature. `work` (about (samples in the node to
   * build + 768 for the subtraction and split scans) × features) decides whether the workers are
   * worth waking; the bytes are the same either way.
   */
  run(work: number): void {
    if (this.pool === undefined || this.pool.size === 0 || work < PARALLEL_MIN_WORK) {
      runFeatureRange(this.context, 0, this.nFeatures);
    } else {
      this.pool.run(this.context, CHUNK_FEATURES);
    }
  }
}
