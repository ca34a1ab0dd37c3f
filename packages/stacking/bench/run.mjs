#!/usr/bin/env node
// Benchmark: the stacking machinery's own cost. A 20000-row, 3-class data set with two views, two
// fast base models (logistic regressions, so the models' share is as small as it gets; then HGB +
// logistic for a realistic share), 5-fold OOF,
// meta inner CV, meta fit and refit. Overhead = wall time of `fit` minus every model's own
// fit/predict time (as timed around each call), i.e. splitting, row copies, task hashing, OOF
// assembly and building Z. Writes bench/results/stacking.{md,json}.
// Usage: node bench/run.mjs [--runs 3] [--rows 20000]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRng, matrix } from '@pipeline/core';
import { disposeWorkers, histGradientBoosting } from '@pipeline/model-gbdt';
import { logisticRegression } from '@pipeline/model-linear';
import { stratifiedKFold } from '@pipeline/model-selection';
import { stackingClassifier } from '../dist/index.js';
import { median } from '../../../scripts/lib/bench-stats.mjs';

const argValue = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const runs = argValue('--runs', 3);
const rows = argValue('--rows', 20000);
const results = new URL('../../../bench/results/', import.meta.url).pathname;

function makeData(n, seed) {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.int(3));
  const tabular = matrix(n, 24);
  const signal = matrix(n, 64);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    for (let j = 0; j < 24; j++) tabular.data[i * 24 + j] = (j < 4 && y === j % 3 ? 0.8 : 0) + rng.normal();
    for (let j = 0; j < 64; j++) signal.data[i * 64 + j] = 3 * Math.sin((j + 1) * (y + 1) * 0.05) * (j < 8 ? 0.3 : 0) + 2 * rng.normal() + 50;
  }
  return { views: { tabular, signal }, labels };
}

/** CPU milliseconds of this process (user + system, all threads): robust to other load on the machine. */
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Wraps an estimator so the CPU time of every fit and predictProba call is added to `clock.ms`. */
function cpuTimed(spec, clock) {
  const wrapModel = (model) => ({
    kind: model.kind,
    classes: model.classes,
    nFeatures: model.nFeatures,
    async predictProba(features, context) {
      const start = cpuMs();
      try {
        return await model.predictProba(features, context);
      } finally {
        clock.ms += cpuMs() - start;
      }
    },
    predict: (features, context) => model.predict(features, context),
    toArtifact: () => model.toArtifact(),
    dispose: () => model.dispose(),
  });
  return {
    kind: spec.kind,
    args: spec.args,
    async fit(data, context) {
      const start = cpuMs();
      try {
        return wrapModel(await spec.fit(data, context));
      } finally {
        clock.ms += cpuMs() - start;
      }
    },
  };
}

const data = makeData(rows, 1);
const configurations = [
  { name: '2 × logistic, refit full', refit: 'full' },
  { name: '2 × logistic, refit bagged', refit: 'bagged' },
  { name: 'HGB (50 iterations, 1 thread) + logistic, refit full', refit: 'full', hgb: true },
];
const report = [];
for (const configuration of configurations) {
  const clock = { ms: 0 };
  const spec = stackingClassifier({
    base: [
      configuration.hgb
        ? { name: 'hgb_tabular', spec: cpuTimed(histGradientBoosting({ maxIter: 50, earlyStopping: false, nThreads: 1 }), clock), input: 'tabular' }
        : { name: 'lr_tabular', spec: cpuTimed(logisticRegression(), clock), input: 'tabular' },
      { name: 'lr_signal', spec: cpuTimed(logisticRegression({ standardize: true, C: 0.1 }), clock), input: 'signal' },
    ],
    meta: cpuTimed(logisticRegression(), clock),
    splitter: stratifiedKFold({ nSplits: 5 }),
    refit: configuration.refit,
  });
  const samples = [];
  for (let run = 0; run < runs; run++) {
    clock.ms = 0;
    const cpuStart = cpuMs();
    const started = performance.now();
    const stack = await spec.fit(data, { seed: run });
    const wall = performance.now() - started;
    const cpuTotal = cpuMs() - cpuStart;
    const t = stack.timings;
    const records = [...t.folds, ...t.metaFolds, t.meta, ...t.refit];
    const modelMs = records.reduce((s, r) => s + r.fitMs + r.predictMs, 0);
    samples.push({
      wallMs: wall,
      totalMs: t.totalMs,
      modelMs,
      overheadMs: t.overheadMs,
      overheadShare: t.overheadMs / t.totalMs,
      cpuTotalMs: cpuTotal,
      cpuModelMs: clock.ms,
      cpuOverheadMs: cpuTotal - clock.ms,
      cpuOverheadShare: (cpuTotal - clock.ms) / cpuTotal,
      baseFoldMs: t.folds.reduce((s, r) => s + r.fitMs + r.predictMs, 0),
      metaMs: [...t.metaFolds, t.meta].reduce((s, r) => s + r.fitMs + r.predictMs, 0),
      refitMs: t.refit.reduce((s, r) => s + r.fitMs, 0),
    });
    stack.dispose();
    console.error(
      `${configuration.name} run ${run}: wall ${t.totalMs.toFixed(0)} ms, overhead ${t.overheadMs.toFixed(1)} ms (${((100 * t.overheadMs) / t.totalMs).toFixed(2)} %); ` +
        `CPU ${cpuTotal.toFixed(0)} ms, overhead ${(cpuTotal - clock.ms).toFixed(1)} ms (${((100 * (cpuTotal - clock.ms)) / cpuTotal).toFixed(2)} %)`,
    );
  }
  report.push({
    configuration: configuration.name,
    runs: samples,
    median: Object.fromEntries(Object.keys(samples[0]).map((key) => [key, median(samples.map((s) => s[key]))])),
  });
}

disposeWorkers();
const date = new Date().toISOString().slice(0, 10);
const lines = [
  `# @pipeline/stacking benchmark (${date})`,
  '',
  `Stacking overhead on ${rows} rows × 3 classes, two views (24 and 64 columns), two base models: two logistic regressions (fast, so the models' share is as small as it gets) or histogram gradient boosting + logistic regression (a realistic stack), stratified 5-fold OOF, logistic meta-learner with inner 5-fold CV. Median of ${runs} fits on a shared 2-core machine.`,
  "Overhead = the fit's time − Σ every model's own fit and predict time: splitting, row copies, task hashing, OOF assembly, building Z. Measured twice: in wall time from the stack's own timings (`stack.timings.overheadMs`; inflated when other processes take the CPU between calls), and in CPU time of the process (user + system) against CPU time spent inside the models' calls (a wrapper around each estimator).",
  '',
  '| configuration | wall total (ms) | models (ms) | base OOF (ms) | meta CV + fit (ms) | refit (ms) | wall overhead (ms) | share | CPU total (ms) | CPU overhead (ms) | share |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...report.map(({ configuration, median: m }) =>
    `| ${configuration} | ${m.totalMs.toFixed(0)} | ${m.modelMs.toFixed(0)} | ${m.baseFoldMs.toFixed(0)} | ${m.metaMs.toFixed(0)} | ${m.refitMs.toFixed(0)} | ${m.overheadMs.toFixed(1)} | ${(100 * m.overheadShare).toFixed(2)} % | ${m.cpuTotalMs.toFixed(0)} | ${m.cpuOverheadMs.toFixed(1)} | ${(100 * m.cpuOverheadShare).toFixed(2)} % |`,
  ),
  '',
  'Target: overhead share ≤ 5 %. Reproduce: `pnpm --filter @pipeline/stacking build && pnpm --filter @pipeline/stacking bench`.',
  '',
];
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'stacking.md'), lines.join('\n'));
writeFileSync(join(results, 'stacking.json'), `${JSON.stringify({ date, rows, runs: runs, configurations: report }, null, 2)}\n`);
console.log(lines.join('\n'));
