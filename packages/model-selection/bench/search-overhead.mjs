#!/usr/bin/env node
// Per-trial TPE overhead of runStudy (sampling + bookkeeping; instant objective), repeated runs, with
// Optuna 5 in the same sitting: the 10-D float space and the default hgb+meta space (3 log floats,
// 3 log ints, 1 int). CPU time of the process between consecutive objective calls, mean over the
// 10 trials before trial k, for each of R runs (the machine is shared: the spread across runs
// shows the load's effect). Writes bench/results/search-overhead.md at the repository root.
// Usage: node packages/model-selection/bench/search-overhead.mjs [--trials 1000] [--repeats 3]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSearchSpace, runStudy, searchSpace } from '@pipeline/model-selection';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const TRIALS = arg('--trials', 1000);
const REPEATS = arg('--repeats', 3);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const load = () => loadavg().map((v) => v.toFixed(2)).join(', ');

async function ours(space, objective) {
  const cpu = [];
  const wall = [];
  await runStudy({
    space,
    sampler: 'tpe',
    seed: 0,
    nTrials: TRIALS,
    direction: 'minimize',
    objective: async (trial) => {
      wall.push(performance.now());
      const usage = process.cpuUsage();
      cpu.push((usage.user + usage.system) / 1000);
      return objective(trial.params);
    },
  });
  return { cpuGapsMs: cpu.slice(1).map((t, i) => t - cpu[i]), gapsMs: wall.slice(1).map((t, i) => t - wall[i]) };
}
const at = (gaps, k) => {
  const window = gaps.slice(Math.max(0, k - 11), k - 1);
  return window.reduce((a, b) => a + b, 0) / window.length;
};
const POINTS = [10, 100, 1000].filter((k) => k <= TRIALS);
const tenD = searchSpace(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, { type: 'uniform', low: -5, high: 10 }])));
const lines = ['# TPE sampler overhead per trial', ''];
const loadStart = load();
const started = Date.now();
const runs = { tenD: [], hgbMeta: [] };
for (let r = 0; r < REPEATS; r++) {
  runs.hgbMeta.push(await ours(defaultSearchSpace(['hgb', 'meta']), (p) => Object.values(p).reduce((s, v) => s + Math.log(v) ** 2, 0)));
  runs.tenD.push(await ours(tenD, (p) => Object.values(p).reduce((s, v) => s + v * v, 0)));
}
const loadOurs = load();
const peer = spawnSync(process.env.PYTHON ?? 'python3', [join(here, 'search_peer.py'), 'overhead', '10', String(TRIALS)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, maxBuffer: 1 << 28 });
if (peer.status !== 0) throw new Error(peer.stderr);
const optuna = JSON.parse(peer.stdout.trim().split('\n').pop());
const loadEnd = load();
lines.push(`Command: \`node packages/model-selection/bench/search-overhead.mjs --trials ${TRIALS} --repeats ${REPEATS}\` (${new Date().toISOString()}), Optuna ${optuna.optuna} (\`search_peer.py overhead 10 ${TRIALS}\`) in the same sitting.`);
lines.push(`Load average (1, 5, 15 min; 2 cores shared): start ${loadStart}; after ours ${loadOurs}; end ${loadEnd}. Total ${((Date.now() - started) / 1000).toFixed(0)} s.`);
lines.push('');
lines.push('CPU ms per trial (process CPU time between consecutive objective calls, mean over the 10 trials before trial k), one column per run of ours:');
lines.push('');
lines.push(`| trial k | ${runs.hgbMeta.map((_, r) => `hgb+meta run ${r + 1}`).join(' | ')} | ${runs.tenD.map((_, r) => `10-D run ${r + 1}`).join(' | ')} | Optuna 10-D |`);
lines.push(`|---|${[...runs.hgbMeta, ...runs.tenD].map(() => '---').join('|')}|---|`);
for (const k of POINTS) lines.push(`| ${k} | ${runs.hgbMeta.map((x) => at(x.cpuGapsMs, k).toFixed(3)).join(' | ')} | ${runs.tenD.map((x) => at(x.cpuGapsMs, k).toFixed(3)).join(' | ')} | ${at(optuna.cpuGapsMs, k).toFixed(3)} |`);
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
lines.push(`| mean of trials 901–1000 | ${runs.hgbMeta.map((x) => mean(x.cpuGapsMs.slice(-100)).toFixed(3)).join(' | ')} | ${runs.tenD.map((x) => mean(x.cpuGapsMs.slice(-100)).toFixed(3)).join(' | ')} | ${mean(optuna.cpuGapsMs.slice(-100)).toFixed(3)} |`);
lines.push('');
lines.push('Wall ms per trial (same windows; includes time the process waited for a core):');
lines.push('');
lines.push(`| trial k | ${runs.hgbMeta.map((_, r) => `hgb+meta run ${r + 1}`).join(' | ')} | ${runs.tenD.map((_, r) => `10-D run ${r + 1}`).join(' | ')} | Optuna 10-D |`);
lines.push(`|---|${[...runs.hgbMeta, ...runs.tenD].map(() => '---').join('|')}|---|`);
for (const k of POINTS) lines.push(`| ${k} | ${runs.hgbMeta.map((x) => at(x.gapsMs, k).toFixed(3)).join(' | ')} | ${runs.tenD.map((x) => at(x.gapsMs, k).toFixed(3)).join(' | ')} | ${at(optuna.gapsMs, k).toFixed(3)} |`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/search-overhead.md'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
