import { appendFile, cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Logger } from '@pipeline/core';
import { selectBackend } from '@pipeline/tf';
import { cvBatch, parseCvBatchConfig, readCvBatchConfig, writeDemoBatch, type CvSummary } from '@pipeline/workflows';

let root: string;
let batch: string;

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'pipeline-cv-batch-'));
  batch = join(root, 'batch');
  await writeDemoBatch(batch, { seed: 3 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string) => lines.push(message);
  return { lines, debug: () => {}, info: keep, warn: keep, error: keep };
}

const csvRows = (text: string) =>
  text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));

/** Independent metric formulas (not @pipeline/metrics). */
function recompute(rows: string[][]) {
  const y = rows.map((r) => Number(r[3]));
  const p = rows.map((r) => Number(r[5]));
  const s = rows.map((r) => Number(r[4]));
  const count = (yy: number, pp: number) => y.filter((v, i) => v === yy && p[i] === pp).length;
  const [tp, tn, fp, fn] = [count(1, 1), count(0, 0), count(0, 1), count(1, 0)];
  const sensitivity = tp / (tp + fn);
  const specificity = tn / (tn + fp);
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  let pairs = 0;
  let wins = 0;
  y.forEach((a, i) =>
    y.forEach((b, j) => {
      if (a === 1 && b === 0) {
        pairs++;
        wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }),
  );
  return {
    accuracy: (tp + tn) / y.length,
    balancedAccuracy: (sensitivity + specificity) / 2,
    f1: precision + sensitivity === 0 ? 0 : (2 * precision * sensitivity) / (precision + sensitivity),
    auroc: wins / pairs,
    sensitivity,
    specificity,
  };
}

describe('cvBatch on a generated batch (3 sub-databases, 12 patients)', () => {
  it('builds the combined CSVs, keeps patients in one subset per fold, and writes summaries that match the stored predictions', async () => {
    const logger = recordingLogger();
    const config = { ...(await readCvBatchConfig(join(batch, 'batch.yaml'))), methods: ['hgb' as const] };
    expect(config.images).toBe(join(batch, 'images')); // resolved against the config file's folder
    const result = await cvBatch(config, { logger });
    expect(result.subdbs.map((s) => s.subdb)).toEqual([1, 2, 3]);
    expect(logger.lines.some((l) => /1 row\(s\) with a blank professional-diagnosis dropped/.test(l))).toBe(true);

    const imageNames = await readdir(join(batch, 'images'));
    const imagesOf = (patient: string) => imageNames.filter((n) => n.startsWith(`${patient}_`)).length;
    const common = csvRows(await readFile(join(batch, 'splits', 'common_val_test_all_subdbs.csv'), 'utf8'));
    for (const k of [1, 2, 3]) {
      // expected rows from the split files: every split row × that patient's images
      const train = csvRows(await readFile(join(batch, 'splits', `subdb${k}_train_demo.csv`), 'utf8'));
      const expected = [...train, ...common].reduce((n, [, patient]) => n + imagesOf(patient!), 0);
      const combined = csvRows(await readFile(join(batch, 'outputs', `subdb${k}`, 'combined.csv'), 'utf8'));
      expect(combined).toHaveLength(expected);
      expect(expected).toBe(2 * (6 + 2 + 2) * 4);
      expect(combined.some((r) => r[2] === 'P13')).toBe(false); // blank diagnosis: dropped
      const subsets = new Map<string, Set<string>>();
      for (const [fold, subset, patient] of combined) {
        const key = `${fold}/${patient}`;
        subsets.set(key, (subsets.get(key) ?? new Set()).add(subset!));
      }
      expect([...subsets.values()].every((s) => s.size === 1)).toBe(true);

      const summary = JSON.parse(await readFile(join(batch, 'outputs', `subdb${k}`, 'hgb_cv_summary.json'), 'utf8')) as CvSummary;
      const predictions = csvRows(await readFile(join(batch, 'outputs', `subdb${k}`, summary.predictions), 'utf8'));
      expect(summary.folds.map((f) => f.fold)).toEqual(['0', '1']);
      for (const fold of summary.folds) {
        const rows = predictions.filter((r) => r[0] === fold.fold);
        expect(rows).toHaveLength(fold.test);
        const again = recompute(rows);
        for (const [name, value] of Object.entries(again)) expect(fold.metrics[name as keyof typeof again]).toBeCloseTo(value, 12);
      }
      const accuracies = summary.folds.map((f) => f.metrics.accuracy);
      const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
      expect(summary.summary.accuracy!.mean).toBeCloseTo(mean, 12);
      expect(summary.summary.accuracy!.std).toBeCloseTo(Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / accuracies.length), 12);
    }
    const index = JSON.parse(await readFile(result.index, 'utf8')) as { subdbs: Record<string, { methods: Record<string, unknown> }> };
    expect(Object.keys(index.subdbs)).toEqual(['subdb1', 'subdb2', 'subdb3']);
    expect(Object.keys(index.subdbs.subdb2!.methods)).toEqual(['hgb']);

    // unchanged inputs: nothing rebuilt; --overwrite: rebuilt; a changed input: rebuilt
    const again = await cvBatch(config, { logger, subdbs: [2] });
    expect(again.subdbs[0]).toMatchObject({ subdb: 2, rebuilt: false, summaries: { hgb: { reused: true } } });
    const forced = await cvBatch(config, { logger, subdbs: [2], overwrite: true });
    expect(forced.subdbs[0]).toMatchObject({ rebuilt: true, summaries: { hgb: { reused: false } } });
    expect(await readFile(join(batch, 'outputs', 'subdb2', 'hgb_cv_summary.json'), 'utf8')).toBe(
      `${JSON.stringify(again.subdbs[0]!.summaries.hgb!.summary, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
    );
    // a changed input (a labels row for a patient without images) rebuilds the combined CSV, same rows
    const before = await readFile(join(batch, 'outputs', 'subdb2', 'combined.csv'), 'utf8');
    await appendFile(join(batch, 'Demographics_Survey.csv'), 'P99,50,false\n');
    const changed = await cvBatch(config, { logger, subdbs: [2] });
    expect(changed.subdbs[0]).toMatchObject({ rebuilt: true, summaries: { hgb: { reused: false } } });
    expect(await readFile(join(batch, 'outputs', 'subdb2', 'combined.csv'), 'utf8')).toBe(before);
    expect(changed.subdbs[0]!.summaries.hgb!.summary.folds).toEqual(again.subdbs[0]!.summaries.hgb!.summary.folds);
  });

  it('the leak guard stops the run on a planted leak, naming the patient and the file', async () => {
    const leaky = join(root, 'leaky');
    await cp(batch, leaky, { recursive: true });
    await rm(join(leaky, 'outputs'), { recursive: true, force: true });
    // P03 is a test patient of fold 0 in the common file; plant it in subdb 1's training split of fold 0.
    await appendFile(join(leaky, 'splits', 'subdb1_train_demo.csv'), '0,P03,train\n');
    const config = await readCvBatchConfig(join(leaky, 'batch.yaml'));
    await expect(cvBatch(config, { subdbs: [1] })).rejects.toMatchObject({
      code: 'E_INPUT',
      field: 'P03',
      message: expect.stringMatching(/patient P03 is in train \(subdb1_train_demo\.csv.*\) and in test \(common_val_test_all_subdbs\.csv.*\) of fold 0/),
    });
    // subdb 2 has no leak and runs; with the guard off the leak is a warning
    const logger = recordingLogger();
    await cvBatch({ ...config, methods: ['hgb'], leakGuard: false }, { subdbs: [1], logger });
    expect(logger.lines.filter((l) => l.startsWith('leak: ') && l.includes('P03')).length).toBeGreaterThanOrEqual(2);
  });

  it('the 2D CNN runs its epochs, early-stops on val and beats chance on the test subsets', async () => {
    const config = { ...(await readCvBatchConfig(join(batch, 'batch.yaml'))), methods: ['cnn2d' as const] };
    const result = await cvBatch(config, { subdbs: [1] });
    const summary = result.subdbs[0]!.summaries.cnn2d!.summary;
    const predictions = csvRows(await readFile(join(dirname(result.subdbs[0]!.combined), summary.predictions), 'utf8'));
    // chance: always predicting the majority class of the test labels
    const positives = predictions.filter((r) => r[3] === '1').length;
    const chance = Math.max(positives, predictions.length - positives) / predictions.length;
    const correct = predictions.filter((r) => r[3] === r[5]).length / predictions.length;
    expect(chance).toBe(0.5);
    expect(correct).toBeGreaterThanOrEqual(chance + 0.3);
    for (const fold of summary.folds) {
      expect(fold.bestEpoch).toBeGreaterThanOrEqual(1);
      expect(fold.bestEpoch).toBeLessThanOrEqual(config.epochs);
      const again = recompute(predictions.filter((r) => r[0] === fold.fold));
      expect(fold.metrics.accuracy).toBeCloseTo(again.accuracy, 12);
    }
  });

  it('writeDemoBatch is seeded: same seed, same bytes; another seed, other images', async () => {
    const [a, b] = [join(root, 'demo-a'), join(root, 'demo-b')];
    await writeDemoBatch(a, { seed: 3, subdbs: 1, recordsPerPatient: 1 });
    await writeDemoBatch(b, { seed: 3, subdbs: 1, recordsPerPatient: 1 });
    const names = (await readdir(join(a, 'images'))).sort();
    expect(names).toHaveLength(13); // 12 labelled patients + 1 with a blank diagnosis
    for (const name of names) expect(await readFile(join(b, 'images', name))).toEqual(await readFile(join(a, 'images', name)));
    expect(await readFile(join(b, 'splits', 'subdb1_train_demo.csv'), 'utf8')).toBe(await readFile(join(a, 'splits', 'subdb1_train_demo.csv'), 'utf8'));
    const c = join(root, 'demo-c');
    await writeDemoBatch(c, { seed: 4, subdbs: 1, recordsPerPatient: 1 });
    expect(await readFile(join(c, 'images', names[0]!))).not.toEqual(await readFile(join(a, 'images', names[0]!)));
    await expect(writeDemoBatch(a)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('is not empty') });
  });

  it('refuses a config with unknown fields or a sub-database it does not list', async () => {
    expect(() => parseCvBatchConfig({ images: 'i', labels: { file: 'l' }, splits: { dir: 's', common: 'c' }, subdbs: [1], out: 'o', epoch: 3 }, '/base')).toThrow(
      expect.objectContaining({ code: 'E_USAGE', message: expect.stringContaining('epoch: unknown field') }),
    );
    const config = parseCvBatchConfig({ images: 'i', labels: { file: 'l' }, splits: { dir: 's', common: 'c' }, subdbs: [1], out: 'o' }, '/base');
    expect(config).toMatchObject({ images: '/base/i', out: '/base/o', methods: ['cnn2d'], epochs: 5, leakGuard: true, imagePattern: '{patient}_{record}_{column}.jpg' });
    await expect(cvBatch(config, { subdbs: [4] })).rejects.toMatchObject({ code: 'E_USAGE', field: '--subdbs' });
  });
});
