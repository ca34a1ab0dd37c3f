#!/usr/bin/env node
// node bench/categorical-fit.mjs CSV YCSV [REPS]: fit time of histGradientBoosting with native
// categorical splits on the 20 categorical + first 10 numeric columns of ingest's typed-csv bench
// file (100k rows), 50 iterations, 31 leaves, no early stopping, 1 thread. Peer: categorical_fit_peer.py.
import { readLabels, readTypedCsv } from '../../ingest/dist/index.js'; // bench only: no package dependency on ingest
import { histGradientBoosting } from '../dist/index.js';

const [csv, ycsv, repsText] = process.argv.slice(2);
const reps = Number(repsText ?? 2);
const table = await readTypedCsv(csv);
const keep = table.columns.map((_, k) => k).filter((k) => table.types[k] === 'categorical' || /^x[0-9]$/.test(table.columns[k]));
const cols = keep.length;
const data = new Float32Array(table.rows * cols);
for (let i = 0; i < table.rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = table.matrix.data[i * table.cols + keep[j]];
const categoricalFeatures = keep.map((k, j) => (table.types[k] === 'categorical' ? j : -1)).filter((j) => j >= 0);
const { labels } = await readLabels(ycsv, { ids: table.ids });
const results = {};
for (const [name, extra] of [['native categorical', { categoricalFeatures }], ['codes as numbers', {}]]) {
  const seconds = [];
  let accuracy = 0;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const model = await histGradientBoosting({ maxIter: 50, maxLeafNodes: 31, earlyStopping: false, nThreads: 1, ...extra }).fit({ features: { rows: table.rows, cols, data }, labels });
    seconds.push((performance.now() - t) / 1000);
    const predicted = await model.predict({ rows: table.rows, cols, data });
    accuracy = predicted.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0) / labels.length;
  }
  results[name] = { s: seconds.map((x) => +x.toFixed(3)), best_s: +Math.min(...seconds).toFixed(3), train_accuracy: +accuracy.toFixed(4) };
}
console.log(JSON.stringify({ tool: '@pipeline/model-gbdt', rows: table.rows, cols, categorical: categoricalFeatures.length, results }));
