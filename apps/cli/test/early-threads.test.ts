import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { earlyFoldWorkers, releaseEarlyThreads, startEarlyFoldWorkers, takeEarlyFeaturize, takeEarlyFoldWorkers, wantsEarlyFeaturize, wantsEarlyFoldWorkers } from '../src/train/early-threads.js';
import { defaultPoolOptions } from '@pipeline/workflows';
import { run } from './helpers.js';

describe("train's early threads (featurize threads and the fold pool)", () => {
  it('are wanted for a wavelet-view train (--hgb-fe, --demo), not for help, --print-config, --optimize or other commands', () => {
    expect(wantsEarlyFeaturize(['train', '--x-h5', 'X.h5', '--y-csv', 'y.csv', '--hgb-fe'])).toBe(true);
    expect(wantsEarlyFeaturize(['train', '--demo'])).toBe(true);
    expect(wantsEarlyFeaturize(['train', '--x-csv', 'X.csv', '--y-csv', 'y.csv'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--hgb-fe', '--help'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--hgb-fe', '-h'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--demo', '--print-config'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--demo', '--optimize'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--demo', '--optimize=true'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--demo', '--print-config=true'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--demo', '--printConfig'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--hgb-fe=true'])).toBe(true);
    expect(wantsEarlyFeaturize(['train', '--hgb-fe=false'])).toBe(false);
    expect(wantsEarlyFeaturize(['train', '--x-h5', 'demo.h5'])).toBe(false);
  });

  it('start the fold pool too unless the folds go elsewhere (--workers, --queue) or set their own threads (--hgb-threads)', () => {
    expect(wantsEarlyFoldWorkers(['train', '--x-h5', 'X.h5', '--y-csv', 'y.csv', '--hgb-fe'])).toBe(true);
    expect(wantsEarlyFoldWorkers(['train', '--demo'])).toBe(true);
    expect(wantsEarlyFoldWorkers(['train', '--demo', '--workers', '1'])).toBe(false);
    expect(wantsEarlyFoldWorkers(['train', '--demo', '--workers=3'])).toBe(false);
    expect(wantsEarlyFoldWorkers(['train', '--demo', '--queue', 'redis://127.0.0.1:6379'])).toBe(false);
    expect(wantsEarlyFoldWorkers(['train', '--hgb-fe', '--hgb-threads', '2'])).toBe(false);
    expect(wantsEarlyFoldWorkers(['train', '--x-csv', 'X.csv', '--y-csv', 'y.csv'])).toBe(false);
    expect(wantsEarlyFoldWorkers(['train', '--demo', '--help'])).toBe(false);
    expect(wantsEarlyFoldWorkers(['train', '--demo', '--backend', 'wasm'])).toBe(false);
    expect(wantsEarlyFoldWorkers(['train', '--demo', '--with-cnn'])).toBe(false);
    expect(wantsEarlyFoldWorkers(['train', '--demo', '--config', 'run.yaml'])).toBe(false);
  });

  it('start the default gradient-boosting pool, which release ends (close called) and leaves nothing to take', async () => {
    await startEarlyFoldWorkers(['train', '--demo']);
    const pool = earlyFoldWorkers();
    const options = defaultPoolOptions(['hist-gradient-boosting']);
    // On one core there is no pool to start (the run keeps its folds in its own thread).
    expect(pool?.options).toEqual(options);
    if (pool !== undefined) {
      const close = jest.spyOn(pool, 'close');
      releaseEarlyThreads();
      expect(close).toHaveBeenCalledTimes(1);
      await close.mock.results[0]!.value;
    }
    expect(takeEarlyFoldWorkers()).toBeUndefined();
  });

  it('that no run takes (a usage error) are ended when runCli returns', async () => {
    const result = await run(['train', '--x-h5', 'missing.h5', '--y-csv', 'y.csv', '--hgb-fe', '--bogus-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown argument.*bogus-flag/);
    // Released: nothing is left for a later run to take.
    expect(takeEarlyFeaturize()).toBeUndefined();
    expect(takeEarlyFoldWorkers()).toBeUndefined();
  });

  it('are handed to the run, which ends them when the run fails (missing input file: exit 4)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cli-early-featurize-'));
    const result = await run(['train', '--x-h5', join(root, 'X.h5'), '--y-csv', join(root, 'y.csv'), '--hgb-fe', '--run-dir', join(root, 'run'), '--quiet']);
    expect(result.stderr).toMatch(/X\.h5: HDF5 file not found/);
    expect(result.code).toBe(4);
    expect(takeEarlyFeaturize()).toBeUndefined();
    expect(takeEarlyFoldWorkers()).toBeUndefined();
  });
});
