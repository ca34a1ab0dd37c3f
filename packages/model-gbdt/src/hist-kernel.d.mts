/** Types of hist-kernel.mjs (plain JavaScript shared by the main thread and the workers). */

export interface KernelBuffers {
  readonly nRows: number;
  readonly nFeatures: number;
  readonly bins: SharedArrayBuffer | ArrayBuffer;
  readonly idx: SharedArrayBuffer | ArrayBuffer;
  readonly og: SharedArrayBuffer | ArrayBuffer;
  readonly oh: SharedArrayBuffer | ArrayBuffer;
  readonly hist: SharedArrayBuffer | ArrayBuffer;
  readonly results: SharedArrayBuffer | ArrayBuffer;
  readonly job: SharedArrayBuffer | ArrayBuffer;
  readonly nBinsNonMissing: SharedArrayBuffer | ArrayBuffer;
  readonly hasMissing: SharedArrayBuffer | ArrayBuffer;
}

export interface KernelContext {
  readonly nRows: number;
  readonly nFeatures: number;
  readonly bins: Uint8Array;
  readonly idx: Int32Array;
  readonly og: Float32Array;
  readonly oh: Float32Array;
  readonly hist: Float64Array;
  readonly results: Float64Array;
  readonly job: Float64Array;
  readonly nBinsNonMissing: Int32Array;
  readonly hasMissing: Uint8Array;
}

export declare const HIST_FEATURE_STRIDE: number;
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
export declare const JOB_LENGTH: number;

export declare const CTL_GENERATION: number;
export declare const CTL_COMMAND: number;
export declare const CTL_NEXT_CHUNK: number;
export declare const CTL_DONE: number;
export declare const CTL_CHUNK_SIZE: number;
export declare const CTL_FAILED: number;
export declare const CTL_LENGTH: number;
export declare const COMMAND_RUN: number;
export declare const COMMAND_SETUP: number;
export declare const COMMAND_EXIT: number;
export declare const SPIN_LIMIT: number;

export declare function runFeatureRange(ctx: KernelContext, f0: number, f1: number): void;
export declare function runChunks(ctx: KernelContext, ctl: Int32Array): void;
export declare function contextFromBuffers(buffers: KernelBuffers): KernelContext;
