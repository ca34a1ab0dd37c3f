import type { KernelBuffers, SharedMemory } from './hist-kernel.mjs';
import type { HistWorkerPool } from './hist-worker-pool.js';
import { HistogramEngine } from './histogram-engine.js';
import { binomialGradients } from './log-loss.js';
import { softmaxLane, softmaxLayout, softmaxMemory, type SoftmaxLane } from './softmax-gradients.mjs';
import type { NodeRecord } from './tree-ensemble.js';
import type { GrowerMapper, GrowerOptions, TreeGrower } from './tree-grower.mjs';
import { blockRange, gradientBlockRows, maxTreeNodes, readTree, treeStride } from './tree-lane.mjs';

/** One iteration in this many runs the mode not currently preferred, to keep both rates fresh. */
const EXPLORE_EVERY = 16;
/** Iterations that always use the workers at the start of a fit (the first two untimed). */
const WARM_ITERATIONS = 4;

/** Counts of how an {@link IterationGrower}'s iterations ran (for the fit's debug log and the tests). */
export interface IterationGrowerStats {
  /** Iterations whose trees were offered to the workers. */
  parallelIterations: number;
  /** Trees grown by a worker thread. */
  workerTrees: number;
}

/**
 * One boosting iteration: the gradients of the current raw scores, then the trees (one per class
 * for 3+ classes). Without workers, on the calling thread. With them (see
 * {@link IterationGrower.withWorkers}), the threads first share the gradients by row blocks (each
 * row's values depend on that row only), then grow whole trees at once — the trees of an iteration
 * are independent given its gradients — the calling thread from class 0 up, the workers from the
 * last class down, each on memory of its own; every tree is the same bytes whichever thread grew
 * it. Like the feature jobs, an iteration runs with the workers or without
 * them, whichever has been faster per iteration lately (one iteration in 16 tries the other way, and
 * that fresh time replaces the stale estimate of the way not taken; the first four iterations use the
 * workers, so their code is warm before it is compared, and the first two are not timed):
 * when another process holds the second core, a worker descheduled in the middle of a tree would
 * make the iteration wait for it.
 */
export class IterationGrower {
  readonly stats: IterationGrowerStats = { parallelIterations: 0, workerTrees: 0 };
  private serialRate = 0;
  private parallelRate = 0;
  private iterations = 0;
  private lastParallel = true;

  private constructor(
    private readonly grower: TreeGrower,
    private readonly y: Int32Array,
    private readonly weights: Float64Array | undefined,
    private readonly nTrees: number,
    /** float32[nTrees × nRows] each, class-major (in the softmax's shared memory for 3+ classes). */
    readonly gradients: Float32Array,
    readonly hessians: Float32Array,
    /** float64[nTrees × nRows] raw scores, class-major. */
    readonly raw: Float64Array,
    /** The calling thread's softmax kernel (3+ classes; softmax-gradients.mjs), or undefined for one tree per iteration. */
    private readonly softmax: SoftmaxLane | undefined,
    private readonly pool: HistWorkerPool | undefined,
    private readonly output: Float64Array | undefined,
    private readonly stride: number,
    private readonly blockRows: number,
  ) {}

  /** Everything on the calling thread; for 3+ classes `raw` is copied into the softmax's memory (read the scores from {@link raw}). */
  static serial(grower: TreeGrower, y: Int32Array, weights: Float64Array | undefined, nTrees: number, raw: Float64Array): IterationGrower {
    const n = y.length;
    if (nTrees === 1) {
      return new IterationGrower(grower, y, weights, nTrees, new Float32Array(n), new Float32Array(n), raw, undefined, undefined, undefined, 0, 0);
    }
    const layout = softmaxLayout(n, nTrees, weights !== undefined, 1);
    const lane = filledLane(softmaxMemory(layout), layout, y, weights, raw);
    return new IterationGrower(grower, lane.y, lane.weights, nTrees, lane.gradients, lane.hessians, lane.raw, lane, undefined, undefined, 0, 0);
  }

  /**
   * Trees (nTrees >= 2) on the calling thread and the pool's workers: allocates the softmax's
   * shared memory (labels, weights, raw scores initialised from `raw`, gradients and hessians;
   * softmax-gradients.mjs) and the tree output, and a lane per worker — a memory laid out like
   * `engine`'s, with a copy of its binned data — and hands them to the workers. The grower must
   * have no categorical features (their split search runs on the calling thread only).
   */
  static withWorkers(
    grower: TreeGrower,
    engine: HistogramEngine,
    mapper: GrowerMapper,
    hasMissing: Uint8Array,
    options: GrowerOptions,
    y: Int32Array,
    weights: Float64Array | undefined,
    nTrees: number,
    raw: Float64Array,
    pool: HistWorkerPool,
  ): IterationGrower {
    const n = engine.nRows;
    const layout = softmaxLayout(n, nTrees, weights !== undefined, pool.size + 1);
    const memory = softmaxMemory(layout);
    const softmax = filledLane(memory, layout, y, weights, raw);
    const blockRows = gradientBlockRows(n);
    const stride = treeStride(maxTreeNodes(n, options.maxLeafNodes, options.minSamplesLeaf));
    const outputBuffer = new SharedArrayBuffer(nTrees * stride * 8);
    const output = new Float64Array(outputBuffer);
    const lanes: KernelBuffers[] = [];
    for (let w = 0; w < pool.size; w++) {
      const lane = new HistogramEngine(n, engine.nFeatures, engine.slotCount, engine.maxSlots, undefined);
      lane.ctx.bins.set(engine.ctx.bins);
      lane.start(engine.ctx.nBinsNonMissing, engine.ctx.hasMissing);
      lanes.push(lane.buffers);
    }
    pool.setupTrees(lanes, {
      nRows: n,
      nTrees,
      slots: engine.slotCount,
      stride,
      blockRows,
      softmax: { memory, layout },
      output: outputBuffer,
      mapper: { thresholds: mapper.thresholds, nBinsNonMissing: mapper.nBinsNonMissing, missingBin: mapper.missingBin },
      hasMissing,
      options: {
        maxLeafNodes: options.maxLeafNodes,
        maxDepth: options.maxDepth,
        minSamplesLeaf: options.minSamplesLeaf,
        l2Regularization: options.l2Regularization,
        learningRate: options.learningRate,
      },
    });
    return new IterationGrower(grower, softmax.y, softmax.weights, nTrees, softmax.gradients, softmax.hessians, softmax.raw, softmax, pool, output, stride, blockRows);
  }

  /** Computes the gradients of `raw`, grows the iteration's trees, adds their leaf values to `raw`; returns the trees by class. */
  iterate(): NodeRecord[][] {
    const trees = new Array<NodeRecord[]>(this.nTrees);
    const growRange = (k0: number, k1: number): void => {
      for (let k = k0; k < k1; k++) trees[k] = this.growTree(k);
    };
    const pool = this.pool;
    if (pool === undefined) {
      this.computeGradients();
      growRange(0, this.nTrees);
      return trees;
    }
    // Iterations 0-3 use the workers (0 and 1 warm them up, untimed: a cold worker's first trees
    // are several times slower than its later ones), 4 times the calling thread alone.
    const n = this.iterations++;
    let parallel: boolean;
    if (n < WARM_ITERATIONS || pool.workersOnly) parallel = true;
    else if (this.serialRate === 0) parallel = false;
    else {
      parallel = this.parallelRate < this.serialRate;
      if (n % EXPLORE_EVERY === 0) parallel = !parallel;
    }
    const start = performance.now();
    if (parallel) {
      this.stats.parallelIterations++;
      const n = this.y.length;
      const softmax = this.softmax!;
      pool.runGradients(Math.ceil(n / this.blockRows), (b0, b1) => {
        const [r0] = blockRange(b0, this.blockRows, n);
        const [, r1] = blockRange(b1 - 1, this.blockRows, n);
        softmax.run(r0, r1);
      });
      pool.runTrees(this.nTrees, growRange);
      for (let k = 0; k < this.nTrees; k++) {
        if (trees[k] !== undefined) continue;
        trees[k] = readTree(this.output!, this.stride, k);
        this.stats.workerTrees++;
      }
    } else {
      this.computeGradients();
      growRange(0, this.nTrees);
    }
    const ms = performance.now() - start;
    // A way just switched to (an exploring iteration) has a stale estimate: its fresh time replaces it.
    const fresh = parallel !== this.lastParallel;
    this.lastParallel = parallel;
    if (n < 2) return trees;
    if (parallel) this.parallelRate = this.parallelRate === 0 || fresh ? ms : 0.8 * this.parallelRate + 0.2 * ms;
    else this.serialRate = this.serialRate === 0 || fresh ? ms : 0.8 * this.serialRate + 0.2 * ms;
    return trees;
  }

  /** The gradients of every row on the calling thread. */
  private computeGradients(): void {
    if (this.softmax === undefined) binomialGradients(this.y, this.raw, this.weights, this.gradients, this.hessians);
    else this.softmax.run(0, this.y.length);
  }

  private growTree(k: number): NodeRecord[] {
    const n = this.y.length;
    return this.grower.grow(this.gradients.subarray(k * n, (k + 1) * n), this.hessians.subarray(k * n, (k + 1) * n), this.raw, k * n);
  }
}

/** The calling thread's lane (thread 0) of a new softmax memory, holding `y`, `weights` and `raw`. */
function filledLane(
  memory: SharedMemory,
  layout: ReturnType<typeof softmaxLayout>,
  y: Int32Array,
  weights: Float64Array | undefined,
  raw: Float64Array,
): SoftmaxLane {
  const lane = softmaxLane(memory, layout, 0);
  lane.y.set(y);
  if (weights !== undefined) lane.weights!.set(weights);
  lane.raw.set(raw);
  return lane;
}
