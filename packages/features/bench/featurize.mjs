#!/usr/bin/env node
// dwt-combo featurization speed. Modes:
//
//   node bench/featurize.mjs FILE [--workers N] [--read-in worker|main] [--rows R] [--batch-rows B] [--dist DIR]
//     One featurizeH5 call in this process; prints one JSON line: wall time (including worker
//     start-up and file opening), rows/s, CPU time of all threads, peak RSS of the process (worker
//     threads included) and the sha256 of the feature bytes (equal across configurations).
//   node bench/featurize.mjs FILE --kernel [--rows R] [--dist DIR]
//     The recipe alone on rows read beforehand, one thread: CPU time of compiling the recipe, of the
//     first pass (cold: the JavaScript and WebAssembly tiers warm up) and of a warm pass.
//   node bench/featurize.mjs --suite [--file F] [--rows R] [--rounds 3] [--before DIR]
//     Runs the kernel, 1 thread (workers 0) and 2 threads (workers 2) for this build and, with
//     --before, for another build of the package (DIR = its dist folder), alternating, each in its
//     own process; writes bench/results/featurize.md at the repo root with medians and the load.
//   node bench/featurize.mjs --render bench/results/featurize.json
//     Prints the saved sittings as markdown again.
// --dist DIR: import the package from DIR (a dist folder) instead of ../dist.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
};
const has = (name) => process.argv.includes(name);
const dist = arg('--dist', fileURLToPath(new URL('../dist', import.meta.url)));
const cpuMs = (since) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};
const digest = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);

if (has('--render')) {
  // Re-renders saved sittings (a featurize.json written by --suite) as markdown.
  const { median } = await import('../../../scripts/lib/bench-stats.mjs');
  for (const sitting of JSON.parse(readFileSync(arg('--render'), 'utf8'))) console.log(render(sitting, median));
} else if (has('--suite')) {
  await suite();
} else if (has('--kernel')) {
  await kernel(process.argv[2]);
} else {
  await single(process.argv[2]);
}

async function single(file) {
  const { featurizeH5 } = await import(pathToFileURL(`${dist}/index.js`).href);
  const workers = Number(arg('--workers', '0'));
  const readIn = arg('--read-in', 'main');
  const rows = arg('--rows', undefined);
  const batchRows = arg('--batch-rows', undefined);
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  const result = await featurizeH5(file, {
    workers,
    readIn,
    ...(rows === undefined ? {} : { end: Number(rows) }),
    ...(batchRows === undefined ? {} : { batchRows: Number(batchRows) }),
  });
  const seconds = (performance.now() - began) / 1000;
  const cpuSeconds = cpuMs(cpuBefore) / 1000;
  const { features } = result;
  console.log(
    JSON.stringify({
      workers,
      readIn: workers === 0 ? 'main' : readIn,
      rows: features.rows,
      features: features.cols,
      seconds: +seconds.toFixed(3),
      rows_per_s: Math.round(features.rows / seconds),
      // CPU time of every thread of the process: on a shared machine, rows per CPU-second shows the
      // parallel overhead even when the wall-clock speed-up cannot be measured.
      cpu_seconds: +cpuSeconds.toFixed(3),
      rows_per_cpu_s: Math.round(features.rows / cpuSeconds),
      feature_matrix_mb: +((features.rows * features.cols * 4) / 2 ** 20).toFixed(1),
      rss_before_mb: Math.round(rssBefore / 2 ** 20),
      maxrss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      sha256: digest(features.data),
    }),
  );
}

async function kernel(file) {
  const { compileRecipe, dwtComboRecipe } = await import(pathToFileURL(`${dist}/index.js`).href);
  const { openH5 } = await import('@pipeline/ingest');
  const h5 = await openH5(file);
  const dataset = h5.dataset('features');
  const x = dataset.readRows(0, Number(arg('--rows', dataset.info.shape[0])));
  h5.close();
  let since = process.cpuUsage();
  const plan = compileRecipe(dwtComboRecipe());
  const compileMs = cpuMs(since);
  const out = new Float32Array(x.rows * plan.names.length);
  // First 250 rows alone: the cold start every featurize thread pays.
  const first = Math.min(250, x.rows);
  since = process.cpuUsage();
  plan.computeRows({ rows: first, cols: x.cols, data: x.data.subarray(0, first * x.cols) }, out, 0);
  const first250Ms = cpuMs(since);
  since = process.cpuUsage();
  plan.computeRows(x, out, 0);
  const firstPassMs = cpuMs(since);
  const sha = digest(out);
  let warmMs = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    since = process.cpuUsage();
    plan.computeRows(x, out, 0);
    warmMs = Math.min(warmMs, cpuMs(since));
  }
  console.log(
    JSON.stringify({
      rows: x.rows,
      compile_cpu_ms: +compileMs.toFixed(1),
      first_250_rows_cpu_ms: +first250Ms.toFixed(1),
      first_pass_cpu_ms: +firstPassMs.toFixed(1),
      warm_pass_cpu_ms: +warmMs.toFixed(1),
      warm_rows_per_cpu_s: Math.round(x.rows / (warmMs / 1000)),
      warm_us_per_row: +((warmMs * 1000) / x.rows).toFixed(1),
      sha256: sha,
    }),
  );
}

async function suite() {
  const { median } = await import('../../../scripts/lib/bench-stats.mjs');
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const file = arg('--file', '/tmp/pipeline-bench-demo-6000/X_train.h5');
  const rounds = Number(arg('--rounds', '3'));
  const rows = arg('--rows', undefined);
  const before = arg('--before', undefined);
  const builds = [{ name: 'this build', dist }, ...(before === undefined ? [] : [{ name: 'before', dist: before }])];
  const rowArgs = rows === undefined ? [] : ['--rows', rows];
  const configs = [
    { name: 'kernel, 1 thread', args: ['--kernel'] },
    { name: 'featurizeH5, 1 thread (workers 0)', args: ['--workers', '0'] },
    { name: 'featurizeH5, 2 threads (workers 2)', args: ['--workers', '2'] },
  ];
  const load = () => loadavg().map((v) => +v.toFixed(2));
  const loadBefore = load();
  const raw = [];
  for (let round = 0; round < rounds; round++) {
    for (const config of configs) {
      for (const build of builds) {
        const line = execFileSync(process.execPath, [self, file, ...config.args, ...rowArgs, '--dist', build.dist], { encoding: 'utf8' });
        const result = JSON.parse(line.trim().split('\n').pop());
        raw.push({ round, build: build.name, config: config.name, load1: loadavg()[0], ...result });
        process.stderr.write(`${build.name} | ${config.name}: ${line}`);
      }
    }
  }
  const loadAfter = load();
  const result = { file, rows, rounds, node: process.version, loadBefore, loadAfter, builds: builds.map((b) => b.name), configs: configs.map((c) => c.name), raw };
  const text = render(result, median);
  // Earlier sittings are kept below the newest.
  const md = `${root}bench/results/featurize.md`;
  const title = '# dwt-combo featurization (`packages/features/bench/featurize.mjs --suite`), newest sitting first\n\n';
  const earlier = existsSync(md) ? readFileSync(md, 'utf8').replace(title, '') : '';
  writeFileSync(md, `${title}${text}\n${earlier}`);
  const json = `${root}bench/results/featurize.json`;
  const sittings = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : [];
  writeFileSync(json, `${JSON.stringify([result, ...(Array.isArray(sittings) ? sittings : [])], null, 2)}\n`);
  console.log(text);
}

/** The markdown of one sitting. */
function render({ file, rows, rounds, node, loadBefore, loadAfter, builds, configs, raw }, median) {
  const round = (v, digits = 1) => (Number.isFinite(v) ? +v.toFixed(digits) : 'n/a');
  const pick = (build, config, key) => median(raw.filter((r) => r.build === build && r.config === config).map((r) => r[key]));
  const kernel = configs[0];
  const lines = [
    `## ${file}${rows === undefined ? '' : `, first ${rows} rows`}`,
    '',
    `${rounds} rounds, builds alternated, each run in its own process; medians. Node ${node}; load average (1, 5, 15 min)`,
    `${loadBefore.join(' / ')} before, ${loadAfter.join(' / ')} after (2 cores, shared by other sessions).`,
    '',
    'Kernel: the recipe on rows already in memory, one thread. CPU-ms are process CPU time (compiler threads included).',
    '',
    '| build | compile CPU-ms | first 250 rows CPU-ms | first pass CPU-ms | warm pass CPU-ms | warm rows per CPU-s | warm µs/row |',
    '|---|---|---|---|---|---|---|',
    ...builds.map(
      (b) =>
        `| ${b} | ${round(pick(b, kernel, 'compile_cpu_ms'))} | ${round(pick(b, kernel, 'first_250_rows_cpu_ms'))} | ${round(pick(b, kernel, 'first_pass_cpu_ms'), 0)} | ${round(pick(b, kernel, 'warm_pass_cpu_ms'), 0)} | ${round(pick(b, kernel, 'warm_rows_per_cpu_s'), 0)} | ${round(pick(b, kernel, 'warm_us_per_row'))} |`,
    ),
    '',
    'featurizeH5 from the file (open, read, worker start-up included):',
    '',
    '| build | threads | seconds | rows/s | CPU-ms | rows per CPU-s |',
    '|---|---|---|---|---|---|',
    ...builds.flatMap((b) =>
      configs
        .slice(1)
        .map(
          (c) =>
            `| ${b} | ${c} | ${round(pick(b, c, 'seconds'), 2)} | ${round(pick(b, c, 'rows_per_s'), 0)} | ${round(pick(b, c, 'cpu_seconds') * 1000, 0)} | ${round(pick(b, c, 'rows_per_cpu_s'), 0)} |`,
        ),
    ),
    '',
    `sha256 of the feature bytes of every run: ${[...new Set(raw.map((r) => r.sha256))].join(', ')} (one value: identical output for every build and thread count).`,
    '',
  ];
  return lines.join('\n');
}
