import type { Logger, ProgressCallback } from '@pipeline/core';
import type { FoldExecutor } from '@pipeline/model-selection';

/** What every workflow call receives besides its config. */
export interface WorkflowContext {
  readonly logger?: Logger;
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
  /**
   * Runs the fold tasks: `sequentialExecutor` (in this process), `localParallelExecutor({ workers })`
   * (worker threads), or a distributed one. Default: chosen for the models of the run
   * ({@link defaultExecutor}). Every executor gives byte-identical results.
   */
  readonly executor?: FoldExecutor;
  /** Relative input paths and run folders resolve against this folder. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Environment for backend choice (`PIPELINE_TF_BACKEND`). Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}
