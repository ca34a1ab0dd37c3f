import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect } from '@jest/globals';
import { generateDemoData, type DemoDataOptions } from '@pipeline/ingest';
import { differingRunFiles } from '@pipeline/runs';

/**
 * The small tabular training config of the tests, as a `@pipeline/workflows` `TrainConfigInput`
 * (spelled out here: this package sits below workflows, whose own tests use it).
 */
export interface TableConfig {
  seed: number;
  inputs: { table: { file: string }; labels: { file: string } };
  baseModels: { kind: 'hgb'; args: { maxIter: number; maxLeafNodes: number } }[];
  cv: { splits: number };
}

/** A temporary folder with generated demo data in `demo/`, shared by the tests of one file. */
export interface DemoFixture {
  /** The temporary folder: the tests' working directory and where they write their run folders. */
  readonly root: string;
  /** `root/demo`: `X_train.csv`, `y_train.csv`, `X_train.h5` and the test files, once `beforeAll` ran. */
  readonly demo: string;
  /** The small tabular training config on the demo CSVs: HGB (15 iterations, 8 leaves), 3 folds, seed 9. */
  tableConfig(): TableConfig;
}

/** Makes the temporary folder now and registers a `beforeAll` that writes the demo data into it. */
export function useDemoFixture(prefix: string, data: Omit<DemoDataOptions, 'outDir'>): DemoFixture {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const demo = join(root, 'demo');
  beforeAll(() => generateDemoData({ ...data, outDir: demo }), 120_000);
  return {
    root,
    demo,
    tableConfig: () => ({
      seed: 9,
      inputs: { table: { file: join(demo, 'X_train.csv') }, labels: { file: join(demo, 'y_train.csv') } },
      baseModels: [{ kind: 'hgb', args: { maxIter: 15, maxLeafNodes: 8 } }],
      cv: { splits: 3 },
    }),
  };
}

/** Two run folders hold the same files with the same bytes. */
export async function expectSameRun(a: string, b: string): Promise<void> {
  expect(await differingRunFiles(a, b)).toEqual([]);
}
