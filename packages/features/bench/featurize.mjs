#!/usr/bin/env node
// Featurizes an HDF5 file with the default dwt-combo recipe in this process and prints one JSON line:
// wall time (including worker start-up and file opening), rows/s, CPU time of all threads, peak RSS
// of the process (worker threads included) and the sha256 of the feature bytes (equal across
// configurations).
// Usage: node bench/featurize.mjs FILE [--workers N] [--read-in worker|main] [--rows R] [--batch-rows B]
import { createHash } from 'node:crypto';
import { featurizeH5 } from '../dist/index.js';

const file = process.argv[2];
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
};
const workers = Number(arg('--workers', '0'));
const readIn = arg('--read-in', 'main');
const rows = arg('--rows', undefined);
const batchRows = arg('--batch-rows', undefined);

const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const began = performance.now();
const result = await featurizeH5(file, {
  workers,
  readIn,
  ...(rows === undefined ? {} : { end: Number(rows) }),
  ...(batchRows === undefined ? {} : { batchRows: Number(batchRows) }),
});
const seconds = (performance.now() - began) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const { features } = result;
console.log(
  JSON.stringify({
    workers,
    readIn: workers === 0 ? 'main' : readIn,
    rows: features.rows,
    features: features.cols,
    seconds: +seconds.toFixed(3),
    rows_per_s: Math.round(features.rows / seconds),
    // CPU time of every thread of the process: on a shared machine, rows per CPU-second shows the
    // parallel overhead even when the wall-clock speed-up cannot be measured.
    cpu_seconds: +cpuSeconds.toFixed(3),
    rows_per_cpu_s: Math.round(features.rows / cpuSeconds),
    feature_matrix_mb: +((features.rows * features.cols * 4) / 2 ** 20).toFixed(1),
    rss_before_mb: Math.round(rssBefore / 2 ** 20),
    maxrss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    sha256: createHash('sha256').update(features.data).digest('hex').slice(0, 16),
  }),
);
