#!/usr/bin/env node
// Benchmark of the hyper-parameter search, side by side with Optuna 5 in the same sitting:
//   1. quality: median (over 20 seeds) of the best value after 25, 50 and 100 trials on Branin,
//      Hartmann-6 and 10-D Rosenbrock — our TPE (defaults = Optuna's), our random and qmc samplers,
//      and Optuna's TPESampler (bench/search_peer.py);
//   2. overhead: the gap between consecutive objective calls (sampling + bookkeeping) around trials
//      10, 100 and 1,000 of a 10-D search with an instant objective, for runStudy and optuna.
// Writes bench/results/search.{md,json} at the repository root.
// Usage: node packages/model-selection/bench/search.mjs [--seeds 20] [--trials 100] [--overhead-trials 1000] [--no-build]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS } from './functions.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SEEDS = arg('--seeds', 20);
const TRIALS = arg('--trials', 100);
const OVERHEAD_TRIALS = arg('--overhead-trials', 1000);
const CHECKPOINTS = [25, 50, 100].filter((k) => k <= TRIALS);
const python = process.env.PYTHON ?? 'python3';

if (!process.argv.includes('--no-build')) {
  for (const name of ['core', 'model-selection']) {
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: join(root, 'packages', name), stdio: 'inherit' });
  }
}
const { runStudy, searchSpace, defaultSearchSpace } = await import('@pipeline/model-selection');

/** Two-sided Mann–Whitney U test p-value (normal approximation with tie correction). */
function mannWhitneyP(a, b) {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const r1 = all.reduce((sum, x, i) => sum + (x.g === 0 ? ranks[i] : 0), 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / sd;
  // 2 · (1 − Φ(z)) via erfc (Abramowitz–Stegun 7.1.26 is enough for a report).
  const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2));
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-((z / Math.SQRT2) ** 2));
  return Math.max(0, Math.min(1, erfc));
}
const load = () => loadavg().map((v) => +v.toFixed(2));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
function runPeer(args) {
  const result = spawnSync(python, [join(here, 'search_peer.py'), ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`search_peer.py ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

async function ourCurves(name, sampler) {
  const { bounds, f } = FUNCTIONS[name];
  const space = searchSpace(Object.fromEntries(bounds.map(([low, high], i) => [`x${i}`, { type: 'uniform', low, high }])));
  const curves = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    const result = await runStudy({
      space,
      sampler,
      seed,
      nTrials: TRIALS,
      direction: 'minimize',
      objective: async (trial) => f(bounds.map((_, i) => trial.params[`x${i}`])),
    });
    let best = Infinity;
    curves.push(result.trials.map((t) => (best = Math.min(best, t.score))));
  }
  return curves;
}

const loadBefore = load();
const started = Date.now();
// 1. Quality.
const quality = {};
for (const name of Object.keys(FUNCTIONS)) {
  quality[name] = {};
  for (const sampler of ['tpe', 'random', 'qmc']) quality[name][sampler] = await ourCurves(name, sampler);
}
const peerQuality = runPeer(['quality', String(SEEDS), String(TRIALS)]);
for (const name of Object.keys(FUNCTIONS)) quality[name].optuna = peerQuality[name];
const loadMid = load();

// 2. Overhead (10-D, instant objective).
const sumOfSquares = (params) => Object.values(params).reduce((s, v) => s + v * v, 0);
async function ourOverhead(
  trials,
  space = searchSpace(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, { type: 'uniform', low: -5, high: 10 }]))),
  objective = sumOfSquares,
) {
  const stamps = [];
  const cpu = [];
  const start = performance.now();
  await runStudy({
    space,
    sampler: 'tpe',
    seed: 0,
    nTrials: trials,
    direction: 'minimize',
    objective: async (trial) => {
      stamps.push(performance.now());
      const usage = process.cpuUsage();
      cpu.push((usage.user + usage.system) / 1000);
      return objective(trial.params);
    },
  });
  const total = (performance.now() - start) / 1000;
  return { gapsMs: stamps.slice(1).map((t, i) => t - stamps[i]), cpuGapsMs: cpu.slice(1).map((t, i) => t - cpu[i]), totalS: total };
}
const ours = await ourOverhead(OVERHEAD_TRIALS);
// The default hgb + meta space (3 log floats, 4 ints of which 3 log): integer kernels cost more.
const oursMixed = await ourOverhead(OVERHEAD_TRIALS, defaultSearchSpace(['hgb', 'meta']), (p) =>
  Object.values(p).reduce((s, v) => s + Math.log(v) ** 2, 0),
);
const peer = runPeer(['overhead', '10', String(OVERHEAD_TRIALS)]);
const loadAfter = load();
// Per-trial overhead "at trial k": mean gap over the 10 trials before k (trial k − 10 … k − 1).
const at = (gaps, k) => {
  const window = gaps.slice(Math.max(0, k - 11), k - 1);
  return window.reduce((a, b) => a + b, 0) / window.length;
};
const overheadPoints = [10, 100, 1000].filter((k) => k <= OVERHEAD_TRIALS);

// Report.
const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toFixed(4));
const lines = [];
lines.push('# Hyper-parameter search benchmark');
lines.push('');
lines.push(`Command: \`node packages/model-selection/bench/search.mjs --seeds ${SEEDS} --trials ${TRIALS} --overhead-trials ${OVERHEAD_TRIALS}\` (${new Date().toISOString()}).`);
lines.push(`Peer: Optuna ${peerQuality.optuna} \`TPESampler(seed=s)\` with its defaults (multivariate, constant liar, 10 startup trials, 24 EI candidates), \`bench/search_peer.py\`, run in the same sitting.`);
lines.push(`Ours: \`runStudy({ sampler: 'tpe' })\` with the same defaults. Machine: 2 cores shared with other jobs; load average (1, 5, 15 min) before ${loadBefore.join(', ')}, after quality ${loadMid.join(', ')}, at the end ${loadAfter.join(', ')}.`);
lines.push('');
lines.push(`## Quality: median over seeds of the best value after n trials (minimised; lower is better)`);
lines.push('');
lines.push('Optima: Branin 0.397887, Hartmann-6 −3.32237, Rosenbrock 0. Ratio = (ours − optimum) / (Optuna − optimum): below 1 means our TPE is closer to the optimum. Mann–Whitney p: two-sided test that the per-seed best values of the two TPEs come from the same distribution (small p = a real difference).');
lines.push('');
const OPTIMA = { branin: 0.397887, hartmann6: -3.32237, rosenbrock10: 0 };
const summary = {};
const seedSets = SEEDS > 20 ? [20, SEEDS] : [SEEDS];
for (const nSeeds of seedSets) {
  lines.push(`### ${nSeeds === 20 ? 'seeds 0–19 (the 20 seeds of the target)' : `all ${nSeeds} seeds (0–${nSeeds - 1}): medians over 20 seeds move a lot from one block of seeds to the next`}`);
  lines.push('');
  lines.push('| function | trials | ours TPE | Optuna TPE | gap ratio ours/Optuna | Mann–Whitney p (ours vs Optuna) | ours random | ours qmc |');
  lines.push('|---|---|---|---|---|---|---|---|');
  summary[nSeeds] = {};
  for (const name of Object.keys(FUNCTIONS)) {
    summary[nSeeds][name] = {};
    for (const k of CHECKPOINTS) {
      const m = Object.fromEntries(Object.entries(quality[name]).map(([s, curves]) => [s, median(curves.slice(0, nSeeds).map((c) => c[k - 1]))]));
      const values = (s) => quality[name][s].slice(0, nSeeds).map((c) => c[k - 1]);
      const p = mannWhitneyP(values('tpe'), values('optuna'));
      summary[nSeeds][name][k] = { ...m, mannWhitneyP: p, perSeed: { tpe: values('tpe'), optuna: values('optuna') } };
      const ratio = (m.tpe - OPTIMA[name]) / (m.optuna - OPTIMA[name]);
      lines.push(`| ${name} | ${k} | ${fmt(m.tpe)} | ${fmt(m.optuna)} | ${ratio.toFixed(2)} | ${p.toFixed(2)} | ${fmt(m.random)} | ${fmt(m.qmc)} |`);
    }
  }
  lines.push('');
}
lines.push('');
lines.push(`## Sampler overhead per trial (10-D, instant objective, one run of ${OVERHEAD_TRIALS} trials each)`);
lines.push('');
lines.push('Mean gap between consecutive objective calls over the 10 trials before trial k (sampling + bookkeeping): wall clock, and CPU time of the process (process.cpuUsage, time.process_time: less sensitive to the shared machine\'s load).');
lines.push('');
lines.push('| trial k | ours wall (ms) | Optuna wall (ms) | Optuna / ours | ours CPU (ms) | Optuna CPU (ms) | Optuna / ours | ours CPU, hgb+meta space (ms) |');
lines.push('|---|---|---|---|---|---|---|---|');
const overhead = {};
for (const k of overheadPoints) {
  const a = at(ours.gapsMs, k);
  const b = at(peer.gapsMs, k);
  const c = at(ours.cpuGapsMs, k);
  const d = at(peer.cpuGapsMs, k);
  const e = at(oursMixed.cpuGapsMs, k);
  overhead[k] = { ours: a, optuna: b, oursCpu: c, optunaCpu: d, oursMixedCpu: e };
  lines.push(`| ${k} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(1)} | ${c.toFixed(3)} | ${d.toFixed(3)} | ${(d / c).toFixed(1)} | ${e.toFixed(3)} |`);
}
lines.push(`| total for ${OVERHEAD_TRIALS} trials (wall) | ${ours.totalS.toFixed(2)} s | ${peer.totalS.toFixed(2)} s | ${(peer.totalS / ours.totalS).toFixed(1)} | | | | ${oursMixed.totalS.toFixed(2)} s |`);
lines.push('');
lines.push(`Wall time of the whole benchmark: ${((Date.now() - started) / 1000).toFixed(0)} s.`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/search.md'), `${lines.join('\n')}\n`);
writeFileSync(join(root, 'bench/results/search.json'), `${JSON.stringify({ seeds: SEEDS, trials: TRIALS, summary, overhead, load: { loadBefore, loadMid, loadAfter } }, null, 1)}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
