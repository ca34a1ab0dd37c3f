import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isPipelineError, matrix, type Matrix, type ProgressEvent } from '@pipeline/core';
import { writeH5 } from '@pipeline/ingest';
import { computeFeatures, dwtComboRecipe, featurizeH5 } from '../src/index.js';
import { CHALLENGE_COLS, challengeRows } from './support/challenge-rows.js';

const ROWS = 230;
const COLS = CHALLENGE_COLS;
let dir: string;
let raw: Matrix;

const bytes = (m: Matrix) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'features-h5-'));
  raw = challengeRows(ROWS, 11);
  await writeH5(join(dir, 'chunked.h5'), [{ key: 'features', value: raw, chunks: [32, COLS], compression: 4 }]);
  await writeH5(join(dir, 'contiguous.h5'), [
    { key: 'data/train/features', value: raw },
    { key: 'narrow', value: matrix(4, 100) },
  ]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('featurizeH5', () => {
  it('in-process, streamed batches, worker pools and main-thread reads give identical bytes', async () => {
    const expected = computeFeatures(dwtComboRecipe(), raw);
    const events: ProgressEvent[] = [];
    const runs = [
      await featurizeH5(join(dir, 'chunked.h5'), { workers: 0 }),
      await featurizeH5(join(dir, 'chunked.h5'), { workers: 0, batchRows: 7 }),
      await featurizeH5(join(dir, 'chunked.h5'), { workers: 2, batchRows: 64, onProgress: (event) => events.push(event) }),
    ];
    for (const run of runs) {
      expect([run.features.rows, run.features.cols]).toEqual([ROWS, 118]);
      expect(run.names).toHaveLength(118);
      expect(bytes(run.features).equals(bytes(expected))).toBe(true);
    }
    expect(runs.map((run) => run.workers)).toEqual([0, 0, 2]);
    // Chunk-aligned tasks of 64 rows: 0–64, 64–128, 128–192, 192–230, finishing in any order; progress
    // counts rows done, so it rises by one task's rows per event and ends at the total.
    const steps = events.map((e, i) => e.current - (i === 0 ? 0 : events[i - 1]!.current));
    expect(steps.sort((a, b) => a - b)).toEqual([38, 64, 64, 64]);
    expect(events.at(-1)).toEqual({ stage: 'featurize', current: 230, total: 230 });
  });

  it('row ranges, nested keys, main-thread reads and custom recipes reach the workers intact', async () => {
    const recipe = dwtComboRecipe({
      metaNames: ['id', 'subject', 'session', 'channel', 'fold', 'subset', 'age', 'sex', 'sfreq', 'start_time', 'quality'],
      dropMeta: ['id', 'fold', 'subset'],
      windowed: null,
    });
    const range = { rows: 130, cols: COLS, data: raw.data.subarray(40 * COLS, 170 * COLS) };
    const result = await featurizeH5(join(dir, 'contiguous.h5'), {
      datasetKey: 'data/train/features',
      recipe,
      workers: 3,
      readIn: 'main',
      start: 40,
      end: 170,
      batchRows: 25,
    });
    expect(result.names.slice(0, 3)).toEqual(['subject', 'session', 'channel']);
    expect([result.start, result.workers, result.datasetKey]).toEqual([40, 3, 'data/train/features']);
    expect(bytes(result.features).equals(bytes(computeFeatures(recipe, range)))).toBe(true);
  });

  it('stops the workers and rejects with E_ABORTED when aborted', async () => {
    const controller = new AbortController();
    const pending = featurizeH5(join(dir, 'chunked.h5'), {
      workers: 2,
      batchRows: 32,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(pending).rejects.toMatchObject({ code: 'E_ABORTED' });
    const inProcess = featurizeH5(join(dir, 'chunked.h5'), { workers: 0, batchRows: 32, signal: controller.signal });
    await expect(inProcess).rejects.toMatchObject({ code: 'E_ABORTED' });
  });

  it('reports bad files, keys and layouts with typed errors naming the file', async () => {
    const codeAndFile = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return isPipelineError(error) ? [error.code, error.file?.endsWith('.h5') ?? false] : ['not a PipelineError', String(error)];
      }
      return ['no error'];
    };
    expect(await codeAndFile(featurizeH5(join(dir, 'missing.h5')))).toEqual(['E_NOT_FOUND', true]);
    expect(await codeAndFile(featurizeH5(join(dir, 'contiguous.h5')))).toEqual(['E_NOT_FOUND', true]);
    expect(await codeAndFile(featurizeH5(join(dir, 'contiguous.h5'), { datasetKey: 'narrow' }))).toEqual(['E_SCHEMA', true]);
    expect(await codeAndFile(featurizeH5(join(dir, 'chunked.h5'), { start: 10, end: 400 }))).toEqual(['E_USAGE', true]);
    expect(await codeAndFile(featurizeH5(join(dir, 'chunked.h5'), { workers: -1 }))).toEqual(['E_USAGE', false]);
  });
});
