import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { sequentialExecutor } from '@pipeline/model-selection';
import { bullmqExecutor, queueStatus, type BullmqExecutorOptions } from '@pipeline/queue';
import { differingRunFiles, openRun } from '@pipeline/runs';
import { trainRun, type TrainConfigInput } from '@pipeline/workflows';
import { startTestRedis, type TestRedis } from '@pipeline/queue/testing';
import { testExecutorOptions, waitForFile } from './queue-test-settings.js';
import { startWorkerProcess, type WorkerProcess } from './worker-processes.js';

// Two worker processes on a throwaway redis-server. Stalled-job settings are shortened so a killed
// worker's task is retried within seconds: lock 2 s (renewed every 1 s), stalled check every 1 s.
const WORKER_SETTINGS = { concurrency: 1, maxJobsPerProcess: 4, lockDurationMs: 2000, stalledIntervalMs: 1000, maxStalledCount: 1 };

let root: string;
let demo: string;
let redis: TestRedis;
let local: string;
const workers: WorkerProcess[] = [];

const config = (): TrainConfigInput => ({
  seed: 11,
  inputs: { table: { file: join(demo, 'X_train.csv') }, labels: { file: join(demo, 'y_train.csv') } },
  baseModels: [{ kind: 'hgb', args: { maxIter: 10, maxLeafNodes: 8 } }],
  cv: { splits: 3 },
});

const executorOptions = (extra: Partial<BullmqExecutorOptions> = {}) => testExecutorOptions(redis.url, join(root, 'shared'), extra);

const startWorker = async () => {
  const worker = await startWorkerProcess({ connection: redis.url, ...WORKER_SETTINGS });
  workers.push(worker);
  return worker;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'queue-exec-'));
  demo = join(root, 'demo');
  redis = await startTestRedis();
  await generateDemoData({ outDir: demo, n: 200, seed: 3, testN: 20 });
  await Promise.all([startWorker(), startWorker()]);
  local = join(root, 'local');
  await trainRun(config(), { runDir: local, executor: sequentialExecutor });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
}, 60_000);

describe('bullmqExecutor with two worker processes', () => {
  it('gives a run byte-identical to the local run, and reports progress for every task', async () => {
    const dir = join(root, 'queued');
    const done: string[] = [];
    await trainRun(config(), {
      runDir: dir,
      executor: bullmqExecutor(executorOptions({ runLabel: 'queued' })),
      onProgress: (event) => {
        if (event.stage === 'fold' && event.label !== undefined) done.push(event.label);
      },
    });
    expect(await differingRunFiles(local, dir)).toEqual([]);
    expect(done.sort()).toEqual(['oof/hgb_tabular/fold-0', 'oof/hgb_tabular/fold-1', 'oof/hgb_tabular/fold-2']);
    // 3 OOF folds + the refit (its fitted model came back as an artifact) ran on the queue; the
    // logistic meta-learner's 3 folds + fit ran in this process.
    const status = await queueStatus({ connection: redis.url });
    const run = status.runs.find((r) => r.run === 'queued');
    expect(run).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 4 });
    expect(status.workers).toBeGreaterThanOrEqual(2);
  });

  it('a worker killed (SIGKILL) during a fold: the task is retried on the other worker and the run has the same bytes', async () => {
    const marker = join(root, 'hold-marker.json');
    const dir = join(root, 'killed');
    const running = trainRun(config(), {
      runDir: dir,
      executor: bullmqExecutor(executorOptions({ runLabel: 'killed', testHooks: { 'oof/hgb_tabular/fold-1': { holdMarker: marker, holdMs: 120_000 } } })),
    });
    const holder = JSON.parse(await waitForFile(marker, 30_000)) as { pid: number; ppid: number };
    const victim = workers.find((w) => w.pid === holder.ppid && w.child.exitCode === null);
    expect(victim).toBeDefined();
    victim!.killHard();
    const started = Date.now();
    await running;
    // Lock 2 s + stalled check 1 s: the task was picked up again well before the 120 s hold ends.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await differingRunFiles(local, dir)).toEqual([]);
    workers.splice(workers.indexOf(victim!), 1);
    await startWorker();
  });

  it('a task that fails on both attempts fails the run with its message, and the run folder says so', async () => {
    const dir = join(root, 'poisoned');
    await expect(
      trainRun(config(), {
        runDir: dir,
        executor: bullmqExecutor(executorOptions({ runLabel: 'poisoned', testHooks: { 'oof/hgb_tabular/fold-2': { failWith: 'poisoned fold (test hook)' } } })),
      }),
    ).rejects.toMatchObject({
      code: 'E_INTERNAL',
      field: 'oof/hgb_tabular/fold-2',
      message: expect.stringContaining('task oof/hgb_tabular/fold-2 failed on the queue after 2 attempts: poisoned fold (test hook)'),
    });
    const run = await openRun(dir);
    expect(run.manifest.status).toBe('failed');
    expect(run.manifest.error?.message).toContain('poisoned fold (test hook)');
    const status = await queueStatus({ connection: redis.url });
    expect(status.runs.find((r) => r.run === 'poisoned')?.failures).toEqual([{ task: 'oof/hgb_tabular/fold-2', reason: 'poisoned fold (test hook)' }]);
  });

  it('a coordinator interrupted mid-run resumes from the run folder and the queue with the same bytes', async () => {
    const dir = join(root, 'resumed');
    const marker = join(root, 'resume-marker.json');
    const options = executorOptions({ runLabel: 'resumed', testHooks: { 'oof/hgb_tabular/fold-2': { holdMarker: marker, holdMs: 1500 } } });
    const controller = new AbortController();
    const first = trainRun(config(), {
      runDir: dir,
      signal: controller.signal,
      executor: bullmqExecutor(options),
      onProgress: (event) => {
        if (event.stage === 'fold' && event.current === 2) controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect((await openRun(dir)).manifest.status).toBe('failed');
    // The held task keeps running on its worker meanwhile; the resumed coordinator finds it by its job id.
    await trainRun(config(), { runDir: dir, resume: true, executor: bullmqExecutor(options) });
    expect(await differingRunFiles(local, dir)).toEqual([]);
  });

  it('each worker replaces its sandboxed processes after every maxJobsPerProcess (4) jobs', () => {
    let recycledSomewhere = false;
    for (const worker of workers) {
      const logs = worker.logs();
      const finished = logs.filter((l) => l.message === 'task done' || l.message === 'task failed').length;
      const recycled = logs.filter((l) => l.message === 'recycling the worker processes').length;
      expect(recycled).toBe(Math.floor(finished / WORKER_SETTINGS.maxJobsPerProcess));
      recycledSomewhere ||= recycled > 0;
    }
    expect(recycledSomewhere).toBe(true);
  });

  it('Redis restarted (empty) mid-run: the lost tasks are enqueued again and the run completes with the same bytes', async () => {
    const dir = join(root, 'redis-restart');
    const marker = join(root, 'restart-marker.json');
    const running = trainRun(config(), {
      runDir: dir,
      executor: bullmqExecutor(executorOptions({ runLabel: 'redis-restart', testHooks: { 'oof/hgb_tabular/fold-0': { holdMarker: marker, holdMs: 3000 } } })),
    });
    await waitForFile(marker, 30_000);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.restart();
    await running;
    expect(await differingRunFiles(local, dir)).toEqual([]);
  });

  it('Redis gone for good: the run fails within the Redis timeout instead of hanging', async () => {
    const dir = join(root, 'redis-gone');
    const marker = join(root, 'gone-marker.json');
    const running = trainRun(config(), {
      runDir: dir,
      executor: bullmqExecutor(executorOptions({ runLabel: 'redis-gone', redisTimeoutMs: 3000, testHooks: { 'oof/hgb_tabular/fold-0': { holdMarker: marker, holdMs: 3000 } } })),
    });
    await waitForFile(marker, 30_000);
    await redis.kill();
    const started = Date.now();
    await expect(running).rejects.toMatchObject({ code: 'E_INTERNAL', field: 'queue', message: expect.stringMatching(/lost Redis at redis:\/\/127\.0\.0\.1:\d+ \(queue pipeline-folds\) for more than 3 s/) });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await openRun(dir)).manifest.status).toBe('failed');
  });
});
