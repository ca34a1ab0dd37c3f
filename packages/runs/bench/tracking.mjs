#!/usr/bin/env node
// pnpm --filter @pipeline/runs bench   (after `pnpm build`)
//
// Run tracking speed over generated run folders (no training: writeSyntheticRun writes manifest +
// metrics files shaped like a real run's). Targets (issue 13): `pipeline runs list` over 1,000 runs
// < 1 s, `pipeline runs compare` of 10 runs < 0.5 s, both wall time of the real CLI process
// (Node start-up included). Also timed in-process: the index cold (no cache file) and warm, and
// the previous `listRuns` (reads every manifest, no scores) as the reference.
// Writes bench/results/tracking.{json,md} at the repository root.
// Options: --runs N (default 1000), --rounds N (default 5), --dir DIR (default /tmp/tracking-bench).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { RUN_INDEX_FILE, buildRunIndex, compareRuns, findRun, handConfig, listRuns, writeSyntheticRun } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const bin = join(repo, 'apps/cli/dist/bin.js');
const args = process.argv.slice(2);
const value = (name, fallback) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : fallback;
};
const nRuns = Number(value('--runs', 1000));
const rounds = Number(value('--rounds', 5));
const root = resolve(value('--dir', '/tmp/tracking-bench'));

// Deterministic pseudo-random scores (LCG), so every sitting generates the same folders.
let state = 12345;
const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);

const loadBefore = loadavg().map((x) => x.toFixed(2)).join(', ');
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
const t0 = performance.now();
for (let i = 0; i < nRuns; i++) {
  const id = `run-${String(i).padStart(5, '0')}`;
  const base = 0.6 + 0.3 * next();
  await writeSyntheticRun(join(root, id), {
    config: { ...handConfig({ seed: i % 8, maxIter: 50 + 10 * (i % 13), splits: 5 }), name: `r${i}`, tags: [i % 10 === 0 ? 'baseline' : 'try'] },
    scores: { balancedAccuracy: Array.from({ length: 5 }, () => base + 0.02 * (next() - 0.5)) },
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    columns: Array.from({ length: 120 }, (_, j) => `f${j}`),
  });
}
const generateMs = performance.now() - t0;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const s = performance.now();
  await fn();
  return performance.now() - s;
};
const cli = (...a) => {
  const s = performance.now();
  const r = spawnSync(process.execPath, [bin, ...a, ...(a[0] === 'runs' ? ['--runs-root', root] : [])], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - s;
  if (r.status !== 0) throw new Error(`pipeline ${a.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
};
const dropCache = () => rmSync(join(root, RUN_INDEX_FILE), { force: true });

const ten = Array.from({ length: 10 }, (_, k) => `run-${String(k * 97).padStart(5, '0')}`);
const lean = (code) => {
  const s = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  const ms = performance.now() - s;
  if (r.status !== 0) throw new Error(r.stderr);
  return ms;
};
const dist = JSON.stringify(join(here, '../dist/index.js'));
const rows = { bareNode: [], leanList: [], leanCompare: [], libCold: [], libWarm: [], listRuns: [], compareLib: [], cliVersion: [], cliListCold: [], cliListWarm: [], cliListFilter: [], cliCompare: [] };
let listedCount = 0;
for (let r = 0; r < rounds; r++) {
  dropCache();
  rows.libCold.push(await time(() => buildRunIndex(root)));
  let index;
  rows.libWarm.push(await time(async () => { index = await buildRunIndex(root); }));
  listedCount = index.length;
  rows.listRuns.push(await time(() => listRuns(root)));
  rows.compareLib.push(await time(async () => compareRuns(ten.map((id) => findRun(index, id, root)))));
  rows.cliVersion.push(cli('version').ms);
  dropCache();
  rows.cliListCold.push(cli('runs', 'list', '--sort=-cv').ms);
  const warm = cli('runs', 'list', '--sort=-cv');
  rows.cliListWarm.push(warm.ms);
  rows.cliListFilter.push(cli('runs', 'list', '--filter', 'cv > 0.8 and tag = baseline', '--group-by-seed').ms);
  rows.cliCompare.push(cli('runs', 'compare', ...ten).ms);
  rows.bareNode.push(lean(''));
  // A process that loads only @pipeline/runs (what the CLI would cost with lazily loaded commands).
  rows.leanList.push(lean(`import { buildRunIndex, sortRuns } from ${dist}; const i = await buildRunIndex(${JSON.stringify(root)}); process.stdout.write(String(sortRuns(i, '-cv').length));`));
  rows.leanCompare.push(lean(`import { compareRuns, loadRuns } from ${dist}; compareRuns(await loadRuns(${JSON.stringify(root)}, ${JSON.stringify(ten)}));`));
}
if (listedCount !== nRuns) throw new Error(`the index listed ${listedCount} of ${nRuns} runs`);

const load = loadavg().map((x) => x.toFixed(2)).join(', ');
const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const md = `# @pipeline/runs: run tracking

${nRuns} generated run folders (manifest with a resolved config + 2 metrics files each, 120 features,
5 folds; written in ${(generateMs / 1000).toFixed(1)} s, no training). Medians of ${rounds} rounds. Load average
during the sitting: ${load} (2 cores shared by ~8 engineers: absolute times move by ±50 %).
Command: \`pnpm build && node packages/runs/bench/tracking.mjs\`.

| what | median | target |
|---|---:|---:|
| \`pipeline runs list --sort=-cv\`, no cache file (real process) | ${fmt(m.cliListCold)} | < 1 s |
| \`pipeline runs list --sort=-cv\`, cache present (real process) | ${fmt(m.cliListWarm)} | < 1 s |
| \`pipeline runs list --filter … --group-by-seed\` (real process) | ${fmt(m.cliListFilter)} | < 1 s |
| \`pipeline runs compare\` of 10 runs (real process) | ${fmt(m.cliCompare)} | < 0.5 s |
| \`pipeline version\` (Node + CLI start-up, for reference) | ${fmt(m.cliVersion)} | |
| bare \`node -e ''\` (process start-up, for reference) | ${fmt(m.bareNode)} | |
| node process loading only @pipeline/runs: index (cache present) + sort | ${fmt(m.leanList)} | < 1 s |
| node process loading only @pipeline/runs: loadRuns + compare of 10 | ${fmt(m.leanCompare)} | < 0.5 s |
| buildRunIndex, cold (in-process) | ${fmt(m.libCold)} | |
| buildRunIndex, warm (in-process) | ${fmt(m.libWarm)} | |
| previous listRuns (manifests only, no scores; in-process) | ${fmt(m.listRuns)} | |
| compareRuns of 10 (in-process, index built) | ${m.compareLib.toFixed(2)} ms | |

Start-up: \`runs\` loads only @pipeline/runs (the report alone imports @pipeline/workflows with
TensorFlow.js); the config schema, pino, cli-progress, @pipeline/ingest/stacking/model-selection and
yargs' help layout are loaded only by the commands that use them (profiled with \`node --cpu-prof\`).
\`runs list\` − \`version\` = ${fmt(m.cliListWarm - m.cliVersion)}; \`runs list\` − bare node = ${fmt(m.cliListWarm - m.bareNode)};
\`runs compare\` − bare node = ${fmt(m.cliCompare - m.bareNode)}. Load average before / after the sitting: ${loadBefore} / ${load}.
Ratios: warm/cold index ${(m.libWarm / m.libCold).toFixed(2)}; cold index / previous listRuns ${(m.libCold / m.listRuns).toFixed(2)}.
The anchors take tens of seconds on 50 runs (issue 13).
`;
const out = join(repo, 'bench/results');
if (!existsSync(out)) mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'tracking.md'), md);
writeFileSync(join(out, 'tracking.json'), `${JSON.stringify({ nRuns, rounds, load, medians: m, samples: rows }, null, 2)}\n`);
process.stdout.write(md);
