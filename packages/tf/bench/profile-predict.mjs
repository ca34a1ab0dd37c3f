import { createRng } from '@pipeline/core';
import { compileForward, tf } from '../dist/index.js';
import { buildBenchNetwork } from './models.mjs';
const [name = 'cnn1d', stepsArg = '5'] = process.argv.slice(2);
const { spec, network } = await buildBenchNetwork(name);
const rng = createRng(0);
const x = tf.tensor(Float32Array.from({ length: spec.batch * spec.steps }, () => rng.normal()), [spec.batch, spec.steps, 1]);
const forward = compileForward(network);
for (let i = 0; i < 3; i++) tf.tidy(() => forward(x).dataSync());
const totals = new Map(); let wall = 0; const steps = Number(stepsArg);
for (let i = 0; i < steps; i++) {
  const t = performance.now();
  const info = await tf.profile(() => tf.tidy(() => forward(x).dataSync()));
  wall += performance.now() - t;
  for (const k of info.kernels) { const key = `${k.name} ${JSON.stringify(k.inputShapes)}`; const e = totals.get(key) ?? { ms: 0, n: 0 }; e.ms += k.kernelTimeMs; e.n++; totals.set(key, e); }
}
let c = process.cpuUsage(); let t = performance.now();
for (let i = 0; i < steps; i++) tf.tidy(() => forward(x).dataSync());
const cpu = process.cpuUsage(c);
console.log(`plain: ${((performance.now()-t)/steps).toFixed(1)} ms wall, ${((cpu.user+cpu.system)/1000/steps).toFixed(1)} cpu-ms per batch`);
console.log(`profiled wall per batch ${(wall/steps).toFixed(1)}`);
for (const [key, e] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) console.log(`${(e.ms/steps).toFixed(2).padStart(8)} ms ${key}`);
