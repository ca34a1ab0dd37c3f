#!/usr/bin/env node
// pnpm --filter @pipeline/ingest bench:csv   (after `pnpm build`)
//
// readCsv on 1 and 2 threads against pyarrow.csv.read_csv on 1 thread (use_threads=False) and 2
// threads (use_threads=True, set_cpu_count(2)) and pandas read_csv (C engine), in one sitting: the
// tools alternate run by run, each run is its own process with REPS reads; the first read of a
// process is reported apart ("first": it starts our worker pool, pyarrow's thread pool), the
// others give the process's median. Figures: median over rounds of those medians, wall seconds and
// CPU seconds (user + system of every thread of the process). The load average is logged per round.
// File: 100000 × 122 numeric CSV (../shared/bench/gen_csv_file.py). Values: our float64 read
// (2 threads) is compared with pandas float_precision='round_trip' (all 12.2 M values), and every
// float32 read's sha256 must be the same at 1 and 2 threads.
// Appends a sitting to bench/results/ingest-csv.{md,json} at the repository root (earlier sittings kept).
//
// Options: --file PATH (default $INGEST_BENCH_DIR or /tmp/ingest-bench, csv100k.csv; generated if
// missing), --rounds N (default 3), --reps N (default 5), --python PATH (default python3: pyarrow 25,
// pandas 3), --hugetlb (also ours at 2 threads with GLIBC_TUNABLES=glibc.malloc.hugetlb=1), --baseline
// PATH (another build's dist/index.js, e.g. main's: its 1-thread float32 and 2-thread float32/float64
// reads join the rotation, for a before/after in the same sitting; its float32 bytes must equal ours).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const peers =
  process.env.PEERS_DIR ?? [resolve(repo, '../shared/bench'), resolve(repo, '../../shared/bench')].find((dir) => existsSync(dir)) ?? resolve(repo, '../shared/bench');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : fallback;
};
const dir = process.env.INGEST_BENCH_DIR ?? '/tmp/ingest-bench';
const file = value('--file', join(dir, 'csv100k.csv'));
const rounds = Number(value('--rounds', '3'));
const reps = Number(value('--reps', '5'));
const python = value('--python', 'python3');
if (!existsSync(join(here, '../dist/index.js'))) {
  console.error('bench needs the build: run `pnpm build` first');
  process.exit(1);
}
if (!existsSync(file)) {
  mkdirSync(dirname(file), { recursive: true });
  execFileSync(python, [join(peers, 'gen_csv_file.py'), file], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const log = (...parts) => console.error(`[csv bench ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(1)}]`, ...parts);
function runJson(command, commandArgs, env = {}) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed:\n${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ours = (threads, dtype, env = {}) => runJson(process.execPath, ['--expose-gc', join(here, 'csv-threads-read.mjs'), file, String(threads), dtype, String(reps)], env);
const peer = (variant) => runJson(python, [join(here, 'csv_threads_peer.py'), file, variant, String(reps)]);
const HUGETLB = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' };

const tools = [
  { key: 'pyarrow1', label: 'pyarrow.csv.read_csv, use_threads=False', threads: 1, run: () => peer('pyarrow1') },
  { key: 'ours1', label: 'readCsv threads: 1 (float32)', threads: 1, run: () => ours(1, 'float32') },
  { key: 'pyarrow2', label: 'pyarrow.csv.read_csv, use_threads=True, set_cpu_count(2)', threads: 2, run: () => peer('pyarrow2') },
  { key: 'ours2', label: 'readCsv threads: 2 (float32)', threads: 2, run: () => ours(2, 'float32') },
  { key: 'pandas', label: 'pandas read_csv (C engine)', threads: 1, run: () => peer('pandas') },
  { key: 'ours2_f64', label: 'readCsv threads: 2 (float64)', threads: 2, run: () => ours(2, 'float64') },
];
const baseline = value('--baseline', undefined);
if (baseline !== undefined) {
  const base = (threads, dtype) => () => ours(threads, dtype, { CSV_READ_MODULE: resolve(baseline) });
  tools.push(
    { key: 'base1', label: `baseline ${baseline}: threads 1 (float32)`, threads: 1, run: base(1, 'float32') },
    { key: 'base2', label: `baseline: threads 2 (float32)`, threads: 2, run: base(2, 'float32') },
    { key: 'base2_f64', label: `baseline: threads 2 (float64)`, threads: 2, run: base(2, 'float64') },
  );
}
if (flag('--hugetlb')) tools.push({ key: 'ours2_huge', label: 'readCsv threads: 2 (float32), GLIBC_TUNABLES=glibc.malloc.hugetlb=1', threads: 2, run: () => ours(2, 'float32', HUGETLB) });

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
const sitting = { date: new Date().toISOString(), commit, node: process.version, file, rounds, reps, loadavg: [], uptime: [], tools: {} };
// Values: all 12.2 M float64 values against pandas round_trip.
const dump = join(dirname(file), 'csv100k-ours.f64');
log('verify: ours float64 (2 threads) vs pandas round_trip');
runJson(process.execPath, [join(here, 'csv-threads-read.mjs'), file, '2', 'float64-noid', '1', dump]);
sitting.verify = runJson(python, [join(here, 'csv_threads_peer.py'), 'verify', file, dump]);
const samples = Object.fromEntries(tools.map((t) => [t.key, []]));
for (let r = 0; r < rounds; r++) {
  sitting.loadavg.push(+loadavg()[0].toFixed(2));
  sitting.uptime.push(execFileSync('uptime', { encoding: 'utf8' }).trim());
  log(`round ${r + 1}/${rounds}`);
  // Rotate the order each round so no tool always runs after the same neighbour.
  for (let k = 0; k < tools.length; k++) {
    const tool = tools[(k + r) % tools.length];
    samples[tool.key].push(tool.run());
  }
}
const float32Digests = new Set(['ours1', 'ours2', 'ours2_huge', 'base1', 'base2'].flatMap((key) => (samples[key] ?? []).map((s) => s.sha256)));
if (float32Digests.size !== 1) throw new Error(`readCsv float32 results differ across thread counts: ${[...float32Digests].join(', ')}`);
for (const tool of tools) {
  const runs = samples[tool.key];
  const warm = (key) => median(runs.map((s) => median(s[key].slice(1))));
  sitting.tools[tool.key] = {
    label: tool.label,
    threads: tool.threads,
    wall_s: +warm('s').toFixed(3),
    cpu_s: +warm('cpu_s').toFixed(3),
    wall_min_s: +Math.min(...runs.flatMap((s) => s.s.slice(1))).toFixed(3),
    first_wall_s: +median(runs.map((s) => s.s[0])).toFixed(3),
    maxrss_mb: Math.max(...runs.map((s) => s.maxrss_mb)),
    ...(runs[0].versions ? { versions: runs[0].versions } : {}),
    per_process: runs.map((s) => ({ s: s.s, cpu_s: s.cpu_s })),
  };
}
const t = sitting.tools;
sitting.ratios = {
  ours1_vs_pyarrow1: +(t.ours1.wall_s / t.pyarrow1.wall_s).toFixed(2),
  ours2_vs_pyarrow2: +(t.ours2.wall_s / t.pyarrow2.wall_s).toFixed(2),
  ours2_f64_vs_pyarrow2: +(t.ours2_f64.wall_s / t.pyarrow2.wall_s).toFixed(2),
  ours2_vs_pandas: +(t.ours2.wall_s / t.pandas.wall_s).toFixed(2),
  ours2_vs_ours1: +(t.ours2.wall_s / t.ours1.wall_s).toFixed(2),
  ...(t.base1
    ? {
        base1_vs_pyarrow1: +(t.base1.wall_s / t.pyarrow1.wall_s).toFixed(2),
        base2_vs_pyarrow2: +(t.base2.wall_s / t.pyarrow2.wall_s).toFixed(2),
        base2_f64_vs_pyarrow2: +(t.base2_f64.wall_s / t.pyarrow2.wall_s).toFixed(2),
      }
    : {}),
};
log(JSON.stringify(sitting.ratios));

const out = join(repo, 'bench', 'results');
mkdirSync(out, { recursive: true });
const jsonPath = join(out, 'ingest-csv.json');
const history = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : [];
history.push(sitting);
writeFileSync(jsonPath, `${JSON.stringify(history, null, 2)}\n`);
const mdPath = join(out, 'ingest-csv.md');
const head = '# @pipeline/ingest CSV reading: readCsv on 1 and 2 threads vs pyarrow and pandas\n\nEach sitting is appended (`pnpm --filter @pipeline/ingest bench:csv`, script `packages/ingest/bench/csv-threads.mjs`). 2 shared cores; tools alternate run by run; wall and CPU seconds are medians over rounds of each process\'s median over its reads after the first; "first" is the first read of a process (our worker pool, pyarrow\'s thread pool start). CPU = user + system of every thread of the process.\n';
const previous = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : head;
const pyVersions = t.pyarrow1.versions;
const md = [
  `\n## Sitting ${sitting.date}`,
  '',
  `Build of commit ${commit}. Node ${sitting.node}, pyarrow ${pyVersions.pyarrow}, pandas ${pyVersions.pandas} (Python ${pyVersions.python}); ${rounds} rounds × ${reps} reads per process; file ${file} (100000 × 122).`,
  `Load average (1 min) at each round: ${sitting.loadavg.join(', ')}. \`uptime\` at the first round: \`${sitting.uptime[0]}\`.`,
  `Values: ${sitting.verify.values} float64 values of readCsv (2 threads) vs pandas float_precision='round_trip': ${sitting.verify.float64_mismatches_vs_roundtrip} mismatches; float32 sha256 equal at 1 and 2 threads.`,
  '',
  '| tool | threads | wall s | CPU s | min wall s | first read wall s | peak RSS MB |',
  '|---|---|---|---|---|---|---|',
  ...tools.map((tool) => {
    const x = t[tool.key];
    return `| ${x.label} | ${x.threads} | ${x.wall_s} | ${x.cpu_s} | ${x.wall_min_s} | ${x.first_wall_s} | ${x.maxrss_mb} |`;
  }),
  '',
  `Ratios (wall, ours / peer; < 1: ours faster): 1 thread vs pyarrow 1 thread ${sitting.ratios.ours1_vs_pyarrow1}; 2 threads vs pyarrow 2 threads ${sitting.ratios.ours2_vs_pyarrow2} (float64 output: ${sitting.ratios.ours2_f64_vs_pyarrow2}); 2 threads vs pandas ${sitting.ratios.ours2_vs_pandas}; ours 2 threads / 1 thread ${sitting.ratios.ours2_vs_ours1}.`,
  ...(t.base1
    ? [
        '',
        `Baseline build in the same sitting (\`--baseline\`), wall / pyarrow at the same thread count: 1 thread ${sitting.ratios.base1_vs_pyarrow1}, 2 threads ${sitting.ratios.base2_vs_pyarrow2} (float64 output: ${sitting.ratios.base2_f64_vs_pyarrow2}).`,
      ]
    : []),
  '',
];
writeFileSync(mdPath, previous.trimEnd() + '\n' + md.join('\n'));
log(`wrote ${mdPath}`);
