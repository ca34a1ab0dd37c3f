/** Types of hist-kernel.mjs (plain JavaScript shared by the main thread and the workers). */

/** Byte offsets of the regions of a fit's shared memory (see hist-kernel.mjs). */
export interface MemoryLayout {
  readonly job: number;
  readonly results: number;
  readonly nbnm: number;
  readonly missing: number;
  readonly idx: number;
  readonly buffer: number;
  readonly g: number;
  readonly h: number;
  readonly ogh: number;
  readonly bins: number;
  readonly hist: number;
  readonly slotBytes: number;
  /** Bytes up to the end of the initial histogram slots. */
  readonly bytes: number;
}

/** The part of a shared WebAssembly.Memory the TypeScript side uses. */
export interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

/** What a worker needs to join a fit: posted once per fit. */
export interface KernelBuffers {
  readonly memory: SharedMemory;
  readonly nRows: number;
  readonly nFeatures: number;
  readonly layout: MemoryLayout;
}

export interface KernelWasm {
  clear(hist: number, nbnm: number, missing: number, missingBin: number, f0: number, f1: number): void;
  build_gather(hist: number, bins: number, nRows: number, f0: number, f1: number, idx: number, count: number, ogh: number): void;
  build_identity(hist: number, bins: number, nRows: number, f0: number, f1: number, count: number, ogh: number): void;
  root(idx: number, g: number, h: number, ogh: number, n: number, out: number): void;
  subtract(target: number, source: number, nbnm: number, missing: number, missingBin: number, f0: number, f1: number): void;
  find_split(...args: number[]): number;
  partition(idx: number, count: number, column: number, bin: number, missingBin: number, missingLeft: number, buffer: number): number;
  gather(ogh: number, idx: number, count: number, g: number, h: number): void;
  predict(nodes: number, values: number, roots: number, depths: number, nTrees: number, k: number, x: number, rows: number, cols: number, raw: number): void;
}

export interface KernelContext {
  readonly nRows: number;
  readonly nFeatures: number;
  readonly layout: MemoryLayout;
  readonly memory: SharedMemory;
  readonly wasm: KernelWasm;
  readonly job: Float64Array;
  readonly results: Float64Array;
  readonly nBinsNonMissing: Int32Array;
  readonly hasMissing: Uint8Array;
  readonly idx: Int32Array;
  /** Gradients / hessians of the tree being grown, by row. */
  readonly g: Float32Array;
  readonly h: Float32Array;
  /** (gradient, hessian) pairs of the node being built, in partition order. */
  readonly ogh: Float32Array;
  readonly bins: Uint8Array;
}

export declare const HIST_FEATURE_BYTES: number;
export declare const RESULT_STRIDE: number;
export declare const JOB_BUILD_SLOT: number;
export declare const JOB_BUILD_START: number;
export declare const JOB_BUILD_COUNT: number;
export declare const JOB_BUILD_IDENTITY: number;
export declare const JOB_SUB_TARGET: number;
export declare const JOB_MIN_SAMPLES_LEAF: number;
export declare const JOB_MIN_HESSIAN: number;
export declare const JOB_L2: number;
export declare const JOB_MIN_GAIN: number;
export declare const JOB_CHILD0: number;
export declare const JOB_CHILD_STRIDE: number;
export declare const JOB_PRUNE: number;
export declare const JOB_MISSING_BIN: number;
export declare const JOB_ROOT_SUMS: number;
export declare const JOB_LENGTH: number;

export declare const CTL_GENERATION: number;
export declare const CTL_COMMAND: number;
export declare const CTL_DONE: number;
export declare const CTL_CHUNK_SIZE: number;
export declare const CTL_FAILED: number;
export declare const CTL_DEAD: number;
export declare const CTL_DEAD_CODE: number;
export declare const CTL_LENGTH: number;
export declare const CTL_JOB_KIND: number;
export declare const JOB_KIND_FEATURES: number;
export declare const JOB_KIND_TREES: number;
export declare const JOB_KIND_GRADIENTS: number;
export declare const JOB_KIND_PREDICT: number;
export declare const CTL_CLAIM_OFFSET: number;
export declare const CTL_BYTES: number;
/** The command word for the command after `word`. */
export declare function nextCommandWord(word: number, command: number): number;
export declare const COMMAND_RUN: number;
export declare const COMMAND_SETUP: number;
export declare const COMMAND_EXIT: number;
export declare const SPIN_LIMIT: number;
export declare const WAIT_SLICE_MS: number;

export declare function memoryLayout(nRows: number, nFeatures: number, slots: number): MemoryLayout;
export declare function pagesFor(bytes: number): number;
export declare function runFeatureRange(ctx: KernelContext, f0: number, f1: number, bounds?: number[]): void;
/** Runs units [u0, u1) of a job (features of a histogram job, or trees); `bounds` is the thread's split-score bounds of the job. */
export type RangeRunner = (u0: number, u1: number, bounds: number[]) => void;
export declare function runChunks(runRange: RangeRunner, ctl: Int32Array, claim: BigInt64Array, sequence: number, fromBack?: boolean): void;
/** The claim word of job `sequence` over `nFeatures` features (none claimed yet). */
export declare function claimWord(sequence: number, nFeatures: number): bigint;
export declare function contextFromBuffers(buffers: KernelBuffers): KernelContext;
/** The kernel instantiated on a shared memory (the predictor's; a fit's goes through contextFromBuffers). */
export declare function instantiateKernel(memory: SharedMemory): KernelWasm;
