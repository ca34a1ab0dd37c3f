#!/usr/bin/env node
// Times wavedec(db4, level=5) over a ROWS × 1250 float32 matrix, the same shape as
// shared/bench/dwt_peer.py (pywt.wavedec(X, 'db4', level=5, axis=-1)). Prints one JSON line.
//   default (what bench/run.mjs reads): wavedecRows in each mode, float64 and float32 bands (pywt's
//     output type), fresh bands every call; then 2 workers into fresh shared float32 bands.
//   --only VARIANT: one variant alone (so the process's peak RSS is that variant's), symmetric mode:
//     fresh-f64 / fresh-f32   wavedecRows, new bands every call (as pywt allocates its output)
//     out-f64 / out-f32       wavedecRows({ out }) into the bands of the previous call (reuse)
//     blocks-f64 / blocks-f32 wavedecRowBlocks (256-row blocks), energy of every band of every row
//                             (what a feature consumer does; the bands are never materialised)
//     workers-f32             2 workers (--workers), each wavedecRows({ out }) over its half of the
//                             rows into shared float32 bands allocated once (reused every call)
//     transformer-f64 / -f32  createWaveletTransformer(...).wavedecRows(X): the transformer lends its
//                             reused buffer (the previous call's bands are detached), the call a
//                             user makes without managing buffers
//     tblocks-f64 / -f32      transformer.wavedecRowBlocks (256-row blocks), energies as blocks-*
//     kernel                  WavedecPlan.run into one row of scratch (the DWT alone, no output)
//   The first call of a variant is warm-up (JIT, first touch of reused bands, worker start) and is
//   reported apart; `rows_per_s` is the median over the timed calls.
// Usage: node bench/wavedec.mjs [--reps 3] [--rows 20000] [--workers 2] [--only VARIANT]
import { Worker } from 'node:worker_threads';
import { createRng, workerExecArgv } from '@pipeline/core';
import { WavedecPlan, createWaveletTransformer, getWavelet, wavedecRowBlocks, wavedecRows } from '../dist/index.js';
import { median } from '../../../scripts/lib/bench-stats.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
};
const reps = Number(arg('--reps', 3));
const rows = Number(arg('--rows', 20000));
const workerCount = Number(arg('--workers', 2));
const only = arg('--only', undefined);
const n = 1250;

const input = new SharedArrayBuffer(rows * n * 4);
const data = new Float32Array(input);
const rng = createRng(0);
for (let i = 0; i < data.length; i++) data[i] = rng.normal();
const m = { rows, cols: n, data };

/** Times `call` reps times (after `warmups` untimed calls): wall and CPU seconds (CPU over all threads). */
async function timed(call, warmups = 0) {
  const warm = [];
  for (let w = 0; w < warmups; w++) {
    const t = performance.now();
    await call();
    warm.push((performance.now() - t) / 1000);
  }
  const seconds = [];
  const cpuSeconds = [];
  const faults = process.resourceUsage().minorPageFault;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    await call();
    seconds.push((performance.now() - t) / 1000);
    const used = process.cpuUsage(cpu);
    cpuSeconds.push((used.user + used.system) / 1e6);
  }
  return {
    s: seconds.map((s) => +s.toFixed(3)),
    warmup_s: warm.map((s) => +s.toFixed(3)),
    rows_per_s: Math.round(rows / median(seconds)),
    best_rows_per_s: Math.round(rows / Math.min(...seconds)),
    rows_per_cpu_s: Math.round(rows / median(cpuSeconds)),
    // Minor page faults per timed call: first touches of fresh memory (4 KiB each without huge pages).
    faults_per_call: Math.round((process.resourceUsage().minorPageFault - faults) / reps),
  };
}

/** Starts `count` bench workers over the shared input; run(bands) decomposes every row into `bands`. */
function startWorkers(count) {
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL('./wavedec-worker.mjs', import.meta.url), { workerData: { input, n }, execArgv: workerExecArgv() }),
  );
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
  const run = (bands, reuse) =>
    Promise.race([
      failed,
      Promise.all(
        workers.map(
          (worker, w) =>
            new Promise((resolve) => {
              worker.once('message', resolve);
              worker.postMessage({ bands, reuse, start: Math.floor((w * rows) / count), end: Math.floor(((w + 1) * rows) / count) });
            }),
        ),
      ),
    ]);
  const stop = async () => {
    finished = true;
    await Promise.all(workers.map((worker) => worker.terminate()));
  };
  return { run, stop };
}

const sameBytes = (a, b) => a.every((band, i) => Buffer.from(band.buffer, band.byteOffset, band.byteLength).equals(Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)));
const out = { rows, n, wavelet: 'db4', level: 5, reps };

if (only === undefined) {
  for (const mode of ['symmetric', 'periodization', 'zero']) {
    for (const dtype of ['float64', 'float32']) {
      let lengths;
      const result = await timed(() => {
        lengths = wavedecRows(m, 'db4', { level: 5, mode, dtype }).lengths;
      });
      out[`single_${mode}_${dtype}`] = { ...result, rows_per_s: result.best_rows_per_s, lengths };
    }
  }
  if (workerCount > 0) {
    const plan = new WavedecPlan(n, getWavelet('db4'), 'symmetric', 5);
    const pool = startWorkers(workerCount);
    let bands;
    // Fresh output bands every run, as the single-threaded wavedecRows (and pywt) allocate theirs.
    const result = await timed(() => {
      bands = plan.lengths.map((length) => new SharedArrayBuffer(length * rows * 4));
      return pool.run(bands, false);
    }, 1);
    const reference = wavedecRows(m, 'db4', { level: 5, dtype: 'float32' });
    out[`workers${workerCount}_symmetric_float32`] = {
      ...result,
      rows_per_s: result.best_rows_per_s,
      identical_to_single_thread: sameBytes(reference.bands, bands.map((buffer) => new Float32Array(buffer))),
    };
    await pool.stop();
  }
} else {
  const dtype = only.endsWith('f32') ? 'float32' : 'float64';
  const options = { level: 5, dtype };
  let result;
  let check; // bands to compare with a fresh single-threaded call, bit for bit
  if (only === 'fresh-f64' || only === 'fresh-f32') {
    result = await timed(() => void wavedecRows(m, 'db4', options), 1);
  } else if (only === 'out-f64' || only === 'out-f32') {
    let bands;
    result = await timed(() => {
      bands = wavedecRows(m, 'db4', bands === undefined ? options : { ...options, out: bands }).bands;
    }, 1);
    check = bands;
  } else if (only === 'transformer-f64' || only === 'transformer-f32') {
    const dwt = createWaveletTransformer('db4', options);
    let bands;
    result = await timed(() => {
      bands = dwt.wavedecRows(m).bands;
    }, 1);
    check = bands;
  } else if (only === 'blocks-f64' || only === 'blocks-f32' || only === 'tblocks-f64' || only === 'tblocks-f32') {
    const energies = new Float64Array(rows * 6);
    const dwt = only.startsWith('t') ? createWaveletTransformer('db4', options) : undefined;
    result = await timed(() => {
      for (const block of dwt === undefined ? wavedecRowBlocks(m, 'db4', options) : dwt.wavedecRowBlocks(m)) {
        for (let b = 0; b < block.bands.length; b++) {
          const band = block.bands[b];
          const length = block.lengths[b];
          for (let r = 0; r < block.rows; r++) {
            let e = 0;
            for (let i = r * length; i < (r + 1) * length; i++) e += band[i] * band[i];
            energies[(block.start + r) * 6 + b] = e;
          }
        }
      }
    }, 1);
    // The energies must be those of the materialised bands (measured after the peak RSS is taken).
    out.maxrss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
    const whole = wavedecRows(m, 'db4', options);
    const expected = new Float64Array(rows * 6);
    whole.bands.forEach((band, b) => {
      const length = whole.lengths[b];
      for (let r = 0; r < rows; r++) {
        let e = 0;
        for (let i = r * length; i < (r + 1) * length; i++) e += band[i] * band[i];
        expected[r * 6 + b] = e;
      }
    });
    result.identical_to_single_thread = sameBytes([energies], [expected]);
  } else if (only === 'workers-f32') {
    const plan = new WavedecPlan(n, getWavelet('db4'), 'symmetric', 5);
    const pool = startWorkers(workerCount);
    const bands = plan.lengths.map((length) => new SharedArrayBuffer(length * rows * 4));
    result = await timed(() => pool.run(bands, true), 1);
    await pool.stop();
    check = bands.map((buffer) => new Float32Array(buffer));
    result.workers = workerCount;
  } else if (only === 'kernel') {
    const plan = new WavedecPlan(n, getWavelet('db4'), 'symmetric', 5);
    const scratch = plan.lengths.map((length) => new Float64Array(length));
    result = await timed(() => {
      for (let r = 0; r < rows; r++) plan.run(data, r * n, scratch, 0);
    }, 1);
  } else {
    throw new Error(`unknown variant ${only}`);
  }
  // Peak RSS of the variant itself, before the verification below allocates a second set of bands.
  out.maxrss_mb ??= Math.round(process.resourceUsage().maxRSS / 1024);
  if (check !== undefined) result.identical_to_single_thread = sameBytes(wavedecRows(m, 'db4', options).bands, check);
  out.variant = only;
  Object.assign(out, result);
}
out.maxrss_mb ??= Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(out));
