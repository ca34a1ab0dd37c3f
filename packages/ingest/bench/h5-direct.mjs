#!/usr/bin/env node
// Issue 20, target 5: HDF5 reads vs h5py in one sitting, after direct reads (no HDF5 for contiguous and
// chunked deflate/shuffle data). Ours (bench/h5-read.mjs) and h5py (bench/h5_peer_cpu.py) alternate
// process by process on 20000 × 1261 float32 files written by h5py (../shared/bench/gen_h5_files.py):
// contiguous, chunked (1000 rows) and chunked + gzip 4. Per file: whole read; batched scan in the
// default batches (h5py: the same rows per batch), ours also with `reuse: true`; 500-row batches
// (half a chunk); ours also through HDF5 (H5_DIRECT=0, the path before) and with huge pages for
// malloc (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, what numpy asks for its arrays).
// Wall and CPU time (user + system), the first read's wall time and peak RSS per process; `uptime` load per round.
// Prepends a sitting to bench/results/ingest-h5.md (earlier sittings kept) and writes ingest-h5.json.
// Usage: node bench/h5-direct.mjs [--dir /tmp/ingest-bench] [--rounds 3] [--reps 5] [--python python3]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const peers = process.env.PEERS_DIR ?? [resolve(repo, '../shared/bench'), resolve(repo, '../../shared/bench')].find((d) => existsSync(d));
const args = process.argv.slice(2);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dir = value('--dir', process.env.INGEST_BENCH_DIR ?? '/tmp/ingest-bench');
const rounds = Number(value('--rounds', '3'));
const reps = Number(value('--reps', '5'));
const python = value('--python', 'python3');
const names = value('--files', 'eeg_contig,eeg_chunked,eeg_gzip4').split(',');
const HUGETLB = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' };
const HDF5 = { H5_DIRECT: '0' };

if (!existsSync(join(dir, 'h5', 'eeg_gzip4.h5'))) {
  console.error('generating the H5 files with h5py (gen_h5_files.py)');
  execFileSync(python, [join(peers, 'gen_h5_files.py'), join(dir, 'h5')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
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
const ours = (file, op, batch, env = {}) =>
  runJson(process.execPath, ['--expose-gc', join(here, 'h5-read.mjs'), file, 'features', op, String(reps), batch === undefined ? '' : String(batch)], env);
const peer = (file, op, batch) => runJson(python, [join(here, 'h5_peer_cpu.py'), file, 'features', op, String(reps)], batch === undefined ? {} : { BATCH: String(batch) });

const loads = [];
const rows = [];
const checks = [];
let h5pyVersion;
for (const name of names) {
  const file = join(dir, 'h5', `${name}.h5`);
  const probe = ours(file, 'batches');
  const batch = Math.ceil(probe.shape[0] / probe.batches);
  const reference = probe.sha256;
  // h5py's bytes (shared/bench/h5_peer.py hashes what ds[()] returns): ours must read the same.
  const h5pyHash = runJson(python, [join(peers, 'h5_peer.py'), file, 'features', 'whole', '1']).sha256;
  if (h5pyHash !== reference) throw new Error(`${name}: ours read different bytes than h5py`);
  const cases = [
    ['whole: h5py ds[()]', 'peerWhole', () => peer(file, 'whole')],
    ['whole: ours readRows(0, N)', 'whole', () => ours(file, 'whole')],
    ['whole: ours, through HDF5 (before)', 'whole', () => ours(file, 'whole', undefined, HDF5)],
    ['whole: ours, huge pages (GLIBC_TUNABLES)', 'whole', () => ours(file, 'whole', undefined, HUGETLB)],
    [`batches of ${batch} rows: h5py`, 'peerBatches', () => peer(file, 'batches', batch)],
    ['batches: ours iterBatches() (fresh arrays)', 'batches', () => ours(file, 'batches')],
    ['batches: ours iterBatches({ reuse: true })', 'batches', () => ours(file, 'batches_reuse')],
    ['batches: ours, through HDF5 (before)', 'batches', () => ours(file, 'batches', undefined, HDF5)],
    ['batches: ours, huge pages (GLIBC_TUNABLES)', 'batches', () => ours(file, 'batches', undefined, HUGETLB)],
    ['500-row batches: h5py', 'peer500', () => peer(file, 'batches', 500)],
    ['500-row batches: ours iterBatches({ batchRows: 500 })', '500', () => ours(file, 'batches', 500)],
    ['500-row batches: ours, reuse: true', '500', () => ours(file, 'batches_reuse', 500)],
  ];
  const samples = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    loads.push(+loadavg()[0].toFixed(2));
    console.error(`[h5-direct ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(1)}] ${name} round ${r + 1}/${rounds}`);
    cases.forEach(([, , run], k) => {
      const result = run();
      if (result.sha256 !== undefined && result.sha256 !== reference) throw new Error(`${name}: ${cases[k][0]} read different bytes`);
      if (result.sha256 !== undefined) checks.push(name);
      samples[k].push(result);
    });
  }
  h5pyVersion = samples[0][0].h5py;
  const peerOf = { whole: 0, batches: 4, 500: 9, peerWhole: 0, peerBatches: 4, peer500: 9 };
  cases.forEach(([what, group], k) => {
    const list = samples[k];
    const peerList = samples[peerOf[group]];
    rows.push({
      file: name,
      what,
      wall_ms: +median(list.map((x) => x.median_ms)).toFixed(1),
      wall_ratio: +median(list.map((x, i) => x.median_ms / peerList[i].median_ms)).toFixed(2),
      cpu_ms: +median(list.map((x) => x.cpu_ms)).toFixed(1),
      first_ms: +median(list.map((x) => x.first_ms)).toFixed(1),
      first_ratio: +median(list.map((x, i) => x.first_ms / peerList[i].first_ms)).toFixed(2),
      cpu_ratio: +median(list.map((x, i) => x.cpu_ms / peerList[i].cpu_ms)).toFixed(2),
      peak_rss_mb: +median(list.map((x) => x.maxrss_mb)).toFixed(0),
    });
  });
}
const git = (...a) => spawnSync('git', a, { cwd: repo, encoding: 'utf8' }).stdout.trim();
const commit = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'packages/ingest/src') === '' ? '' : ' + uncommitted changes'}`;
const summary = { date: new Date().toISOString(), commit, node: process.version, python, h5py: h5pyVersion, rounds, reps, loads, rows };
writeFileSync(join(repo, 'bench/results/ingest-h5.json'), `${JSON.stringify(summary, null, 2)}\n`);
const cols = ['file', 'what', 'wall_ms', 'wall_ratio', 'cpu_ms', 'cpu_ratio', 'first_ms', 'first_ratio', 'peak_rss_mb'];
const md = join(repo, 'bench/results/ingest-h5.md');
const title = '# HDF5 reads vs h5py (issue 20, target 5)\n';
const earlier = existsSync(md) ? readFileSync(md, 'utf8').replace(title, '').trim() : '';
const sitting = `## Sitting ${summary.date}: direct reads, h5py ${h5pyVersion}

Code: commit ${commit}. Node ${process.version}, 2 shared cores; 1-min load average (\`uptime\`) per round: ${loads.join(', ')}.
Command: \`node packages/ingest/bench/h5-direct.mjs --rounds ${rounds} --reps ${reps} --python ${python}\` (20000 × 1261 float32 from
gen_h5_files.py: contiguous, chunked 1000 rows, chunked 1000 rows + gzip 4). Each cell: median over rounds of one process's
median over ${reps} repetitions, each after dropping (and collecting) the previous result as h5py's
\`del out\` does; first_ms = the process's first read (fresh memory for both tools); ratios are ours / h5py per round, then the median (ratio rows against the h5py row above them).
CPU = user + system of the process (h5py: \`time.process_time()\`). Peak RSS = the process's maxRSS (ours: Node + h5wasm ≈ 80 MB
before any read). Every run of ours read bytes whose sha256 equals h5py's (${checks.length} checks).

${[`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => r[c]).join(' | ')} |`)].join('\n')}
`;
writeFileSync(md, `${title}\n${sitting}${earlier === '' ? '' : `\n${earlier}\n`}`);
console.error('wrote bench/results/ingest-h5.{md,json}');
