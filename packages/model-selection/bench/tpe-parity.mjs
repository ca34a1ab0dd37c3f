#!/usr/bin/env node
// Is our TPE the same algorithm as Optuna 5's? For one fixed history (the first n random trials of a
// benchmark function), the next proposal is a random variable of the sampler's seed: draw it for
// S seeds from ours and from Optuna (bench/tpe_parity_peer.py) and compare the two samples per
// dimension (two-sample Kolmogorov–Smirnov) and through the objective value of the proposals.
// Usage: node packages/model-selection/bench/tpe-parity.mjs [--seeds 2000] [--functions branin,hartmann6] [--n 20,60]  → stdout (markdown)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRng } from '@pipeline/core';
import { searchSpace, tpeSampler } from '@pipeline/model-selection';
import { FUNCTIONS } from './functions.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SEEDS = arg('--seeds', 2000);
const here = fileURLToPath(new URL('.', import.meta.url));
const python = process.env.PYTHON ?? 'python3';

/** Two-sample KS statistic and its asymptotic p-value. */
function ks(a, b) {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const ne = (x.length * y.length) / (x.length + y.length);
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return { d, p: Math.max(0, Math.min(1, p)) };
}

const lines = [`# TPE proposal distribution, ours vs Optuna (same history, ${SEEDS} seeds each)`, ''];
lines.push(`Load average at start: ${loadavg().map((v) => v.toFixed(2)).join(', ')}.`, '');
lines.push('| function | history n | dimension | KS D | KS p | mean f(proposal) ours | Optuna |', '|---|---|---|---|---|---|---|');
const only = process.argv.includes('--functions') ? process.argv[process.argv.indexOf('--functions') + 1].split(',') : Object.keys(FUNCTIONS);
const sizes = process.argv.includes('--n') ? process.argv[process.argv.indexOf('--n') + 1].split(',').map(Number) : [20, 60];
for (const name of only) {
  const { bounds, f } = FUNCTIONS[name];
  for (const n of sizes) {
    const rng = createRng(1234 + n);
    const history = Array.from({ length: n }, () => {
      const x = bounds.map(([lo, hi]) => lo + (hi - lo) * rng.uniform());
      return [...x, f(x)];
    });
    const space = searchSpace(Object.fromEntries(bounds.map(([low, high], i) => [`x${i}`, { type: 'uniform', low, high }])));
    const ours = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const sampler = tpeSampler({ space, direction: 'minimize', seed });
      history.forEach((row, k) => sampler.tell({ number: k, params: Object.fromEntries(bounds.map((_, i) => [`x${i}`, row[i]])), state: 'complete', score: row.at(-1), foldScores: [], durationMs: 0 }));
      const p = sampler.ask(n, []);
      ours.push(bounds.map((_, i) => p[`x${i}`]));
    }
    const peer = spawnSync(python, [`${here}/tpe_parity_peer.py`], { input: JSON.stringify({ bounds, history, seeds: SEEDS }), encoding: 'utf8', maxBuffer: 1 << 28 });
    if (peer.status !== 0) throw new Error(peer.stderr);
    const theirs = JSON.parse(peer.stdout.trim().split('\n').pop()).proposals;
    const meanF = (rows) => rows.reduce((s, x) => s + f(x), 0) / rows.length;
    bounds.forEach((_, i) => {
      const { d, p } = ks(ours.map((r) => r[i]), theirs.map((r) => r[i]));
      lines.push(`| ${name} | ${n} | x${i} | ${d.toFixed(3)} | ${p.toFixed(3)} | ${i === 0 ? meanF(ours).toPrecision(5) : ''} | ${i === 0 ? meanF(theirs).toPrecision(5) : ''} |`);
    });
  }
}
lines.push('', `Load average at end: ${loadavg().map((v) => v.toFixed(2)).join(', ')}.`);
process.stdout.write(`${lines.join('\n')}\n`);
