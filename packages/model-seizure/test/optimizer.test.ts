import { beforeAll, describe, expect, it } from '@jest/globals';
import { selectBackend, tf } from '@pipeline/tf';
import { AdamW, binaryCrossEntropyWithLogits, clipByGlobalNorm, cosineWithWarmup, globalNorm, warmupStepsFor } from '@pipeline/model-seizure';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('AdamW', () => {
  it('first step equals the hand computation p·(1 − ηλ) − η·g/(|g| + ε)', () => {
    const p = tf.variable(tf.tensor1d([0.5, -1, 2]));
    const optimizer = new AdamW([p], { weightDecay: 0.1 });
    optimizer.apply([tf.tensor1d([0.1, -0.2, 0.3])], 0.01);
    // 0.5·(1 − 0.001) − 0.01·0.1/(0.1 + 1e-8) = 0.4995 − 0.0099999999 = 0.4895000001
    // −1·0.999 + 0.01·0.2/(0.2 + 1e-8) = −0.999 + 0.00999999995 = −0.98900000005
    // 2·0.999 − 0.01·0.3/(0.3 + 1e-8) = 1.998 − 0.0099999999667 = 1.9880000000333
    const values = Array.from(p.dataSync());
    expect(values[0]).toBeCloseTo(0.4895000001, 6);
    expect(values[1]).toBeCloseTo(-0.98900000005, 6);
    expect(values[2]).toBeCloseTo(1.9880000000333, 6);
    expect(optimizer.step).toBe(1);
    optimizer.dispose();
    p.dispose();
  });

  it('three steps with a changing learning rate match a float64 re-computation, and the state round-trips', () => {
    const start = [0.5, -1, 2, 0];
    const grads = [
      [0.1, -0.2, 0.3, 0.05],
      [-0.05, 0.4, 0, 0.05],
      [0.2, 0.1, -0.3, -0.5],
    ];
    const lrs = [0.01, 0.005, 0.02];
    const [beta1, beta2, eps, wd] = [0.9, 0.999, 1e-8, 0.05];
    const expected = [...start];
    const m = [0, 0, 0, 0];
    const v = [0, 0, 0, 0];
    grads.forEach((g, s) => {
      const t = s + 1;
      for (let i = 0; i < 4; i++) {
        expected[i] = expected[i]! * (1 - lrs[s]! * wd);
        m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
        v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! ** 2;
        const mHat = m[i]! / (1 - beta1 ** t);
        const vHat = v[i]! / (1 - beta2 ** t);
        expected[i] = expected[i]! - (lrs[s]! * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    const p = tf.variable(tf.tensor1d(start));
    const optimizer = new AdamW([p], { weightDecay: wd });
    optimizer.apply([tf.tensor1d(grads[0]!)], lrs[0]!);
    // checkpoint after step 1, continue in a second optimizer: same result as one optimizer
    const saved = optimizer.getState();
    const q = tf.variable(p.clone());
    const resumed = new AdamW([q], { weightDecay: wd });
    resumed.setState(saved);
    for (const o of [optimizer, resumed]) {
      o.apply([tf.tensor1d(grads[1]!)], lrs[1]!);
      o.apply([tf.tensor1d(grads[2]!)], lrs[2]!);
    }
    Array.from(p.dataSync()).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    expect(resumed.step).toBe(3);
    expect(saved.m[0]![0]).toBeCloseTo(0.1 * 0.1, 7);
    expect(saved.v[0]![1]).toBeCloseTo(0.001 * 0.04, 9);
    optimizer.dispose();
    resumed.dispose();
    tf.dispose([p, q]);
  });
});

describe('cosineWithWarmup', () => {
  const options = { lr: 1e-3, totalSteps: 100, warmupSteps: 10 };
  it('ramps linearly, peaks at the end of the warmup and follows the half cosine to the floor', () => {
    expect(cosineWithWarmup(0, options)).toBeCloseTo(1e-4, 12);
    expect(cosineWithWarmup(4, options)).toBeCloseTo(5e-4, 12);
    expect(cosineWithWarmup(9, options)).toBeCloseTo(1e-3, 12);
    expect(cosineWithWarmup(10, options)).toBeCloseTo(1e-3, 12);
    // step 55: progress 45/90 = 0.5 → lr/2
    expect(cosineWithWarmup(55, options)).toBeCloseTo(5e-4, 12);
    // step 40: progress 1/3 → 0.5·(1 + cos(π/3)) = 0.75
    expect(cosineWithWarmup(40, options)).toBeCloseTo(7.5e-4, 12);
    expect(cosineWithWarmup(100, options)).toBeCloseTo(0, 12);
    expect(cosineWithWarmup(150, options)).toBeCloseTo(0, 12);
    // with a floor of 10 %: 0.1 + 0.9 · 0.5 at the middle
    expect(cosineWithWarmup(55, { ...options, minLrRatio: 0.1 })).toBeCloseTo(1e-3 * 0.55, 12);
    expect(warmupStepsFor(0.1, 95)).toBe(10);
    expect(warmupStepsFor(0, 95)).toBe(0);
    expect(cosineWithWarmup(0, { lr: 1e-3, totalSteps: 10, warmupSteps: 0 })).toBeCloseTo(1e-3, 12);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales by limit / norm above the limit and leaves smaller gradients alone', () => {
    const gradients = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])];
    const { gradients: clipped, norm } = clipByGlobalNorm(gradients, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(Array.from(clipped[0]!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(clipped[1]!.dataSync())[1]).toBeCloseTo(0.8, 5);
    expect(globalNorm(clipped)).toBeLessThanOrEqual(1);
    const same = clipByGlobalNorm(gradients, 10);
    expect(same.norm).toBeCloseTo(5, 6);
    expect(Array.from(same.gradients[1]!.dataSync())).toEqual([0, 4]);
    tf.dispose([...gradients, ...clipped, ...same.gradients]);
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  it('equals −[w·y·log σ(z) + (1 − y)·log(1 − σ(z))] averaged, also for large logits', () => {
    const z = [-3, -0.5, 0, 0.7, 2.5, 30, -30];
    const y = [0, 1, 1, 0, 1, 0, 1];
    for (const w of [1, 4]) {
      const expected =
        z.reduce((total, zi, i) => {
          const s = 1 / (1 + Math.exp(-zi));
          const logS = zi > 20 ? -Math.exp(-zi) : Math.log(s);
          const log1mS = zi < -20 ? -Math.exp(zi) : zi > 20 ? -zi : Math.log(1 - s);
          return total - (w * y[i]! * logS + (1 - y[i]!) * log1mS);
        }, 0) / z.length;
      const loss = binaryCrossEntropyWithLogits(tf.tensor1d(z), tf.tensor1d(y), w);
      expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
      loss.dispose();
    }
  });
});
