import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { differingRunFiles } from '@pipeline/runs';
// A throwaway redis-server (the test fails, never skips, without redis-server).
import { startTestRedis, type TestRedis } from '@pipeline/queue/testing';
import { run, type CliResult } from './helpers.js';

let root: string;
let demo: string;
let redis: TestRedis;
const stopWorker = new AbortController();
let worker: Promise<CliResult>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-queue-'));
  demo = join(root, 'demo');
  redis = await startTestRedis();
  await generateDemoData({ outDir: demo, n: 200, seed: 8, testN: 20 });
  // `pipeline worker` in this process (its tasks run in forked child processes).
  worker = run(['worker', '--queue', redis.url, '--concurrency', '2', '--max-jobs-per-process', '3', '--log-level', 'warn'], { signal: stopWorker.signal });
}, 120_000);

afterAll(async () => {
  stopWorker.abort();
  await worker;
  await redis?.stop();
}, 60_000);

const flags = (runDir: string) => ['train', '--x-csv', join(demo, 'X_train.csv'), '--y-csv', join(demo, 'y_train.csv'), '--hgb-max-iter', '10', '--splits', '3', '--seed', '3', '--run-dir', runDir, '--json', '--log-level', 'warn'];

describe('pipeline train --queue / worker / queue status', () => {
  it('train --queue gives the same run as a local train, and queue status counts its tasks', async () => {
    const local = join(root, 'local');
    const queued = join(root, 'queued');
    expect((await run([...flags(local), '--workers', '1'])).code).toBe(0); // the local reference, in this process
    const result = await run([...flags(queued), '--queue', redis.url, '--queue-storage', join(root, 'shared')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await differingRunFiles(local, queued)).toEqual([]);
    const status = await run(['queue', 'status', '--queue', redis.url, '--json']);
    expect(status.code).toBe(0);
    // 3 OOF folds + the refit of the HGB base model; the run is labelled by its folder name.
    expect(JSON.parse(status.stdout)).toMatchObject({ queue: 'pipeline-folds', runs: [{ run: 'queued', waiting: 0, active: 0, delayed: 0, completed: 4, failed: 0, failures: [] }] });
    const text = await run(['queue', 'status', '--queue', redis.url]);
    expect(text.stdout).toMatch(/^ {2}queued +0 +0 +0 +4 +0$/m);
  });

  it("train --optimize --queue runs every trial's fold tasks on the worker: same best params and final run as a local search", async () => {
    const space = join(root, 'space.json');
    await writeFile(space, JSON.stringify({ params: { 'hgb.maxIter': { type: 'int', low: 2, high: 10 }, 'hgb.learningRate': null, 'hgb.maxLeafNodes': null, 'hgb.minSamplesLeaf': null, 'hgb.l2Regularization': null, 'hgb.maxBins': null } }));
    const opt = ['--optimize', '--opt-targets', 'hgb', '--opt-trials', '3', '--opt-sampler', 'random', '--opt-space', space];
    const local = join(root, 'opt-local');
    const queued = join(root, 'opt-queued');
    const localResult = await run([...flags(local), ...opt, '--workers', '1']);
    expect(localResult.code).toBe(0);
    const result = await run([...flags(queued), ...opt, '--queue', redis.url, '--queue-storage', join(root, 'shared')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Only the trial log differs (its wall times); its trials are the same.
    expect(await differingRunFiles(local, queued)).toEqual(['opt/trials.jsonl']);
    const trials = async (dir: string) => (await readFile(join(dir, 'opt/trials.jsonl'), 'utf8')).trim().split('\n').map((line) => ({ ...JSON.parse(line), durationMs: 0 }));
    expect(await trials(queued)).toEqual(await trials(local));
    expect(JSON.parse(result.stdout).best).toEqual(JSON.parse(localResult.stdout).best);
    expect(JSON.parse(result.stdout).final.oof).toEqual(JSON.parse(localResult.stdout).final.oof);
  }, 120_000);

  it('usage errors exit 2 naming the flag', async () => {
    const both = await run([...flags(join(root, 'both')), '--queue', redis.url, '--workers', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--workers and --queue exclude each other');
    const bad = await run(['queue', 'status', '--queue', 'http://127.0.0.1:1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--queue must be a redis:// URL');
  });

  it('queue status with no Redis behind the URL exits 4 within its timeout instead of hanging', async () => {
    const started = Date.now();
    const result = await run(['queue', 'status', '--queue', 'redis://127.0.0.1:1']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
