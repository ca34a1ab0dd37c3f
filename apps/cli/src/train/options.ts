import type { Argv } from 'yargs';
import { PipelineError } from '@pipeline/core';
import type { TrainConfigInput } from '@pipeline/workflows/config';
import { configModule } from './config-module.js';
import { optimizeBuilder } from './optimize-options.js';

let defaults: ReturnType<typeof import('@pipeline/workflows/config').configDefaults> | undefined;
/** Defaults shown in the help text come from the config schema (one source), loaded by `train`'s prepare. */
const DEFAULTS = () => (defaults ??= configModule().configDefaults());

/**
 * `train`'s flags are a view of the training config (@pipeline/workflows' schema): each flag sets
 * one config field, `--config FILE` loads a config, and flags given on the command line override
 * it. Flags carry no yargs defaults (a default would silently override the file): the defaults live
 * in the schema and are shown in the help text.
 */

/** `[flag, type, description, arg name]` of the seed's LSTM flags. */
export const LSTM_FLAGS: ReadonlyArray<readonly [string, 'number' | 'boolean' | 'string', string, string]> = [
  ['lstm-fast', 'boolean', 'Fast preset (32 units, batch 64, learning rate 3e-3, at most 10000 rows); explicit --lstm-* flags still win', 'fast'],
  ['lstm-downsample', 'number', 'Keep every k-th sample (default 2)', 'downsample'],
  ['lstm-frame', 'number', 'Downsampled samples per LSTM step (default 25; 1 = one sample per step)', 'frame'],
  ['lstm-epochs', 'number', 'Training epochs (default 6)', 'epochs'],
  ['lstm-max-train-samples', 'number', 'Rows per fit, seeded subset; 0 = all (default 50000)', 'maxTrainSamples'],
  ['lstm-units', 'number', 'LSTM units (default 64)', 'units'],
  ['lstm-dense-units', 'number', 'Dense units after the LSTM (default 32)', 'denseUnits'],
  ['lstm-batch-size', 'number', 'Training batch (default 32)', 'batchSize'],
  ['lstm-learning-rate', 'number', 'Adam learning rate (default 2e-3)', 'learningRate'],
  ['lstm-class-weight', 'string', 'Class weights in the loss: balanced or none (default balanced)', 'classWeight'],
  ['lstm-predict-batch-size', 'number', 'Prediction batch (default 1024)', 'predictBatchSize'],
  ['lstm-verbose', 'boolean', 'Log every epoch at info', 'verbose'],
  ['lstm-load-model', 'string', 'Start from a pretrained LSTM (artifact folder or model.json folder)', 'loadModel'],
];

/** `[flag, type, description, arg name]` of the seed's CNN flags. */
export const CNN_FLAGS: ReadonlyArray<readonly [string, 'number' | 'boolean' | 'string', string, string]> = [
  ['cnn-epochs', 'number', 'Training epochs (default 12)', 'epochs'],
  ['cnn-batch-size', 'number', 'Training batch (default 32)', 'batchSize'],
  ['cnn-downsample', 'number', 'Keep every k-th sample (default 2)', 'downsample'],
  ['cnn-max-train-samples', 'number', 'Rows per fit, seeded subset; 0 = all (default 0)', 'maxTrainSamples'],
  ['cnn-learning-rate', 'number', 'Adam learning rate (default 2e-3)', 'learningRate'],
  ['cnn-batch-norm', 'boolean', 'BatchNormalization after each convolution (default true)', 'batchNorm'],
  ['cnn-class-weight', 'string', 'Class weights in the loss: balanced or none (default balanced)', 'classWeight'],
  ['cnn-predict-batch-size', 'number', 'Prediction batch (default 256)', 'predictBatchSize'],
  ['cnn-verbose', 'boolean', 'Log every epoch at info', 'verbose'],
  ['cnn-load-only', 'boolean', 'Use --cnn-load-model as is, without training', 'loadOnly'],
  ['cnn-load-model', 'string', 'Pretrained CNN (artifact folder or model.json folder)', 'loadModel'],
];

/** `[flag, HGB arg, description]` of the `--hgb-*` flags (the builder appends the schema's default). */
const hgbDefault = (key: string) => {
  const value = (DEFAULTS().hgb as Record<string, unknown>)[key];
  return value === undefined ? '' : ` (default ${value === null ? 'none' : String(value)})`;
};
export const HGB_FLAGS: ReadonlyArray<readonly [string, string, string]> = [
  ['hgb-max-iter', 'maxIter', `Boosting iterations`],
  ['hgb-learning-rate', 'learningRate', `Learning rate`],
  ['hgb-max-leaf-nodes', 'maxLeafNodes', `Leaves per tree`],
  ['hgb-max-depth', 'maxDepth', `Depth limit`],
  ['hgb-min-samples-leaf', 'minSamplesLeaf', `Rows per leaf at least`],
  ['hgb-l2', 'l2Regularization', `L2 regularization of leaf values`],
  ['hgb-max-bins', 'maxBins', `Histogram bins, 2..255`],
  ['hgb-threads', 'nThreads', 'Histogram threads (default: number of cores; never changes results)'],
];

/**
 * Config paths → the flags that set them, for error messages in the caller's language (longest
 * paths first so `inputs.table.labelCol` wins over `inputs.table`).
 */
export const FLAG_OF_FIELD: ReadonlyArray<readonly [string, string]> = [
  ['inputs.table.dropCols', '--drop-cols'],
  ['inputs.table.categoricalCols', '--categorical-cols'],
  ['inputs.table.numericCols', '--numeric-cols'],
  ['inputs.table.naValues', '--na-values'],
  ['inputs.table.labelCol', '--label-col'],
  ['inputs.table.idCol', '--id-col'],
  ['inputs.table.file', '--x-csv'],
  ['inputs.table', '--x-csv'],
  ['inputs.signal.datasetKey', '--h5-dataset-key'],
  ['inputs.signal.metaCols', '--h5-meta-cols'],
  ['inputs.signal.ids', '--h5-ids'],
  ['inputs.signal.metaFeatures', '--no-h5-meta-features'],
  ['inputs.signal.file', '--x-h5'],
  ['inputs.signal', '--x-h5'],
  ['inputs.labels.file', '--y-csv'],
  ['inputs.labels', '--y-csv'],
  ['inputs.groups.file', '--groups-csv'],
  ['inputs.groups.column', '--group-col'],
  ['inputs.groups', '--group-col'],
  ['inputs.folds.column', '--fold-col'],
  ['inputs.folds', '--fold-col'],
  ['imbalance.strategy', '--undersample-balanced / --class-weights-auto'],
  ['imbalance.seed', '--undersample-seed'],
  ['cv.splits', '--splits'],
  ['meta.args.C', '--meta-C'],
  ['features.chunkSize', '--hgb-fe-chunk-size'],
  ['baseModels', '--with-hgb / --with-lstm / --with-cnn'],
  ['refitFinal', '--refit-final'],
  ['backend', '--backend'],
  ['seed', '--seed'],
  ['overwrite', '--overwrite'],
  ['workers', '--workers'],
  ['labels', '--y-csv'],
];

export function trainBuilder(yargs: Argv): Argv {
  return optimizeBuilder(yargs)
    .group(['config', 'print-config', 'x-csv', 'y-csv', 'x-h5', 'h5-dataset-key', 'h5-meta-cols', 'h5-ids', 'h5-meta-features', 'drop-cols', 'categorical-cols', 'numeric-cols', 'na-values', 'id-col', 'label-col', 'groups-csv', 'group-col', 'fold-col', 'demo'], 'Data:')
    .option('config', { type: 'string', describe: 'Training config file (YAML or JSON; schema: @pipeline/workflows/schema/train-config.schema.json). Flags override it' })
    .option('print-config', { type: 'boolean', describe: 'Print the resolved config as YAML and exit without training' })
    .option('x-csv', { type: 'string', describe: 'Tabular features CSV (header; an id column; numeric columns)' })
    .option('y-csv', { type: 'string', describe: 'Labels CSV: `id,label` or a single label column (extra columns may hold groups/folds)' })
    .option('x-h5', { type: 'string', describe: 'HDF5 file with the raw signal dataset (meta columns + signal per row)' })
    .option('h5-dataset-key', { type: 'string', describe: `Dataset key inside --x-h5 (default '${DEFAULTS().signal.datasetKey}')` })
    .option('h5-meta-cols', { type: 'number', describe: `Meta columns before the signal in each H5 row (default ${DEFAULTS().signal.metaCols})` })
    .option('h5-ids', { type: 'string', choices: ['meta', 'row'], describe: "Row ids of the H5: 'meta' = the first meta column (default), 'row' = the row position" })
    .option('h5-meta-features', { type: 'boolean', describe: 'Pass the H5 meta columns through as wavelet-view features (default true; --no-h5-meta-features keeps them out)' })
    .option('drop-cols', { type: 'string', array: true, describe: 'CSV columns not used as features' })
    .option('categorical-cols', { type: 'string', array: true, describe: 'CSV columns read as categories (default: a column with a non-numeric cell)' })
    .option('numeric-cols', { type: 'string', array: true, describe: 'CSV columns read as numbers (a non-numeric cell is then an error)' })
    .option('na-values', { type: 'string', array: true, describe: "Extra cell texts read as missing (besides empty, NA, NaN, null, …)" })
    .option('id-col', { type: 'string', describe: "Id column of --x-csv (rows are aligned by id; default 'id', row position when absent)" })
    .option('label-col', { type: 'string', describe: 'Label column inside --x-csv (instead of --y-csv), or the label column of --y-csv' })
    .option('groups-csv', { type: 'string', describe: 'CSV with the --group-col column, aligned by id (default: --y-csv, then --x-csv)' })
    .option('group-col', { type: 'string', describe: 'Column of group ids (e.g. patient): no group in two folds' })
    .option('fold-col', { type: 'string', describe: 'Column of predefined fold numbers (-1 = never tested), in --y-csv or --x-csv' })
    .option('demo', { type: 'boolean', default: false, describe: 'Train on the bundled demo data (generated if absent)' })
    .option('demo-dir', { type: 'string', default: 'data/demo', describe: 'Where --demo reads/writes its data' })
    .option('demo-n', { type: 'number', default: 3000, describe: 'Rows of demo data generated by --demo' })
    .group(['with-hgb', 'hgb-fe', 'hgb-fe-chunk-size'], 'Base models:')
    .option('with-hgb', { type: 'boolean', describe: 'Histogram gradient boosting base model (default true)' })
    .option('hgb-fe', { type: 'boolean', describe: 'HGB reads wavelet features (dwt-combo) built from --x-h5 instead of the CSV [default: false; true with --demo]' })
    .option('hgb-fe-chunk-size', { type: 'number', describe: `Rows per featurization batch (default ${DEFAULTS().features.chunkSize})` })
    .group([...HGB_FLAGS.map((f) => f[0]), 'hgb-early-stopping'], 'HGB hyper-parameters:')
    .options(Object.fromEntries(HGB_FLAGS.map(([flag, key, describe]) => [flag, { type: 'number' as const, describe: `${describe}${hgbDefault(key)}` }])))
    .option('hgb-early-stopping', { type: 'boolean', describe: `Early stopping on a seeded validation split (default ${String(DEFAULTS().hgb.earlyStopping)})` })
    .group(['with-lstm', 'with-cnn', 'backend', ...LSTM_FLAGS.map((f) => f[0]), ...CNN_FLAGS.map((f) => f[0])], 'Temporal base models (raw signal of --x-h5):')
    .option('with-lstm', { type: 'boolean', describe: 'LSTM base model on the raw signal' })
    .option('with-cnn', { type: 'boolean', describe: '1D CNN base model on the raw signal' })
    .option('backend', { type: 'string', choices: ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], describe: 'TensorFlow.js backend (default: the best present; env PIPELINE_TF_BACKEND)' })
    .options(Object.fromEntries([...LSTM_FLAGS, ...CNN_FLAGS].map(([flag, type, describe]) => [flag, { type, describe }])))
    .group(['splits', 'undersample-balanced', 'undersample-seed', 'class-weights-auto', 'meta-C'], 'Stacking:')
    .option('splits', { type: 'number', describe: `K of the (group-)stratified K-fold (default ${DEFAULTS().cv.splits})` })
    .option('undersample-balanced', { type: 'boolean', describe: 'Undersample every class to the smallest class count' })
    .option('undersample-seed', { type: 'number', describe: 'Seed of the undersampling (default: --seed)' })
    .option('class-weights-auto', { type: 'boolean', describe: "Inverse-frequency class weights (scikit-learn 'balanced')" })
    .option('meta-C', { type: 'number', describe: `Inverse regularization strength of the logistic meta-learner (default ${DEFAULTS().meta.C})` })
    .group(['run-dir', 'runs-root', 'resume', 'save', 'refit-final', 'workers', 'timing'], 'Run:')
    .option('run-dir', { type: 'string', describe: 'Run folder (default: <runs-root>/<timestamp>)' })
    .option('runs-root', { type: 'string', default: 'runs', describe: 'Parent folder of timestamped runs' })
    .option('resume', { type: 'boolean', default: false, describe: 'Continue an interrupted run in --run-dir from its completed folds' })
    .option('save', { type: 'boolean', describe: 'Save the final models in the run (default true)' })
    .option('refit-final', { type: 'boolean', describe: 'Refit every base model on all rows after the OOF pass (default true)' })
    .option('workers', { type: 'number', describe: 'Fold tasks in parallel worker threads (1 = in this process; default: chosen for the models)' })
    .option('timing', { type: 'boolean', default: false, describe: 'Print per-fold, per-model fit/predict durations' })
    .group(['queue', 'queue-storage', 'queue-name'], 'Distributed folds (pipeline worker --queue …):')
    .option('queue', { type: 'string', describe: 'Run fold tasks on queue workers: redis://HOST:PORT[/DB]' })
    .option('queue-storage', { type: 'string', describe: 'Folder every worker sees at the same path (shared filesystem) for the fold data (default: <runs-root>/queue-env)' })
    .option('queue-name', { type: 'string', describe: 'BullMQ queue name (default pipeline-folds)' });
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function usage(message: string, field: string, hint: string): never {
  throw new PipelineError('E_USAGE', message, { field, hint });
}

type Raw = Record<string, unknown>;
const obj = (value: unknown): Raw => (value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Raw) } : {});

function temporalArgs(args: Raw, flags: typeof LSTM_FLAGS): Raw {
  const out: Raw = {};
  for (const [flag, type, , name] of flags) {
    const value = args[camel(flag)];
    if (value === undefined) continue;
    if (type === 'number' && (typeof value !== 'number' || Number.isNaN(value))) usage(`--${flag} must be a number`, `--${flag}`, `pass a number after --${flag}`);
    out[name] = value;
  }
  return out;
}

/**
 * Applies the command line's flags to a config (the `--config` file's, or an empty one): only flags
 * actually given change it. Flag combinations that cannot work are usage errors (exit 2).
 */
export function flagsToConfig(args: Raw, fileConfig: unknown = {}, demoInputs?: Raw): TrainConfigInput {
  const str = (key: string): string | undefined => (typeof args[key] === 'string' && args[key] !== '' ? (args[key] as string) : undefined);
  const num = (key: string): number | undefined => {
    const value = args[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || Number.isNaN(value)) usage(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a number`, key, 'pass a number');
    return value;
  };
  const bool = (key: string): boolean | undefined => (typeof args[key] === 'boolean' ? (args[key] as boolean) : undefined);
  if (args.undersampleBalanced === true && args.classWeightsAuto === true) {
    usage('--undersample-balanced and --class-weights-auto are mutually exclusive', '--undersample-balanced', 'pick one imbalance strategy');
  }
  if (args.groupCol !== undefined && args.foldCol !== undefined) {
    usage('--group-col and --fold-col cannot be combined', '--fold-col', 'predefined folds already decide the groups; pass one of them');
  }
  if (args.groupsCsv !== undefined && args.groupCol === undefined) usage('--groups-csv needs --group-col (the column to read)', '--groups-csv', 'add --group-col NAME');
  if (args.resume === true && str('runDir') === undefined) usage('--resume needs --run-dir (the interrupted run)', '--resume', 'pass --run-dir <folder>');
  const config = obj(fileConfig);
  const inputs = obj(config.inputs);
  if (demoInputs !== undefined) for (const [key, value] of Object.entries(demoInputs)) if (inputs[key] === undefined) inputs[key] = value;
  const set = (section: string, key: string, value: unknown, create = false) => {
    if (value === undefined) return;
    if (inputs[section] === undefined && !create) return;
    inputs[section] = { ...obj(inputs[section]), [key]: value };
  };
  set('table', 'file', str('xCsv'), true);
  set('signal', 'file', str('xH5'), true);
  set('labels', 'file', str('yCsv'), true);
  const dropCols = (args.dropCols as unknown[] | undefined)?.flatMap((c) => String(c).split(',')).filter((c) => c !== '');
  if (dropCols !== undefined && inputs.table === undefined) usage('--drop-cols names columns of --x-csv, which is missing', '--drop-cols', 'pass --x-csv');
  set('table', 'dropCols', dropCols);
  for (const [flag, key] of [
    ['--categorical-cols', 'categoricalCols'],
    ['--numeric-cols', 'numericCols'],
    ['--na-values', 'naValues'],
  ] as const) {
    const names = (args[key] as unknown[] | undefined)?.flatMap((c) => String(c).split(',')).filter((c) => c !== '');
    if (names !== undefined && inputs.table === undefined) usage(`${flag} names columns of --x-csv, which is missing`, flag, 'pass --x-csv');
    set('table', key, names);
  }
  set('table', 'idCol', str('idCol'));
  if (str('labelCol') !== undefined) {
    if (inputs.labels !== undefined) set('labels', 'column', str('labelCol'));
    else if (inputs.table !== undefined) set('table', 'labelCol', str('labelCol'));
    else usage('--label-col names a column of --y-csv or --x-csv, and neither is given', '--label-col', 'pass --x-csv or --y-csv');
  }
  for (const [flag, key, value] of [
    ['--h5-dataset-key', 'datasetKey', str('h5DatasetKey')],
    ['--h5-meta-cols', 'metaCols', num('h5MetaCols')],
    ['--h5-ids', 'ids', str('h5Ids')],
    ['--h5-meta-features', 'metaFeatures', bool('h5MetaFeatures')],
  ] as const) {
    if (value !== undefined && inputs.signal === undefined) usage(`${flag} describes --x-h5, which is missing`, flag, 'pass --x-h5');
    set('signal', key, value);
  }
  if (str('groupCol') !== undefined) inputs.groups = { ...obj(inputs.groups), column: str('groupCol'), ...(str('groupsCsv') === undefined ? {} : { file: str('groupsCsv') }) };
  if (str('foldCol') !== undefined) inputs.folds = { ...obj(inputs.folds), column: str('foldCol') };
  config.inputs = inputs;

  // Base models: the file's list (or the default HGB) patched by the model flags.
  const hgbFlags = Object.fromEntries(HGB_FLAGS.map(([flag, key]) => [key, num(camel(flag))]).filter(([, v]) => v !== undefined));
  if (bool('hgbEarlyStopping') !== undefined) hgbFlags.earlyStopping = bool('hgbEarlyStopping');
  const lstm = temporalArgs(args, LSTM_FLAGS);
  const cnn = temporalArgs(args, CNN_FLAGS);
  const withLstm = bool('withLstm');
  const withCnn = bool('withCnn');
  if (withLstm !== true && Object.keys(lstm).length > 0 && !hasKind(config.baseModels, 'lstm')) {
    usage('--lstm-* flags were given without --with-lstm', '--with-lstm', 'add --with-lstm, or drop the --lstm-* flags');
  }
  if (withCnn !== true && Object.keys(cnn).length > 0 && !hasKind(config.baseModels, 'cnn')) {
    usage('--cnn-* flags were given without --with-cnn', '--with-cnn', 'add --with-cnn, or drop the --cnn-* flags');
  }
  if (cnn.loadOnly === true && cnn.loadModel === undefined) usage('--cnn-load-only needs --cnn-load-model', '--cnn-load-only', 'pass --cnn-load-model <folder>');
  let models: Raw[] = Array.isArray(config.baseModels) ? (config.baseModels as unknown[]).map(obj) : [{ kind: 'hgb' }];
  const withHgb = bool('withHgb');
  if (withHgb === false) models = models.filter((m) => m.kind !== 'hgb');
  if (withHgb === true && !models.some((m) => m.kind === 'hgb')) models.unshift({ kind: 'hgb' });
  const hgbFe = bool('hgbFe');
  models = models.map((m) => {
    if (m.kind === 'hgb') return { ...m, ...(hgbFe === undefined ? {} : { view: hgbFe ? 'dwt' : 'tabular' }), ...(Object.keys(hgbFlags).length > 0 ? { args: { ...obj(m.args), ...hgbFlags } } : {}) };
    if (m.kind === 'lstm' && Object.keys(lstm).length > 0) return { ...m, args: { ...obj(m.args), ...lstm } };
    if (m.kind === 'cnn' && Object.keys(cnn).length > 0) return { ...m, args: { ...obj(m.args), ...cnn } };
    return m;
  });
  if (withLstm === false) models = models.filter((m) => m.kind !== 'lstm');
  if (withCnn === false) models = models.filter((m) => m.kind !== 'cnn');
  if (withLstm === true && !hasKind(models, 'lstm')) models.push({ kind: 'lstm', ...(Object.keys(lstm).length > 0 ? { args: lstm } : {}) });
  if (withCnn === true && !hasKind(models, 'cnn')) models.push({ kind: 'cnn', ...(Object.keys(cnn).length > 0 ? { args: cnn } : {}) });
  if (models.length === 0) usage('no base model is selected', '--with-hgb', 'keep --with-hgb (the default) or add --with-lstm / --with-cnn');
  config.baseModels = models;

  if (num('metaC') !== undefined) config.meta = { ...obj(config.meta), args: { ...obj(obj(config.meta).args), C: num('metaC') } };
  if (num('splits') !== undefined) config.cv = { ...obj(config.cv), splits: num('splits') };
  if (args.undersampleBalanced === true) config.imbalance = { ...obj(config.imbalance), strategy: 'undersample-balanced' };
  if (args.classWeightsAuto === true) config.imbalance = { ...obj(config.imbalance), strategy: 'class-weights-auto' };
  if (num('undersampleSeed') !== undefined) config.imbalance = { ...obj(config.imbalance), seed: num('undersampleSeed') };
  if (num('hgbFeChunkSize') !== undefined) config.features = { ...obj(config.features), chunkSize: num('hgbFeChunkSize') };
  if (bool('save') !== undefined) config.save = bool('save');
  if (bool('refitFinal') !== undefined) config.refitFinal = bool('refitFinal');
  if (str('backend') !== undefined) config.backend = str('backend');
  if (num('seed') !== undefined) config.seed = num('seed');
  return config as unknown as TrainConfigInput;
}

function hasKind(models: unknown, kind: string): boolean {
  return Array.isArray(models) && models.some((m) => obj(m).kind === kind);
}
