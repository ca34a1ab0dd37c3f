#!/usr/bin/env node
// Times wavedec(db4, level=5) over a 20000 × 1250 float32 matrix, the same shape as
// shared/bench/dwt_peer.py (pywt.wavedec(X, 'db4', level=5, axis=-1)). Prints one JSON line.
//   single thread: wavedecRows in each mode, float64 bands and float32 bands (pywt's output type)
//   2 workers: each worker decomposes half the rows of a shared input into fresh shared float32 bands
// Usage: node bench/wavedec.mjs [--reps 3] [--rows 20000] [--workers 2]
import { Worker } from 'node:worker_threads';
import { createRng, workerExecArgv } from '@pipeline/core';
import { WavedecPlan, getWavelet, wavedecRows } from '../dist/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const reps = arg('--reps', 3);
const rows = arg('--rows', 20000);
const workerCount = arg('--workers', 2);
const n = 1250;

const input = new SharedArrayBuffer(rows * n * 4);
const data = new Float32Array(input);
const rng = createRng(0);
for (let i = 0; i < data.length; i++) data[i] = rng.normal();
const m = { rows, cols: n, data };

const out = { rows, n, wavelet: 'db4', level: 5 };
for (const mode of ['symmetric', 'periodization', 'zero']) {
  for (const dtype of ['float64', 'float32']) {
    const seconds = [];
    const cpuSeconds = [];
    let lengths;
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      lengths = wavedecRows(m, 'db4', { level: 5, mode, dtype }).lengths;
      seconds.push((performance.now() - t) / 1000);
      const used = process.cpuUsage(cpu);
      cpuSeconds.push((used.user + used.system) / 1e6);
    }
    out[`single_${mode}_${dtype}`] = {
      s: seconds.map((s) => +s.toFixed(3)),
      rows_per_s: Math.round(rows / Math.min(...seconds)),
      rows_per_cpu_s: Math.round(rows / Math.min(...cpuSeconds)),
      lengths,
    };
  }
}

if (workerCount > 0) {
  const plan = new WavedecPlan(n, getWavelet('db4'), 'symmetric', 5);
  const workers = Array.from(
    { length: workerCount },
    () => new Worker(new URL('./wavedec-worker.mjs', import.meta.url), { workerData: { input, n }, execArgv: workerExecArgv() }),
  );
  let bands;
  let finished = false;
  // A worker that fails to load, throws or exits before the end fails the run instead of hanging it.
  const failed = new Promise((_, reject) => {
    for (const worker of workers) {
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (!finished) reject(new Error(`a wavedec worker exited with code ${code}`));
      });
    }
  });
  failed.catch(() => {}); // observed through the race below
  // Fresh output bands every run, as the single-threaded wavedecRows (and pywt) allocate theirs.
  const runOnce = () => {
    bands = plan.lengths.map((length) => new SharedArrayBuffer(length * rows * 4));
    return Promise.race([
      failed,
      Promise.all(
        workers.map(
          (worker, w) =>
            new Promise((resolve) => {
              worker.once('message', resolve);
              worker.postMessage({ bands, start: Math.floor((w * rows) / workerCount), end: Math.floor(((w + 1) * rows) / workerCount) });
            }),
        ),
      ),
    ]);
  };
  await runOnce(); // start-up and JIT warm-up, not timed (pywt's timing excludes interpreter start too)
  const seconds = [];
  const cpuSeconds = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    await runOnce();
    seconds.push((performance.now() - t) / 1000);
    const used = process.cpuUsage(cpu);
    cpuSeconds.push((used.user + used.system) / 1e6);
  }
  // The shared bands must equal the single-threaded result bit for bit.
  const reference = wavedecRows(m, 'db4', { level: 5, dtype: 'float32' });
  const identical = reference.bands.every((band, b) => Buffer.from(band.buffer).equals(Buffer.from(bands[b])));
  out[`workers${workerCount}_symmetric_float32`] = {
    s: seconds.map((s) => +s.toFixed(3)),
    rows_per_s: Math.round(rows / Math.min(...seconds)),
    rows_per_cpu_s: Math.round(rows / Math.min(...cpuSeconds)),
    identical_to_single_thread: identical,
  };
  finished = true;
  await Promise.all(workers.map((worker) => worker.terminate()));
}
out.maxrss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(out));
