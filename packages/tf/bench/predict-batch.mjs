// CNN1D/LSTM inference throughput and peak RSS at a given predict batch size
// (model-cnn predicts in batches of 256 since 2026-12-06, 4096 before). Usage: node bench/predict-batch.mjs <cnn1d|lstm|cnn_default> <n> <batch>
import { createRng, matrix } from '@pipeline/core';
import { fitStandardization, predictClassifier, signalSource, tf } from '../dist/index.js';
import { buildBenchNetwork } from './models.mjs';

const [name = 'cnn1d', nArg = '4096', batchArg = '4096'] = process.argv.slice(2);
const n = Number(nArg);
const batchSize = Number(batchArg);
const { spec, network } = await buildBenchNetwork(name);
const rng = createRng(0);
const features = matrix(n, spec.steps, Float32Array.from({ length: n * spec.steps }, () => rng.normal()));
const layout = { channels: 1, downsample: 1 };
const rows = Array.from({ length: n }, (_, i) => i);
const source = signalSource(features, layout, fitStandardization(features, rows, layout));
await predictClassifier(network, source, { batchSize: Math.min(batchSize, 64), classes: 3 }); // warm-up
const c = process.cpuUsage();
const t = performance.now();
await predictClassifier(network, source, { batchSize, classes: 3 });
const u = process.cpuUsage(c);
const s = (performance.now() - t) / 1000;
console.log(`RESULT ${JSON.stringify({ model: name, n, batchSize, predictSps: Math.round(n / s), predictSpsPerCpuS: Math.round(n / ((u.user + u.system) / 1e6)), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}`);
