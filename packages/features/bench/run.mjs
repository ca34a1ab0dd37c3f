#!/usr/bin/env node
// Benchmarks of @pipeline/features, side by side with the Python peers in the same sitting:
//   1. wavedec(db4, level=5) over 20000 × 1250 float32: ours (1 thread, 2 workers) vs
//      shared/bench/dwt_peer.py (pywt.wavedec(X, 'db4', level=5, axis=-1)), alternating per round;
//   2. full dwt-combo featurization of a 20000-row HDF5 file (1 thread, 1 and 2 workers, worker- vs
//      main-thread reads) vs pipeline_reference.py's featurize(), with peak RSS, and RSS for
//      5000/10000/20000 rows (it must not grow beyond the feature matrix).
// Every measurement runs in its own process. Writes bench/results/features.{md,json} at the repo root.
// Usage: node bench/run.mjs [--rounds 3] [--no-build]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, runJson } from '../../../scripts/lib/bench-stats.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 3) || 3;
const python = '/usr/bin/python3';

if (!process.argv.includes('--no-build')) {
  for (const name of ['core', 'ingest', 'features']) {
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: join(root, 'packages', name), stdio: 'inherit' });
  }
}
const { createRng, matrix } = await import('@pipeline/core');
const { writeH5 } = await import('@pipeline/ingest');

const load = () => loadavg().map((v) => +v.toFixed(2));

// The HDF5 input: 20000 rows × (11 meta + 1250 samples), EEG-like (three sines + noise), chunks of 1000 rows.
const dir = mkdtempSync(join(tmpdir(), 'features-bench-'));
const ROWS = 20000;
const COLS = 1261;
const h5Chunked = join(dir, 'eeg_chunked.h5');
const h5Gzip = join(dir, 'eeg_gzip4.h5');
{
  const rng = createRng(12345);
  const x = matrix(ROWS, COLS);
  for (let r = 0; r < ROWS; r++) {
    const row = x.data.subarray(r * COLS, (r + 1) * COLS);
    for (let j = 0; j < 11; j++) row[j] = j === 0 ? r : rng.normal();
    const f = [1 + 39 * rng.uniform(), 1 + 39 * rng.uniform(), 1 + 39 * rng.uniform()];
    for (let t = 0; t < 1250; t++) {
      let v = 2 * rng.normal();
      for (let k = 0; k < 3; k++) v += (10 / (k + 1)) * Math.sin((2 * Math.PI * f[k] * t) / 250);
      row[11 + t] = v;
    }
  }
  await writeH5(h5Chunked, [{ key: 'features', value: x, chunks: [1000, COLS] }]);
  await writeH5(h5Gzip, [{ key: 'features', value: x, chunks: [1000, COLS], compression: 4 }]);
}

const featurize = (file, args) => runJson(process.execPath, [join(here, 'featurize.mjs'), file, ...args]);
const configs = [
  { name: '1 thread (in-process)', args: ['--workers', '0'] },
  { name: '1 worker, main thread reads', args: ['--workers', '1', '--read-in', 'main'] },
  { name: '2 workers, main thread reads', args: ['--workers', '2', '--read-in', 'main'] },
  { name: '2 workers, workers read', args: ['--workers', '2', '--read-in', 'worker'] },
];

const raw = { rounds: [], machine: { cpus: (await import('node:os')).availableParallelism(), node: process.version } };
try {
  for (let round = 0; round < rounds; round++) {
    const entry = { load_before: load() };
    entry.pywt = runJson(python, ['/work/shared/bench/dwt_peer.py', '3']);
    entry.ours = runJson(process.execPath, [join(here, 'wavedec.mjs'), '--reps', '3']);
    entry.pywt_cpu = runJson(python, [join(here, 'dwt_peer_cpu.py'), '3']);
    entry.featurize = configs.map((c) => ({ name: c.name, ...featurize(h5Chunked, c.args) }));
    entry.featurize_gzip = [
      { name: '2 workers, main thread reads, gzip-4 file', ...featurize(h5Gzip, ['--workers', '2', '--read-in', 'main']) },
      { name: '2 workers, workers read, gzip-4 file', ...featurize(h5Gzip, ['--workers', '2', '--read-in', 'worker']) },
    ];
    entry.featurize_peer = runJson(python, [join(here, 'featurize_peer.py'), h5Chunked]);
    entry.load_after = load();
    raw.rounds.push(entry);
    process.stderr.write(`round ${round + 1}/${rounds} done, load ${entry.load_after.join(' ')}\n`);
  }
  raw.rss_growth = [5000, 10000, 20000].map((rows) => featurize(h5Chunked, ['--workers', '2', '--rows', String(rows)]));
  raw.rss_growth_in_process = [5000, 10000, 20000].map((rows) => featurize(h5Chunked, ['--workers', '0', '--rows', String(rows)]));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Summaries: medians over rounds of per-round figures and per-round ratios (ours / peer, same round).
const med = (f) => median(raw.rounds.map(f));
/** One row of the wavedec table from per-round accessors of ours and pywt (wall and CPU). */
const wavedecRow = (what, ours, peer, perCpu, peerCpu) => ({
  what,
  ours: med(ours),
  pywt: med(peer),
  ratio: +med((r) => ours(r) / peer(r)).toFixed(2),
  ours_rows_per_cpu_s: med(perCpu),
  pywt_rows_per_cpu_s: med(peerCpu),
  cpu_ratio: +med((r) => perCpu(r) / peerCpu(r)).toFixed(2),
});
const wavedecRows = [];
for (const mode of ['symmetric', 'periodization', 'zero']) {
  for (const dtype of ['float64', 'float32']) {
    const ours = (r) => r.ours[`single_${mode}_${dtype}`];
    wavedecRows.push(
      wavedecRow(
        `1 thread, ${mode}, ${dtype} bands`,
        (r) => ours(r).rows_per_s,
        (r) => r.pywt[`batched_axis-1_${mode}`].rows_per_s,
        (r) => ours(r).rows_per_cpu_s,
        (r) => r.pywt_cpu[mode].rows_per_cpu_s,
      ),
    );
  }
}
wavedecRows.push(
  wavedecRow(
    '2 workers, symmetric, float32 bands',
    (r) => r.ours.workers2_symmetric_float32.rows_per_s,
    (r) => r.pywt['batched_axis-1_symmetric'].rows_per_s,
    (r) => r.ours.workers2_symmetric_float32.rows_per_cpu_s,
    (r) => r.pywt_cpu.symmetric.rows_per_cpu_s,
  ),
);
const featurizeRows = [...configs.map((c) => c.name), ...raw.rounds[0].featurize_gzip.map((f) => f.name)].map((name) => {
  const pick = (r) => [...r.featurize, ...r.featurize_gzip].find((f) => f.name === name);
  return {
    what: name,
    rows_per_s: med((r) => pick(r).rows_per_s),
    seconds: med((r) => pick(r).seconds),
    rows_per_cpu_s: med((r) => pick(r).rows_per_cpu_s),
    maxrss_mb: med((r) => pick(r).maxrss_mb),
    vs_python: +med((r) => pick(r).rows_per_s / r.featurize_peer.rows_per_s_read_and_featurize).toFixed(2),
    sha256: [...new Set(raw.rounds.map((r) => pick(r).sha256))].join(','),
  };
});
const peerFeaturize = {
  rows_per_s_featurize: med((r) => r.featurize_peer.rows_per_s_featurize),
  rows_per_s_read_and_featurize: med((r) => r.featurize_peer.rows_per_s_read_and_featurize),
  maxrss_mb: med((r) => r.featurize_peer.maxrss_mb),
  features: raw.rounds[0].featurize_peer.features,
};
const summary = { date: new Date().toISOString(), rounds, machine: raw.machine, wavedec: wavedecRows, featurize: featurizeRows, peer_featurize: peerFeaturize, rss_growth: raw.rss_growth, raw };

const table = (rows, columns) =>
  [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${columns.map((c) => r[c]).join(' | ')} |`)].join('\n');
const loads = raw.rounds.flatMap((r) => [r.load_before[0], r.load_after[0]]);
const md = `# @pipeline/features benchmarks

${summary.date}, ${raw.machine.cpus} cores (shared with other work: 1-min load average ${Math.min(...loads)}–${Math.max(...loads)} during the run), Node ${raw.machine.node}, ${python} with pywt ${raw.rounds[0].pywt.pywt} / numpy ${raw.rounds[0].pywt.numpy}.
Medians over ${rounds} rounds; in each round the Python peer and ours ran back to back, each in its own process; ratios are per round (ours / peer), then the median.
Command: \`pnpm --filter @pipeline/features bench\` (\`node bench/run.mjs --rounds ${rounds}\`).

## wavedec(db4, level=5), 20000 × 1250 float32 (rows/s, best of 3 per round)

Peer: \`pywt.wavedec(X, 'db4', mode, level=5, axis=-1)\` (shared/bench/dwt_peer.py; float32 in, float32 out). Ours: \`wavedecRows\`, float64 arithmetic.

${table(wavedecRows, ['what', 'ours', 'pywt', 'ratio', 'ours_rows_per_cpu_s', 'pywt_rows_per_cpu_s', 'cpu_ratio'])}

\`ours\`/\`pywt\`: wall-clock rows/s (pywt from shared/bench/dwt_peer.py). \`*_rows_per_cpu_s\`: rows per CPU-second
(pywt from bench/dwt_peer_cpu.py, the same calls timed with \`time.process_time()\`), which does not depend
on how much of the shared machine each process got. For 2 workers, CPU time is summed over both threads.

## dwt-combo featurization of a 20000-row HDF5 file (chunks of 1000 rows)

118 columns (11 meta + 107 DWT features). Wall time includes opening the file and starting the workers.
Peer: pipeline_reference.py's \`featurize()\` (pywt + numpy, ${peerFeaturize.features} columns: no entropy/relative energy), read with h5py: ${peerFeaturize.rows_per_s_read_and_featurize} rows/s read + featurize (${peerFeaturize.rows_per_s_featurize} rows/s featurize only), peak RSS ${peerFeaturize.maxrss_mb} MB.

${table(featurizeRows, ['what', 'rows_per_s', 'seconds', 'rows_per_cpu_s', 'maxrss_mb', 'vs_python', 'sha256'])}

Identical sha256 = identical feature bytes in every configuration. \`rows_per_cpu_s\` counts the CPU time of
every thread of the process: on this shared machine (autogroup scheduling gives each session a fair
share, so extra threads need not add wall-clock speed), it shows what the parallel version costs
over the single thread.

### Peak RSS vs rows (one run each, first rows of the same file)

${table(
  [...raw.rss_growth_in_process, ...raw.rss_growth].map((r) => ({ config: r.workers === 0 ? '1 thread' : `${r.workers} workers, ${r.readIn} reads`, rows: r.rows, feature_matrix_mb: r.feature_matrix_mb, maxrss_mb: r.maxrss_mb, rows_per_s: r.rows_per_s })),
  ['config', 'rows', 'feature_matrix_mb', 'maxrss_mb', 'rows_per_s'],
)}
`;
const out = join(root, 'bench/results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'features.json'), `${JSON.stringify(summary, null, 2)}\n`);
writeFileSync(join(out, 'features.md'), md);
process.stdout.write(md);
