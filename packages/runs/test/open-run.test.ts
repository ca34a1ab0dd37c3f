import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { differingRunFiles, openRun, RUN_FORMAT_VERSION } from '@pipeline/runs';

// A run folder in run format 1, written by the CLI at b81e1cc (see fixtures/README.md).
const v1 = fileURLToPath(new URL('./fixtures/run-v1', import.meta.url));

describe('openRun', () => {
  it('opens a format-1 run folder written before run format 2 existed', async () => {
    const run = await openRun(v1);
    expect(run.manifest.formatVersion).toBe(1);
    expect(run.status).toBe('completed');
    expect(run.config).toBeUndefined();
    expect(run.manifest.baseModels.map((b) => b.name)).toEqual(['hgb_tabular']);
    const plan = await run.foldPlan();
    expect(plan.fold.length).toBe(120);
    expect(new Set(plan.fold)).toEqual(new Set([0, 1]));
    const oof = await run.oof();
    expect(oof.classNames).toEqual(['0', '1', '2']);
    expect(oof.labels.length).toBe(120);
    expect(oof.zColumns).toEqual(['hgb_tabular:proba_0', 'hgb_tabular:proba_1', 'hgb_tabular:proba_2']);
    // Recompute the stored OOF accuracies from the tables, independently of the writer.
    const accuracy = (proba: { rows: number; cols: number; data: Float32Array }) => {
      let correct = 0;
      for (let i = 0; i < proba.rows; i++) {
        let best = 0;
        for (let c = 1; c < proba.cols; c++) if (proba.data[i * proba.cols + c]! > proba.data[i * proba.cols + best]!) best = c;
        if (best === oof.labels[i]) correct++;
      }
      return correct / proba.rows;
    };
    const stored = await run.allMetrics<{ accuracy: number; folds: unknown[] }>();
    expect(Object.keys(stored)).toEqual(['hgb_tabular', 'stack']);
    expect(accuracy(oof.stack)).toBeCloseTo(stored.stack!.accuracy, 12);
    expect(accuracy(oof.base.hgb_tabular!)).toBeCloseTo(stored.hgb_tabular!.accuracy, 12);
    expect(stored.stack!.folds.length).toBe(2);
    // Each base row of Z sums to 1 (three class columns).
    const z = oof.base.hgb_tabular!;
    for (let i = 0; i < z.rows; i++) expect(z.data[i * 3]! + z.data[i * 3 + 1]! + z.data[i * 3 + 2]!).toBeCloseTo(1, 5);
  });

  it('refuses a run folder written in a newer format, saying to upgrade', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runs-newer-'));
    await cp(v1, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: RUN_FORMAT_VERSION + 1 }));
    await expect(openRun(dir)).rejects.toMatchObject({
      code: 'E_STATE',
      field: 'formatVersion',
      message: expect.stringMatching(new RegExp(`run format ${RUN_FORMAT_VERSION + 1}, newer than this reader's ${RUN_FORMAT_VERSION}.*upgrade @pipeline`)),
    });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 'one' }));
    await expect(openRun(dir)).rejects.toMatchObject({ code: 'E_INPUT', field: 'formatVersion' });
  });

  it('refuses to load the stack of a run that is not completed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runs-failed-'));
    await cp(v1, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, status: 'failed', error: { code: 'E_INPUT', message: 'bad labels' } }));
    const run = await openRun(dir);
    await expect(run.loadStack('predict')).rejects.toMatchObject({ code: 'E_STATE', message: expect.stringMatching(/cannot predict: the run failed \(bad labels\)/) });
  });
});

describe('differingRunFiles', () => {
  it('is empty for a copy and names the files that differ', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'runs-copy-'));
    await cp(v1, copy, { recursive: true });
    expect(await differingRunFiles(v1, copy)).toEqual([]);
    const manifest = JSON.parse(await readFile(join(copy, 'manifest.json'), 'utf8'));
    // Clock fields may differ; the seed may not.
    await writeFile(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, updatedAt: '2030-01-01T00:00:00.000Z' }));
    await writeFile(join(copy, 'metrics/timings.json'), '{}');
    expect(await differingRunFiles(v1, copy)).toEqual([]);
    await writeFile(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, seed: 4 }));
    await writeFile(join(copy, 'folds.json'), '{}');
    await writeFile(join(copy, 'extra.txt'), 'x');
    expect(await differingRunFiles(v1, copy)).toEqual(['extra.txt', 'folds.json', 'manifest.json']);
  });
});
