import { isPipelineError } from '@pipeline/core';

/** An error with an HTTP status and a stable code: rendered as `{ success: false, error: { code, message, … } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Maps a PipelineError code to an HTTP status and code. */
export function httpErrorFrom(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (!isPipelineError(error)) return undefined;
  const details = error.field === undefined ? {} : { field: error.field };
  switch (error.code) {
    case 'E_USAGE':
      return new HttpError(400, 'bad_request', error.message, details);
    case 'E_INPUT':
    case 'E_SCHEMA':
      return new HttpError(422, 'invalid_input', error.message, details);
    case 'E_NOT_FOUND':
      return new HttpError(404, 'not_found', error.message, details);
    case 'E_STATE':
      return new HttpError(409, 'conflict', error.message, details);
    default:
      return undefined;
  }
}
