// One measurement of tfjs (wasm + @pipeline/tf) training and inference throughput for the seed's CNN1D
// or LSTM shapes, printed as one JSON line. Run by temporal.mjs in a child process so that peak RSS
// is this model's alone. Usage: node measure.mjs <cnn1d|lstm> <nTrain> <timedEpochs>
import { matrix } from '@pipeline/core';
import { fitStandardization, initializeWeights, predictClassifier, selectBackend, signalSource, tf, trainClassifier } from '../dist/index.js';
import { createRng } from '@pipeline/core';
import { setSimdKernelsEnabled } from '../dist/simd-kernels.js';
import { MODELS } from './models.mjs';

const [model, nArg, epochArg] = process.argv.slice(2);
const N = Number(nArg);
const E = Number(epochArg);

const SPECS = MODELS;

// PIPELINE_TF_BENCH_SIMD=0: the package's SIMD kernels off (the kernels before them), for A/B runs.
if (process.env.PIPELINE_TF_BENCH_SIMD === '0') setSimdKernelsEnabled(false);
const spec = SPECS[model];
if (spec === undefined) throw new Error(`unknown model ${model}`);
const selection = await selectBackend({ backend: 'wasm' });
let network;
tf.tidy(() => {
  network = spec.build();
});
initializeWeights(network, 0);
if (network.countParams() !== spec.params) throw new Error(`${model}: ${network.countParams()} parameters, expected ${spec.params}`);

// random normal inputs and random labels, like the torch peer
const rng = createRng(0);
const features = matrix(N, spec.steps, Float32Array.from({ length: N * spec.steps }, () => rng.normal()));
const labels = Int32Array.from({ length: N }, () => rng.int(3));
const layout = { channels: 1, downsample: 1 };
const rows = Array.from({ length: N }, (_, i) => i);
const source = signalSource(features, layout, fitStandardization(features, rows, layout));

const cpuSeconds = (start) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
};
const train = (epochs, seed) => trainClassifier(network, source, { labels, classes: 3, epochs, batchSize: spec.batch, seed });

let t = performance.now();
await train(1, 1);
const warmupEpochS = (performance.now() - t) / 1000;
let c = process.cpuUsage();
t = performance.now();
await train(E, 2);
const trainS = (performance.now() - t) / 1000;
const trainCpuS = cpuSeconds(c);

const predict = async (batchSize) => {
  await predictClassifier(network, source, { batchSize, classes: 3 }); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await predictClassifier(network, source, { batchSize, classes: 3 });
  return { s: (performance.now() - t0) / 1000, cpuS: cpuSeconds(c0) };
};
const p = await predict(spec.batch);
const round = (v) => Math.round(v * 100) / 100;
console.log(
  `RESULT ${JSON.stringify({
    model,
    backend: selection.backend,
    batch: spec.batch,
    nTrain: N,
    timedEpochs: E,
    params: network.countParams(),
    warmupEpochS: round(warmupEpochS),
    trainS: round(trainS),
    trainCpuS: round(trainCpuS),
    trainSps: round((N * E) / trainS),
    trainSpsPerCpuS: round((N * E) / trainCpuS),
    predictS: round(p.s),
    predictCpuS: round(p.cpuS),
    predictSps: round(N / p.s),
    predictSpsPerCpuS: round(N / p.cpuS),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    numTensorsAfter: tf.memory().numTensors,
  })}`,
);
