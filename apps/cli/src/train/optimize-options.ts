import type { Argv } from 'yargs';
import { PipelineError } from '@pipeline/core';
import { configModule } from './config-module.js';
import type { OptimizeOptions } from '@pipeline/workflows';

const TARGETS = ['meta', 'hgb', 'lstm', 'cnn'];

/** `train --optimize` and its `--opt-*` flags (a hyper-parameter search before the final run). */
export function optimizeBuilder(yargs: Argv): Argv {
  return yargs
    .group(
      ['optimize', 'opt-targets', 'opt-trials', 'opt-seed', 'opt-sampler', 'opt-metric', 'opt-pruner', 'opt-timeout', 'opt-parallel', 'opt-space', 'opt-budget-lstm-epochs', 'opt-budget-lstm-max-train-samples', 'opt-budget-cnn-epochs', 'opt-budget-cnn-max-train-samples'],
      'Hyper-parameter search (--optimize):',
    )
    .option('optimize', { type: 'boolean', describe: 'Search hyper-parameters (OOF score), then train the best config into the run (opt/ holds the trials)' })
    .option('opt-targets', { type: 'string', array: true, describe: `What to tune: ${TARGETS.join(' ')} (default: meta and every base-model kind of the config)` })
    .option('opt-trials', { type: 'number', describe: 'Trials (default 20; a resumed search counts its logged trials)' })
    .option('opt-seed', { type: 'number', describe: 'Seed of the sampler (default: --seed)' })
    .option('opt-sampler', { type: 'string', describe: 'random | qmc | tpe (default tpe)' })
    .option('opt-metric', { type: 'string', describe: `${configModule().OPTIMIZE_METRICS.join(' | ')} (default accuracy; log-loss is minimized)` })
    .option('opt-pruner', { type: 'string', describe: 'none | median | paired: stop bad trials fold by fold (default none)' })
    .option('opt-timeout', { type: 'number', describe: 'Start no new trial after this many seconds' })
    .option('opt-parallel', { type: 'number', describe: 'Trials at once (default 1; a resumed search needs the same value)' })
    .option('opt-space', { type: 'string', describe: 'YAML/JSON overlay on the default search space ({ params: { hgb.maxBins: { type: int, low: 16, high: 64 }, hgb.l2Regularization: null } })' })
    .option('opt-budget-lstm-epochs', { type: 'number', describe: 'LSTM epochs per trial fit (default 2)' })
    .option('opt-budget-lstm-max-train-samples', { type: 'number', describe: 'LSTM training rows per trial fit (default 2000; 0 = all)' })
    .option('opt-budget-cnn-epochs', { type: 'number', describe: 'CNN epochs per trial fit (default 2)' })
    .option('opt-budget-cnn-max-train-samples', { type: 'number', describe: 'CNN training rows per trial fit (default 2000; 0 = all)' });
}

type Raw = Record<string, unknown>;

function usage(message: string, flag: string, hint: string): never {
  throw new PipelineError('E_USAGE', message, { field: flag, hint });
}

/** Whether any `--opt-*` flag was given (they need `--optimize`). */
export function optFlagsGiven(args: Raw): string[] {
  return Object.keys(args).filter((key) => /^opt[A-Z]/.test(key) && args[key] !== undefined).map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
}

/** The `--opt-*` flags as `optimizeRun` options; bad values are usage errors naming the flag (exit 2). */
export function flagsToOptimizeOptions(args: Raw, baseKinds: readonly string[]): OptimizeOptions {
  const int = (key: string, flag: string, min: number): number | undefined => {
    const value = args[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) usage(`${flag} must be an integer >= ${min}, got ${String(value)}`, flag, `pass an integer >= ${min}`);
    return value;
  };
  const oneOf = <T extends string>(key: string, flag: string, choices: readonly T[]): T | undefined => {
    const value = args[key];
    if (value === undefined) return undefined;
    if (!choices.includes(value as T)) usage(`${flag} must be one of ${choices.join(', ')}, got '${String(value)}'`, flag, `use ${choices.join(' | ')}`);
    return value as T;
  };
  const given = args.optTargets as unknown[] | undefined;
  const targets = given === undefined ? ['meta', ...new Set(baseKinds)] : given.flatMap((t) => String(t).split(',')).filter((t) => t !== '');
  for (const target of targets) {
    if (!TARGETS.includes(target)) usage(`--opt-targets: unknown target '${target}'`, '--opt-targets', `choose from ${TARGETS.join(', ')}`);
    if (target !== 'meta' && !baseKinds.includes(target)) usage(`--opt-targets: '${target}' is not a base model of this run`, '--opt-targets', `the run's base models are ${baseKinds.join(', ')}; add --with-${target} or drop the target`);
  }
  if (targets.length === 0) usage('--opt-targets names no target', '--opt-targets', `choose from ${TARGETS.join(', ')}`);
  const timeout = args.optTimeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) usage(`--opt-timeout must be a number of seconds > 0, got ${String(timeout)}`, '--opt-timeout', 'e.g. --opt-timeout 600');
  const budget = (kind: 'lstm' | 'cnn') => {
    const epochs = int(`optBudget${kind === 'lstm' ? 'Lstm' : 'Cnn'}Epochs`, `--opt-budget-${kind}-epochs`, 1);
    const rows = int(`optBudget${kind === 'lstm' ? 'Lstm' : 'Cnn'}MaxTrainSamples`, `--opt-budget-${kind}-max-train-samples`, 0);
    return { ...(epochs === undefined ? {} : { epochs }), ...(rows === undefined ? {} : { maxTrainSamples: rows }) };
  };
  const nTrials = int('optTrials', '--opt-trials', 1);
  const seed = int('optSeed', '--opt-seed', 0);
  const sampler = oneOf('optSampler', '--opt-sampler', ['random', 'qmc', 'tpe'] as const);
  const metric = oneOf('optMetric', '--opt-metric', configModule().OPTIMIZE_METRICS);
  const pruner = oneOf('optPruner', '--opt-pruner', ['none', 'median', 'paired'] as const);
  const parallel = int('optParallel', '--opt-parallel', 1);
  const space = typeof args.optSpace === 'string' && args.optSpace !== '' ? args.optSpace : undefined;
  return {
    targets,
    ...(nTrials === undefined ? {} : { nTrials }),
    ...(seed === undefined ? {} : { seed }),
    ...(sampler === undefined ? {} : { sampler }),
    ...(metric === undefined ? {} : { metric }),
    ...(pruner === undefined ? {} : { pruner }),
    ...(parallel === undefined ? {} : { parallel }),
    ...(timeout === undefined ? {} : { timeoutMs: (timeout as number) * 1000 }),
    ...(space === undefined ? {} : { spaceFile: space }),
    budgets: { lstm: budget('lstm'), cnn: budget('cnn') },
  };
}
