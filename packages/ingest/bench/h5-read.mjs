#!/usr/bin/env node
// node bench/h5-read.mjs FILE DATASET OP [REPS] [BATCH]
// One JSON line: per-rep times, sha256 of the bytes read (C order, like ../shared/bench/h5_peer.py),
// peak RSS, the first read's wall time, the median CPU time (user + system) and the wasm heap size. Ops: whole (readRows of every row into one matrix),
// batches (iterBatches with the default batch size, or BATCH rows), batches_reuse (the same with
// reuse: true), rows, cols, rows_last, rows_mid. Env H5_DIRECT=0 sends every read through HDF5.
import { createHash } from 'node:crypto';
import { openH5 } from '../dist/index.js';

const [file, key, op, repsText, batchText] = process.argv.slice(2);
const reps = Number(repsText ?? 5);
const batchRows = batchText === undefined || batchText === '' ? undefined : Number(batchText);
const t0 = performance.now();
let direct = null;
const logger = {
  debug: (message, fields) => {
    if (message === 'HDF5 read path') direct = fields.direct;
  },
  info() {},
  warn() {},
  error() {},
};
// H5_DIRECT=0: every read through HDF5 (h5wasm), the path before direct reads.
const h5 = await openH5(file, { logger, directReads: process.env.H5_DIRECT !== '0' });
const dataset = h5.dataset(key);
const openMs = performance.now() - t0;
const [N, C] = dataset.info.shape;
const options = batchRows === undefined ? {} : { batchRows };

function runOnce() {
  switch (op) {
    case 'whole':
      return [dataset.readRows(0, N).data];
    case 'rows':
      return [dataset.readRows(5000, 6000).data];
    case 'rows_last':
      return [dataset.readRows(N - 1000, N).data];
    case 'rows_mid':
      return [dataset.readRows(N >> 1, (N >> 1) + 1000).data];
    case 'cols':
      return [dataset.readRows(0, N, { columns: { start: 0, end: 11 } }).data];
    case 'batches':
    case 'batches_reuse': {
      let acc = 0;
      let batches = 0;
      for (const batch of dataset.iterBatches({ ...options, reuse: op === 'batches_reuse' })) {
        acc += batch.matrix.data[0];
        batches++;
      }
      return { acc, batches };
    }
    default:
      throw new Error(`unknown op ${op}`);
  }
}

const times = [];
const cpuTimes = [];
let out;
for (let r = 0; r < reps; r++) {
  // The twin of h5_peer_cpu.py's `del out`: the previous result is dropped (and, under --expose-gc,
  // collected) before the next timed read, so each read may reuse the memory the last one freed as
  // CPython's reference counting lets numpy do. Without it every read faults in fresh pages.
  out = undefined;
  globalThis.gc?.();
  const s = performance.now();
  const cpu = process.cpuUsage();
  out = runOnce();
  times.push(performance.now() - s);
  const used = process.cpuUsage(cpu);
  cpuTimes.push((used.user + used.system) / 1000);
}
const hash = createHash('sha256');
let batches;
if (Array.isArray(out)) {
  for (const a of out) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
} else {
  // untimed verification pass in h5py's batch size (hash of the concatenated rows is the same for any batching)
  batches = out.batches;
  for (const batch of dataset.iterBatches(options)) hash.update(new Uint8Array(batch.matrix.data.buffer, batch.matrix.data.byteOffset, batch.matrix.data.byteLength));
}
const sorted = [...times].sort((a, b) => a - b);
const { module } = await import('../dist/h5-module.js').then((m) => m.loadH5());
h5.close();
console.log(
  JSON.stringify({
    tool: 'h5wasm',
    file,
    op,
    shape: [N, C],
    batchRows: batchRows ?? null,
    batches: batches ?? null,
    open_ms: +openMs.toFixed(1),
    first_ms: +times[0].toFixed(1),
    median_ms: +sorted[sorted.length >> 1].toFixed(1),
    min_ms: +sorted[0].toFixed(1),
    cpu_ms: +[...cpuTimes].sort((a, b) => a - b)[cpuTimes.length >> 1].toFixed(1),
    sha256: hash.digest('hex'),
    maxrss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
    wasm_heap_mb: +(module.HEAPU8.length / 2 ** 20).toFixed(1),
    direct_pread: direct,
  }),
);
