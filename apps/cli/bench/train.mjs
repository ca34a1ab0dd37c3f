#!/usr/bin/env node
// Benchmark of the main job: `train --hgb-fe --splits 5` on 20000 demo rows, against the Python
// reference (scikit-learn + PyWavelets doing the same steps, ../../../shared/bench/pipeline_reference.py,
// OMP_NUM_THREADS=1) run side by side in the same sitting. Writes bench/results/cli.{md,json}.
// Usage: node bench/train.mjs [--rows 20000] [--repeats 1] [--hgb-threads N] [--before CHECKOUT] [--no-reference]
//   --before DIR: also time the `pipeline` of another built checkout (e.g. a `git worktree` of the
//   previous release) on the same data, interleaved run by run; writes bench/results/cli-before-after.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const rows = Number(opt('rows', '20000'));
const repeats = Number(opt('repeats', '1'));
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '../dist/bin.js');
const repo = join(here, '../../..');
const peer = join(repo, '../shared/bench/pipeline_reference.py');
const data = join(tmpdir(), `pipeline-bench-demo-${rows}`);

if (!existsSync(join(data, 'X_train.h5'))) {
  console.error(`generating ${rows} demo rows into ${data}`);
  const gen = spawnSync(process.execPath, [bin, 'demo-data', '--out', data, '--n', String(rows), '--seed', '7', '--quiet'], { stdio: 'inherit' });
  if (gen.status !== 0) process.exit(1);
}

function ours(binary = bin) {
  const runDir = join(tmpdir(), `pipeline-bench-run-${process.pid}`);
  rmSync(runDir, { recursive: true, force: true });
  const started = performance.now();
  const extra = opt('hgb-threads') ? ['--hgb-threads', opt('hgb-threads')] : [];
  // Under /usr/bin/time (when present) so the child's CPU seconds are known: on a shared machine the
  // wall time depends on the load, the CPU time much less.
  const timed = existsSync('/usr/bin/time');
  const result = spawnSync(
    timed ? '/usr/bin/time' : process.execPath,
    [...(timed ? ['-f', 'CPU %U %S', process.execPath] : []), binary, 'train', '--x-h5', join(data, 'X_train.h5'), '--y-csv', join(data, 'y_train.csv'), '--hgb-fe', '--splits', '5', '--run-dir', runDir, '--json', '--quiet', ...extra],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const wall = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`train failed: ${result.stderr}`);
  const doc = JSON.parse(result.stdout);
  rmSync(runDir, { recursive: true, force: true });
  const t = doc.timings;
  const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  return {
    wall_s: wall,
    cpu_s: cpu === null ? NaN : Number(cpu[1]) + Number(cpu[2]),
    read_s: t.readMs / 1000,
    featurize_s: t.featurizeMs / 1000,
    oof_s: t.oofMs / 1000,
    meta_s: t.metaMs / 1000,
    refit_s: t.refitMs / 1000,
    peak_rss_mb: t.peakRssMb,
    stack_acc: doc.oof.stack.accuracy,
    hgb_oof_acc: doc.oof.hgb_fe.accuracy,
    stack_bal_acc: doc.oof.stack.balancedAccuracy,
    stack_logloss: doc.oof.stack.logLoss,
  };
}

function reference() {
  if (!existsSync(peer) || args.includes('--no-reference')) return undefined;
  const started = performance.now();
  const result = spawnSync('/usr/bin/python3', [peer, '--x-h5', join(data, 'X_train.h5'), '--y-csv', join(data, 'y_train.csv'), '--splits', '5'], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  const wall = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`reference failed: ${result.stderr}`);
  return { wall_s: wall, ...JSON.parse(result.stdout.trim().split('\n').pop()) };
}

const before = opt('before');
const beforeBin = before === undefined ? undefined : join(before, 'apps/cli/dist/bin.js');
const runs = [];
for (let r = 0; r < repeats; r++) {
  const ref = reference();
  const old = beforeBin === undefined ? undefined : ours(beforeBin);
  const us = ours();
  runs.push({ ours: us, reference: ref, ...(old === undefined ? {} : { before: old }) });
  console.error(JSON.stringify(runs[runs.length - 1]));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const o = (k) => median(runs.map((r) => r.ours[k]));
const p = (k) => (runs[0].reference ? median(runs.map((r) => r.reference[k])) : NaN);
const summary = {
  date: new Date().toISOString(),
  rows,
  repeats,
  ours: { wall_s: o('wall_s'), read_s: o('read_s'), featurize_s: o('featurize_s'), oof_s: o('oof_s'), meta_s: o('meta_s'), refit_s: o('refit_s'), peak_rss_mb: o('peak_rss_mb'), stack_acc: o('stack_acc') },
  reference: { wall_s: p('wall_s'), total_s: p('total_s'), featurize_s: p('featurize_s'), oof_s: p('oof_s'), meta_refit_s: p('meta_refit_s'), stack_acc: p('stack_acc') },
};
summary.ratio_wall = summary.ours.wall_s / summary.reference.wall_s;
summary.acc_diff_points = 100 * (summary.ours.stack_acc - summary.reference.stack_acc);
const md = `# train --hgb-fe --splits 5 on ${rows} demo rows (${summary.date})

Median of ${repeats} run(s), ours then the Python reference (scikit-learn + PyWavelets, OMP_NUM_THREADS=1) back to back.

| step | ours (s) | reference (s) |
|---|---|---|
| read | ${summary.ours.read_s.toFixed(2)} | (in total) |
| featurize | ${summary.ours.featurize_s.toFixed(2)} | ${summary.reference.featurize_s} |
| HGB OOF | ${summary.ours.oof_s.toFixed(2)} | ${summary.reference.oof_s} |
| meta + refit | ${(summary.ours.meta_s + summary.ours.refit_s).toFixed(2)} | ${summary.reference.meta_refit_s} |
| **wall (process)** | **${summary.ours.wall_s.toFixed(2)}** | **${summary.reference.wall_s.toFixed(2)}** |

ratio ours/reference wall time: **${summary.ratio_wall.toFixed(2)}×**; peak RSS ours ${summary.ours.peak_rss_mb.toFixed(0)} MB.
Stack OOF accuracy: ours ${summary.ours.stack_acc.toFixed(4)}, reference ${summary.reference.stack_acc} (difference ${summary.acc_diff_points.toFixed(2)} points).
`;
const out = join(repo, 'bench/results');
if (beforeBin !== undefined) {
  const b = (k) => median(runs.map((r) => r.before[k]));
  const load = (await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ');
  const ab = `# train --hgb-fe --splits 5 on ${rows} demo rows: before/after (${summary.date})

Median of ${repeats} interleaved run(s) of each build on the same data (before: ${before}). Load average at the end: ${load}.
On a busy machine compare the CPU seconds: the wall time mostly measures the other processes.

| | before (s) | after (s) | after/before |
|---|---|---|---|
| wall (process) | ${b('wall_s').toFixed(2)} | ${o('wall_s').toFixed(2)} | ${(o('wall_s') / b('wall_s')).toFixed(2)}× |
| CPU user+sys (process) | ${b('cpu_s').toFixed(2)} | ${o('cpu_s').toFixed(2)} | ${(o('cpu_s') / b('cpu_s')).toFixed(2)}× |
| featurize | ${b('featurize_s').toFixed(2)} | ${o('featurize_s').toFixed(2)} | |
| HGB OOF | ${b('oof_s').toFixed(2)} | ${o('oof_s').toFixed(2)} | |
| peak RSS (MB) | ${b('peak_rss_mb').toFixed(0)} | ${o('peak_rss_mb').toFixed(0)} | |

Stack OOF accuracy: before ${b('stack_acc').toFixed(4)}, after ${o('stack_acc').toFixed(4)}.
`;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'cli-before-after.md'), ab);
  console.log(ab);
}
if (runs[0].reference !== undefined) {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'cli.json'), `${JSON.stringify({ summary, runs }, null, 2)}\n`);
  writeFileSync(join(out, 'cli.md'), md);
  console.log(md);
}
