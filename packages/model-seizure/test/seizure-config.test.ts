import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parseSeizureConfig, parseSeizureConfigYaml, readSeizureConfig, seizureLocalPreset } from '@pipeline/model-seizure';

const configs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'configs');

function problemOf(text: string): string {
  try {
    parseSeizureConfigYaml(text, 'c.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('seizure config', () => {
  it('reads the local and production presets', async () => {
    const local = await readSeizureConfig(join(configs, 'local.yaml'));
    expect(local.train.earlyStopping.metric).toBe('sensitivity_at_10fa');
    expect([local.data.sampleRate, local.data.windowSec, local.data.strideSec]).toEqual([256, 60, 10]);
    const production = await readSeizureConfig(join(configs, 'production.yaml'));
    expect(production.train.earlyStopping.metric).toBe('sensitivity_at_5fa');
    expect(production.train.mixedPrecision).toBe(true);
    expect(production.data.dir).toBeNull();
  });

  it('the built-in local preset (what `seizure demo` trains) equals configs/local.yaml', async () => {
    expect(seizureLocalPreset()).toEqual(await readSeizureConfig(join(configs, 'local.yaml')));
  });

  it('fills defaults for an empty document', () => {
    const config = parseSeizureConfigYaml('');
    expect(config.validation.tauOn).toBe(0.86);
    expect(config.validation.tauOff).toBe(0.78);
    expect(config.train.earlyStopping.metric).toBe('sensitivity_at_10fa');
    expect(config.model.dilations).toEqual([1, 2, 4, 8, 16, 32]);
  });

  it('rejects a wrong type or value with the field path, the expectation and the value', () => {
    expect(problemOf('train:\n  lr: -1\n')).toContain('train.lr: expected a number > 0, got -1 (line 2)');
    expect(problemOf('train:\n  epochs: ten\n')).toContain('train.epochs: expected a number, got "ten" (line 2)');
    expect(problemOf('model:\n  dilations: [1, 2, x]\n')).toContain('model.dilations.2: expected a number, got "x"');
    expect(problemOf('train:\n  earlyStopping:\n    metric: f1\n')).toMatch(/train\.earlyStopping\.metric: expected one of "sensitivity_at_10fa", .*got "f1" \(line 3\)/);
    expect(problemOf('validation:\n  tauOn: 0.5\n  tauOff: 0.7\n')).toContain('validation.tauOff: must be <= validation.tauOn (0.5), got 0.7');
    expect(problemOf('train: 3\n')).toContain('train: expected a mapping, got 3');
  });

  it('rejects unknown keys with their path, at the top and nested', () => {
    expect(problemOf('seed: 1\nepochs: 3\n')).toMatch(/^c\.yaml, field 'epochs': invalid seizure config:\n {2}epochs: unknown key \(known keys: seed, data, model, train, validation, run\) \(line 2\)/);
    expect(problemOf('train:\n  learningRate: 0.1\n')).toMatch(/train\.learningRate: unknown key \(known keys: epochs, batchSize, lr,.*\) \(line 2\)/);
    expect(problemOf('train:\n  earlyStopping:\n    patiance: 2\n')).toContain('train.earlyStopping.patiance: unknown key');
  });

  it('lists every problem, and errors are usage errors naming the file', () => {
    let caught: unknown;
    try {
      parseSeizureConfig({ train: { lr: 0, batchSize: 1.5 }, foo: 1 }, 'x.yaml');
    } catch (error) {
      caught = error;
    }
    const error = caught as Error & { code: string; file: string; problems: Array<{ path: string }> };
    expect(error.code).toBe('E_USAGE');
    expect(error.file).toBe('x.yaml');
    expect(error.problems.map((p) => p.path).sort()).toEqual(['foo', 'train.batchSize', 'train.lr']);
    expect(problemOf('train: [1\n')).toMatch(/not valid YAML/);
  });

  it('the presets hold every key of the schema (nothing is left to a hidden default)', async () => {
    const text = await readFile(join(configs, 'local.yaml'), 'utf8');
    for (const key of ['warmupRatio', 'clipNorm', 'weightDecay', 'mixedPrecision', 'morphologyKernel', 'tauOn', 'tauOff', 'positiveWeight']) expect(text).toContain(`${key}:`);
  });
});
