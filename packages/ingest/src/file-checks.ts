import { existsSync, statSync, type Stats } from 'node:fs';
import { PipelineError } from '@pipeline/core';

/**
 * Checks that `path` is an existing regular file and returns its stats.
 * Missing → `E_NOT_FOUND`; a directory or other non-file → `E_INPUT`; empty (when `allowEmpty` is
 * false) → `E_INPUT`. `what` names the file's role in messages, e.g. 'HDF5 file'.
 */
export function requireFile(path: string, what: string, options: { allowEmpty?: boolean } = {}): Stats {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', `${what} not found`, {
      file: path,
      hint: 'check the path (relative paths are resolved against the working directory)',
      cause,
    });
  }
  if (!stats.isFile()) {
    throw new PipelineError('E_INPUT', `${what} is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}`, {
      file: path,
      hint: `point to the ${what} itself`,
    });
  }
  if (stats.size === 0 && options.allowEmpty !== true) {
    throw new PipelineError('E_INPUT', `${what} is empty (0 bytes)`, {
      file: path,
      hint: 'the file was probably not written completely; regenerate or re-download it',
    });
  }
  return stats;
}

/** Throws `E_USAGE` if `path` exists and `overwrite` is not set: no file is ever replaced silently. */
export function refuseOverwrite(path: string, overwrite: boolean | undefined, option = 'overwrite: true'): void {
  if (overwrite !== true && existsSync(path)) {
    throw new PipelineError('E_USAGE', 'output file already exists', {
      file: path,
      hint: `choose another path or pass ${option} to replace it`,
    });
  }
}
