/**
 * Typed errors. Every error the libraries raise on bad input is a `PipelineError` with a stable
 * `code`; the CLI maps codes to exit codes (see {@link exitCodeFor}). Messages name the file, the
 * field and what the user must change.
 */
export type ErrorCode =
  | 'E_INPUT' // bad input data (exit 3)
  | 'E_SCHEMA' // data does not match what a run/model expects (exit 3)
  | 'E_NOT_FOUND' // a file, dataset, run or key does not exist (exit 4)
  | 'E_USAGE' // wrong arguments or option combinations (exit 2)
  | 'E_ABORTED' // interrupted through an AbortSignal (exit 130)
  | 'E_STATE' // a run or artifact is in a state that forbids the operation (exit 3)
  | 'E_INTERNAL'; // a bug (exit 1)

export interface PipelineErrorDetails {
  /** The file the problem is in, if any. */
  readonly file?: string;
  /** The field, column, dataset key or option at fault. */
  readonly field?: string;
  /** What the user should change. */
  readonly hint?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

export class PipelineError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, details: PipelineErrorDetails = {}) {
    super(PipelineError.compose(message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PipelineError';
    this.code = code;
    this.file = details.file;
    this.field = details.field;
    this.hint = details.hint;
  }

  private static compose(message: string, details: PipelineErrorDetails): string {
    const where: string[] = [];
    if (details.file !== undefined) where.push(details.file);
    if (details.field !== undefined) where.push(`field '${details.field}'`);
    let text = where.length > 0 ? `${where.join(', ')}: ${message}` : message;
    if (details.hint !== undefined) text += ` (${details.hint})`;
    return text;
  }
}

export function isPipelineError(error: unknown): error is PipelineError {
  return error instanceof PipelineError;
}

/** Exit codes used by the CLI: 0 ok, 1 failure, 2 usage, 3 bad input data, 4 not found, 130 interrupted. */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  input: 3,
  notFound: 4,
  interrupted: 130,
} as const;

export function exitCodeFor(error: unknown): number {
  if (isAbortError(error)) return EXIT_CODES.interrupted;
  if (!isPipelineError(error)) return EXIT_CODES.failure;
  switch (error.code) {
    case 'E_INPUT':
    case 'E_SCHEMA':
    case 'E_STATE':
      return EXIT_CODES.input;
    case 'E_NOT_FOUND':
      return EXIT_CODES.notFound;
    case 'E_USAGE':
      return EXIT_CODES.usage;
    case 'E_ABORTED':
      return EXIT_CODES.interrupted;
    case 'E_INTERNAL':
      return EXIT_CODES.failure;
  }
}

/** True for a `PipelineError('E_ABORTED')` and for DOM-style `AbortError`s. */
export function isAbortError(error: unknown): boolean {
  if (isPipelineError(error)) return error.code === 'E_ABORTED';
  return error instanceof Error && error.name === 'AbortError';
}

/** Throws `PipelineError('E_ABORTED')` if the signal has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted === true) {
    throw new PipelineError('E_ABORTED', `${what} was interrupted`, { cause: signal.reason });
  }
}
