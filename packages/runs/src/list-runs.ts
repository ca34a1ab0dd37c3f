import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isPipelineError } from '@pipeline/core';
import { RunDirectory } from './run-directory.js';
import type { RunManifest } from './manifest.js';

export interface RunSummary {
  readonly dir: string;
  readonly manifest: RunManifest;
}

/** Every run (any status) directly under `root`, oldest first. Folders that are not runs are skipped. */
export async function listRuns(root: string): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: RunSummary[] = [];
  for (const name of names.sort()) {
    try {
      const run = await RunDirectory.open(join(root, name));
      out.push({ dir: run.dir, manifest: run.manifest });
    } catch (error) {
      if (!isPipelineError(error)) throw error;
    }
  }
  return out;
}
