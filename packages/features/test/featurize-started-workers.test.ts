import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { isPipelineError } from '@pipeline/core';
import { writeH5 } from '@pipeline/ingest';
import { computeFeatures, dwtComboRecipe, featurizeH5, startFeaturizeWorkers } from '../src/index.js';
import { setFeaturizeTestHooks } from '../src/featurize-h5.js';
import { CHALLENGE_COLS, challengeRows, matrixBase64, warningLogger } from './support/challenge-rows.js';

// Threads started ahead by startFeaturizeWorkers give the same bytes as computeFeatures on the whole
// matrix; a started thread that fails is left out or replaced, one that dies with a task fails the
// call (never a hang). With mainThreadWaits every batch goes through the started threads.

const ROWS = 150;
const COLS = CHALLENGE_COLS;
const TIMEOUT = 60_000;
let dir: string;
let file: string;
let expected: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'features-started-'));
  file = join(dir, 'rows.h5');
  const raw = challengeRows(ROWS, 29);
  await writeH5(file, [{ key: 'features', value: raw, chunks: [25, COLS] }]);
  expected = matrixBase64(computeFeatures(dwtComboRecipe(), raw));
});

afterEach(() => setFeaturizeTestHooks());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startFeaturizeWorkers', () => {
  it('threads started ahead do every batch of the call, bit-identical; workers defaults to their count', async () => {
    setFeaturizeTestHooks({ mainThreadWaits: true });
    const started = startFeaturizeWorkers(2);
    expect(started.count).toBe(2);
    const { logger, warnings } = warningLogger();
    const result = await featurizeH5(file, { started, batchRows: 25, logger });
    expect(result.workers).toBe(2);
    expect(matrixBase64(result.features)).toBe(expected);
    expect(warnings).toEqual([]);
    started.close(); // idempotent after the call
  }, TIMEOUT);

  it('a started thread that fails at its start is left out; the other does its batches', async () => {
    const started = startFeaturizeWorkers(2);
    setFeaturizeTestHooks({ fault: 'throw-at-start', faultyWorker: 0, mainThreadWaits: true });
    const { logger, warnings } = warningLogger();
    const result = await featurizeH5(file, { started, batchRows: 25, logger });
    expect(matrixBase64(result.features)).toBe(expected);
    expect(warnings.length).toBeLessThanOrEqual(1);
    for (const warning of warnings) expect(warning).toMatchObject({ worker: 0, error: 'Error: test hook: featurize worker failed to start' });
  }, TIMEOUT);

  it('threads ended before the call are replaced by new ones', async () => {
    const started = startFeaturizeWorkers(2);
    started.close();
    setFeaturizeTestHooks({ mainThreadWaits: true });
    const { logger, warnings } = warningLogger();
    const result = await featurizeH5(file, { started, batchRows: 25, logger });
    expect(matrixBase64(result.features)).toBe(expected);
    expect(warnings).toEqual([]);
  }, TIMEOUT);

  it('a started thread that dies holding a task rejects the call with E_INTERNAL', async () => {
    const started = startFeaturizeWorkers(2);
    setFeaturizeTestHooks({ fault: 'exit-in-task', mainThreadWaits: true });
    const error = await featurizeH5(file, { started, batchRows: 25 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPipelineError(error) && error.code).toBe('E_INTERNAL');
    expect((error as Error).message).toMatch(/^featurize worker [01] exited early with code 70$/);
  }, TIMEOUT);

  it('refuses a count that is not a whole number ≥ 0', () => {
    expect(() => startFeaturizeWorkers(-1)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => startFeaturizeWorkers(1.5)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
