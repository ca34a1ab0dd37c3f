import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { exitCodeFor, isPipelineError } from '@pipeline/core';
import { configHash, parseTrainConfig, readConfigValue, readTrainConfig, trainConfigJsonSchema, trainConfigToYaml } from '@pipeline/workflows';

const minimal = { inputs: { table: { file: 'X.csv' }, labels: { file: 'y.csv' } } };

function errorOf(value: unknown): { code: string; message: string; field?: string } {
  try {
    parseTrainConfig(value);
  } catch (error) {
    if (isPipelineError(error)) return { code: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) };
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('training config schema', () => {
  it('fills in the seed defaults', () => {
    const config = parseTrainConfig(minimal);
    expect(config.seed).toBe(42);
    expect(config.version).toBe(1);
    expect(config.cv).toEqual({ splits: 5, strategy: 'auto' });
    expect(config.meta).toEqual({ kind: 'logistic', args: { C: 1, maxIter: 1000 } });
    expect(config.imbalance).toEqual({ strategy: 'none' });
    expect(config.baseModels).toEqual([
      { kind: 'hgb', view: 'tabular', args: { maxIter: 200, learningRate: 0.1, maxLeafNodes: 31, maxDepth: null, minSamplesLeaf: 20, l2Regularization: 0, maxBins: 255, earlyStopping: false } },
    ]);
    expect(config.inputs.table).toEqual({ file: 'X.csv', idCol: 'id', dropCols: [] });
  });

  it('names the field path and what is allowed', () => {
    const bad = { ...minimal, inputs: { ...minimal.inputs, signal: { file: 'X.h5' } }, baseModels: [{ kind: 'hgb' }, { kind: 'hgb', view: 'dwt', args: { learningRate: -1 } }] };
    const error = errorOf(bad);
    expect(error.code).toBe('E_USAGE');
    expect(error.field).toBe('baseModels[1].args.learningRate');
    expect(error.message).toContain('baseModels[1].args.learningRate: expected a number > 0, got -1');
    expect(errorOf({ ...minimal, cv: { splits: 1 } }).message).toContain('cv.splits: expected a number ≥ 2, got 1');
    expect(errorOf({ ...minimal, cv: { splits: 2.5 } }).message).toContain('cv.splits: expected an integer, got 2.5');
    expect(errorOf({ ...minimal, imbalance: { strategy: 'smote' } }).message).toContain('imbalance.strategy: expected one of "none", "undersample-balanced", "class-weights-auto", got "smote"');
    expect(errorOf({ ...minimal, baseModels: [{ kind: 'xgboost' }] }).message).toContain('baseModels[0].kind: expected one of "hgb", "lstm", "cnn", "cnn2d", got "xgboost"');
    expect(errorOf({ ...minimal, seeed: 3 }).message).toContain('seeed: unknown field');
    expect(errorOf({ ...minimal, baseModels: [{ kind: 'hgb', args: { maxIterations: 3 } }] }).message).toContain('baseModels[0].args.maxIterations: unknown field');
    expect(errorOf({ ...minimal, seed: 'x' }).message).toContain('seed: expected a number, got "x"');
    expect(errorOf({ inputs: { table: { file: 'X.csv' } } }).message).toContain('labels are missing');
    expect(errorOf({ ...minimal, inputs: { table: 'X.csv', labels: { file: 'y.csv' } } }).message).toContain('inputs.table: expected a mapping (key: value), got "X.csv"');
    expect(errorOf({ ...minimal, inputs: { ...minimal.inputs, labels: {} } }).message).toContain('inputs.labels.file: required (expected a string)');
  });

  it('checks the inputs each base model needs and exclusive options', () => {
    expect(errorOf({ ...minimal, baseModels: [{ kind: 'hgb', view: 'dwt' }] })).toMatchObject({ field: 'inputs.signal', message: expect.stringContaining('hgb_fe reads the raw signal') });
    expect(errorOf({ inputs: { signal: { file: 'X.h5' }, labels: { file: 'y.csv' } } })).toMatchObject({ field: 'inputs.table' });
    expect(errorOf({ ...minimal, imbalance: { strategy: 'undersample-balanced' } })).toMatchObject({ field: 'imbalance.strategy' });
    expect(errorOf({ ...minimal, inputs: { ...minimal.inputs, groups: { column: 'g' }, folds: { column: 'f' } } })).toMatchObject({ field: 'inputs.folds' });
    expect(errorOf({ ...minimal, baseModels: [{ kind: 'hgb' }, { kind: 'hgb' }] })).toMatchObject({ field: 'baseModels[1].name', message: expect.stringContaining("two base models are named 'hgb_tabular'") });
    expect(errorOf({ ...minimal, cv: { strategy: 'group' } })).toMatchObject({ field: 'cv.strategy' });
  });

  it('round-trips through YAML and JSON files; the hash ignores key order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-'));
    const config = parseTrainConfig({ ...minimal, seed: 7, baseModels: [{ kind: 'hgb', args: { maxIter: 30 } }], tags: ['a'] });
    await writeFile(join(dir, 'run.yaml'), trainConfigToYaml(config));
    expect(await readTrainConfig(join(dir, 'run.yaml'))).toEqual(config);
    await writeFile(join(dir, 'run.json'), JSON.stringify(config));
    expect(await readTrainConfig(join(dir, 'run.json'))).toEqual(config);
    const reordered = Object.fromEntries(Object.entries(config).reverse());
    expect(configHash(parseTrainConfig(reordered))).toBe(configHash(config));
    expect(configHash(parseTrainConfig({ ...config, seed: 8 }))).not.toBe(configHash(config));
  });

  it('reports YAML syntax errors with the line, and missing files as not found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-'));
    await writeFile(join(dir, 'bad.yaml'), 'seed: 1\ninputs:\n  table: { file: X.csv\n');
    await expect(readConfigValue(join(dir, 'bad.yaml'))).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/not valid YAML at line \d+/) });
    await writeFile(join(dir, 'list.yaml'), '- 1\n- 2\n');
    await expect(readConfigValue(join(dir, 'list.yaml'))).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('must hold a mapping') });
    await expect(readConfigValue(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('publishes a JSON Schema that matches the zod schema', async () => {
    const file = fileURLToPath(new URL('../schema/train-config.schema.json', import.meta.url));
    const committed = JSON.parse(await readFile(file, 'utf8'));
    expect(committed).toEqual(trainConfigJsonSchema());
    const properties = committed.properties as Record<string, unknown>;
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(['inputs', 'baseModels', 'meta', 'cv', 'imbalance', 'seed']));
    expect(committed.additionalProperties).toBe(false);
  });
});

describe('config files, tried wholesale (fast-check)', () => {
  const valid = trainConfigToYaml(parseTrainConfig({ ...minimal, baseModels: [{ kind: 'hgb', args: { maxIter: 30 } }, { kind: 'cnn', args: { epochs: 2 } }], inputs: { ...minimal.inputs, signal: { file: 'X.h5', metaCols: 4 } } }));
  const runs = 300;

  it(`mutated, truncated and extended YAML configs end in a config error (exit 2/4) or a valid config (${runs} cases)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-fuzz-'));
    const bytes = Buffer.from(valid);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('flip'), at: fc.nat(bytes.length - 1), value: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ kind: fc.constant('cut'), at: fc.nat(bytes.length), value: fc.constant(0) }),
          fc.record({ kind: fc.constant('insert'), at: fc.nat(bytes.length), value: fc.integer({ min: 0, max: 255 }) }),
        ),
        async ({ kind, at, value }) => {
          const mutated =
            kind === 'flip'
              ? Buffer.concat([bytes.subarray(0, at), Buffer.from([value]), bytes.subarray(at + 1)])
              : kind === 'cut'
                ? bytes.subarray(0, at)
                : Buffer.concat([bytes.subarray(0, at), Buffer.from([value]), bytes.subarray(at)]);
          const file = join(dir, `c${n++}.yaml`);
          await writeFile(file, mutated);
          try {
            const config = await readTrainConfig(file);
            expect(config.version).toBe(1);
          } catch (error) {
            expect(isPipelineError(error)).toBe(true);
            expect([2, 4]).toContain(exitCodeFor(error));
          }
        },
      ),
      { numRuns: runs, seed: 20261205 },
    );
  });

  it(`random JSON values never crash the validator (${runs} cases)`, () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseTrainConfig(value);
        } catch (error) {
          expect(isPipelineError(error)).toBe(true);
          expect(exitCodeFor(error)).toBe(2);
        }
      }),
      { numRuns: runs, seed: 7 },
    );
  });
});
