#!/usr/bin/env node
// node bench/typed-csv.mjs gen DIR            writes DIR/tabular.csv (100k rows: id, 20 categorical, 100 numeric) and DIR/y.csv
// node bench/typed-csv.mjs read FILE [REPS] [MODULE]   readTypedCsv: one JSON line with per-rep seconds and peak RSS
//   (MODULE: another build's dist/index.js, e.g. the two-pass reader of an older checkout, for a before/after;
//   THREADS=N in the environment: readTypedCsv's `threads`; cpu_s: user + system CPU of every thread per read)
// node bench/typed-csv.mjs same FILE MODULE   checks that this build and MODULE read the same bytes, codes and tables
// Peers: bench/typed_csv_peer.py (pandas, pyarrow) on the same file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { readTypedCsv as ours } from '../dist/index.js';

const [mode, target, repsText, modulePath] = process.argv.slice(2);
const readTypedCsv = modulePath === undefined || mode === 'same' ? ours : (await import(pathToFileURL(modulePath).href)).readTypedCsv;
if (mode === 'gen') {
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const rows = 100_000;
  const header = ['id', ...Array.from({ length: 20 }, (_, j) => `c${j}`), ...Array.from({ length: 100 }, (_, j) => `x${j}`)];
  const lines = [header.join(',')];
  const labels = ['id,label'];
  for (let i = 0; i < rows; i++) {
    const cells = [`r${i}`];
    let logit = 0;
    for (let j = 0; j < 20; j++) {
      const k = 3 + j * 10; // cardinalities 3..193
      const code = Math.floor(next() ** 2 * k);
      if (j < 4) logit += ((code * 2654435761) % 7) / 3 - 1;
      cells.push(next() < 0.02 ? '' : `cat${j}_${code}`);
    }
    for (let j = 0; j < 100; j++) {
      const x = next() * 4 - 2;
      if (j < 3) logit += x * 0.5;
      cells.push(next() < 0.01 ? 'NA' : x.toFixed(5));
    }
    lines.push(cells.join(','));
    labels.push(`r${i},${logit + (next() - 0.5) > 0 ? 1 : 0}`);
  }
  writeFileSync(join(target, 'tabular.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(target, 'y.csv'), `${labels.join('\n')}\n`);
} else if (mode === 'same') {
  const other = (await import(pathToFileURL(repsText).href)).readTypedCsv;
  const digest = (t) =>
    createHash('sha256')
      .update(Buffer.from(t.matrix.data.buffer, t.matrix.data.byteOffset, t.matrix.data.byteLength))
      .update(JSON.stringify([t.columns, t.types, t.ids, t.encoding]))
      .digest('hex');
  const [a, b] = [digest(await ours(target)), digest(await other(target))];
  console.log(JSON.stringify({ same: a === b, ours: a, other: b }));
  if (a !== b) process.exit(1);
} else {
  const reps = Number(repsText ?? 3);
  const seconds = [];
  const cpu = [];
  const options = process.env.THREADS === undefined ? {} : { threads: Number(process.env.THREADS) };
  let table;
  for (let r = 0; r < reps; r++) {
    table = undefined;
    globalThis.gc?.();
    const c = process.cpuUsage();
    const t = performance.now();
    table = await readTypedCsv(target, options);
    seconds.push((performance.now() - t) / 1000);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1e6);
  }
  const categorical = table.types.filter((t) => t === 'categorical').length;
  console.log(
    JSON.stringify({
      tool: modulePath === undefined ? 'readTypedCsv' : `readTypedCsv (${modulePath})`,
      rows: table.rows,
      cols: table.cols,
      categorical,
      ...options,
      s: seconds.map((x) => +x.toFixed(3)),
      cpu_s: cpu.map((x) => +x.toFixed(3)),
      best_s: +Math.min(...seconds).toFixed(3),
      maxrss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}
