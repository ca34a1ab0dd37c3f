/** Types of predict-lane.mjs (prediction row blocks shared by the calling thread and the workers). */
import type { KernelWasm, SharedMemory } from './hist-kernel.mjs';

/** One thread's view of a compiled ensemble: the trees' offsets and this thread's chunk of rows and raw scores. */
export interface PredictLane {
  readonly wasm: KernelWasm;
  readonly memory: SharedMemory;
  readonly values: number;
  readonly roots: number;
  readonly depths: number;
  readonly x: number;
  readonly raw: number;
  readonly chunkRows: number;
}

/** What a worker needs for its row blocks of one prediction. */
export interface PredictLaneSetup {
  readonly memory: SharedMemory;
  readonly values: number;
  readonly roots: number;
  readonly depths: number;
  readonly chunkRows: number;
  /** This worker's chunk in the compiled memory. */
  readonly lane: { readonly x: number; readonly raw: number };
  readonly rows: number;
  readonly cols: number;
  readonly nTreesPerIteration: number;
  readonly nTrees: number;
  readonly baseline: Float64Array;
  readonly blockRows: number;
  /** float32[rows × cols] and float64[nTreesPerIteration × rows]. */
  readonly x: SharedArrayBuffer;
  readonly out: SharedArrayBuffer;
}

export declare function predictRows(
  lane: PredictLane,
  x: Float32Array,
  out: Float64Array,
  rows: number,
  cols: number,
  nTreesPerIteration: number,
  nTrees: number,
  baseline: Float64Array,
  r0: number,
  r1: number,
): void;
export declare function createPredictLane(setup: PredictLaneSetup): (b0: number, b1: number) => void;
