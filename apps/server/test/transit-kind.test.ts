import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { silentLogger } from '@pipeline/core';
import { generateKeplerDemo, writeKeplerDemoCsv } from '@pipeline/model-transit';
import { modelKind } from '../src/kinds/transit-cnn.js';
import type { TrainJob, TrainProgress } from '../src/model-kinds.js';

let dir: string;
let datasetFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'transit-kind-'));
  datasetFile = join(dir, 'kepler.csv');
  await writeKeplerDemoCsv(datasetFile, { rows: 60, seed: 21 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const job = (artifactDir: string, options: unknown): TrainJob<ReturnType<typeof modelKind.validateOptions>> => ({
  sessionId: 's1',
  modelName: 'kepler',
  datasetKind: 'transit',
  datasetFile,
  options: modelKind.validateOptions(options),
  artifactDir,
  seed: 3,
});

describe('transit-cnn model kind', () => {
  test("options: the seed's defaults; unknown or bad fields are E_USAGE naming the field", () => {
    expect(modelKind.validateOptions({})).toEqual({
      epochs: 50,
      batch_size: 32,
      learning_rate: 1e-3,
      validation_split: 0.2,
      patience: 10,
      lr_patience: 5,
      dropout: 0.3,
      curve_points: 2001,
      progress_every: 5,
    });
    expect(modelKind.validateOptions(undefined).epochs).toBe(50);
    expect(() => modelKind.validateOptions({ epochs: 0 })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'epochs' }));
    expect(() => modelKind.validateOptions({ epoch: 3 })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'epoch' }));
    expect(() => modelKind.validateOptions({ learning_rate: 'fast' })).toThrow(expect.objectContaining({ field: 'learning_rate' }));
  });

  test('train: progress → epochs completed, progress.json every progress_every epochs, the model saved, flat metrics with per-epoch curves; predict', async () => {
    const artifactDir = join(dir, 'model');
    const progress: TrainProgress[] = [];
    const result = await modelKind.train(job(artifactDir, { epochs: 3, curve_points: 101, batch_size: 16, progress_every: 2, patience: 0 }), {
      signal: new AbortController().signal,
      logger: silentLogger,
      onProgress: (p) => void progress.push(p),
    });
    expect(result.epochsCompleted).toBe(3);
    expect(result.artifactDir).toBe(artifactDir);
    expect(result.classes).toEqual(['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE']);
    const epochs = progress.filter((p) => p.stage === 'epoch');
    expect(epochs.map((p) => [p.current, p.total, p.epochsCompleted])).toEqual([
      [1, 3, 1],
      [2, 3, 2],
      [3, 3, 3],
    ]);
    expect(epochs[2]!.metrics!.val_accuracy).toBe(result.metrics['val_accuracy@3']);
    // batch progress runs over the whole training and never goes back
    const train = progress.filter((p) => p.stage === 'train');
    expect(train.length).toBe(3 * Math.ceil(48 / 16));
    train.forEach((p, k) => expect(p.current).toBe(k + 1));
    expect(train[train.length - 1]!.current).toBe(train[0]!.total);
    const written = JSON.parse(await readFile(join(artifactDir, 'progress.json'), 'utf8')) as { epochs: Array<{ epoch: number }> };
    expect(written.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(result.metrics.epochs_completed).toBe(3);
    expect(result.metrics.best_epoch).toBe(3);
    expect(result.metrics.validation_rows).toBe(12);
    for (const name of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
      for (let e = 1; e <= 3; e++) expect(typeof result.metrics[`${name}@${e}`]).toBe('number');
    }
    expect(result.metrics.val_accuracy).toBe(result.metrics['val_accuracy@3']);
    // majority rate of the 12 validation rows: a share of whole rows
    const majorityRows = result.metrics.majority_rate! * 12;
    expect(Math.abs(majorityRows - Math.round(majorityRows))).toBeLessThan(1e-9);
    expect(Math.round(majorityRows)).toBeGreaterThanOrEqual(4);

    const rows = generateKeplerDemo({ rows: 4, seed: 99 }).map(({ label: _label, ...features }) => ({ ...features, steff: String(features.steff) }));
    const predicted = await modelKind.predict(artifactDir, rows);
    expect(predicted.classNames).toEqual(['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE']);
    expect(predicted.probabilities).toHaveLength(4);
    predicted.probabilities.forEach((p, k) => {
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(predicted.classes[k]).toBe(predicted.classNames[p.indexOf(Math.max(...p))]);
    });
    await expect(modelKind.predict(artifactDir, [{ period: 1 }])).rejects.toMatchObject({ code: 'E_INPUT', field: 'duration' });
  });

  test('train honours the abort signal (E_ABORTED) and a bad dataset is E_INPUT', async () => {
    const controller = new AbortController();
    const training = modelKind.train(job(join(dir, 'aborted'), { epochs: 50, curve_points: 101, batch_size: 8 }), {
      signal: controller.signal,
      logger: silentLogger,
      onProgress: (p) => {
        if (p.stage === 'train' && p.current === 2) controller.abort(new Error('cancelled'));
      },
    });
    await expect(training).rejects.toMatchObject({ code: 'E_ABORTED' });
    const bad = { ...job(join(dir, 'bad'), { epochs: 1 }), datasetFile: join(dir, 'nope.csv') };
    await expect(modelKind.train(bad, { signal: new AbortController().signal, logger: silentLogger, onProgress: () => {} })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });
});
