import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { startFeaturizeWorkers, type FeaturizeWorkers } from '@pipeline/features';
import { sequentialExecutor } from '@pipeline/model-selection';
import { trainRun, type TrainConfigInput } from '@pipeline/workflows';
import { expectSameRun, useDemoFixture } from '@pipeline/test-support';

const { root, demo, tableConfig } = useDemoFixture('workflows-featurize-workers-', { n: 120, seed: 8, testN: 10 });

/** Featurize threads that count their `close()` calls (a run without a wavelet view never takes them). */
function countingWorkers(): FeaturizeWorkers & { closed: number } {
  return {
    count: 2,
    closed: 0,
    close() {
      this.closed += 1;
    },
  };
}

describe('trainRun with featurize threads started ahead (context.featurizeWorkers)', () => {
  it('builds the wavelet view with them: the same bytes as threads trainRun starts itself', async () => {
    const config: TrainConfigInput = {
      seed: 2,
      inputs: { signal: { file: join(demo, 'X_train.h5') }, labels: { file: join(demo, 'y_train.csv') } },
      baseModels: [{ kind: 'hgb', view: 'dwt', args: { maxIter: 6, maxLeafNodes: 4 } }],
      cv: { splits: 2 },
    };
    const own = join(root, 'own');
    const ahead = join(root, 'ahead');
    await trainRun(config, { runDir: own, executor: sequentialExecutor });
    const workers = startFeaturizeWorkers(2);
    const result = await trainRun(config, { runDir: ahead, executor: sequentialExecutor, featurizeWorkers: workers });
    expect(result.status).toBe('completed');
    await expectSameRun(own, ahead);
  });

  it('ends threads a run without a wavelet view does not need, and ends them when the config is rejected', async () => {
    const unused = countingWorkers();
    await trainRun(tableConfig(), { runDir: join(root, 'table'), executor: sequentialExecutor, featurizeWorkers: unused });
    expect(unused.closed).toBeGreaterThanOrEqual(1);
    const rejected = countingWorkers();
    await expect(trainRun({ ...tableConfig(), cv: { splits: 1 } } as TrainConfigInput, { runDir: join(root, 'bad'), featurizeWorkers: rejected })).rejects.toMatchObject({ code: 'E_USAGE', field: 'cv.splits' });
    expect(rejected.closed).toBeGreaterThanOrEqual(1);
  });
});
