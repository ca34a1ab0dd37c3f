import { readFile } from 'node:fs/promises';
import { PipelineError } from '@pipeline/core';
import { mergeSearchSpace, searchSpace, type ParamSpec, type SearchSpace } from './search-space.js';

/** The targets `train --optimize` can search. */
export type SearchTarget = 'meta' | 'hgb' | 'lstm' | 'cnn';

/** Every search target. */
export const SEARCH_TARGETS: readonly SearchTarget[] = Object.freeze(['meta', 'hgb', 'lstm', 'cnn']);

/**
 * The arguments a space may name per target: the hyper-parameters of the estimator behind it
 * (`meta`: model-linear's `LogisticRegressionArgs`; `hgb`: model-gbdt's `HistGradientBoostingArgs`;
 * `lstm`/`cnn`: model-lstm's `LstmArgs` / model-cnn's `CnnArgs`, with the shared `TemporalArgs`).
 * Kept here as data because model-selection sits below the model packages.
 */
export const SEARCHABLE_ARGS: Readonly<Record<SearchTarget, readonly string[]>> = Object.freeze({
  meta: ['C', 'maxIter', 'tol', 'standardize', 'fitIntercept', 'classWeight'],
  hgb: ['maxIter', 'learningRate', 'maxLeafNodes', 'maxDepth', 'minSamplesLeaf', 'l2Regularization', 'maxBins', 'earlyStopping', 'validationFraction', 'nIterNoChange', 'tol', 'classWeight'],
  lstm: ['units', 'denseUnits', 'epochs', 'batchSize', 'downsample', 'maxTrainSamples', 'learningRate', 'validationFraction', 'patience'],
  cnn: ['filters', 'kernelSizes', 'poolSize', 'epochs', 'batchSize', 'downsample', 'maxTrainSamples', 'learningRate', 'validationFraction', 'patience'],
});

/**
 * Default spaces per target (names without the target prefix). Ranges bracket each estimator's
 * default: hgb's learningRate 0.1, maxIter 100, maxLeafNodes 31, minSamplesLeaf 20; the meta
 * learner's C = 1; the LSTM's 64/32 units and Adam 1e-3; the CNN's (32, 64, 128) filters with
 * kernels (7, 5, 3). Epochs and training-row caps are budgets set by the caller, not searched.
 */
export const DEFAULT_SPACES: Readonly<Record<SearchTarget, Readonly<Record<string, ParamSpec>>>> = Object.freeze({
  meta: { C: { type: 'log-uniform', low: 1e-3, high: 1e2 } },
  hgb: {
    learningRate: { type: 'log-uniform', low: 0.01, high: 0.3 },
    maxIter: { type: 'int', low: 50, high: 500, log: true },
    maxLeafNodes: { type: 'int', low: 8, high: 128, log: true },
    minSamplesLeaf: { type: 'int', low: 5, high: 100, log: true },
    l2Regularization: { type: 'log-uniform', low: 1e-4, high: 10 },
    maxBins: { type: 'int', low: 32, high: 255 },
  },
  lstm: {
    units: { type: 'int', low: 16, high: 128, log: true },
    denseUnits: { type: 'int', low: 8, high: 64, log: true },
    learningRate: { type: 'log-uniform', low: 1e-4, high: 1e-2 },
    batchSize: { type: 'choice', choices: [16, 32, 64, 128] },
    downsample: { type: 'choice', choices: [2, 5, 10] },
  },
  cnn: {
    filters: { type: 'choice', choices: [[16, 32, 64], [32, 64, 128], [64, 128, 256]] },
    kernelSizes: { type: 'choice', choices: [[5, 3, 3], [7, 5, 3], [9, 7, 5]] },
    poolSize: { type: 'int', low: 2, high: 4 },
    learningRate: { type: 'log-uniform', low: 1e-4, high: 1e-2 },
    batchSize: { type: 'choice', choices: [32, 64, 128] },
  },
});

function checkTargets(targets: readonly string[]): asserts targets is readonly SearchTarget[] {
  if (targets.length === 0) throw new PipelineError('E_USAGE', 'no search target given', { field: 'targets', hint: `choose from ${SEARCH_TARGETS.join(', ')}` });
  for (const target of targets) {
    if (!(SEARCH_TARGETS as readonly string[]).includes(target)) {
      throw new PipelineError('E_USAGE', `unknown search target '${target}'`, { field: 'targets', hint: `choose from ${SEARCH_TARGETS.join(', ')}` });
    }
  }
}

/** The known arguments of the chosen targets, for {@link parseSearchSpace}'s `knownParams`. */
export function knownParamsFor(targets: readonly string[]): Record<string, readonly string[]> {
  checkTargets(targets);
  return Object.fromEntries(targets.map((target) => [target, SEARCHABLE_ARGS[target]]));
}

/** The default space over the given targets, names prefixed (`hgb.learningRate`, `meta.C`). */
export function defaultSearchSpace(targets: readonly string[]): SearchSpace {
  checkTargets(targets);
  const params: Record<string, ParamSpec> = {};
  for (const target of targets) {
    for (const [name, spec] of Object.entries(DEFAULT_SPACES[target])) params[`${target}.${name}`] = spec;
  }
  return searchSpace(params, { knownParams: knownParamsFor(targets) });
}

/**
 * The default space of `targets` overridden by a YAML or JSON file (`{ params: { 'hgb.maxBins':
 * { type: int, low: 16, high: 64 }, 'hgb.l2Regularization': null } }`). Unknown targets or
 * arguments and bad distributions are `E_INPUT` errors naming the file and the field; a missing
 * file is `E_NOT_FOUND`.
 */
export async function loadSearchSpace(file: string, targets: readonly string[]): Promise<SearchSpace> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PipelineError('E_NOT_FOUND', 'cannot read the search-space file', { file, cause: error });
  }
  // yaml is loaded here, not with the package: every fold worker imports this package's index.
  const parseYaml = /\.json$/i.test(file) ? undefined : (await import('yaml')).parse;
  let data: unknown;
  try {
    data = parseYaml === undefined ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new PipelineError('E_INPUT', `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message}`, { file, cause: error });
  }
  return mergeSearchSpace(defaultSearchSpace(targets), data, { file, knownParams: knownParamsFor(targets) });
}
