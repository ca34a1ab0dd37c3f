/** Types of softmax-gradients.mjs (plain JavaScript shared by the calling thread and the workers). */
import type { SharedMemory } from './hist-kernel.mjs';

/** Byte offsets of the softmax arrays in their memory (see the module); `weights` is 0 for unit weights. */
export interface SoftmaxLayout {
  readonly nRows: number;
  readonly nTrees: number;
  readonly y: number;
  readonly weights: number;
  readonly raw: number;
  readonly g: number;
  readonly h: number;
  readonly scratch: number;
  readonly bytes: number;
}

/** One thread's views of the softmax arrays and its runner of rows [r0, r1). */
export interface SoftmaxLane {
  readonly y: Int32Array;
  readonly weights: Float64Array | undefined;
  /** float64[nTrees × nRows], class-major. */
  readonly raw: Float64Array;
  /** float32[nTrees × nRows] each, class-major. */
  readonly gradients: Float32Array;
  readonly hessians: Float32Array;
  run(r0: number, r1: number): void;
}

export declare function softmaxLayout(nRows: number, nTrees: number, weighted: boolean, threads: number): SoftmaxLayout;
export declare function softmaxMemory(layout: SoftmaxLayout): SharedMemory;
export declare function softmaxLane(memory: SharedMemory, layout: SoftmaxLayout, thread: number): SoftmaxLane;
