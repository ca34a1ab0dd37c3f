import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRng, loadModel, matrix, readArtifact, saveArtifact, type Dataset } from '@pipeline/core';
import { CNN2D_KIND, cnn2dClassifier, fitCnn2d, inceptionNetwork, resolveCnn2dArgs, type Cnn2dClassifier } from '@pipeline/model-cnn2d';
import { selectBackend } from '@pipeline/tf';

const SIZE = 16;
let dir: string;

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'pipeline-cnn2d-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Noisy images whose bright horizontal band sits in the top half (class 1) or bottom half (class 0). */
function bandImages(rows: number, seed: number): Dataset & { labels: Int32Array } {
  const rng = createRng(seed);
  const data = new Float32Array(rows * SIZE * SIZE);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    labels[i] = i % 2;
    const band = labels[i] === 1 ? 2 + Math.floor(rng.uniform() * 4) : 10 + Math.floor(rng.uniform() * 4);
    for (let r = 0; r < SIZE; r++) {
      for (let c = 0; c < SIZE; c++) data[(i * SIZE + r) * SIZE + c] = 60 * rng.uniform() + (Math.abs(r - band) <= 1 ? 150 : 0);
    }
  }
  return { features: matrix(rows, SIZE * SIZE, data), labels };
}

const tiny = { height: SIZE, width: SIZE, epochs: 8, batchSize: 16, learningRate: 0.01, stemFilters: 4, branchFilters: 2, blocks: 1, patience: 2 };
const weightsOf = (model: Cnn2dClassifier) => model.model.getWeights().map((w) => Array.from(w.dataSync()));

describe('cnn2d', () => {
  it('builds the Inception-style network with the counted number of parameters and checks its arguments', () => {
    // stem 3·3·1·8+8 = 80; block 1 (8 → 4×4): 36 + 36 + 148 + 36 + 404 + 36 = 696;
    // block 2 (16 → 4×4): 68 + 68 + 148 + 68 + 404 + 68 = 824; time pooling leaves 8 rows × 16
    // channels: dense 128·2+2 = 258 → 1858.
    const network = inceptionNetwork(resolveCnn2dArgs({ height: 32, width: 32 }), 2);
    expect(network.countParams()).toBe(1858);
    expect(network.outputs[0]!.shape).toEqual([null, 2]);
    network.dispose();
    expect(() => resolveCnn2dArgs({ height: 4, width: 4, blocks: 3 })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'blocks' }));
    expect(() => resolveCnn2dArgs({ height: 0, width: 4 })).toThrow(expect.objectContaining({ field: 'height' }));
  });

  it('learns a band position task, early-stops on the validation set, round-trips through its artifact, same seed → same weights', async () => {
    const train = bandImages(96, 1);
    const validation = bandImages(32, 2);
    const test = bandImages(64, 3);
    const fitted = await fitCnn2d(train, validation, tiny, { seed: 7 });
    const predicted = await fitted.predict(test.features);
    const accuracy = predicted.filter((y, i) => y === test.labels[i]).length / test.features.rows;
    // balanced classes: chance is 0.5
    expect(accuracy).toBeGreaterThan(0.85);
    expect(fitted.history.length).toBeGreaterThan(0);
    expect(fitted.history.every((e) => e.valLoss !== undefined)).toBe(true);
    const { bestEpoch } = fitted.stopping;
    const losses = fitted.history.map((e) => e.valLoss!);
    expect(losses[bestEpoch - 1]).toBe(Math.min(...losses));

    await saveArtifact(join(dir, 'cnn2d'), await fitted.toArtifact());
    const reloaded = await loadModel(await readArtifact(join(dir, 'cnn2d')));
    expect(reloaded.kind).toBe(CNN2D_KIND);
    expect(Array.from((await reloaded.predictProba(test.features)).data)).toEqual(Array.from((await fitted.predictProba(test.features)).data));

    const again = await fitCnn2d(train, validation, tiny, { seed: 7 });
    expect(weightsOf(again)).toEqual(weightsOf(fitted));
    [fitted, again, reloaded].forEach((m) => m.dispose());
  });

  it('as an EstimatorSpec holds out validationFraction and refuses a wrong image size', async () => {
    const data = bandImages(40, 4);
    const spec = cnn2dClassifier({ ...tiny, epochs: 1, validationFraction: 0.25 });
    const fitted = await spec.fit(data, { seed: 1 });
    expect(fitted.history).toHaveLength(1);
    expect((await fitted.toArtifact()).state).toMatchObject({ trainedRows: 30, validationRows: 10 });
    await expect(fitted.predictProba(matrix(1, 10))).rejects.toMatchObject({ code: 'E_SCHEMA' });
    fitted.dispose();
  });
});
