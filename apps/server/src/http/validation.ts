import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** Parses with a zod schema; 400 `bad_request` naming the field path otherwise. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, code = 'bad_request'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  throw new HttpError(400, code, field === '' ? issue.message : `field '${field}': ${issue.message}`, field === '' ? {} : { field });
}
