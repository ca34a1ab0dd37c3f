#!/usr/bin/env node
// Issue 20, target 7: wavedecRows at 2,000 and 20,000 rows against pywt, in one sitting.
// For each round and row count, pywt (bench/wavedec_peer.py) and each variant of ours
// (bench/wavedec.mjs --only VARIANT) run alternately, each in its own process (so its peak RSS is
// its own). Figures: median over rounds of each process's median rows/s; ratios are per round
// (ours / pywt of the same round), then the median. The 1-min load average is recorded per round.
// Writes bench/results/wavedec.{md,json} at the repository root.
// A variant name ending in @hugetlb runs with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (malloc asks for
// transparent huge pages, as numpy does for its arrays). The shared peers (shared/bench/dwt_peer.py
// and bench/dwt_peer_cpu.py, 20,000 rows) run once before the rounds and once after. The results of
// earlier sittings are kept below the new one in the .md (and under `earlier` in the .json).
// Usage: node bench/wavedec-compare.mjs [--rounds 3] [--python python3] [--variants a,b,…] [--out wavedec]
// (needs the build: pnpm --filter @pipeline/features build)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, runJson } from '../../../scripts/lib/bench-stats.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
};
const rounds = Number(arg('--rounds', 3));
const python = arg('--python', 'python3');
const variants = arg('--variants', 'fresh-f32,fresh-f32@hugetlb,transformer-f32,transformer-f64,out-f32,tblocks-f64,blocks-f64,workers-f32').split(',');
const name = arg('--out', 'wavedec');
const sizes = [
  { rows: 2000, reps: 15 },
  { rows: 20000, reps: 5 },
];

const log = (...parts) => console.error(`[wavedec ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(1)}]`, ...parts);

const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const sharedPeer = join(root, '..', '..', 'shared', 'bench', 'dwt_peer.py');
const peers = [];
function runPeers(when) {
  const entry = { when, uptime: uptime() };
  if (existsSync(sharedPeer)) entry.dwt_peer = runJson(python, [sharedPeer, '3']);
  entry.dwt_peer_cpu = runJson(python, [join(here, 'dwt_peer_cpu.py'), '3']);
  peers.push(entry);
  log(`peers ${when}: ${JSON.stringify(entry)}`);
}
const uptimeStart = uptime();
runPeers('before');
const raw = [];
for (let round = 0; round < rounds; round++) {
  for (const { rows, reps } of sizes) {
    const entry = { round, rows, load: loadavg().map((v) => +v.toFixed(2)), ours: {} };
    log(`round ${round + 1}/${rounds}, ${rows} rows`);
    entry.pywt = runJson(python, [join(here, 'wavedec_peer.py'), '--rows', String(rows), '--reps', String(reps)]);
    for (const variant of variants) {
      const [only, flag] = variant.split('@');
      const env = flag === 'hugetlb' ? { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' } : {};
      entry.ours[variant] = runJson(process.execPath, [join(here, 'wavedec.mjs'), '--only', only, '--rows', String(rows), '--reps', String(reps)], env);
      if (entry.ours[variant].identical_to_single_thread === false) throw new Error(`${variant}: bands differ from wavedecRows`);
    }
    raw.push(entry);
  }
}

const table = [];
for (const { rows } of sizes) {
  const entries = raw.filter((e) => e.rows === rows);
  const row = (what, get, peer = (e) => e.pywt) => ({
    rows,
    what,
    rows_per_s: Math.round(median(entries.map((e) => get(e).rows_per_s))),
    rows_per_cpu_s: Math.round(median(entries.map((e) => get(e).rows_per_cpu_s))),
    ratio: +median(entries.map((e) => get(e).rows_per_s / peer(e).rows_per_s)).toFixed(2),
    cpu_ratio: +median(entries.map((e) => get(e).rows_per_cpu_s / peer(e).rows_per_cpu_s)).toFixed(2),
    maxrss_mb: Math.max(...entries.map((e) => get(e).maxrss_mb)),
    faults_per_call: get(entries[0]).faults_per_call === undefined ? '–' : Math.round(median(entries.map((e) => get(e).faults_per_call))),
    first_call_s: get(entries[0]).warmup_s === undefined ? '–' : +median(entries.map((e) => get(e).warmup_s[0])).toFixed(3),
  });
  table.push(row(`pywt ${entries[0].pywt.pywt} (numpy ${entries[0].pywt.numpy}), float32 out`, (e) => e.pywt));
  for (const variant of variants) table.push(row(variant, (e) => e.ours[variant]));
}
runPeers('after');
const uptimeEnd = uptime();
const loads = raw.map((e) => e.load[0]);
const summary = { date: new Date().toISOString(), node: process.version, rounds, python, uptime: [uptimeStart, uptimeEnd], loads, table, peers, raw };
const out = join(root, 'bench', 'results');
mkdirSync(out, { recursive: true });
const jsonPath = join(out, `${name}.json`);
const mdPath = join(out, `${name}.md`);
const title = '# wavedecRows(db4, level 5) over N × 1250 float32 vs pywt (issue 20, target 7)';
// Earlier sittings: kept under the new one.
let earlierJson = [];
let earlierMd = '';
if (existsSync(jsonPath)) {
  const previous = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const { earlier = [], ...last } = previous;
  earlierJson = [last, ...earlier];
}
if (existsSync(mdPath)) {
  const previous = readFileSync(mdPath, 'utf8');
  earlierMd = previous.startsWith(title) ? previous.slice(title.length).trimStart() : previous;
  // A file from before sittings had headings: give its table one.
  if (!earlierMd.startsWith('## ')) earlierMd = `## Sitting of ${earlierJson[0]?.date ?? 'an earlier date'}\n\n${earlierMd}`;
}
writeFileSync(jsonPath, `${JSON.stringify({ ...summary, earlier: earlierJson }, null, 2)}\n`);
const columns = ['rows', 'what', 'rows_per_s', 'ratio', 'rows_per_cpu_s', 'cpu_ratio', 'maxrss_mb', 'faults_per_call', 'first_call_s'];
const peerRows = peers.map((p) => {
  const cells = ['symmetric', 'periodization', 'zero'].map((mode) => `${p.dwt_peer?.[`batched_axis-1_${mode}`]?.rows_per_s ?? '–'} / ${p.dwt_peer_cpu[mode].rows_per_s} (${p.dwt_peer_cpu[mode].rows_per_cpu_s} per CPU-s)`);
  return `| ${p.when} | ${p.dwt_peer_cpu.pywt} | ${cells.join(' | ')} | ${p.dwt_peer?.per_row_loop_symmetric?.rows_per_s ?? '–'} | ${p.dwt_peer?.maxrss_mb ?? '–'} | ${p.uptime.replace(/.*load average: /, '')} |`;
});
const md = `${title}

## Sitting of ${summary.date}

Node ${process.version}, 2 shared cores. \`uptime\` at the start: \`${uptimeStart}\`; at the end: \`${uptimeEnd}\`.
1-min load average per round and size: ${loads.join(', ')}.
Command: \`node packages/features/bench/wavedec-compare.mjs --rounds ${rounds} --python ${python}${process.argv.includes('--variants') ? ` --variants ${variants.join(',')}` : ''}${name === 'wavedec' ? '' : ` --out ${name}`}\` (after \`pnpm --filter @pipeline/features build\`).
Each cell: median over ${rounds} rounds of one process's median over its timed calls (15 at 2,000 rows, 5 at 20,000; one warm-up call
first). pywt and every variant of ours alternate, each in its own process; \`ratio\` / \`cpu_ratio\` are ours / pywt per round,
then the median. rows_per_cpu_s counts CPU time over all threads (pywt: \`time.process_time()\`), so it depends less on the
share of the busy machine a process got. \`maxrss_mb\`: the process's peak RSS, input matrix (10 / 100 MB) included
(ours: taken before the bit-for-bit check, which allocates a second set of bands). \`faults_per_call\`: minor page faults per
timed call (first touches of fresh memory). \`first_call_s\`: the untimed warm-up call (JIT, a transformer's first allocation).

Variants (\`bench/wavedec.mjs --only …\`), symmetric mode, float64 arithmetic:
- \`fresh-f32\`: \`wavedecRows(X, 'db4', { level: 5, dtype: 'float32' })\`, new bands every call, as pywt allocates its output.
  \`fresh-f32@hugetlb\`: the same process started with \`GLIBC_TUNABLES=glibc.malloc.hugetlb=1\` (not something the library can set).
- \`transformer-f32\` / \`transformer-f64\`: \`const dwt = createWaveletTransformer('db4', { level: 5, dtype })\` once, then
  \`dwt.wavedecRows(X)\` every call: bands lent from the transformer's reused buffer (the previous call's are detached).
- \`out-f32\` / \`out-f64\`: \`wavedecRows(X, 'db4', { …, out })\` into the bands of the previous call (caller-managed reuse).
- \`tblocks-f64\` / \`blocks-f64\`: \`dwt.wavedecRowBlocks(X)\` / \`wavedecRowBlocks(X, …)\` (256-row blocks), the energy of
  every band of every row computed from each block: what a feature consumer does; the bands are never materialised.
- \`workers-f32\`: 2 worker threads, each \`wavedecRows({ out })\` over half the rows into shared float32 bands allocated once.

Every variant's output was checked bit for bit against a fresh single-threaded \`wavedecRows\` call (blocks: the energies).

${[`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...table.map((r) => `| ${columns.map((c) => r[c]).join(' | ')} |`)].join('\n')}

Shared peers in the same sitting, 20,000 × 1250 float32, rows/s best of 3 (\`${python} shared/bench/dwt_peer.py 3\` /
\`${python} packages/features/bench/dwt_peer_cpu.py 3\`), before and after the rounds:

| when | pywt | symmetric | periodization | zero | per-row Python loop | dwt_peer maxrss MB | load (uptime) |
|---|---|---|---|---|---|---|---|
${peerRows.join('\n')}
${earlierMd === '' ? '' : `\n${earlierMd.trimEnd()}\n`}`;
writeFileSync(mdPath, md);
log(`wrote bench/results/${name}.{md,json}`);
console.log(JSON.stringify(table));
