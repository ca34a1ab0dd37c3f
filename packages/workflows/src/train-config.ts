import { z } from 'zod';
import { PipelineError, sha256 } from '@pipeline/core';
import { canonicalJson } from '@pipeline/model-selection';

/**
 * The one schema of a training run: inputs, base models with their args, meta-learner, folds,
 * imbalance strategy and run options. It is the single source for the CLI flags (mapped onto it),
 * `train --config run.yaml|run.json`, the resolved config stored in the run manifest under `config`
 * (which, written to a file, retrains the same run byte for byte), search spaces and the HTTP API.
 *
 * Versioned by {@link TRAIN_CONFIG_VERSION}: a field may be added with a default in a minor release;
 * renaming or removing one, or changing a default, bumps the version (see the README's versioning policy).
 */
export const TRAIN_CONFIG_VERSION = 1;

const positiveInt = (min = 1) => z.int().min(min);

/** How a categorical column reaches the models: `native` codes (GBDT categorical splits) or `onehot` indicator columns. */
export const categoricalEncodingSchema = z.enum(['native', 'onehot']);

/** A tabular CSV view: numeric and categorical feature columns, an id column, optionally the label column. */
export const tableInputSchema = z
  .strictObject({
    file: z.string().min(1).describe('CSV file: a header, then one row per sample; numeric and categorical feature columns'),
    idCol: z.string().min(1).default('id').describe('Id column (rows are aligned to labels, groups and the H5 by id); absent from the file → row position'),
    dropCols: z.array(z.string().min(1)).default([]).describe('Columns that are not features'),
    labelCol: z.string().min(1).optional().describe('Label column inside this CSV (instead of a separate labels file)'),
    categoricalCols: z
      .array(z.string().min(1))
      .optional()
      .describe('Columns read as categories whatever their cells (e.g. integer codes); default: inferred (a column with a non-numeric cell is categorical)'),
    numericCols: z.array(z.string().min(1)).optional().describe('Columns read as numbers: a non-numeric cell is then an error naming the line and column'),
    naValues: z.array(z.string()).optional().describe("Extra cell texts read as missing, besides the empty cell and pandas' NA tokens (NA, NaN, null, …)"),
    categorical: z
      .union([categoricalEncodingSchema, z.record(z.string().min(1), categoricalEncodingSchema)])
      .optional()
      .describe(
        "How categorical columns reach the models, for all (native | onehot) or per column ({ color: onehot }); default native: codes, split natively by the GBDT. onehot: one 0/1 column per category of the run's code table, named <column>=<category>; a missing cell or a category training never saw is all zeros",
      ),
    maxOneHotCategories: positiveInt()
      .optional()
      .describe('Most categories a onehot column may have (default 64); a column with more is an error naming it'),
  })
  .describe('Tabular features (CSV)');

/** An H5 signal view: rows × (meta columns + signal samples). */
export const signalInputSchema = z
  .strictObject({
    file: z.string().min(1).describe('HDF5 file holding a 2-D dataset: rows × (meta columns + signal samples)'),
    datasetKey: z.string().min(1).default('features').describe('Dataset key inside the file'),
    metaCols: z.int().min(0).default(11).describe('Leading meta columns before the signal (the seed layout has 11)'),
    ids: z.enum(['meta', 'row']).default('meta').describe("Row ids: 'meta' = the first meta column, 'row' = the row position"),
    metaFeatures: z.boolean().default(true).describe('Pass the meta columns (minus id, fold and subset) through as wavelet-view features'),
  })
  .describe('Raw signal (HDF5)');

/**
 * A grey image view: one image per row, listed in a CSV (id column + path column) or found in a
 * folder by a file name pattern (`{id}` marks the row id); all images `height × width`.
 */
export const imagesInputSchema = z
  .strictObject({
    file: z.string().min(1).optional().describe('CSV listing the images: an id column and an image path column (paths relative to this CSV); optionally the label column. Give file or dir'),
    dir: z.string().min(1).optional().describe('Image folder (instead of file): its files whose names match pattern, sorted by name'),
    pattern: z.string().min(1).optional().describe("File name pattern of dir: {id} is the row id, other {name} fields match any text, the rest is literal (default '{id}.png')"),
    idCol: z.string().min(1).default('id').describe('Id column of file (rows are aligned to labels, groups and the other views by id)'),
    pathCol: z.string().min(1).default('path').describe('Image path column of file: PNG or JPEG files, read as grey (colour → BT.601 luma)'),
    labelCol: z.string().min(1).optional().describe('Label column inside file (instead of a separate labels file)'),
    height: positiveInt().describe('Image height in pixels: every image must have it (a mismatch is an error naming the file)'),
    width: positiveInt().describe('Image width in pixels: every image must have it'),
  })
  .describe('Grey images (PNG/JPEG) listed in a CSV or found in a folder: the image view, rows × height × width values in [0, 1]');

/** A column of a CSV aligned to the feature rows by id (or by row order when the file has no id column). */
export const alignedColumnSchema = z
  .strictObject({
    file: z.string().min(1).optional().describe('CSV holding the column; default: the labels file, then the table'),
    column: z.string().min(1).describe('Column name'),
    idCol: z.string().min(1).optional().describe("Id column of that file (default 'id' when present)"),
  });

export const labelsInputSchema = z.strictObject({
  file: z.string().min(1).describe('Labels CSV: `id,label` or a single label column'),
  column: z.string().min(1).optional().describe('Label column (default: label, y, target or class, or the only non-id column)'),
  idCol: z.string().min(1).optional().describe("Id column (default 'id' when present)"),
});

export const inputsSchema = z
  .strictObject({
    table: tableInputSchema.optional(),
    signal: signalInputSchema.optional(),
    images: imagesInputSchema.optional(),
    labels: labelsInputSchema.optional(),
    groups: alignedColumnSchema.optional().describe('Group ids (e.g. patient): no group is in two folds'),
    folds: alignedColumnSchema.optional().describe('Predefined fold numbers (-1 = never in a test fold)'),
  })
  .describe('Declarative inputs shared by train and predict');

export const hgbArgsSchema = z
  .strictObject({
    maxIter: positiveInt().default(200).describe('Boosting iterations'),
    learningRate: z.number().gt(0).default(0.1),
    maxLeafNodes: positiveInt(2).default(31),
    maxDepth: positiveInt().nullable().default(null).describe('null: no limit'),
    minSamplesLeaf: positiveInt().default(20),
    l2Regularization: z.number().min(0).default(0),
    maxBins: z.int().min(2).max(255).default(255),
    earlyStopping: z.union([z.boolean(), z.literal('auto')]).default(false),
    validationFraction: z.number().gt(0).lt(1).optional(),
    nIterNoChange: positiveInt().optional(),
    tol: z.number().min(0).optional(),
    nThreads: positiveInt().optional().describe('Histogram threads (default: the cores; never changes results)'),
  })
  .describe('Histogram gradient boosting (scikit-learn HistGradientBoostingClassifier semantics)');

const temporalShape = {
  epochs: positiveInt().optional(),
  batchSize: positiveInt().optional(),
  downsample: positiveInt().optional().describe('Keep every k-th sample'),
  maxTrainSamples: z.int().min(0).optional().describe('Rows per fit (seeded subset); 0 = all'),
  predictBatchSize: positiveInt().optional(),
  verbose: z.boolean().optional(),
  channels: positiveInt().optional(),
  learningRate: z.number().gt(0).optional(),
  validationFraction: z.number().min(0).lt(1).optional(),
  patience: z.int().min(0).optional(),
  loadModel: z.string().min(1).nullable().optional().describe('Start from a pretrained model folder'),
  loadOnly: z.boolean().optional(),
  pretrainedDisjoint: z.boolean().optional(),
};

export const lstmArgsSchema = z
  .strictObject({
    ...temporalShape,
    units: positiveInt().optional(),
    denseUnits: positiveInt().optional(),
    fast: z.boolean().optional().describe('Fast preset (fewer units, larger batches and learning rate, fewer rows); explicit args still win'),
    frame: positiveInt().optional().describe('Downsampled steps the LSTM reads as one step (1 = one sample per step)'),
    classWeight: z.enum(['none', 'balanced']).optional().describe('Class weights in the loss'),
  })
  .describe('LSTM on the raw signal (package defaults for absent fields)');

export const cnnArgsSchema = z
  .strictObject({
    ...temporalShape,
    filters: z.array(positiveInt()).min(1).optional(),
    kernelSizes: z.array(positiveInt()).min(1).optional(),
    poolSize: positiveInt().optional(),
    batchNorm: z.boolean().optional().describe('BatchNormalization after each convolution'),
    classWeight: z.enum(['none', 'balanced']).optional().describe('Class weights in the loss'),
  })
  .describe('1D CNN on the raw signal (package defaults for absent fields)');

export const cnn2dArgsSchema = z
  .strictObject({
    epochs: positiveInt().optional().describe('Training epochs (upper bound with early stopping)'),
    batchSize: positiveInt().optional(),
    learningRate: z.number().gt(0).optional().describe('Adam learning rate'),
    stemFilters: positiveInt().optional().describe('Filters of the 3×3 stem convolution'),
    blocks: positiveInt().optional().describe('Inception-style blocks (2×2 max pooling between blocks); at most log2(min(height, width))'),
    branchFilters: positiveInt().optional().describe('Filters of each of the four branches of a block'),
    patience: z.int().min(0).optional().describe('Early-stopping patience in epochs (0 = off)'),
    validationFraction: z.number().min(0).lt(1).optional().describe('Seeded hold-out fraction for early stopping (0 = none)'),
    predictBatchSize: positiveInt().optional(),
    verbose: z.boolean().optional(),
  })
  .describe('2D CNN (Inception-style) on the image view (package defaults for absent fields; height and width come from inputs.images)');

const MODEL_NAME = /^[A-Za-z0-9_.-]+$/;
const modelName = z
  .string()
  .regex(MODEL_NAME, 'letters, digits, _ . - only')
  .refine((name) => name !== 'meta' && name !== 'stack', "'meta' and 'stack' are reserved")
  .optional()
  .describe('Unique name: prefix of its stacking columns and task ids (default: hgb_tabular, hgb_fe, lstm, cnn, cnn2d)');

export const baseModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('hgb'), name: modelName, view: z.enum(['tabular', 'dwt']).default('tabular'), args: hgbArgsSchema.default(() => hgbArgsSchema.parse({})) }),
  z.strictObject({ kind: z.literal('lstm'), name: modelName, view: z.literal('signal').default('signal'), args: lstmArgsSchema.default({}) }),
  z.strictObject({ kind: z.literal('cnn'), name: modelName, view: z.literal('signal').default('signal'), args: cnnArgsSchema.default({}) }),
  z.strictObject({ kind: z.literal('cnn2d'), name: modelName, view: z.literal('image').default('image'), args: cnn2dArgsSchema.default({}) }),
]);

/** The logistic meta-learner's args. */
export const metaArgsSchema = z.strictObject({
  C: z.number().gt(0).default(1).describe('Inverse regularization strength'),
  maxIter: positiveInt().default(1000),
});

export const metaSchema = z.strictObject({
  kind: z.literal('logistic').default('logistic'),
  args: metaArgsSchema.default({ C: 1, maxIter: 1000 }),
  passthrough: z
    .array(z.enum(['tabular', 'dwt']))
    .optional()
    .describe("Views also fed to the meta-learner, after the base models' probabilities (default none); categorical columns of the tabular view are one-hot encoded"),
  missing: z
    .enum(['error', 'median', 'most_frequent'])
    .optional()
    .describe('Missing values in passthrough columns: error (default), or filled with the median / most frequent value of each fit\'s training rows (saved in the run)'),
});

export const cvSchema = z.strictObject({
  splits: positiveInt(2).default(5).describe('K of the (group-)stratified K-fold'),
  strategy: z.enum(['auto', 'stratified', 'group', 'predefined']).default('auto').describe('auto: predefined with inputs.folds, group with inputs.groups, else stratified'),
});

export const imbalanceSchema = z.strictObject({
  strategy: z.enum(['none', 'undersample-balanced', 'class-weights-auto']).default('none'),
  seed: z.int().min(0).optional().describe('Seed of the undersampling (default: the run seed)'),
});

export const trainConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors (ignored)'),
    version: z.literal(TRAIN_CONFIG_VERSION).default(TRAIN_CONFIG_VERSION),
    seed: z.int().min(0).max(0xffffffff).default(42).describe('Seed of every random choice'),
    inputs: inputsSchema,
    baseModels: z.array(baseModelSchema).min(1).default([{ kind: 'hgb', view: 'tabular', args: hgbArgsSchema.parse({}) }]),
    meta: metaSchema.default({ kind: 'logistic', args: { C: 1, maxIter: 1000 } }),
    cv: cvSchema.default({ splits: 5, strategy: 'auto' }),
    imbalance: imbalanceSchema.default({ strategy: 'none' }),
    features: z
      .strictObject({
        chunkSize: positiveInt().default(2000).describe('Rows per wavelet featurization batch'),
        dropGroups: z
          .array(z.string().min(1))
          .min(1)
          .optional()
          .describe("Wavelet-recipe feature groups left out of the dwt view (ablations): meta, a decomposition (haar, db4), a band (db4_d3), windowed, windowed_w<k>, stat:<name> (stat:logenergy)"),
      })
      .default({ chunkSize: 2000 }),
    refitFinal: z.boolean().default(true).describe('Refit every base model on all rows after the OOF pass'),
    save: z.boolean().default(true).describe('Save the final models in the run'),
    backend: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).optional().describe('TensorFlow.js backend (default: the best present)'),
    name: z.string().optional().describe('Human name of the run'),
    tags: z.array(z.string()).optional(),
  })
  .describe('@pipeline training run');

/** A config as written in a file or built by a caller (defaults may be omitted). */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
/** A fully resolved config: every default filled in. */
export type TrainConfig = z.output<typeof trainConfigSchema>;
export type BaseModelConfig = TrainConfig['baseModels'][number];
export type ViewName = 'tabular' | 'dwt' | 'signal' | 'image';

/**
 * The defaults of the schema that flags document (help text is generated from them): HGB args,
 * folds, meta-learner, H5 layout, featurization batch.
 */
export function configDefaults() {
  const resolved = trainConfigSchema.parse({ inputs: { signal: { file: 'x' }, labels: { file: 'y' } }, baseModels: [{ kind: 'hgb', view: 'dwt' }] });
  return {
    hgb: resolved.baseModels[0]!.args as z.output<typeof hgbArgsSchema>,
    cv: resolved.cv,
    meta: resolved.meta.args,
    signal: resolved.inputs.signal!,
    features: resolved.features,
    seed: resolved.seed,
  };
}

/** The base model's name: its own, or the seed's default for its kind and view. */
export function baseModelName(model: BaseModelConfig): string {
  if (model.name !== undefined) return model.name;
  if (model.kind === 'hgb') return model.view === 'dwt' ? 'hgb_fe' : 'hgb_tabular';
  return model.kind;
}

/** `baseModels[1].args.learningRate` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? '(root)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
};

/** One readable line per zod issue: `path: expected …, got …`. */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = formatPath(issue.path);
  const got = describeValue(valueAt(input, issue.path));
  switch (issue.code) {
    case 'too_small': {
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `${path}: expected ${issue.origin === 'int' ? 'an integer' : 'a number'} ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}, got ${got}`;
      }
      return `${path}: expected at least ${String(issue.minimum)} ${issue.origin === 'array' ? 'entries' : 'characters'}`;
    }
    case 'too_big':
      return `${path}: expected ${issue.origin === 'int' ? 'an integer' : 'a number'} ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}, got ${got}`;
    case 'invalid_type':
      if (got === 'nothing') return `${path}: required (expected ${TYPE_NAMES[issue.expected] ?? issue.expected})`;
      return `${path}: expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${got}`;
    case 'invalid_value':
      return `${path}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'unrecognized_keys':
      return `${path === '(root)' ? '' : `${path}.`}${issue.keys.join(', ')}: unknown field${issue.keys.length > 1 ? 's' : ''} (check the spelling; see the JSON Schema)`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        return `${path}: expected one of ${(issue as { options?: unknown[] }).options?.map((v) => JSON.stringify(v)).join(', ') ?? 'the known kinds'}, got ${got}`;
      }
      return `${path}: ${issue.message}`;
    default:
      return `${path}: ${issue.message}${got !== 'nothing' ? `, got ${got}` : ''}`;
  }
}

/**
 * Validates and resolves a training config (defaults filled in). Errors are `E_USAGE` naming
 * every field at fault: `baseModels[1].args.learningRate: expected a number > 0, got -1`.
 */
export function parseTrainConfig(value: unknown, source = 'config'): TrainConfig {
  const parsed = trainConfigSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => formatIssue(issue, value));
    const first = parsed.error.issues[0]!;
    throw new PipelineError('E_USAGE', `invalid training config: ${lines.join('; ')}`, {
      ...(source === 'config' ? {} : { file: source }),
      field: formatPath(first.path),
      hint: 'fix the field(s) named; the JSON Schema (@pipeline/workflows/schema/train-config.schema.json) lists what is allowed',
    });
  }
  const config = parsed.data;
  checkConfig(config, source);
  return config;
}

function configError(source: string, field: string, message: string, hint: string): never {
  throw new PipelineError('E_USAGE', message, { ...(source === 'config' ? {} : { file: source }), field, hint });
}

/** Cross-field rules: the inputs each base model needs, unique names, exclusive options. */
export function checkConfig(config: TrainConfig, source = 'config'): void {
  const names = new Set<string>();
  config.baseModels.forEach((model, k) => {
    const name = baseModelName(model);
    if (names.has(name)) configError(source, `baseModels[${k}].name`, `two base models are named '${name}'`, 'give each base model a unique name');
    names.add(name);
  });
  const { inputs } = config;
  const needs = new Set(config.baseModels.map((m) => m.view));
  if (config.meta.passthrough?.includes('tabular') && inputs.table === undefined) {
    configError(source, 'meta.passthrough', 'meta.passthrough names the tabular view but inputs.table is missing', 'add inputs.table.file, or leave tabular out of meta.passthrough');
  }
  if (config.meta.passthrough?.includes('dwt') && inputs.signal === undefined) {
    configError(source, 'meta.passthrough', 'meta.passthrough names the dwt view but inputs.signal is missing', 'add inputs.signal.file, or leave dwt out of meta.passthrough');
  }
  if (config.meta.missing !== undefined && config.meta.missing !== 'error' && (config.meta.passthrough ?? []).length === 0) {
    configError(source, 'meta.missing', `meta.missing '${config.meta.missing}' fills passthrough columns, but meta.passthrough is empty`, 'add views to meta.passthrough, or remove meta.missing');
  }
  if (needs.has('tabular') && inputs.table === undefined) {
    configError(source, 'inputs.table', 'a base model reads the tabular view but inputs.table is missing', 'add inputs.table.file, or use view dwt (wavelet features of inputs.signal)');
  }
  if (needs.has('image') && inputs.images === undefined) {
    const who = config.baseModels.filter((m) => m.view === 'image').map(baseModelName).join(', ');
    configError(source, 'inputs.images', `${who} read${who.includes(',') ? '' : 's'} the image view but inputs.images is missing`, 'add inputs.images (a CSV of ids and image paths, with height and width)');
  }
  if ((needs.has('dwt') || needs.has('signal')) && inputs.signal === undefined) {
    const who = config.baseModels.filter((m) => m.view === 'dwt' || m.view === 'signal').map(baseModelName).join(', ');
    configError(source, 'inputs.signal', `${who} read${who.includes(',') ? '' : 's'} the raw signal but inputs.signal is missing`, 'add inputs.signal.file (an HDF5 file)');
  }
  const images = inputs.images;
  if (images !== undefined) {
    if ((images.file === undefined) === (images.dir === undefined)) {
      configError(source, 'inputs.images', 'inputs.images needs exactly one of file (a CSV of ids and image paths) and dir (an image folder)', 'set inputs.images.file or inputs.images.dir');
    }
    if (images.dir !== undefined && images.labelCol !== undefined) {
      configError(source, 'inputs.images.labelCol', 'labelCol needs an image list CSV (inputs.images.file); an image folder has no label column', 'add inputs.labels.file, or list the images in a CSV');
    }
    if (images.pattern !== undefined && (images.dir === undefined || !images.pattern.includes('{id}'))) {
      configError(source, 'inputs.images.pattern', images.dir === undefined ? 'pattern applies to an image folder (inputs.images.dir)' : `pattern '${images.pattern}' has no {id} field`, "e.g. dir: images, pattern: '{id}.png'");
    }
  }
  const labelSources = [inputs.labels === undefined ? undefined : 'inputs.labels', inputs.table?.labelCol === undefined ? undefined : 'inputs.table.labelCol', inputs.images?.labelCol === undefined ? undefined : 'inputs.images.labelCol'].filter((s): s is string => s !== undefined);
  if (labelSources.length === 0) {
    configError(source, 'inputs.labels', 'the labels are missing', 'add inputs.labels.file, or inputs.table.labelCol (inputs.images.labelCol) when the table (image list) holds the label column');
  }
  if (labelSources.length > 1) {
    configError(source, labelSources[1]!, `labels are given twice (${labelSources.join(' and ')})`, 'keep one of them');
  }
  if (inputs.groups !== undefined && inputs.folds !== undefined) {
    configError(source, 'inputs.folds', 'groups and predefined folds cannot be combined', 'predefined folds already decide the groups; keep one of them');
  }
  const strategy = config.cv.strategy;
  if (strategy === 'group' && inputs.groups === undefined) configError(source, 'cv.strategy', "cv.strategy 'group' needs inputs.groups", 'add inputs.groups.column');
  if (strategy === 'predefined' && inputs.folds === undefined) configError(source, 'cv.strategy', "cv.strategy 'predefined' needs inputs.folds", 'add inputs.folds.column');
  if (config.features.dropGroups !== undefined && !needs.has('dwt')) {
    configError(source, 'features.dropGroups', 'features.dropGroups removes wavelet features but no base model reads the dwt view', 'add an HGB with view dwt, or drop features.dropGroups (tabular columns are left out with inputs.table.dropCols)');
  }
  if (config.imbalance.strategy === 'undersample-balanced' && needs.has('tabular')) {
    configError(source, 'imbalance.strategy', 'undersample-balanced needs every base model to read the H5 rows (a CSV-fed HGB is not supported)', 'use view dwt for HGB, or the class-weights-auto strategy');
  }
  config.baseModels.forEach((model, k) => {
    if (model.kind === 'cnn' && model.args.loadOnly === true && (model.args.loadModel ?? null) === null) {
      configError(source, `baseModels[${k}].args.loadOnly`, 'loadOnly needs loadModel', 'set args.loadModel to a model folder');
    }
  });
}

/** The resolved config without what does not change the results (the run folder location). */
export function configHash(config: TrainConfig): string {
  return sha256(canonicalJson(config)).slice(0, 16);
}
