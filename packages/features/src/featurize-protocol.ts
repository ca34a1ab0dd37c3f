import type { FeatureRecipe } from './feature-recipe.js';

/** What every featurize worker starts with. */
export interface WorkerData {
  readonly path: string;
  readonly datasetKey: string;
  readonly recipe: FeatureRecipe;
  /** Shared float32 output, rows × features, row 0 = dataset row `rowOffset`. */
  readonly output: SharedArrayBuffer;
  readonly rowOffset: number;
  /** true: the worker opens the file and reads its rows; false: rows arrive with each task. */
  readonly readInWorker: boolean;
  /** Tests only (`setFeaturizeTestHooks`): the fault this worker injects. Never set otherwise. */
  readonly testFault?: WorkerFault;
}

/**
 * Faults the tests inject into a worker: `throw-at-start` (its module throws while loading, before
 * 'ready'), `exit-in-task` (`process.exit(70)` when its first task arrives).
 */
export type WorkerFault = 'throw-at-start' | 'exit-in-task';

export type WorkerRequest =
  /** To a worker started ahead (workerData `{ deferred: true }`): the data of the call that took it. */
  | { readonly type: 'init'; readonly data: WorkerData }
  | { readonly type: 'task'; readonly start: number; readonly end: number; readonly data?: Float32Array; readonly cols?: number }
  | { readonly type: 'close' };

export interface SerializedError {
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly field?: string;
  readonly hint?: string;
  readonly stack?: string;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly start: number; readonly end: number }
  | { readonly type: 'error'; readonly error: SerializedError };
