#!/usr/bin/env node
// Benchmark of the main job: `train --hgb-fe --splits 5` on 20000 demo rows, against the Python
// reference (scikit-learn + PyWavelets doing the same steps, ../../../shared/bench/pipeline_reference.py,
// OMP_NUM_THREADS=1) run side by side in the same sitting, interleaved run by run. Both processes run
// under /usr/bin/time: wall and CPU seconds (user + sys) of each, and the load average, are reported
// (on the shared machine the wall ratio is noise when the load average exceeds the cores).
// Appends a section to bench/results/cli.md (earlier sittings are kept) and writes bench/results/cli.json.
// Usage: node bench/train.mjs [--rows 20000] [--splits 5] [--repeats 1] [--hgb-threads N] [--workers N]
//        [--before CHECKOUT] [--no-reference]
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
const splits = Number(opt('splits', '5'));
const repeats = Number(opt('repeats', '1'));
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '../dist/bin.js');
const repo = join(here, '../../..');
// The shared folder beside the checkout (/work/main → /work/shared), or above a worktree's folder (/work/wt/x → /work/shared).
const peer = [join(repo, '../shared/bench/pipeline_reference.py'), join(repo, '../../shared/bench/pipeline_reference.py')].find((path) => existsSync(path)) ?? join(repo, '../shared/bench/pipeline_reference.py');
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
  const extra = [...(opt('hgb-threads') ? ['--hgb-threads', opt('hgb-threads')] : []), ...(opt('workers') ? ['--workers', opt('workers')] : [])];
  // Under /usr/bin/time (when present) so the child's CPU seconds are known: on a shared machine the
  // wall time depends on the load, the CPU time much less.
  const timed = existsSync('/usr/bin/time');
  const result = spawnSync(
    timed ? '/usr/bin/time' : process.execPath,
    [...(timed ? ['-f', 'CPU %U %S', process.execPath] : []), binary, 'train', '--x-h5', join(data, 'X_train.h5'), '--y-csv', join(data, 'y_train.csv'), '--hgb-fe', '--splits', String(splits), '--run-dir', runDir, '--json', '--quiet', ...extra],
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
    fit_s: t.fitMs / 1000,
    startup_s: (t.startupMs ?? NaN) / 1000,
    total_s: t.totalMs / 1000,
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
  const timed = existsSync('/usr/bin/time');
  const command = [peer, '--x-h5', join(data, 'X_train.h5'), '--y-csv', join(data, 'y_train.csv'), '--splits', String(splits)];
  const result = spawnSync(timed ? '/usr/bin/time' : '/usr/bin/python3', timed ? ['-f', 'CPU %U %S', '/usr/bin/python3', ...command] : command, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  const wall = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`reference failed: ${result.stderr}`);
  const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  return { wall_s: wall, cpu_s: cpu === null ? NaN : Number(cpu[1]) + Number(cpu[2]), ...JSON.parse(result.stdout.trim().split('\n').pop()) };
}

const before = opt('before');
const beforeBin = before === undefined ? undefined : join(before, 'apps/cli/dist/bin.js');
const runs = [];
const { loadavg } = await import('node:os');
const load = () => loadavg().map((v) => v.toFixed(1)).join(' ');
for (let r = 0; r < repeats; r++) {
  const loadBefore = load();
  const ref = reference();
  const old = beforeBin === undefined ? undefined : ours(beforeBin);
  const us = ours();
  runs.push({ load_before: loadBefore, load_after: load(), ours: us, reference: ref, ...(old === undefined ? {} : { before: old }) });
  console.error(JSON.stringify(runs[runs.length - 1]));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const o = (k) => median(runs.map((r) => r.ours[k]));
const p = (k) => (runs[0].reference ? median(runs.map((r) => r.reference[k])) : NaN);
const summary = {
  date: new Date().toISOString(),
  rows,
  splits,
  repeats,
  load: runs.map((r) => `${r.load_before} → ${r.load_after}`),
  ours: Object.fromEntries(['wall_s', 'cpu_s', 'startup_s', 'read_s', 'featurize_s', 'fit_s', 'oof_s', 'meta_s', 'refit_s', 'total_s', 'peak_rss_mb', 'stack_acc'].map((k) => [k, o(k)])),
  reference: Object.fromEntries(['wall_s', 'cpu_s', 'read_s', 'total_s', 'featurize_s', 'oof_s', 'meta_refit_s', 'stack_acc'].map((k) => [k, p(k)])),
};
summary.ratio_wall = summary.ours.wall_s / summary.reference.wall_s;
summary.ratio_cpu = summary.ours.cpu_s / summary.reference.cpu_s;
summary.acc_diff_points = 100 * (summary.ours.stack_acc - summary.reference.stack_acc);
const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const perRun = runs
  .map((r, k) => `| ${k + 1} | ${r.load_before} → ${r.load_after} | ${f(r.ours.wall_s)} | ${f(r.ours.cpu_s)} | ${r.reference ? f(r.reference.wall_s) : 'n/a'} | ${r.reference ? f(r.reference.cpu_s) : 'n/a'} | ${r.reference ? f(r.ours.wall_s / r.reference.wall_s) : 'n/a'}× |`)
  .join('\n');
const md = `## train --hgb-fe --splits ${splits} on ${rows} demo rows (${summary.date})

Median of ${repeats} run(s), the Python reference (scikit-learn + PyWavelets, OMP_NUM_THREADS=1) then ours, interleaved.
Wall and CPU (user + sys) seconds of each whole process, from /usr/bin/time. Our step times are wall
times inside the process; with the fold fits running side by side the OOF/refit rows are sums of
overlapping fits (the fit row is the wall time of the whole stack fit).

| run | load average (before → after) | ours wall | ours CPU | reference wall | reference CPU | wall ratio |
|---|---|---|---|---|---|---|
${perRun}

| step | ours (s) | reference (s) |
|---|---|---|
| start-up (process start → first fold fit) | ${f(summary.ours.startup_s)} | |
| read | ${f(summary.ours.read_s)} | ${f(summary.reference.read_s)} |
| featurize | ${f(summary.ours.featurize_s)} | ${f(summary.reference.featurize_s)} |
| stack fit (wall) | ${f(summary.ours.fit_s)} | ${f(summary.reference.oof_s + summary.reference.meta_refit_s)} |
| HGB OOF fits (sum) | ${f(summary.ours.oof_s)} | ${f(summary.reference.oof_s)} |
| meta + refit (sum) | ${f(summary.ours.meta_s + summary.ours.refit_s)} | ${f(summary.reference.meta_refit_s)} |
| **wall (process)** | **${f(summary.ours.wall_s)}** | **${f(summary.reference.wall_s)}** |
| **CPU (process)** | **${f(summary.ours.cpu_s)}** | **${f(summary.reference.cpu_s)}** |

Ratio ours/reference: wall **${f(summary.ratio_wall)}×**, CPU ${f(summary.ratio_cpu)}×; peak RSS ours ${f(summary.ours.peak_rss_mb, 0)} MB.
Stack OOF accuracy: ours ${f(summary.ours.stack_acc, 4)}, reference ${f(summary.reference.stack_acc, 4)} (difference ${f(summary.acc_diff_points)} points).
`;
const out = join(repo, 'bench/results');
if (beforeBin !== undefined) {
  const b = (k) => median(runs.map((r) => r.before[k]));
  const ab = `# train --hgb-fe --splits ${splits} on ${rows} demo rows: before/after (${summary.date})

Median of ${repeats} interleaved run(s) of each build on the same data (before: ${before}). Load average at the end: ${load()}.
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
  // Earlier sittings are kept below the newest.
  const abFile = join(out, 'cli-before-after.md');
  writeFileSync(abFile, `${ab}\n${existsSync(abFile) ? readFileSync(abFile, 'utf8') : ''}`);
  console.log(ab);
}
if (runs[0].reference !== undefined) {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'cli.json'), `${JSON.stringify({ summary, runs }, null, 2)}\n`);
  // Earlier sittings are kept below the newest.
  const file = join(out, 'cli.md');
  const title = '# train --hgb-fe: ours vs the Python reference, by sitting (newest first)\n\n';
  const earlier = existsSync(file) ? readFileSync(file, 'utf8').replace(title, '').replace(/^# /, '## ') : '';
  writeFileSync(file, `${title}${md}\n${earlier}`);
  console.log(md);
}
