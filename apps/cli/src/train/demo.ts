import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemoData } from '@pipeline/ingest';
import type { Runtime } from '../runtime.js';
import type { TrainOptions } from './options.js';

/** Seed of the demo data (fixed: the README's demo is the same everywhere). */
export const DEMO_SEED = 7;

/**
 * `train --demo`: the demo data in `--demo-dir` (generated when absent), with HGB on wavelet
 * features. Explicit data flags win.
 */
export async function resolveDemo(o: TrainOptions, explicitHgbFe: boolean, runtime: Runtime): Promise<TrainOptions> {
  const dir = runtime.resolvePath(o.demoDir);
  const files = { xH5: join(dir, 'X_train.h5'), yCsv: join(dir, 'y_train.csv'), xCsv: join(dir, 'X_train.csv') };
  if (!Object.values(files).every((file) => existsSync(file))) {
    runtime.logger.info('generating demo data', { dir, n: o.demoN, seed: DEMO_SEED });
    await generateDemoData({
      outDir: dir,
      n: o.demoN,
      seed: DEMO_SEED,
      signal: runtime.signal,
      logger: runtime.logger,
      onProgress: runtime.onProgress,
    });
  }
  return {
    ...o,
    xH5: o.xH5 ?? files.xH5,
    yCsv: o.yCsv ?? files.yCsv,
    xCsv: o.xCsv ?? files.xCsv,
    hgbFe: explicitHgbFe ? o.hgbFe : true,
  };
}
