// node bench/seizure-tfjs.mjs <nTrain> <timedEpochs> [samples] [filters] [pool]
// Training and inference samples/s of @pipeline/model-seizure's network on the wasm backend:
// the library's own training step (trainSeizureNet's maths: forward with fused kernels, BCE on
// logits, global-norm clipping, AdamW) on random inputs, batch 8. Prints one RESULT line.
import os from 'node:os';
import { createRng } from '@pipeline/core';
import { selectBackend, tf } from '@pipeline/tf';
import { AdamW, binaryCrossEntropyWithLogits, buildSeizureNet, clipByGlobalNorm, countParameters, seizureForward } from '@pipeline/model-seizure';

const N = Number(process.argv[2] ?? 32);
const E = Number(process.argv[3] ?? 1);
const T = Number(process.argv[4] ?? 15360);
const F = Number(process.argv[5] ?? 32);
const P = Number(process.argv[6] ?? 4);
const B = 8;
const C = 19;
const selection = await selectBackend({ backend: 'wasm' });
const model = buildSeizureNet({ channels: C, samples: T, filters: F, stemKernel: 7, pool: P, kernelSize: 3, dilations: [1, 2, 4, 8, 16, 32] }, 0);
const forward = seizureForward(model);
const variables = model.trainableWeights.map((w) => w.read());
const optimizer = new AdamW(variables, { weightDecay: 1e-2 });
const rng = createRng(1);
const x = Float32Array.from({ length: N * T * C }, () => rng.normal());
const y = Float32Array.from({ length: N * T }, () => (rng.uniform() > 0.9 ? 1 : 0));

function epoch() {
  for (let i = 0; i < N; i += B) {
    const rows = Math.min(B, N - i);
    const xs = tf.tensor3d(x.subarray(i * T * C, (i + rows) * T * C), [rows, T, C]);
    const ys = tf.tensor2d(y.subarray(i * T, (i + rows) * T), [rows, T]);
    const { value, grads } = tf.variableGrads(() => binaryCrossEntropyWithLogits(forward(xs), ys), variables);
    const gradients = variables.map((v) => grads[v.name]);
    const { gradients: clipped } = clipByGlobalNorm(gradients, 1);
    value.dataSync();
    optimizer.apply(clipped, 1e-3);
    tf.dispose([xs, ys, value, ...gradients, ...clipped]);
  }
}

const res = { backend: selection.backend, tfjs: selection.tfjsVersion, batch: B, nTrain: N, timedEpochs: E, samples: T, filters: F, pool: P, params: countParameters(model) };
let t = performance.now();
epoch();
res.warmupEpochS = +((performance.now() - t) / 1000).toFixed(2);
t = performance.now();
let c = process.cpuUsage();
for (let e = 0; e < E; e++) epoch();
let dt = (performance.now() - t) / 1000;
let dc = ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(c));
Object.assign(res, { trainS: +dt.toFixed(2), trainCpuS: +dc.toFixed(2), trainSps: +((N * E) / dt).toFixed(2), trainSpsPerCpuS: +((N * E) / dc).toFixed(2) });
const predict = () => {
  for (let i = 0; i < N; i += B) {
    const rows = Math.min(B, N - i);
    const out = tf.tidy(() => tf.sigmoid(forward(tf.tensor3d(x.subarray(i * T * C, (i + rows) * T * C), [rows, T, C]))));
    out.dataSync();
    out.dispose();
  }
};
predict();
t = performance.now();
c = process.cpuUsage();
predict();
dt = (performance.now() - t) / 1000;
dc = ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(c));
Object.assign(res, { predictS: +dt.toFixed(2), predictCpuS: +dc.toFixed(2), predictSps: +(N / dt).toFixed(2), predictSpsPerCpuS: +(N / dc).toFixed(2) });
res.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
res.loadavg = os.loadavg().map((v) => +v.toFixed(2));
console.log(`RESULT ${JSON.stringify(res)}`);
