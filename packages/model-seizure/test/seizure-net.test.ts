import { beforeAll, describe, expect, it } from '@jest/globals';
import { createRng } from '@pipeline/core';
import { modelFromFiles, modelToFiles, selectBackend, tf } from '@pipeline/tf';
import { buildSeizureNet, countParameters, parameterCount, receptiveField, seizureForward, seizureProbabilities, validateSeizureNetArgs, type SeizureNetArgs } from '@pipeline/model-seizure';

const args: SeizureNetArgs = { channels: 2, samples: 256, filters: 4, stemKernel: 5, pool: 4, kernelSize: 3, dilations: [1, 2, 4] };

function input(batch: number, seed: number): tf.Tensor3D {
  const rng = createRng(seed);
  return tf.tensor3d(Float32Array.from({ length: batch * args.samples * args.channels }, () => rng.normal()), [batch, args.samples, args.channels]);
}

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('seizure network', () => {
  it('maps [batch, samples, channels] to per-sample probabilities equal to model.predict', () => {
    const model = buildSeizureNet(args, 3);
    const x = input(3, 1);
    const predicted = model.predict(x) as tf.Tensor;
    expect(predicted.shape).toEqual([3, 256]);
    const ours = seizureProbabilities(seizureForward(model), x);
    const a = ours.dataSync();
    const b = predicted.dataSync();
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    expect(diff).toBeLessThan(1e-6);
    // pool 4: every block of 4 output samples shares one probability
    expect(a[4]).toBe(a[5]);
    expect(a[4]).toBe(a[7]);
    // stem 4·(2·5+4) + 3 blocks of (3·4·4+4) + head (4+1)
    expect(countParameters(model)).toBe(44 + 3 * 52 + 5);
    expect(parameterCount(args)).toBe(countParameters(model));
    expect(receptiveField(args)).toBe(5 + 3 + 4 * 2 * 7);
    tf.dispose([x, predicted, ours]);
    model.dispose();
  });

  it('the same seed gives the same bytes; a reloaded network predicts bit-identically', async () => {
    const a = buildSeizureNet(args, 11);
    const b = buildSeizureNet(args, 11);
    const [aJson, aWeights] = await modelToFiles(a);
    const [, bWeights] = await modelToFiles(b);
    expect(Buffer.from(aWeights!.data).equals(Buffer.from(bWeights!.data))).toBe(true);
    const reloaded = (await modelFromFiles(aJson!.data, aWeights!.data)) as tf.Sequential;
    expect(reloaded.layers.map((l) => l.getClassName())).toEqual(['Conv1D', 'MaxPooling1D', 'ResidualDilatedConv1D', 'ResidualDilatedConv1D', 'ResidualDilatedConv1D', 'Dense', 'RepeatSteps', 'Flatten']);
    const x = input(2, 5);
    const p = seizureProbabilities(seizureForward(a), x);
    const q = seizureProbabilities(seizureForward(reloaded), x);
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([x, p, q]);
    [a, b, reloaded].forEach((m) => m.dispose());
  });

  it('rejects architectures that do not fit, naming the field', () => {
    expect(() => validateSeizureNetArgs({ ...args, pool: 3 })).toThrow(/model\.pool.*multiple of pool/);
    expect(() => validateSeizureNetArgs({ ...args, dilations: [1, 0] })).toThrow(/model\.dilations\.1/);
  });
});
