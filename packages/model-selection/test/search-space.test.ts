import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isPipelineError, PipelineError } from '@pipeline/core';
import {
  defaultSearchSpace,
  isActive,
  knownParamsFor,
  loadSearchSpace,
  parseSearchSpace,
  paramsToPatch,
  searchSpace,
  SEARCHABLE_ARGS,
  DEFAULT_SPACES,
} from '@pipeline/model-selection';

function rejection(run: () => unknown): PipelineError {
  try {
    run();
  } catch (error) {
    if (isPipelineError(error)) return error;
    throw error;
  }
  throw new Error('expected a PipelineError');
}

async function rejectionAsync(run: () => Promise<unknown>): Promise<PipelineError> {
  try {
    await run();
  } catch (error) {
    if (isPipelineError(error)) return error;
    throw error;
  }
  throw new Error('expected a PipelineError');
}

const dir = mkdtempSync(join(tmpdir(), 'search-space-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('search spaces', () => {
  it('rejects bad spaces with E_INPUT naming the field path', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ params: { 'hgb.learningRate': { type: 'uniform', low: 1, high: 0.1 } } }, 'params.hgb.learningRate.low', /low \(1\) > high \(0\.1\)/],
      [{ params: { 'meta.C': { type: 'log-uniform', low: 0, high: 10 } } }, 'params.meta.C.low', /needs low > 0/],
      [{ params: { 'hgb.maxIter': { type: 'int', low: -1, high: 10, log: true } } }, 'params.hgb.maxIter.low', /needs low > 0/],
      [{ params: { 'lstm.batchSize': { type: 'choice', choices: [] } } }, 'params.lstm.batchSize.choices', /no choices/],
      [{ params: { 'lstm.batchSize': { type: 'choice', choices: [16, 16] } } }, 'params.lstm.batchSize.choices', /lists 16 twice/],
      [{ params: { 'hgb.learningRat': { type: 'uniform', low: 0, high: 1 } } }, 'params.hgb.learningRat', /not a searchable argument of target 'hgb'/],
      [{ params: { 'gbm.learningRate': { type: 'uniform', low: 0, high: 1 } } }, 'params.gbm.learningRate', /unknown target 'gbm'/],
      [{ params: { 'hgb.maxBins': { type: 'int', low: 2.5, high: 10 } } }, 'params.hgb.maxBins.low', /invalid search space/],
      [{ params: { 'hgb.maxBins': { type: 'normal', low: 2, high: 10 } } }, 'params.hgb.maxBins.type', /invalid search space/],
      [{ params: { 'hgb.maxBins': { type: 'int', low: 2, high: 10, step: 2 } } }, 'params.hgb.maxBins', /invalid search space/],
      [
        { params: { 'hgb.maxDepth': { type: 'int', low: 2, high: 10, when: { parent: 'hgb.kind', in: ['deep'] } } } },
        'params.hgb.maxDepth.when.parent',
        /not in the space/,
      ],
      [
        {
          params: {
            'hgb.classWeight': { type: 'choice', choices: ['balanced', null] },
            'hgb.maxDepth': { type: 'int', low: 2, high: 10, when: { parent: 'hgb.classWeight', in: ['auto'] } },
          },
        },
        'params.hgb.maxDepth.when.in',
        /never takes "auto"/,
      ],
      [
        {
          params: {
            'hgb.learningRate': { type: 'uniform', low: 0, high: 1 },
            'hgb.maxDepth': { type: 'int', low: 2, high: 10, when: { parent: 'hgb.learningRate', in: [0.5] } },
          },
        },
        'params.hgb.maxDepth.when.parent',
        /not a choice parameter/,
      ],
    ];
    for (const [input, field, message] of cases) {
      const error = rejection(() => parseSearchSpace(input, { knownParams: knownParamsFor(['hgb', 'meta', 'lstm']), file: 'space.yaml' }));
      expect(error.code).toBe('E_INPUT');
      expect(error.field).toBe(field);
      expect(error.file).toBe('space.yaml');
      expect(error.message).toMatch(message);
    }
    // A cycle of conditions.
    const cycle = rejection(() =>
      parseSearchSpace({
        params: {
          a: { type: 'choice', choices: [1, 2], when: { parent: 'b', in: [1] } },
          b: { type: 'choice', choices: [1, 2], when: { parent: 'a', in: [1] } },
        },
      }),
    );
    expect(cycle.message).toMatch(/cycle: a → b → a/);
  });

  it('orders parents before conditional children and evaluates conditions', () => {
    const space = searchSpace({
      depth: { type: 'int', low: 1, high: 4, when: { parent: 'model', in: ['tree'] } },
      model: { type: 'choice', choices: ['tree', 'linear'] },
      c: { type: 'uniform', low: 0, high: 1 },
    });
    expect(space.order).toEqual(['model', 'depth', 'c']);
    expect(isActive(space, 'depth', { model: 'tree' })).toBe(true);
    expect(isActive(space, 'depth', { model: 'linear' })).toBe(false);
    expect(isActive(space, 'depth', {})).toBe(false);
    expect(isActive(space, 'c', {})).toBe(true);
  });

  it('default spaces: one per target, every name a searchable argument, ranges containing the estimator defaults', () => {
    const space = defaultSearchSpace(['meta', 'hgb', 'lstm', 'cnn']);
    expect(space.order.filter((n) => n.startsWith('hgb.'))).toEqual([
      'hgb.learningRate',
      'hgb.maxIter',
      'hgb.maxLeafNodes',
      'hgb.minSamplesLeaf',
      'hgb.l2Regularization',
      'hgb.maxBins',
    ]);
    expect(space.params['meta.C']).toEqual({ type: 'log-uniform', low: 1e-3, high: 1e2 });
    for (const [target, params] of Object.entries(DEFAULT_SPACES)) {
      for (const name of Object.keys(params)) expect(SEARCHABLE_ARGS[target as keyof typeof SEARCHABLE_ARGS]).toContain(name);
    }
    // scikit-learn / seed defaults inside the ranges.
    const inside = (name: string, value: number): boolean => {
      const spec = space.params[name]!;
      return spec.type !== 'choice' && spec.low <= value && value <= spec.high;
    };
    expect([inside('hgb.learningRate', 0.1), inside('hgb.maxIter', 100), inside('hgb.maxLeafNodes', 31), inside('hgb.minSamplesLeaf', 20), inside('meta.C', 1)]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(rejection(() => defaultSearchSpace(['xgb'])).field).toBe('targets');
  });

  it('loads overrides from YAML and JSON files over the default space, naming the file in errors', async () => {
    const yamlFile = join(dir, 'space.yaml');
    writeFileSync(
      yamlFile,
      ['params:', '  hgb.maxBins: { type: int, low: 16, high: 64 }', '  hgb.l2Regularization: null', '  hgb.maxDepth: { type: int, low: 2, high: 8 }', ''].join('\n'),
    );
    const space = await loadSearchSpace(yamlFile, ['hgb', 'meta']);
    expect(space.params['hgb.maxBins']).toEqual({ type: 'int', low: 16, high: 64 });
    expect(space.params['hgb.l2Regularization']).toBeUndefined();
    expect(space.params['hgb.maxDepth']).toEqual({ type: 'int', low: 2, high: 8 });
    expect(space.params['meta.C']).toEqual({ type: 'log-uniform', low: 1e-3, high: 1e2 });

    const jsonFile = join(dir, 'space.json');
    writeFileSync(jsonFile, JSON.stringify({ params: { 'meta.C': { type: 'log-uniform', low: -1, high: 1 } } }));
    const bad = await rejectionAsync(() => loadSearchSpace(jsonFile, ['meta']));
    expect([bad.code, bad.file, bad.field]).toEqual(['E_INPUT', jsonFile, 'params.meta.C.low']);

    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'params:\n  lstm.units: { type: int, low: 8, high: 64 }\n');
    const wrongTarget = await rejectionAsync(() => loadSearchSpace(unknown, ['hgb']));
    expect([wrongTarget.field, wrongTarget.file]).toEqual(['params.lstm.units', unknown]);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'params: [\n');
    expect((await rejectionAsync(() => loadSearchSpace(broken, ['hgb']))).message).toMatch(/not valid YAML/);
    expect((await rejectionAsync(() => loadSearchSpace(join(dir, 'missing.yaml'), ['hgb']))).code).toBe('E_NOT_FOUND');
  });

  it('turns params into a config patch', () => {
    expect(paramsToPatch({ 'hgb.learningRate': 0.05, 'hgb.maxIter': 200, 'meta.C': 2, 'cnn.filters': [16, 32, 64], plain: 'x' })).toEqual({
      hgb: { learningRate: 0.05, maxIter: 200 },
      meta: { C: 2 },
      cnn: { filters: [16, 32, 64] },
      plain: 'x',
    });
  });
});
