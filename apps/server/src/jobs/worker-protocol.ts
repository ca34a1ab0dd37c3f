/** The IPC messages between the job runner and a training worker process. */
import type { DatasetKind, TrainProgress, TrainResult } from '../model-kinds.js';

export interface StartMessage {
  readonly type: 'start';
  readonly kind: string;
  /** Modules (absolute paths or URLs) exporting `modelKind`, loaded before the kind is looked up. */
  readonly extraKindModules: readonly string[];
  readonly job: {
    readonly sessionId: string;
    readonly modelName: string;
    readonly datasetKind: DatasetKind;
    readonly datasetFile: string;
    readonly options: unknown;
    readonly artifactDir: string;
    readonly seed: number;
  };
}

export interface AbortMessage {
  readonly type: 'abort';
}

export type ToWorker = StartMessage | AbortMessage;

export type FromWorker =
  | { readonly type: 'progress'; readonly progress: TrainProgress }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string; readonly fields?: Record<string, unknown> }
  | { readonly type: 'result'; readonly result: TrainResult }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
