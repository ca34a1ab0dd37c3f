#!/usr/bin/env node
// Benchmark (not a test) of a hyper-parameter search over the queue (`train --optimize --queue`):
// a fixed TPE search (HGB on the demo's tabular view, default 20,000 rows) run in-process
// (reference) and with its trials' fold tasks on 1 vs 2 queue workers (separate processes,
// concurrency 1 each, on this machine). Checks that each queued search gives the reference's trials
// and final run, and reports the speed-up and the queue's overhead per task and per stage (one
// executor call: writing/fingerprinting the shared environment, connecting, enqueueing).
// Writes bench/results/trials.md. Needs the build (pnpm build) and redis-server.
// Usage: node bench/trials.mjs [--rows 20000] [--trials 6] [--parallel 2] [--splits 3] [--pruner none|median]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoData } from '@pipeline/ingest';
import { parseTrialLog, sequentialExecutor } from '@pipeline/model-selection';
import { bullmqExecutor } from '@pipeline/queue';
import { startTestRedis } from '@pipeline/queue/testing';
import { differingRunFiles } from '@pipeline/runs';
import { optimizeRun } from '@pipeline/workflows';
import { option as opt } from '../../../scripts/lib/bench-args.mjs';
import { median } from '../../../scripts/lib/bench-stats.mjs';
import { startWorker, stopWorker } from './bench-workers.mjs';

const rows = Number(opt('rows', '20000'));
const nTrials = Number(opt('trials', '6'));
const parallel = Number(opt('parallel', '2'));
const splits = Number(opt('splits', '3'));
const pruner = opt('pruner', 'none');
const here = fileURLToPath(new URL('.', import.meta.url));
const data = join(tmpdir(), `pipeline-queue-bench-demo-${rows}`);
const work = join(tmpdir(), `pipeline-queue-bench-trials-${process.pid}`);
const log = (m) => process.stderr.write(`${m}\n`);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const load1 = (text) => Number(/load average: ([\d.]+)/.exec(text)?.[1] ?? NaN);

if (!existsSync(join(data, 'X_train.csv'))) {
  log(`generating ${rows} demo rows into ${data}`);
  await generateDemoData({ outDir: data, n: rows, seed: 7, testN: 0 });
}

const config = {
  seed: 7,
  inputs: { table: { file: join(data, 'X_train.csv') }, labels: { file: join(data, 'y_train.csv') } },
  baseModels: [{ kind: 'hgb', args: { maxIter: 30, maxLeafNodes: 15 } }],
  cv: { splits },
};
const spaceFile = join(work, 'space.json');
const space = {
  params: {
    'hgb.learningRate': { type: 'log-uniform', low: 0.03, high: 0.3 },
    'hgb.maxIter': { type: 'int', low: 10, high: 40 },
    'hgb.maxLeafNodes': { type: 'int', low: 8, high: 24 },
    'hgb.minSamplesLeaf': null,
    'hgb.l2Regularization': null,
    'hgb.maxBins': null,
  },
};
const options = { targets: ['hgb', 'meta'], nTrials, sampler: 'tpe', seed: 3, parallel, pruner, spaceFile };

async function timed(label, executor, record) {
  const runDir = join(work, label.replace(/[^a-z0-9]+/gi, '-'));
  const before = uptime();
  const started = performance.now();
  const logger = {
    debug: (message, fields) => {
      if (message === 'task result from the queue') record?.tasks.push(fields);
      if (message === 'fold environment stored') record?.env.push(fields.envMs);
    },
    info: (message, fields) => {
      if (message === 'fold tasks enqueued') record?.stages.push(fields);
    },
    warn: (m, f) => log(`warn: ${m} ${JSON.stringify(f ?? {})}`),
    error: (m, f) => log(`error: ${m} ${JSON.stringify(f ?? {})}`),
  };
  const result = await optimizeRun(config, options, { runDir, executor, logger });
  const wallS = (performance.now() - started) / 1000;
  const after = uptime();
  log(`${label}: ${wallS.toFixed(1)} s (${after})`);
  return { label, runDir, wallS, before, after, best: result.best, stackAcc: result.final.oof.stack.accuracy, states: result.trials.map((t) => t.state) };
}

const strip = (text) =>
  parseTrialLog(text)
    .sort((a, b) => a.number - b.number)
    .map(({ durationMs: _d, ...rest }) => JSON.stringify(rest))
    .join('\n');

mkdirSync(work, { recursive: true });
await writeFile(spaceFile, JSON.stringify(space));
const redis = await startTestRedis();
const results = [];
const records = {};
try {
  results.push(await timed('in-process sequential', sequentialExecutor));
  for (const n of [1, 2]) {
    const workers = [];
    for (let i = 0; i < n; i++) workers.push(await startWorker(redis.url, `bench-trials-${n}`, { maxJobsPerProcess: 0 }));
    records[n] = { tasks: [], env: [], stages: [] };
    // Another queue name and storage folder per run: otherwise the 2-worker run would collect the
    // 1-worker run's finished (content-addressed) jobs instead of running them.
    const executor = bullmqExecutor({ connection: redis.url, storageDir: join(work, `shared-${n}`), queueName: `bench-trials-${n}`, pollMs: 1000 });
    results.push(await timed(`queue, ${n} worker${n === 1 ? '' : 's'}`, executor, records[n]));
    await Promise.all(workers.map(stopWorker));
  }
} finally {
  await redis.stop();
}

const referenceTrials = strip(await readFile(join(results[0].runDir, 'opt/trials.jsonl'), 'utf8'));
const same = new Map();
for (const r of results.slice(1)) {
  const files = await differingRunFiles(results[0].runDir, r.runDir);
  const trials = strip(await readFile(join(r.runDir, 'opt/trials.jsonl'), 'utf8'));
  same.set(r.label, files.length === 1 && files[0] === 'opt/trials.jsonl' && trials === referenceTrials);
}
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(0) : '—');
const stats = (xs) => `${fmt(median(xs))} [${fmt(Math.max(...xs))}]`;
const overhead = (rec) => {
  const done = rec.tasks.filter((e) => e.processMs !== undefined);
  return {
    tasks: rec.tasks.length,
    stages: rec.stages.length,
    queueSide: done.map((e) => e.roundTripMs - e.waitMs - e.processMs),
    workerSide: done.map((e) => e.processMs - e.modelMs),
    model: done.map((e) => e.modelMs),
    env: rec.env,
    connect: rec.stages.map((s) => s.connectMs),
    enqueue: rec.stages.map((s) => s.enqueueMs),
  };
};
const o1 = overhead(records[1]);
const o2 = overhead(records[2]);
const [, one, two] = results;
const loads = results.flatMap((r) => [load1(r.before), load1(r.after)]);
const md = `# Trials benchmark (\`train --optimize --queue\`: search trials' fold tasks on queue workers)

Generated by \`node packages/queue/bench/trials.mjs --rows ${rows} --trials ${nTrials} --parallel ${parallel} --splits ${splits} --pruner ${pruner}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.
Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), **shared with other engineers' jobs while this ran**: \`uptime\` before and after each run below.
Search: TPE (seed 3), ${nTrials} trials, ${parallel} at once, pruner ${pruner}, targets hgb (learningRate, maxIter 10–40, maxLeafNodes 8–24) + meta C, on the demo's tabular view (${rows} rows, ${splits}-fold CV), then the final run with the best params.
Each trial's HGB fold tasks go to the queue; the logistic meta-learner's run in the coordinator. Workers are separate processes on this machine (concurrency 1 each); Redis is a local throwaway \`redis-server\`.

| run | wall (s) | best trial | stack OOF accuracy (final run) | same trials and final run as in-process | \`uptime\` before | \`uptime\` after |
|---|---:|---:|---:|---|---|---|
${results.map((r) => `| ${r.label} | ${r.wallS.toFixed(1)} | ${r.best.trial} | ${r.stackAcc.toFixed(4)} | ${r === results[0] ? '(reference)' : same.get(r.label) ? 'yes' : '**no**'} | ${r.before.replace(/^.*load average: /, '')} | ${r.after.replace(/^.*load average: /, '')} |`).join('\n')}

Speed-up of 2 workers over 1 worker (wall): **${(one.wallS / two.wallS).toFixed(2)}×**; queue with 2 workers vs in-process: ${(results[0].wallS / two.wallS).toFixed(2)}×.

Overhead of the queue (median [max], ms; ${o1.tasks} + ${o2.tasks} tasks in ${o1.stages} + ${o2.stages} stages, i.e. executor calls):

| | 1 worker | 2 workers |
|---|---:|---:|
| model fit + predict on the worker (for scale) | ${stats(o1.model)} | ${stats(o2.model)} |
| per task, coordinator side: enqueue → result minus wait and processing (Redis round trips, events/polling, decoding) | ${stats(o1.queueSide)} | ${stats(o2.queueSide)} |
| per task, worker side: processing minus fit + predict (child start-up, reading + checking the environment, rebuilding the estimator, encoding) | ${stats(o1.workerSide)} | ${stats(o2.workerSide)} |
| per stage: storing the fold environment (fingerprint, or reuse) | ${stats(o1.env)} | ${stats(o2.env)} |
| per stage: connecting to Redis | ${stats(o1.connect)} | ${stats(o2.connect)} |
| per stage: enqueueing its tasks | ${stats(o1.enqueue)} | ${stats(o2.enqueue)} |

Load at the time: ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))} (1 min, lowest–highest of the readings above) on ${cpus().length} cores.
`;
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'trials.md'), md);
process.stdout.write(md);
await rm(work, { recursive: true, force: true });
