#!/usr/bin/env node
// node bench/csv-threads-read.mjs FILE THREADS DTYPE REPS [DUMP]
// One process: readCsv(FILE, { threads: THREADS, dtype: DTYPE }) REPS times (the first read starts the
// worker pool). Prints one JSON line: per-rep wall seconds and CPU seconds of the process (every
// thread: process.cpuUsage), the rows and a sha256 of the values and ids (equal across thread counts).
// DUMP: writes the last read's float64 values (use idColumn off: pass DTYPE float64-noid) for
// csv_threads_peer.py verify. CSV_READ_MODULE=/path/to/dist/index.js reads with another build (a baseline).
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { readCsv } = await import(process.env.CSV_READ_MODULE ? pathToFileURL(process.env.CSV_READ_MODULE).href : '../dist/index.js');

const [file, threadsText, dtypeText = 'float32', repsText = '3', dump] = process.argv.slice(2);
const threads = Number(threadsText);
const noId = dtypeText.endsWith('-noid');
const dtype = noId ? dtypeText.slice(0, -5) : dtypeText;
const wall = [];
const cpu = [];
let table;
for (let r = 0; r < Number(repsText); r++) {
  // The twin of csv_threads_peer.py's `del out`: drop (and, under --expose-gc, collect) the last
  // table before the next timed read, so its memory can be reused as CPython's refcounting allows.
  table = undefined;
  globalThis.gc?.();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  table = await readCsv(file, { threads, dtype, ...(noId ? { idColumn: false } : {}) });
  wall.push(+((performance.now() - t0) / 1000).toFixed(4));
  const c = process.cpuUsage(c0);
  cpu.push(+((c.user + c.system) / 1e6).toFixed(4));
}
const data = table.dtype === 'float64' ? table.data : table.matrix.data;
const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
if (dump !== undefined) writeFileSync(dump, bytes);
const sha256 = createHash('sha256').update(bytes).update((table.ids ?? []).join('\n')).digest('hex');
console.log(
  JSON.stringify({
    tool: `readCsv threads ${threads} ${dtypeText}`,
    rows: table.rows,
    cols: table.cols,
    s: wall,
    cpu_s: cpu,
    shared: data.buffer instanceof SharedArrayBuffer,
    sha256,
    maxrss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
