#!/usr/bin/env node
// node bench/csv-read.mjs FILE [REPS] [MODE] [DUMP]
// MODE: whole (readCsv, float32) | whole64 (readCsv, float64) | stream (iterCsvBatches, float32).
// Prints one JSON line with per-rep seconds, the best rows/s and peak RSS. DUMP: with whole64 and
// idColumn off, writes the float64 values row-major for ../shared/bench/csv_peer.py verify.
import { writeFileSync } from 'node:fs';
import { iterCsvBatches, readCsv } from '../dist/index.js';

const [file, repsText, mode = 'whole', dump] = process.argv.slice(2);
const reps = Number(repsText ?? 3);
const seconds = [];
let rows = 0;
let cols = 0;
for (let r = 0; r < reps; r++) {
  const t = performance.now();
  if (mode === 'stream') {
    rows = 0;
    for await (const batch of iterCsvBatches(file)) {
      rows += batch.end - batch.start;
      cols = batch.columns.length;
    }
  } else {
    const table = mode === 'whole64' ? await readCsv(file, { dtype: 'float64', idColumn: false }) : await readCsv(file);
    rows = table.rows;
    cols = table.cols;
    if (dump !== undefined && r === reps - 1 && table.dtype === 'float64') writeFileSync(dump, table.data);
  }
  seconds.push((performance.now() - t) / 1000);
}
console.log(
  JSON.stringify({
    tool: `readCsv:${mode}`,
    file,
    rows,
    cols,
    s: seconds.map((s) => +s.toFixed(3)),
    best_rows_per_s: Math.round(rows / Math.min(...seconds)),
    maxrss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
