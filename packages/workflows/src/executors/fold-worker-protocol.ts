import type { ModelArtifact } from '@pipeline/core';
import type { FoldTask, FoldTaskResult } from '@pipeline/model-selection';

/** What a fold worker starts with: options only; the data comes later, once per environment. */
export interface FoldWorkerData {
  /** TensorFlow.js backend to select before temporal models run. */
  readonly backend?: string;
  /** Result-neutral args merged into a task's estimator args by kind (e.g. thread counts). */
  readonly taskArgs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Module specifiers the worker imports at start-up (to compile a model's kernels before its first task). */
  readonly preload?: readonly string[];
  /** Test hook: throw at start-up (a worker that cannot start must become an error, not a hang). */
  readonly failAtStart?: boolean;
  /** Test hook: exit the thread in the middle of the first task. */
  readonly exitDuringTask?: boolean;
}

/** A fold environment as shipped to a worker: views and per-row arrays on SharedArrayBuffers where possible. */
export interface FoldWorkerEnvironment {
  readonly views: Record<string, { rows: number; cols: number; data: Float32Array }>;
  readonly labels: Int32Array;
  readonly sampleWeight?: Float64Array;
  readonly groups?: Int32Array;
  readonly classNames?: readonly string[];
  readonly splits: ReadonlyArray<{ train: Int32Array; test: Int32Array }>;
}

export type FoldWorkerRequest =
  | { readonly type: 'env'; readonly env: number; readonly data: FoldWorkerEnvironment }
  | { readonly type: 'drop-env'; readonly env: number }
  | { readonly type: 'task'; readonly env: number; readonly task: FoldTask }
  | { readonly type: 'exit' };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly field?: string;
  readonly file?: string;
  readonly hint?: string;
}

export type FoldWorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: string; readonly result: FoldTaskResult; readonly artifact?: ModelArtifact }
  | { readonly type: 'error'; readonly id: string | undefined; readonly error: SerializedError }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string; readonly fields?: Record<string, unknown> };
