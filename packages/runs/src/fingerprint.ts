import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineError } from '@pipeline/core';
import type { InputFingerprint } from './manifest.js';

/** sha256 and size of a file, streamed (works for files larger than memory). */
export async function fingerprintFile(
  path: string,
  role: string,
  extra: { shape?: readonly number[]; dataset?: string } = {},
): Promise<InputFingerprint> {
  const absolute = resolve(path);
  let bytes: number;
  try {
    bytes = (await stat(absolute)).size;
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'input file not found', { file: absolute, field: `--${role}`, cause });
  }
  const hash = createHash('sha256');
  await new Promise<void>((done, fail) => {
    createReadStream(absolute)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => done())
      .on('error', fail);
  });
  return {
    role,
    path: absolute,
    bytes,
    sha256: hash.digest('hex'),
    ...(extra.shape === undefined ? {} : { shape: extra.shape }),
    ...(extra.dataset === undefined ? {} : { dataset: extra.dataset }),
  };
}

/** A run folder name from a date: `2026-11-22T16-05-03-123Z` (sortable, no colons). */
export function runName(date: Date = new Date()): string {
  return date.toISOString().replace(/:/g, '-').replace('.', '-');
}
