// TPE vs random search on the demo data: `--opt-targets hgb meta`, best OOF accuracy after each trial.
// node packages/workflows/bench/optimize.mjs [--n 1500] [--trials 15] [--seeds 3] [--metric accuracy|log-loss] [--out optimize.md]
//   → bench/results/<out> (default optimize.md; log-loss is minimised: best so far = lowest)
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoData } from '@pipeline/ingest';
import { optimizeRun } from '@pipeline/workflows';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const n = arg('n', 1500);
const nTrials = arg('trials', 15);
const nSeeds = arg('seeds', 3);
const flag = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const metric = flag('metric', 'accuracy');
const outName = flag('out', 'optimize.md');
const minimize = metric === 'log-loss';
const better = (a, b) => (minimize ? a <= b : a >= b);
const root = await mkdtemp(join(tmpdir(), 'bench-opt-'));
await generateDemoData({ outDir: join(root, 'demo'), n, seed: 7, testN: 10 });
// The default hgb space with maxIter capped at 150 (the machine is shared).
const spaceFile = join(root, 'space.json');
await writeFile(spaceFile, JSON.stringify({ params: { 'hgb.maxIter': { type: 'int', low: 20, high: 150, log: true } } }));
const config = {
  seed: 42,
  inputs: { table: { file: join(root, 'demo', 'X_train.csv') }, labels: { file: join(root, 'demo', 'y_train.csv') } },
  baseModels: [{ kind: 'hgb', args: { maxIter: 100 } }],
  cv: { splits: 3 },
  refitFinal: false,
};
const load0 = loadavg();
const started = performance.now();
const curves = { tpe: [], random: [] };
for (let seed = 0; seed < nSeeds; seed++) {
  for (const sampler of ['tpe', 'random']) {
    const t0 = performance.now();
    const result = await optimizeRun(config, { targets: ['hgb', 'meta'], nTrials, sampler, seed, spaceFile, metric }, { runDir: join(root, `${sampler}-${seed}`) });
    let best = minimize ? Infinity : -Infinity;
    const curve = result.trials.map((t) => (best = t.state === 'complete' && better(t.score, best) ? t.score : best));
    curves[sampler].push({ seed, curve, seconds: (performance.now() - t0) / 1000 });
    process.stderr.write(`${sampler} seed ${seed}: best ${best.toFixed(4)} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}
const load1 = loadavg();
const fmt = (x) => x.toFixed(4);
const lines = [
  '# Hyper-parameter search on the demo data: TPE vs random',
  '',
  `\`node packages/workflows/bench/optimize.mjs --n ${n} --trials ${nTrials} --seeds ${nSeeds}${metric === 'accuracy' ? '' : ` --metric ${metric}`}${outName === 'optimize.md' ? '' : ` --out ${outName}`}\` (${new Date().toISOString()}): demo data ${n} rows (seed 7), tabular HGB + logistic meta-learner, 3 stratified folds,`,
  `\`--opt-targets hgb meta\`, default space with hgb.maxIter in [20, 150] (log), metric OOF ${metric} of the stack (${minimize ? 'lower' : 'higher'} is better), no pruner. Load average ${load0.map((l) => l.toFixed(1)).join(' ')} at the start, ${load1.map((l) => l.toFixed(1)).join(' ')} at the end (2 cores shared); total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  '',
  `Best OOF ${metric} so far after trial k (k = 1…):`,
  '',
  `| sampler | seed | ${Array.from({ length: nTrials }, (_, k) => k + 1).join(' | ')} | s |`,
  `|---|---|${Array.from({ length: nTrials }, () => '---').join('|')}|---|`,
];
for (const sampler of ['tpe', 'random']) for (const { seed, curve, seconds } of curves[sampler]) lines.push(`| ${sampler} | ${seed} | ${curve.map(fmt).join(' | ')} | ${seconds.toFixed(0)} |`);
lines.push('', 'Trials TPE needs to reach random search\'s final best (same seed):', '');
for (let s = 0; s < nSeeds; s++) {
  const target = curves.random[s].curve.at(-1);
  const tpeAt = curves.tpe[s].curve.findIndex((v) => better(v, target));
  const randomAt = curves.random[s].curve.findIndex((v) => better(v, target));
  lines.push(`- seed ${s}: random's best ${fmt(target)} (reached at trial ${randomAt + 1}); TPE ${tpeAt === -1 ? `never within ${nTrials} trials (best ${fmt(curves.tpe[s].curve.at(-1))})` : `at trial ${tpeAt + 1}`}`);
}
const mean = (sampler, k) => curves[sampler].reduce((sum, c) => sum + c.curve[k], 0) / nSeeds;
lines.push('', `Mean best over seeds: ${[4, 9, nTrials - 1].filter((k) => k < nTrials).map((k) => `after ${k + 1} trials TPE ${fmt(mean('tpe', k))} vs random ${fmt(mean('random', k))}`).join('; ')}.`, '');
const band = (sampler, k) => {
  const values = curves[sampler].map((c) => c.curve[k]);
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(1, values.length - 1));
  return `${fmt(m)} ± ${fmt((1.96 * sd) / Math.sqrt(values.length))}`;
};
const ks = Array.from({ length: nTrials }, (_, k) => k).filter((k) => k === 0 || (k + 1) % 5 === 0);
lines.push('Mean best so far over seeds ± 1.96 standard errors:', '', `| sampler | ${ks.map((k) => k + 1).join(' | ')} |`, `|---|${ks.map(() => '---').join('|')}|`);
for (const sampler of ['tpe', 'random']) lines.push(`| ${sampler} | ${ks.map((k) => band(sampler, k)).join(' | ')} |`);
lines.push('');
const out = fileURLToPath(new URL(`../../../bench/results/${outName}`, import.meta.url));
await writeFile(out, `${lines.join('\n')}\n`);
process.stderr.write(`wrote ${out}\n`);
