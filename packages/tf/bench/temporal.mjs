// pnpm bench (in packages/tf): training and inference samples/s of the seed's CNN1D (input 1250×1,
// batch 64) and LSTM (input 250×1, batch 32) on the wasm backend with @pipeline/tf, against PyTorch
// CPU (pip's torch 2.13 on `python3`, 1 thread, bench/torch_peers.py) run alternately in the same sitting.
// Writes bench/results/tf.json and tf.md at the repository root. Build first (pnpm build).
//   node bench/temporal.mjs [--repeats 3] [--cnn-n 512] [--lstm-n 1024]
// The new sitting goes on top of bench/results/tf.md; earlier sittings are kept below it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { execSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const peer = join(here, 'torch_peers.py');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const repeats = option('repeats', 3);
const plan = [
  { model: 'cnn1d', n: option('cnn-n', 512), epochs: 2 },
  { model: 'lstm', n: option('lstm-n', 1024), epochs: 1 },
];

const result = (stdout) => JSON.parse(stdout.split('\n').find((line) => line.startsWith('RESULT ')).slice(7));
const runOurs = (p) => result(execFileSync(process.execPath, [join(here, 'measure.mjs'), p.model, String(p.n), String(p.epochs)], { encoding: 'utf8' }));
const runTorch = (p) =>
  result(
    execFileSync('python3', [peer, p.model, String(p.n), String(p.epochs), '1'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    }),
  );
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (v, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

const uptimeBefore = execSync('uptime', { encoding: 'utf8' }).trim();
const rows = [];
for (const p of plan) {
  const ours = [];
  const torch = [];
  const load = [];
  for (let r = 0; r < repeats; r++) {
    load.push(loadavg()[0]);
    torch.push(runTorch(p));
    ours.push(runOurs(p));
    process.stderr.write(`${p.model} run ${r + 1}/${repeats}: torch train ${torch.at(-1).trainSps} ours ${ours.at(-1).trainSps} samples/s\n`);
  }
  const metric = (list, key) => median(list.map((x) => x[key]));
  const row = { model: p.model, batch: ours[0].batch, nTrain: p.n, timedEpochs: p.epochs, repeats, loadavg1: round(median(load)) };
  for (const key of ['trainSps', 'trainSpsPerCpuS', 'predictSps', 'predictSpsPerCpuS', 'peakRssMB']) {
    row[`ours_${key}`] = metric(ours, key);
    row[`torch_${key}`] = metric(torch, key);
  }
  row.ratioTrainWall = round(row.ours_trainSps / row.torch_trainSps);
  row.ratioTrainCpu = round(row.ours_trainSpsPerCpuS / row.torch_trainSpsPerCpuS);
  row.ratioPredictWall = round(row.ours_predictSps / row.torch_predictSps);
  row.ratioPredictCpu = round(row.ours_predictSpsPerCpuS / row.torch_predictSpsPerCpuS);
  row.runs = { ours, torch };
  rows.push(row);
}

const out = join(root, 'bench/results');
mkdirSync(out, { recursive: true });
const report = { date: new Date().toISOString(), node: process.version, torch: rows[0]?.runs.torch[0]?.torch, rows };
writeFileSync(join(out, 'tf.json'), `${JSON.stringify(report, null, 2)}\n`);
const uptimeAfter = execSync('uptime', { encoding: 'utf8' }).trim();
const previous = existsSync(join(out, 'tf.md')) ? readFileSync(join(out, 'tf.md'), 'utf8') : '';
const earlier = previous.replace(/^# @pipeline\/tf: temporal models on wasm vs PyTorch CPU \(1 thread\)\n+/, '').replace(/^# Earlier sittings\n+/gm, '');
const md = [
  '# @pipeline/tf: temporal models on wasm vs PyTorch CPU (1 thread)',
  '',
  `## Sitting of ${report.date}`,
  '',
  `Node ${report.node}, torch ${report.torch} (\`python3\`, \`set_num_threads(1)\`); medians of ${repeats} alternating runs (torch, then ours).`,
  'samples/s = wall clock; per CPU-s = samples per second of process CPU time (robust when the machine is shared).',
  `\`uptime\` before: ${uptimeBefore}; after: ${uptimeAfter}.`,
  '',
  '| model (batch) | load avg | ours train samples/s (per CPU-s) | torch train | ratio wall / CPU | ours predict samples/s (per CPU-s) | torch predict | ratio wall / CPU | peak RSS ours / torch MB |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.model} (${r.batch}) | ${r.loadavg1} | ${r.ours_trainSps} (${r.ours_trainSpsPerCpuS}) | ${r.torch_trainSps} (${r.torch_trainSpsPerCpuS}) | ${r.ratioTrainWall} / ${r.ratioTrainCpu} | ${r.ours_predictSps} (${r.ours_predictSpsPerCpuS}) | ${r.torch_predictSps} (${r.torch_predictSpsPerCpuS}) | ${r.ratioPredictWall} / ${r.ratioPredictCpu} | ${r.ours_peakRssMB} / ${r.torch_peakRssMB} |`,
  ),
  '',
  'Targets (issue 20, target 4): training ≥ 0.5× torch 2.13 (1 thread) for the CNN1D, ≥ 0.8× for the LSTM; inference ≥ 0.6× for both.',
  '',
  `Command: \`cd packages/tf && node bench/temporal.mjs --repeats ${repeats}\` (after \`pnpm build\`).`,
  '',
  ...(earlier.trim() === '' ? [] : ['# Earlier sittings', '', earlier.trim(), '']),
];
writeFileSync(join(out, 'tf.md'), md.join('\n'));
process.stdout.write(md.slice(0, 14 + rows.length).join('\n'));
