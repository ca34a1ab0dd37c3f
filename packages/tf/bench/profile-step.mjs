// Kernel time of one training step (tf.profile), aggregated by kernel name, with the SIMD kernels on
// and off in alternating steps (same process, same load): for finding the costs worth replacing and
// checking that a replacement is faster. Usage: node bench/profile-step.mjs <cnn1d|lstm> [steps]
import { createRng } from '@pipeline/core';
import { compileForward, tf } from '../dist/index.js';
import { setSimdKernelsEnabled } from '../dist/simd-kernels.js';
import { buildBenchNetwork } from './models.mjs';

const [name = 'cnn1d', stepsArg = '3'] = process.argv.slice(2);
const { spec, network } = await buildBenchNetwork(name);
const rng = createRng(0);
const x = tf.tensor(Float32Array.from({ length: spec.batch * spec.steps }, () => rng.normal()), [spec.batch, spec.steps, 1]);
const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: spec.batch }, () => rng.int(3)), 'int32'), 3).toFloat();
const forward = compileForward(network, { logits: true });
const optimizer = tf.train.adam(1e-3);
const variables = network.trainableWeights.map((w) => w.read());
const step = () => tf.tidy(() => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x, { training: true })), true, variables).dataSync());
for (let i = 0; i < 2; i++) step();
const totals = { on: new Map(), off: new Map() };
const wall = { on: 0, off: 0 };
const steps = Number(stepsArg);
for (let i = 0; i < 2 * steps; i++) {
  const mode = i % 2 === 0 ? 'on' : 'off';
  setSimdKernelsEnabled(mode === 'on');
  const t = performance.now();
  const info = await tf.profile(step);
  wall[mode] += performance.now() - t;
  for (const k of info.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const e = totals[mode].get(key) ?? { ms: 0, n: 0 };
    e.ms += k.kernelTimeMs;
    e.n++;
    totals[mode].set(key, e);
  }
}
const sum = (m) => [...totals[m].values()].reduce((s, e) => s + e.ms, 0) / steps;
console.log(`${name}: wall per step ${(wall.on / steps).toFixed(1)} ms SIMD on / ${(wall.off / steps).toFixed(1)} off; kernel time ${sum('on').toFixed(1)} / ${sum('off').toFixed(1)} ms`);
const rows = [...totals.on].sort((a, b) => b[1].ms - a[1].ms);
for (const [key, e] of rows.slice(0, 30)) {
  const off = totals.off.get(key);
  console.log(`${(e.ms / steps).toFixed(2).padStart(8)} ms (off ${off === undefined ? '-' : (off.ms / steps).toFixed(2)}) ${String(e.n / steps).padStart(4)}× ${key}`);
}
