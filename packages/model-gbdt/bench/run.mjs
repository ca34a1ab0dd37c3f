#!/usr/bin/env node
// `pnpm bench`: @pipeline/model-gbdt against scikit-learn's HistGradientBoostingClassifier (1 thread)
// and LightGBM (at each of our thread counts), side by side in one sitting, on the shared GBDT sets of
// ../shared/bench (gbdt_make_data.py: synth20k = make_classification 20,000 × 121, 3 classes, and the
// real mlbench sets letter, satellite, shuttle), with the fixed 5-fold split of gbdt_make_data.py.
// Every tool: 200 iterations, learning rate 0.1, 31 leaves, max 255 bins, 20 samples per leaf,
// λ = 0, no early stopping (LightGBM: LGBMClassifier defaults otherwise, multiclass objective).
// Each configuration runs in its own process (ours: bench/fit-folds.mjs; peers: gbdt_peers.py with
// OMP_NUM_THREADS set), ours and the peers back to back. Fold times are summarised by their
// median; fit CPU s counts every thread of the process, and "other CPU" is the share of the
// machine used by other processes during our fits (the machine is shared).
// Writes bench/results/model-gbdt.{json,md} at the repo root; the markdown keeps earlier sittings
// below the new one.
//
//   node bench/run.mjs [--data DIR] [--sets synth20k:0,1,2,3,4;letter:0,1,2] [--threads 1,2]
//                      [--sklearn-threads 1] [--lightgbm-threads 1,2] [--rounds 1] [--python python3]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/tmp/gbdtbench/data' },
    sets: { type: 'string', default: 'synth20k:0,1,2,3,4;letter:0,1,2;satellite:0,1,2,3,4;shuttle:0,1,2' },
    threads: { type: 'string', default: '1,2' },
    // scikit-learn's OpenMP threads thrash on this 2-core machine (gbdt-peers.md): by default it
    // runs with 1 thread only, the issue's reference.
    'sklearn-threads': { type: 'string', default: '1' },
    'lightgbm-threads': { type: 'string', default: '1,2' },
    // Peers with more than one thread run the first fold of each set only ('all': every fold): on
    // a loaded machine their OpenMP threads spin and one fold can take minutes.
    'multi-thread-peer-folds': { type: 'string', default: 'first' },
    // A peer process running longer than this (seconds) is stopped and reported as a timeout.
    'peer-timeout': { type: 'string', default: '600' },
    rounds: { type: 'string', default: '1' },
    // pip's python3: scikit-learn 1.9.1, LightGBM 4.7.0, pandas (Debian's python has no LightGBM).
    python: { type: 'string', default: 'python3' },
    // gbdt_peers.py and gbdt_make_data.py: ../shared/bench beside the checkout (/work/main), else /work/shared/bench.
    peers: { type: 'string' },
  },
});
const shared = values.peers ?? [join(repo, '..', 'shared', 'bench'), '/work/shared/bench'].find((d) => existsSync(join(d, 'gbdt_peers.py'))) ?? '/work/shared/bench';
const dataDir = values.data;
const sets = values.sets
  .split(';')
  .filter((s) => s !== '')
  .map((s) => {
    const [name, folds] = s.split(':');
    return { name, folds: folds ?? '0,1,2,3,4' };
  });
if (!sets.every((s) => existsSync(join(dataDir, `${s.name}_X.csv`)))) {
  console.error(`generating benchmark data into ${dataDir} with gbdt_make_data.py (mlbench sets need r-cran-mlbench, see that script) ...`);
  execFileSync(values.python, [join(shared, 'gbdt_make_data.py'), dataDir], { stdio: 'inherit' });
}
if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.error('build first: pnpm --filter @pipeline/model-gbdt build');
  process.exit(1);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function runOurs(dataset, threads, folds) {
  const r = spawnSync(process.execPath, [join(here, 'fit-folds.mjs'), '--data', dataDir, '--dataset', dataset, '--threads', String(threads), '--folds', folds], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`fit-folds failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const perFold = lines.filter((l) => l.kind !== 'summary');
  return { perFold, maxRssMb: lines.find((l) => l.kind === 'summary').max_rss_mb };
}

function runPeer(tool, dataset, threads, folds) {
  const out = join(dataDir, `peer-${process.pid}.jsonl`);
  rmSync(out, { force: true });
  // runpy wrapper: the peer script unchanged, plus its own peak RSS.
  const wrapper = [
    'import resource, runpy, sys, json',
    `sys.argv = ${JSON.stringify(['gbdt_peers.py', '--data', dataDir, '--dataset', dataset, '--tool', tool, '--threads', String(threads), '--out', out, '--folds', folds, '--no-binning'])}`,
    `runpy.run_path(${JSON.stringify(join(shared, 'gbdt_peers.py'))}, run_name='__main__')`,
    'print(json.dumps({"kind": "rss", "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))',
  ].join('\n');
  const timeoutS = Number(values['peer-timeout']);
  const started = performance.now();
  const r = spawnSync(values.python, ['-c', wrapper], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    maxBuffer: 1 << 26,
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
  });
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL') {
    rmSync(out, { force: true });
    return { timeout_s: timeoutS, elapsed_s: (performance.now() - started) / 1000 };
  }
  if (r.status !== 0) throw new Error(`gbdt_peers.py (${tool}) failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  rmSync(out, { force: true });
  const summary = lines.find((l) => l.kind === 'summary');
  return { perFold: lines.filter((l) => l.fold !== undefined), maxRssMb: lines.find((l) => l.kind === 'rss').max_rss_mb, versions: summary?.versions };
}

const summarize = (run) =>
  run.timeout_s !== undefined
    ? { timeout_s: run.timeout_s }
    : {
  fit_s_median: median(run.perFold.map((f) => f.fit_s)),
  fit_s_min: Math.min(...run.perFold.map((f) => f.fit_s)),
  fit_cpu_s_median: median(run.perFold.map((f) => f.fit_cpu_s)),
  other_share_median: median(run.perFold.map((f) => f.fit_other_share)),
  predict_s_median: median(run.perFold.map((f) => f.predict_s)),
  acc_mean: run.perFold.reduce((a, f) => a + f.acc, 0) / run.perFold.length,
  logloss_mean: run.perFold.reduce((a, f) => a + f.logloss, 0) / run.perFold.length,
  max_rss_mb: run.maxRssMb,
  folds: run.perFold.length,
  ...(run.versions === undefined ? {} : { versions: run.versions }),
      };

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();
const threadList = values.threads.split(',').map(Number);
const sklearnThreads = values['sklearn-threads'].split(',').filter((t) => t !== '').map(Number);
const lightgbmThreads = values['lightgbm-threads'].split(',').filter((t) => t !== '').map(Number);
const results = { time: new Date().toISOString(), node: process.version, loadavg_start: loadavg(), configs: [] };
const log = (entry) => console.error(JSON.stringify({ ...entry, loadavg: loadavg() }));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const { name: dataset, folds } of sets) {
    for (const threads of new Set([...threadList, ...sklearnThreads, ...lightgbmThreads])) {
      // (a peer that exceeds --peer-timeout is recorded as { timeout_s } and the sitting goes on)
      const entry = { round, dataset, threads, folds, loadavg_start: loadavg() };
      const peerFolds = threads > 1 && values['multi-thread-peer-folds'] === 'first' ? folds.split(',')[0] : folds;
      if (peerFolds !== folds) entry.peer_folds = peerFolds;
      if (sklearnThreads.includes(threads)) entry.sklearn = summarize(runPeer('sklearn', dataset, threads, peerFolds));
      if (threadList.includes(threads)) entry.ours = summarize(runOurs(dataset, threads, folds));
      if (lightgbmThreads.includes(threads)) entry.lightgbm = summarize(runPeer('lightgbm', dataset, threads, peerFolds));
      entry.loadavg_end = loadavg();
      results.configs.push(entry);
      log(entry);
    }
  }
}
results.loadavg_end = loadavg();

// Medians over rounds of one tool's per-configuration medians.
const pick = (dataset, threads, who, key) => {
  const xs = results.configs.filter((c) => c.dataset === dataset && c.threads === threads && c[who] && c[who].timeout_s === undefined).map((c) => c[who][key]);
  return xs.length ? median(xs) : undefined;
};
/** The timeout (s) of a tool that never finished a fold in this configuration, else undefined. */
const timedOut = (dataset, threads, who) =>
  results.configs.filter((c) => c.dataset === dataset && c.threads === threads && c[who]?.timeout_s !== undefined).at(-1)?.[who].timeout_s;
const last = (dataset, threads, who) => results.configs.filter((c) => c.dataset === dataset && c.threads === threads && c[who]).at(-1)?.[who];
const rows = [];
for (const { name: dataset, folds } of sets) {
  const sk1 = pick(dataset, 1, 'sklearn', 'fit_s_median');
  const sk1Cpu = pick(dataset, 1, 'sklearn', 'fit_cpu_s_median');
  for (const threads of threadList) {
    const ours = pick(dataset, threads, 'ours', 'fit_s_median');
    if (ours === undefined) continue;
    const oursCpu = pick(dataset, threads, 'ours', 'fit_cpu_s_median');
    const lgb = pick(dataset, threads, 'lightgbm', 'fit_s_median');
    const lgbCpu = pick(dataset, threads, 'lightgbm', 'fit_cpu_s_median');
    const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
    const peerFolds = results.configs.find((c) => c.dataset === dataset && c.threads === threads && c.peer_folds !== undefined)?.peer_folds;
    rows.push({
      dataset,
      threads,
      folds: peerFolds === undefined ? folds : `${folds} (peers: ${peerFolds})`,
      ours_fit_s: ours,
      sklearn_1t_fit_s: sk1,
      lightgbm_fit_s: lgb,
      lightgbm_timeout_s: timedOut(dataset, threads, 'lightgbm'),
      ratio_vs_sklearn_1t: ratio(ours, sk1),
      ratio_vs_lightgbm: ratio(ours, lgb),
      ours_cpu_s: oursCpu,
      sklearn_1t_cpu_s: sk1Cpu,
      lightgbm_cpu_s: lgbCpu,
      cpu_ratio_vs_sklearn_1t: ratio(oursCpu, sk1Cpu),
      cpu_ratio_vs_lightgbm: ratio(oursCpu, lgbCpu),
      ours_predict_s: pick(dataset, threads, 'ours', 'predict_s_median'),
      sklearn_1t_predict_s: pick(dataset, 1, 'sklearn', 'predict_s_median'),
      lightgbm_predict_s: pick(dataset, threads, 'lightgbm', 'predict_s_median'),
      ours_acc: last(dataset, threads, 'ours')?.acc_mean,
      sklearn_acc: last(dataset, 1, 'sklearn')?.acc_mean,
      lightgbm_acc: last(dataset, threads, 'lightgbm')?.acc_mean,
      ours_logloss: last(dataset, threads, 'ours')?.logloss_mean,
      sklearn_logloss: last(dataset, 1, 'sklearn')?.logloss_mean,
      lightgbm_logloss: last(dataset, threads, 'lightgbm')?.logloss_mean,
      ours_rss_mb: last(dataset, threads, 'ours')?.max_rss_mb,
      other_share: last(dataset, threads, 'ours')?.other_share_median,
    });
  }
}
results.table = rows;

const versions = results.configs.find((c) => c.lightgbm?.versions)?.lightgbm.versions ?? results.configs.find((c) => c.sklearn?.versions)?.sklearn.versions;
const f = (x, d = 2) => (x === undefined ? '–' : x.toFixed(d));
const three = (a, b, c, d) => `${f(a, d)} / ${f(b, d)} / ${f(c, d)}`;
const lgbFit = (r) => (r.lightgbm_timeout_s !== undefined && r.lightgbm_fit_s === undefined ? `> ${r.lightgbm_timeout_s} (stopped)` : f(r.lightgbm_fit_s));
const md = [
  '# @pipeline/model-gbdt benchmark',
  '',
  `Run ${results.time} (Node ${process.version}; peers: ${versions === undefined ? '?' : `scikit-learn ${versions.sklearn}, LightGBM ${versions.lightgbm ?? '–'}, Python ${versions.python}`}); load average (1/5/15 min) at start/end: ${results.loadavg_start.split(' ').slice(0, 3).join(' ')} / ${results.loadavg_end.split(' ').slice(0, 3).join(' ')}.`,
  'histGradientBoosting vs scikit-learn HistGradientBoostingClassifier (1 thread) and LightGBM LGBMClassifier (same threads), via gbdt_peers.py:',
  '200 iterations, learning rate 0.1, 31 leaves, 255 bins, 20 samples per leaf, λ 0, no early stopping, fixed 5-fold split of gbdt_make_data.py.',
  'Fit and predict = median per fold (predict = predict_proba of the held-out fold); accuracy and log loss = mean over the folds.',
  `Peers with more than one thread ran ${values['multi-thread-peer-folds'] === 'first' ? 'the first fold of each set only (their OpenMP threads spin on a loaded machine)' : 'every fold'}.`,
  'Each configuration runs in its own process, ours and the peers back to back. Fit CPU s counts every thread of the process. "other CPU" is the',
  "share of the machine's CPU that other processes used during our fits: when it is well above 0, wall-clock ratios are noise and the CPU-s ratios are the measure.",
  '',
  '| data | threads | folds | fit s ours / sklearn 1t / LightGBM | ours / sklearn 1t | ours / LightGBM | fit CPU s ours / sklearn 1t / LightGBM | CPU ours / sklearn 1t | CPU ours / LightGBM | predict s ours / sklearn 1t / LightGBM | acc ours / sklearn / LightGBM | log loss ours / sklearn / LightGBM | peak RSS MB ours | other CPU |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.dataset} | ${r.threads} | ${r.folds} | ${f(r.ours_fit_s)} / ${f(r.sklearn_1t_fit_s)} / ${lgbFit(r)} | **${f(r.ratio_vs_sklearn_1t)}** | **${f(r.ratio_vs_lightgbm)}** | ${three(r.ours_cpu_s, r.sklearn_1t_cpu_s, r.lightgbm_cpu_s, 1)} | ${f(r.cpu_ratio_vs_sklearn_1t)} | ${f(r.cpu_ratio_vs_lightgbm)} | ${three(r.ours_predict_s, r.sklearn_1t_predict_s, r.lightgbm_predict_s, 3)} | ${three(r.ours_acc, r.sklearn_acc, r.lightgbm_acc, 4)} | ${three(r.ours_logloss, r.sklearn_logloss, r.lightgbm_logloss, 4)} | ${f(r.ours_rss_mb, 0)} | ${f(r.other_share)} |`,
  ),
  '',
  `Command: \`cd packages/model-gbdt && node bench/run.mjs ${process.argv.slice(2).join(' ')}\``.replace(/ `$/, '`'),
  '',
];
const outDir = join(repo, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'model-gbdt.json'), `${JSON.stringify(results, null, 2)}\n`);
// Keep the earlier sittings below the new one.
const mdPath = join(outDir, 'model-gbdt.md');
const earlier = existsSync(mdPath)
  ? readFileSync(mdPath, 'utf8')
      .replace(/^# @pipeline\/model-gbdt benchmark\n+/, '')
      .replace(/^# Earlier sittings.*\n/m, '')
  : '';
const earlierBody = earlier === '' ? '' : `# Earlier sittings (newest first)\n\n## Previous sitting\n\n${earlier}`;
writeFileSync(mdPath, `${md.join('\n')}\n${earlierBody}`);
console.log(md.join('\n'));
