import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { parseTrialLog, sequentialExecutor, type TrialRecord } from '@pipeline/model-selection';
import { bullmqExecutor, closeRedisClient, queueStatus, redisClient, parseRedisUrl, type BullmqExecutorOptions } from '@pipeline/queue';
import { differingRunFiles, openRun } from '@pipeline/runs';
import { optimizeRun, type OptimizeOptions, type TrainConfigInput } from '@pipeline/workflows';
import { startTestRedis, type TestRedis } from '@pipeline/queue/testing';
import { testExecutorOptions, waitForFile } from './queue-test-settings.js';
import { startWorkerProcess, type WorkerProcess } from './worker-processes.js';

// `train --optimize --queue`: the coordinator runs the study (sampler, pruner, trial log) and every
// trial's fold tasks run on two worker processes through a throwaway redis-server. Stalled-job
// settings are shortened so a killed worker's task is retried within seconds.
const WORKER_SETTINGS = { concurrency: 1, maxJobsPerProcess: 0, lockDurationMs: 2000, stalledIntervalMs: 1000, maxStalledCount: 1 };

let root: string;
let demo: string;
let redis: TestRedis;
let local: string;
let localTrials: TrialRecord[];
const workers: WorkerProcess[] = [];

const config = (): TrainConfigInput => ({
  seed: 4,
  inputs: { table: { file: join(demo, 'X_train.csv') }, labels: { file: join(demo, 'y_train.csv') } },
  baseModels: [{ kind: 'hgb', args: { maxIter: 8, maxLeafNodes: 8 } }],
  cv: { splits: 3 },
});

// Two trials at once (so both workers are busy while the pruner looks at each fold), TPE, median
// pruning after 2 complete trials: the local reference prunes some trials (asserted below).
const options = (): OptimizeOptions => ({
  targets: ['hgb', 'meta'],
  nTrials: 6,
  sampler: 'tpe',
  seed: 5,
  parallel: 2,
  pruner: { type: 'median', nStartupTrials: 2 },
  spaceFile: join(root, 'space.json'),
});

const space = {
  params: {
    'hgb.learningRate': { type: 'log-uniform', low: 0.01, high: 0.5 },
    'hgb.maxIter': { type: 'int', low: 2, high: 12 },
    'hgb.maxLeafNodes': null,
    'hgb.minSamplesLeaf': null,
    'hgb.l2Regularization': null,
    'hgb.maxBins': null,
  },
};

const executorOptions = (extra: Partial<BullmqExecutorOptions> = {}) => testExecutorOptions(redis.url, join(root, 'shared'), extra);

const startWorker = async () => {
  const worker = await startWorkerProcess({ connection: redis.url, ...WORKER_SETTINGS });
  workers.push(worker);
  return worker;
};

async function readTrials(runDir: string): Promise<TrialRecord[]> {
  return parseTrialLog(await readFile(join(runDir, 'opt/trials.jsonl'), 'utf8')).sort((a, b) => a.number - b.number);
}

/** A trial without its wall time (`durationMs` differs between any two runs, local ones too). */
const strip = ({ durationMs: _d, ...rest }: TrialRecord) => rest;

/**
 * Jobs are content-addressed and finished ones are kept, so a second run of the same search would
 * collect the first one's results without running anything: each test starts from an empty Redis.
 */
async function emptyRedis(): Promise<void> {
  const client = redisClient(parseRedisUrl(redis.url), false);
  await client.flushall();
  await closeRedisClient(client);
}

/** The queued run equals the local one: every file but the trial log byte for byte, the trial log but wall times. */
async function expectSameAsLocal(dir: string): Promise<void> {
  expect(await differingRunFiles(local, dir)).toEqual(['opt/trials.jsonl']);
  expect((await readTrials(dir)).map(strip)).toEqual(localTrials.map(strip));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'queue-opt-'));
  demo = join(root, 'demo');
  redis = await startTestRedis();
  await generateDemoData({ outDir: demo, n: 180, seed: 6, testN: 10 });
  await writeFile(join(root, 'space.json'), JSON.stringify(space));
  await Promise.all([startWorker(), startWorker()]);
  local = join(root, 'local');
  await optimizeRun(config(), options(), { runDir: local, executor: sequentialExecutor });
  localTrials = await readTrials(local);
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
}, 60_000);

describe('train --optimize over the queue (two worker processes)', () => {
  it('the local reference search prunes some trials and completes others', () => {
    expect(localTrials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
    const states = new Set(localTrials.map((t) => t.state));
    expect(states).toEqual(new Set(['complete', 'pruned']));
    // A pruned trial stopped after the fold where the pruner saw it below the median: fewer than 3 fold scores.
    for (const trial of localTrials.filter((t) => t.state === 'pruned')) expect(trial.foldScores.length).toBeLessThan(3);
  });

  it('gives the opt/ files, best trial and final run of the local search (same seed), with every fold task on the workers', async () => {
    await emptyRedis();
    const dir = join(root, 'queued');
    const result = await optimizeRun(config(), options(), { runDir: dir, executor: bullmqExecutor(executorOptions({ runLabel: 'opt-queued' })) });
    await expectSameAsLocal(dir);
    expect(result.best.trial).toBe(JSON.parse(await readFile(join(local, 'opt/best_params.json'), 'utf8')).trial);
    expect((await openRun(dir)).manifest.status).toBe('completed');
    // Every HGB fold the search and the final run fitted went through the queue, none failed.
    const status = await queueStatus({ connection: redis.url });
    const run = status.runs.find((r) => r.run === 'opt-queued');
    expect(run).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    // One job per fold a trial ran (a pruned trial stopped after its last fold score; no two trials
    // share HGB params), plus the final run's refit (its OOF folds are the best trial's, reused).
    const foldsRun = localTrials.reduce((sum, t) => sum + (t.state === 'pruned' ? t.foldScores.length : 3), 0);
    expect(run!.completed).toBe(foldsRun + 1);
  }, 120_000);

  it('a worker killed (SIGKILL) while it holds a trial fold: the fold is retried on the other worker, same result', async () => {
    await emptyRedis();
    const marker = join(root, 'opt-hold.json');
    const dir = join(root, 'killed');
    const running = optimizeRun(config(), options(), {
      runDir: dir,
      executor: bullmqExecutor(executorOptions({ runLabel: 'opt-killed', testHooks: { 'oof/hgb_tabular/fold-0': { holdMarker: marker, holdMs: 120_000 } } })),
    });
    const holder = JSON.parse(await waitForFile(marker, 60_000)) as { pid: number; ppid: number };
    const victim = workers.find((w) => w.pid === holder.ppid && w.child.exitCode === null);
    expect(victim).toBeDefined();
    victim!.killHard();
    const started = Date.now();
    await running;
    expect(Date.now() - started).toBeLessThan(90_000); // far below the 120 s hold: the fold ran again elsewhere
    await expectSameAsLocal(dir);
    workers.splice(workers.indexOf(victim!), 1);
    await startWorker();
  }, 150_000);

  it('a coordinator stopped after 2 trials resumes the study from its trial log and the queue: same result', async () => {
    await emptyRedis();
    const dir = join(root, 'resumed');
    const controller = new AbortController();
    const first = optimizeRun(config(), options(), {
      runDir: dir,
      signal: controller.signal,
      executor: bullmqExecutor(executorOptions({ runLabel: 'opt-resumed' })),
      onProgress: (event) => {
        if (event.stage === 'trial' && event.current === 2) controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'E_ABORTED' });
    const logged = await readTrials(dir);
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(logged.length).toBeLessThan(6);
    await optimizeRun(config(), options(), { runDir: dir, resume: true, executor: bullmqExecutor(executorOptions({ runLabel: 'opt-resumed' })) });
    await expectSameAsLocal(dir);
  }, 150_000);
});
