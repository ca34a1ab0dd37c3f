/**
 * What a library call receives from its caller: the seed, an AbortSignal, a logger and a progress
 * callback. Libraries never print and never configure logging.
 */

/** A structured logger (pino-compatible subset). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** A progress report: `current` of `total` units of `stage` are done. */
export interface ProgressEvent {
  /** What is progressing, e.g. `featurize`, `fold`, `refit`, `epoch`. */
  readonly stage: string;
  readonly current: number;
  readonly total: number;
  /** e.g. the base model's name or the fold index. */
  readonly label?: string;
  readonly message?: string;
}

export type ProgressCallback = (event: ProgressEvent) => void;

export interface FitContext {
  /** Seed for every random choice made by the call. Default 0. */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly onProgress?: ProgressCallback;
}

/** A context with every field filled in. */
export interface ResolvedContext {
  readonly seed: number;
  readonly signal: AbortSignal | undefined;
  readonly logger: Logger;
  readonly onProgress: ProgressCallback;
}

export function resolveContext(context: FitContext = {}): ResolvedContext {
  return {
    seed: context.seed ?? 0,
    signal: context.signal,
    logger: context.logger ?? silentLogger,
    onProgress: context.onProgress ?? (() => {}),
  };
}
