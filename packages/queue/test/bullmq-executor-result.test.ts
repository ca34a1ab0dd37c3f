import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { bullmqExecutor } from '@pipeline/queue';
import { startTestRedis, type TestRedis } from '@pipeline/queue/testing';
import { openRun } from '@pipeline/runs';
import { trainRun } from '@pipeline/workflows';
import { Worker } from 'bullmq';
import { testExecutorOptions } from './queue-test-settings.js';

let root: string;
let redis: TestRedis;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'queue-result-'));
  redis = await startTestRedis();
  await generateDemoData({ outDir: join(root, 'demo'), n: 60, seed: 4, testN: 10 });
}, 60_000);

afterAll(async () => {
  await redis?.stop();
}, 30_000);

describe('bullmqExecutor and a worker that completes jobs without a result', () => {
  it('fails the run with E_INTERNAL naming the task instead of polling forever', async () => {
    // Not our worker: a bare BullMQ worker on the same queue that completes every job with null.
    const { hostname, port } = new URL(redis.url);
    const rogue = new Worker('rogue-results', async () => null, { connection: { host: hostname, port: Number(port), maxRetriesPerRequest: null } });
    try {
      const dir = join(root, 'run');
      const started = Date.now();
      const error = await trainRun(
          {
            seed: 2,
            inputs: { table: { file: join(root, 'demo', 'X_train.csv') }, labels: { file: join(root, 'demo', 'y_train.csv') } },
            baseModels: [{ kind: 'hgb', args: { maxIter: 3, maxLeafNodes: 4 } }],
            cv: { splits: 2 },
          },
          { runDir: dir, executor: bullmqExecutor(testExecutorOptions(redis.url, join(root, 'shared'), { queueName: 'rogue-results', runLabel: 'rogue' })) },
        ).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({
        code: 'E_INTERNAL',
        field: expect.stringMatching(/^oof\/hgb_tabular\/fold-[01]$/),
        message: expect.stringMatching(/task oof\/hgb_tabular\/fold-[01] completed on the queue without a result/),
      });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect((await openRun(dir)).manifest.status).toBe('failed');
    } finally {
      await rogue.close();
    }
  }, 60_000);
});
