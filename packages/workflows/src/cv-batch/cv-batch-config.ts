import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { PipelineError } from '@pipeline/core';
import { readConfigValue } from '../config-file.js';
import { formatIssue, formatPath } from '../train-config.js';

/** Methods `cvBatch` can cross-validate. */
export const CV_BATCH_METHODS = ['cnn2d', 'hgb'] as const;
/** One of {@link CV_BATCH_METHODS}. */
export type CvBatchMethod = (typeof CV_BATCH_METHODS)[number];

/** The zod schema of a `cv-batch` config (YAML or JSON). */
export const cvBatchConfigSchema = z
  .object({
    /** Image folder (all sub-databases). */
    images: z.string().min(1),
    /** File name pattern: `{patient}` is required, `{record}` and `{column}` optional, other text literal. */
    imagePattern: z.string().min(1).default('{patient}_{record}_{column}.jpg'),
    labels: z
      .object({
        file: z.string().min(1),
        /** Patient id column. */
        key: z.string().min(1).default('healthCode'),
        /** Diagnosis column mapped to 0/1. */
        column: z.string().min(1).default('professional-diagnosis'),
        /** Cell values (case-insensitive) read as 1. */
        positive: z.array(z.string()).min(1).default(['true', '1', 'yes']),
        /** Cell values (case-insensitive) read as 0. */
        negative: z.array(z.string()).min(1).default(['false', '0', 'no']),
      })
      .strict(),
    splits: z
      .object({
        dir: z.string().min(1),
        /** The val/test file shared by every sub-database (inside `dir`). */
        common: z.string().min(1),
        /** Train split files of sub-database k: `{k}` replaced, `*` any text (inside `dir`). */
        train: z.string().min(1).default('subdb{k}_train_*.csv'),
        /** Fold column of the split files. */
        foldColumn: z.string().min(1).default('fold_iteration'),
        /** Subset column (`train`, `val`, `test`). */
        subsetColumn: z.string().min(1).default('subset'),
        /** Patient column; default `labels.key`. */
        patientColumn: z.string().min(1).optional(),
      })
      .strict(),
    subdbs: z.array(z.number().int().min(0)).min(1),
    out: z.string().min(1),
    methods: z.array(z.enum(CV_BATCH_METHODS)).min(1).default(['cnn2d']),
    /** Training epochs of the CNN (upper bound with early stopping). */
    epochs: z.number().int().min(1).default(5),
    seed: z.number().int().default(0),
    /** Stop the run on a patient in two subsets of one fold (or a test patient seen in training). */
    leakGuard: z.boolean().default(true),
    cnn2d: z
      .object({
        batchSize: z.number().int().min(1).default(32),
        learningRate: z.number().positive().default(1e-3),
        patience: z.number().int().min(0).default(3),
        blocks: z.number().int().min(1).default(2),
        stemFilters: z.number().int().min(1).default(8),
        branchFilters: z.number().int().min(1).default(4),
      })
      .strict()
      .prefault({}),
    hgb: z
      .object({
        maxIter: z.number().int().min(1).default(100),
        learningRate: z.number().positive().default(0.1),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** A `cv-batch` config as written (defaults optional). */
export type CvBatchConfigInput = z.input<typeof cvBatchConfigSchema>;

/** A resolved `cv-batch` config: defaults filled in, paths absolute (resolved against the config file's folder). */
export type CvBatchConfig = z.output<typeof cvBatchConfigSchema>;

/**
 * Validates a `cv-batch` config; relative paths resolve against `baseDir` (the config file's folder).
 * `E_USAGE` naming every field at fault.
 */
export function parseCvBatchConfig(value: unknown, baseDir: string, source = 'config'): CvBatchConfig {
  const parsed = cvBatchConfigSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new PipelineError('E_USAGE', `invalid cv-batch config: ${parsed.error.issues.map((issue) => formatIssue(issue, value)).join('; ')}`, {
      ...(source === 'config' ? {} : { file: source }),
      field: formatPath(first.path),
      hint: 'fix the field(s) named; see the cv-batch section of the @pipeline/workflows README',
    });
  }
  const config = parsed.data;
  if (!config.imagePattern.includes('{patient}')) {
    throw new PipelineError('E_USAGE', 'imagePattern must contain {patient}', { file: source, field: 'imagePattern', hint: 'e.g. "{patient}_{record}_{column}.jpg"' });
  }
  if (!config.splits.train.includes('{k}')) {
    throw new PipelineError('E_USAGE', 'splits.train must contain {k} (the sub-database number)', { file: source, field: 'splits.train' });
  }
  const at = (path: string) => resolve(baseDir, path);
  return {
    ...config,
    images: at(config.images),
    labels: { ...config.labels, file: at(config.labels.file) },
    splits: { ...config.splits, dir: at(config.splits.dir) },
    out: at(config.out),
    subdbs: [...new Set(config.subdbs)],
  };
}

/** Reads a `cv-batch` config file (YAML or JSON), paths resolved against its folder. */
export async function readCvBatchConfig(path: string): Promise<CvBatchConfig> {
  const file = resolve(path);
  return parseCvBatchConfig(await readConfigValue(file), dirname(file), file);
}
