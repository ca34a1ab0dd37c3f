import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineError } from '@pipeline/core';
import { initializeWeights, loadModelDir, modelFromFiles, modelToFiles, saveModelDir, selectBackend, tf } from '@pipeline/tf';
import { uniform } from './helpers.js';

let dir: string;
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'pipeline-tf-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function smallCnn(): tf.Sequential {
  const model = tf.sequential({
    name: 'io_cnn',
    layers: [
      tf.layers.conv1d({ name: 'c1', inputShape: [30, 1], filters: 3, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling1d({ name: 'p1', poolSize: 2 }),
      tf.layers.lstm({ name: 'l1', units: 4, recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros' }),
      tf.layers.dense({ name: 'out', units: 3, activation: 'softmax' }),
    ],
  });
  initializeWeights(model, 3);
  return model;
}

describe('model IO without tfjs-node', () => {
  it('writes the standard layers format: model.json + weights.bin of 4 bytes per parameter', async () => {
    const model = smallCnn();
    const files = await modelToFiles(model);
    expect(files.map((f) => f.path)).toEqual(['model.json', 'weights.bin']);
    expect(files[1]!.data.byteLength).toBe(4 * model.countParams());
    const json = JSON.parse(new TextDecoder().decode(files[0]!.data));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'c1/kernel',
      'c1/bias',
      'l1/kernel',
      'l1/recurrent_kernel',
      'l1/bias',
      'out/kernel',
      'out/bias',
    ]);
    // the weight bytes are the weights, in manifest order
    const first = new Float32Array(files[1]!.data.buffer, files[1]!.data.byteOffset, 15);
    expect(Array.from(first)).toEqual(Array.from(model.getWeights()[0]!.dataSync()));
  });

  it('predictions are bit-identical after a round trip through bytes and through a folder', async () => {
    const model = smallCnn();
    const x = uniform([5, 30, 1], 1);
    const expected = Array.from((model.predict(x) as tf.Tensor).dataSync());
    const [json, weights] = await modelToFiles(model);
    const fromBytes = await modelFromFiles(json!.data, weights!.data);
    expect(Array.from((fromBytes.predict(x) as tf.Tensor).dataSync())).toEqual(expected);
    const target = join(dir, 'saved');
    await saveModelDir(model, target);
    expect(Buffer.compare(await readFile(join(target, 'weights.bin')), Buffer.from(weights!.data))).toBe(0);
    const fromDir = await loadModelDir(target);
    expect(Array.from((fromDir.predict(x) as tf.Tensor).dataSync())).toEqual(expected);
  });

  it('two identical models give byte-identical files', async () => {
    const [a, b] = [await modelToFiles(smallCnn()), await modelToFiles(smallCnn())];
    expect(Buffer.compare(Buffer.from(a[0]!.data), Buffer.from(b[0]!.data))).toBe(0);
    expect(Buffer.compare(Buffer.from(a[1]!.data), Buffer.from(b[1]!.data))).toBe(0);
  });

  it('refuses to overwrite, and reports missing or inconsistent files', async () => {
    const model = smallCnn();
    const target = join(dir, 'twice');
    await saveModelDir(model, target);
    await expect(saveModelDir(model, target)).rejects.toMatchObject({ code: 'E_USAGE', file: join(target, 'model.json') });
    await saveModelDir(model, target, { overwrite: true });
    await expect(loadModelDir(join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'E_NOT_FOUND', file: join(dir, 'nowhere', 'model.json') });
    await writeFile(join(target, 'weights.bin'), new Uint8Array(12));
    const error = (await loadModelDir(target).catch((e: unknown) => e)) as PipelineError;
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain('weights.bin has 12 bytes');
    await writeFile(join(target, 'model.json'), '{ not json');
    await expect(loadModelDir(target)).rejects.toMatchObject({ code: 'E_INPUT', file: join(target, 'model.json') });
  });
});
