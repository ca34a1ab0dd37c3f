#!/usr/bin/env node
// One benchmark configuration in its own process (so peak RSS is this configuration's):
//   node bench/fit-folds.mjs --data DIR --dataset synth20k --threads 1 --folds 0,1,2,3,4
// Fits histGradientBoosting (maxIter 200, learningRate 0.1, maxLeafNodes 31, no early stopping) on
// each training fold, predicts the held-out fold, prints one JSON line per fold and a summary.
import { parseArgs } from 'node:util';
import { histGradientBoosting, disposeWorkers } from '../dist/index.js';
import { loadBenchData, otherCpuShare } from './data.mjs';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/tmp/gbdtbench/data' },
    dataset: { type: 'string', default: 'synth20k' },
    threads: { type: 'string', default: '1' },
    folds: { type: 'string', default: '0,1,2,3,4' },
    'max-iter': { type: 'string', default: '200' },
  },
});
const threads = Number(values.threads);
const { X, y, folds, n, d } = loadBenchData(values.data, values.dataset);
const spec = histGradientBoosting({ maxIter: Number(values['max-iter']), learningRate: 0.1, maxLeafNodes: 31, earlyStopping: false, nThreads: threads });

const take = (rows) => {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, j) => out.set(X.subarray(r * d, r * d + d), j * d));
  return { rows: rows.length, cols: d, data: out };
};

for (const k of values.folds.split(',').map(Number)) {
  const train = [];
  const test = [];
  for (let i = 0; i < n; i++) (folds[i] === k ? test : train).push(i);
  const features = take(train);
  const labels = Int32Array.from(train, (i) => y[i]);
  const testFeatures = take(test);
  const cpu0 = otherCpuShare();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const model = await spec.fit({ features, labels });
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const other = otherCpuShare(cpu0, (c1.user + c1.system) / 1e6);
  const proba = await model.predictProba(testFeatures);
  const t2 = performance.now();
  let correct = 0;
  let loss = 0;
  const K = proba.cols;
  test.forEach((i, j) => {
    let best = 0;
    for (let c = 1; c < K; c++) if (proba.data[j * K + c] > proba.data[j * K + best]) best = c;
    if (best === y[i]) correct++;
    loss -= Math.log(Math.min(Math.max(proba.data[j * K + y[i]], 1e-15), 1 - 1e-15));
  });
  console.log(
    JSON.stringify({
      fold: k,
      threads,
      fit_s: (t1 - t0) / 1000,
      fit_cpu_s: (c1.user + c1.system) / 1e6,
      fit_other_share: other,
      predict_s: (t2 - t1) / 1000,
      acc: correct / test.length,
      logloss: loss / test.length,
      leaves: Array.from(model.state.ensemble.feature).filter((f) => f < 0).length,
    }),
  );
}
await disposeWorkers();
console.log(JSON.stringify({ kind: 'summary', max_rss_mb: process.resourceUsage().maxRSS / 1024 }));
