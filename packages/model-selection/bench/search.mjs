#!/usr/bin/env node
// Benchmark of the hyper-parameter search, side by side with Optuna 5 in the same sitting:
//   1. quality: median (over 20 seeds) of the best value after 25, 50 and 100 trials on Branin,
//      Hartmann-6 and 10-D Rosenbrock — our TPE (defaults = Optuna's), our random and qmc samplers,
//      and Optuna's TPESampler (bench/search_peer.py);
//   2. overhead: the gap between consecutive objective calls (sampling + bookkeeping) around trials
//      10, 100 and 1,000 of a 10-D search with an instant objective, for runStudy and optuna.
// Writes bench/results/search.{md,json} and the best-so-far curves bench/results/search-curves-<function>.svg
// (mean over seeds of log10(best − optimum) with a 95% band) at the repository root.
// Usage: node packages/model-selection/bench/search.mjs [--seeds 20] [--trials 100] [--overhead-trials 1000] [--no-build]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS } from './functions.mjs';
import { median } from '../../../scripts/lib/bench-stats.mjs';

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
const { runStudy, searchSpace, defaultSearchSpace, wilcoxonSignedRankP } = await import('@pipeline/model-selection');

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
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values) => {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(1, values.length - 1));
};
/** Holm step-down adjustment of p-values (family: the 9 cells). */
const holm = (ps) => {
  const order = ps.map((p, i) => [p, i]).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array(ps.length);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
};
const summary = {};
const seedSets = SEEDS > 20 ? [20, SEEDS] : [SEEDS];
for (const nSeeds of seedSets) {
  lines.push(`### ${nSeeds === 20 ? 'seeds 0–19 (the 20 seeds of the target)' : `all ${nSeeds} seeds (0–${nSeeds - 1})`}`);
  lines.push('');
  lines.push('Paired test: the seeds pair the runs (seed s of ours with seed s of Optuna; the two are independent, so under "no difference" each paired difference is symmetric about 0). One-sided exact Wilcoxon signed-rank p-values: "ours worse" tests H1 = our best values tend to be higher; Holm-adjusted over the 9 cells. Means are of the best value after n trials (Rosenbrock: heavy-tailed, the medians and the test matter more than its means).');
  lines.push('');
  lines.push('| function | trials | mean ours TPE | mean Optuna TPE | median ours | median Optuna | gap ratio of medians ours/Optuna | Wilcoxon p ours worse | (Holm) | Wilcoxon p ours better | Mann–Whitney p (two-sided) | median ours random | median ours qmc |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  summary[nSeeds] = {};
  const rows = [];
  for (const name of Object.keys(FUNCTIONS)) {
    summary[nSeeds][name] = {};
    for (const k of CHECKPOINTS) {
      const values = (s) => quality[name][s].slice(0, nSeeds).map((c) => c[k - 1]);
      const m = Object.fromEntries(Object.keys(quality[name]).map((s) => [s, median(values(s))]));
      const ours = values('tpe');
      const peer = values('optuna');
      const diffs = ours.map((v, i) => v - peer[i]);
      const pWorse = wilcoxonSignedRankP(diffs, 'greater');
      const pBetter = wilcoxonSignedRankP(diffs, 'less');
      const p = mannWhitneyP(ours, peer);
      summary[nSeeds][name][k] = { medians: m, meanOurs: mean(ours), meanOptuna: mean(peer), wilcoxonOursWorse: pWorse, wilcoxonOursBetter: pBetter, mannWhitneyP: p, perSeed: { tpe: ours, optuna: peer } };
      rows.push({ name, k, m, ours, peer, pWorse, pBetter, p });
    }
  }
  const adjusted = holm(rows.map((r) => r.pWorse));
  rows.forEach((r, i) => {
    summary[nSeeds][r.name][r.k].wilcoxonOursWorseHolm = adjusted[i];
    const ratio = (r.m.tpe - OPTIMA[r.name]) / (r.m.optuna - OPTIMA[r.name]);
    lines.push(`| ${r.name} | ${r.k} | ${fmt(mean(r.ours))} | ${fmt(mean(r.peer))} | ${fmt(r.m.tpe)} | ${fmt(r.m.optuna)} | ${ratio.toFixed(2)} | ${r.pWorse.toFixed(3)} | ${adjusted[i].toFixed(3)} | ${r.pBetter.toFixed(3)} | ${r.p.toFixed(2)} | ${fmt(r.m.random)} | ${fmt(r.m.qmc)} |`);
  });
  const worse = rows.filter((r, i) => adjusted[i] < 0.05);
  const worseRaw = rows.filter((r) => r.pWorse < 0.05);
  const medianWorse = rows.filter((r) => r.m.tpe > r.m.optuna).length;
  lines.push('');
  lines.push(`Cells where our TPE is significantly worse than Optuna's (Holm-adjusted p < 0.05): ${worse.length === 0 ? 'none' : worse.map((r) => `${r.name}@${r.k}`).join(', ')}; unadjusted p < 0.05: ${worseRaw.length === 0 ? 'none' : worseRaw.map((r) => `${r.name}@${r.k}`).join(', ')}. Cells where our median is above Optuna's: ${medianWorse} of ${rows.length}.`);
  lines.push('');
}

// Best-so-far curves: mean over seeds of log10(best − optimum) with a 95% band (mean ± 1.96 SE).
lines.push('## Best-so-far curves (TPE vs random search)');
lines.push('');
lines.push(`Mean over ${SEEDS} seeds of log10(best value so far − optimum) after each trial (lower is better), with a 95% band (mean ± 1.96 standard errors). The first 10 trials of both TPEs are random (startup).`);
lines.push('');
const COLORS = { tpe: '#d62728', optuna: '#ff7f0e', random: '#1f77b4', qmc: '#2ca02c' };
const curveStats = {};
for (const name of Object.keys(FUNCTIONS)) {
  curveStats[name] = {};
  for (const sampler of ['tpe', 'optuna', 'random', 'qmc']) {
    const curves = quality[name][sampler].map((c) => c.map((v) => Math.log10(Math.max(1e-9, v - OPTIMA[name]))));
    const m = [];
    const half = [];
    for (let t = 0; t < TRIALS; t++) {
      const column = curves.map((c) => c[t]);
      m.push(mean(column));
      half.push((1.96 * sd(column)) / Math.sqrt(column.length));
    }
    curveStats[name][sampler] = { mean: m, half };
  }
  // SVG.
  const W = 640;
  const H = 360;
  const pad = { l: 60, r: 130, t: 30, b: 40 };
  const all = Object.values(curveStats[name]).flatMap((c) => c.mean.flatMap((v, i) => [v - c.half[i], v + c.half[i]]));
  const lo = Math.floor(Math.min(...all) * 2) / 2;
  const hi = Math.ceil(Math.max(...all) * 2) / 2;
  const x = (t) => pad.l + ((W - pad.l - pad.r) * t) / (TRIALS - 1);
  const y = (v) => pad.t + ((H - pad.t - pad.b) * (hi - v)) / (hi - lo);
  const svg = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  svg.push(`<text x="${pad.l}" y="18" font-size="14">${name}: mean log10(best − optimum), ${SEEDS} seeds, 95% band</text>`);
  for (let v = lo; v <= hi + 1e-9; v += 0.5) svg.push(`<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`);
  for (let t = 0; t <= TRIALS; t += 10) svg.push(`<text x="${x(Math.max(0, t - 1))}" y="${H - pad.b + 16}" text-anchor="middle">${t}</text>`);
  svg.push(`<text x="${(W - pad.r + pad.l) / 2}" y="${H - 6}" text-anchor="middle">trial</text>`);
  Object.entries(curveStats[name]).forEach(([sampler, c], j) => {
    const upper = c.mean.map((v, t) => `${x(t).toFixed(1)},${y(v + c.half[t]).toFixed(1)}`);
    const lower = c.mean.map((v, t) => `${x(t).toFixed(1)},${y(v - c.half[t]).toFixed(1)}`).reverse();
    svg.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${COLORS[sampler]}" fill-opacity="0.15" stroke="none"/>`);
    svg.push(`<polyline points="${c.mean.map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}" fill="none" stroke="${COLORS[sampler]}" stroke-width="2"/>`);
    const label = { tpe: 'ours TPE', optuna: 'Optuna TPE', random: 'ours random', qmc: 'ours qmc (Halton)' }[sampler];
    svg.push(`<line x1="${W - pad.r + 10}" x2="${W - pad.r + 30}" y1="${pad.t + 10 + 18 * j}" y2="${pad.t + 10 + 18 * j}" stroke="${COLORS[sampler]}" stroke-width="3"/><text x="${W - pad.r + 35}" y="${pad.t + 14 + 18 * j}">${label}</text>`);
  });
  svg.push('</svg>');
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, `bench/results/search-curves-${name}.svg`), `${svg.join('\n')}\n`);
  lines.push(`![${name}: best so far, TPE vs random](search-curves-${name}.svg)`);
  lines.push('');
  const at = [10, 15, 20, 25, 50, 100].filter((t) => t <= TRIALS);
  lines.push(`| ${name}: trial | ${at.join(' | ')} |`);
  lines.push(`|---|${at.map(() => '---').join('|')}|`);
  for (const sampler of ['tpe', 'optuna', 'random', 'qmc']) {
    const c = curveStats[name][sampler];
    lines.push(`| ${sampler} | ${at.map((t) => `${c.mean[t - 1].toFixed(2)} ± ${c.half[t - 1].toFixed(2)}`).join(' | ')} |`);
  }
  const tpe = curveStats[name].tpe;
  const rnd = curveStats[name].random;
  const separated = tpe.mean.findIndex((v, t) => v + tpe.half[t] < rnd.mean[t] - rnd.half[t]);
  const target = rnd.mean[TRIALS - 1];
  const reach = tpe.mean.findIndex((v) => v <= target);
  lines.push('');
  lines.push(`Bands separate (TPE's upper band edge below random's lower edge) from trial ${separated < 0 ? 'never' : separated + 1}; TPE's mean reaches random search's mean after ${TRIALS} trials at trial ${reach < 0 ? 'never' : reach + 1}.`);
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
writeFileSync(join(root, 'bench/results/search.json'), `${JSON.stringify({ seeds: SEEDS, trials: TRIALS, summary, curves: curveStats, overhead, load: { loadBefore, loadMid, loadAfter } }, null, 1)}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
