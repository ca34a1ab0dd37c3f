import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { analyzeRun, evaluateRun, predictRun } from '@pipeline/workflows';

// A format-1 run folder written by the CLI at b81e1cc, kept by @pipeline/runs (see its fixtures/README.md).
const fixtures = fileURLToPath(new URL('../../runs/test/fixtures/', import.meta.url));
const v1 = join(fixtures, 'run-v1');

describe('runs written before run format 2', () => {
  it('predict with the same bytes the old CLI wrote', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'old-run-')), 'preds.csv');
    const result = await predictRun({ runDir: v1, inputs: { table: { file: join(fixtures, 'run-v1-X_test.csv') } }, out });
    expect(result.rows).toBe(20);
    expect(await readFile(out, 'utf8')).toBe(await readFile(join(fixtures, 'run-v1-predictions.csv'), 'utf8'));
  });

  it('evaluate and analyze from their saved OOF predictions', async () => {
    const evaluated = await evaluateRun({ runDir: v1 });
    expect(evaluated.source).toBe('oof');
    const stored = JSON.parse(await readFile(join(v1, 'metrics/oof_stack.json'), 'utf8'));
    if (evaluated.source !== 'oof') throw new Error('unreachable');
    expect(evaluated.oof.stack).toEqual(stored);
    const analysis = await analyzeRun({ runDir: v1, saveJson: false });
    expect(analysis.accuracy).toBeCloseTo(stored.accuracy, 12);
    expect(analysis.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(120);
  });
});
