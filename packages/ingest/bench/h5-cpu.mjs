#!/usr/bin/env node
// Issue 20, target 5, CPU view: ours (bench/h5-read.mjs) and h5py (bench/h5_peer_cpu.py) alternate
// process by process on the files of bench/run.mjs (generate them with it first), whole reads and
// batched scans (ours: default batches and `reuse: true`; h5py: the same batch size), with wall
// and CPU time (user + system). On a machine at load 10–20 a process gets a small, varying share
// of a core, so CPU time is the steadier measure of the work each reader does.
// Writes bench/results/ingest-h5-cpu.{md,json} at the repository root.
// Usage: node bench/h5-cpu.mjs [--dir /tmp/ingest-bench] [--rounds 3] [--reps 5] [--python python3]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const args = process.argv.slice(2);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dir = value('--dir', process.env.INGEST_BENCH_DIR ?? '/tmp/ingest-bench');
const rounds = Number(value('--rounds', '3'));
const reps = Number(value('--reps', '5'));
const python = value('--python', 'python3');
const HUGETLB = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' };

function runJson(command, commandArgs, env = {}) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ours = (file, op, env = {}) => runJson(process.execPath, [join(here, 'h5-read.mjs'), file, 'features', op, String(reps), ''], env);
const peer = (file, op, batch) => runJson(python, [join(here, 'h5_peer_cpu.py'), file, 'features', op, String(reps)], batch === undefined ? {} : { BATCH: String(batch) });

const loads = [];
const rows = [];
let h5pyVersion;
for (const name of ['eeg_contig', 'eeg_gzip4']) {
  const file = join(dir, 'h5', `${name}.h5`);
  const probe = ours(file, 'batches');
  const batch = Math.ceil(probe.shape[0] / probe.batches);
  const s = { peerWhole: [], oursWhole: [], oursWholeHuge: [], peerBatches: [], oursBatches: [], oursReuse: [], oursBatchesHuge: [] };
  for (let r = 0; r < rounds; r++) {
    loads.push(+loadavg()[0].toFixed(2));
    console.error(`[h5-cpu ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(1)}] ${name} round ${r + 1}/${rounds}`);
    s.peerWhole.push(peer(file, 'whole'));
    s.oursWhole.push(ours(file, 'whole'));
    s.oursWholeHuge.push(ours(file, 'whole', HUGETLB));
    s.peerBatches.push(peer(file, 'batches', batch));
    s.oursBatches.push(ours(file, 'batches'));
    s.oursReuse.push(ours(file, 'batches_reuse'));
    s.oursBatchesHuge.push(ours(file, 'batches', HUGETLB));
  }
  h5pyVersion = s.peerWhole[0].h5py;
  const row = (what, list, peerList) => ({
    file: name,
    what,
    wall_ms: median(list.map((x) => x.median_ms)),
    cpu_ms: median(list.map((x) => x.cpu_ms)),
    wall_ratio: +median(list.map((x, i) => x.median_ms / peerList[i].median_ms)).toFixed(2),
    cpu_ratio: +median(list.map((x, i) => x.cpu_ms / peerList[i].cpu_ms)).toFixed(2),
  });
  rows.push(
    row('whole: h5py ds[()]', s.peerWhole, s.peerWhole),
    row('whole: ours readRows(0, N)', s.oursWhole, s.peerWhole),
    row('whole: ours, GLIBC_TUNABLES=glibc.malloc.hugetlb=1', s.oursWholeHuge, s.peerWhole),
    row(`batches of ${batch} rows: h5py`, s.peerBatches, s.peerBatches),
    row('batches: ours iterBatches() (fresh array per batch)', s.oursBatches, s.peerBatches),
    row('batches: ours iterBatches({ reuse: true })', s.oursReuse, s.peerBatches),
    row('batches: ours iterBatches(), GLIBC_TUNABLES=glibc.malloc.hugetlb=1', s.oursBatchesHuge, s.peerBatches),
  );
}
const summary = { date: new Date().toISOString(), node: process.version, python, h5py: h5pyVersion, rounds, reps, loads, rows };
writeFileSync(join(repo, 'bench/results/ingest-h5-cpu.json'), `${JSON.stringify(summary, null, 2)}\n`);
const cols = ['file', 'what', 'wall_ms', 'wall_ratio', 'cpu_ms', 'cpu_ratio'];
writeFileSync(
  join(repo, 'bench/results/ingest-h5-cpu.md'),
  `# HDF5 reads, wall and CPU time, vs h5py ${h5pyVersion} (issue 20, target 5)

${summary.date}, Node ${process.version}, 2 shared cores; 1-min load average per round: ${loads.join(', ')} (uptime).
Command: \`node packages/ingest/bench/h5-cpu.mjs --rounds ${rounds} --reps ${reps} --python ${python}\` (files from bench/run.mjs: 20000 × 1261 float32,
contiguous, and chunked 1000 rows + gzip 4). Each cell: median over rounds of one process's median over ${reps} repetitions; ratios are
ours / h5py per round, then the median. CPU = user + system of the process (h5py: \`time.process_time()\`).

${[`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => r[c]).join(' | ')} |`)].join('\n')}
`,
);
console.error('wrote bench/results/ingest-h5-cpu.{md,json}');
