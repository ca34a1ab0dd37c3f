import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveContext } from '@pipeline/core';
import { generateDemoData } from '@pipeline/ingest';
import type { TrainConfigInput } from './train-config.js';
import type { WorkflowContext } from './workflow-context.js';

/** Seed of the demo data (fixed: the README's demo is the same everywhere). */
export const DEMO_SEED = 7;

/** The demo data's files in `dir`. */
export function demoFiles(dir: string) {
  return { xH5: join(dir, 'X_train.h5'), yCsv: join(dir, 'y_train.csv'), xCsv: join(dir, 'X_train.csv'), xTestH5: join(dir, 'X_test.h5'), xTestCsv: join(dir, 'X_test.csv') };
}

/**
 * The demo data in `dir` (generated with {@link DEMO_SEED} when absent) and the inputs of a config
 * that trains on it: the table, the H5 signal and the labels.
 */
export async function prepareDemo(options: { dir: string; n: number }, context: WorkflowContext = {}): Promise<{ dir: string; inputs: TrainConfigInput['inputs'] }> {
  const { logger, onProgress, signal } = resolveContext(context);
  const dir = resolve(context.cwd ?? process.cwd(), options.dir);
  const files = demoFiles(dir);
  if (![files.xH5, files.yCsv, files.xCsv].every((file) => existsSync(file))) {
    logger.info('generating demo data', { dir, n: options.n, seed: DEMO_SEED });
    await generateDemoData({ outDir: dir, n: options.n, seed: DEMO_SEED, ...(signal === undefined ? {} : { signal }), logger, onProgress });
  }
  return { dir, inputs: { table: { file: files.xCsv }, signal: { file: files.xH5 }, labels: { file: files.yCsv } } };
}
